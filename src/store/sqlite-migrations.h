/* The SQLite backend's numbered schema migrations, oldest first. */
#ifndef SB_SQLITE_MIGRATIONS_H
#define SB_SQLITE_MIGRATIONS_H

#include <stddef.h>

const char *const *sb_sqlite_migrations(size_t *ret_count);

#endif
