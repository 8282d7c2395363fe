/*
 * Savepoints around one piece of work (see savepoint.h). The name is the
 * same at every level: SQL savepoints nest as a stack, and a ROLLBACK TO or
 * RELEASE acts on the innermost of that name, which is ours.
 */
#include "store/savepoint.h"

sb_err sb_store_savepoint(struct sb_db *db, sb_err (*fn)(struct sb_db *db, void *ctx), void *ctx,
                          sb_err *ret_failed)
{
    *ret_failed = SB_OK;
    sb_err err = sb_db_exec(db, "SAVEPOINT sb_part", NULL);
    if (err)
        return err;
    sb_err why = fn(db, ctx);
    struct sb_errinfo saved = *sb_err_last();
    if (why)
        err = sb_db_exec(db, "ROLLBACK TO SAVEPOINT sb_part", NULL);
    sb_err rel = sb_db_exec(db, "RELEASE SAVEPOINT sb_part", NULL);
    if (err || rel)
        return err ? err : rel;
    if (why) /* fn's error is what the caller reads */
        sb_fail(saved.err, saved.field[0] ? saved.field : NULL, "%s", saved.message);
    *ret_failed = why;
    return SB_OK;
}
