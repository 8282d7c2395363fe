/*
 * JSON API bodies through the real handlers (http/api-*.c), without a server:
 * the request's method and path go through the route table (http/router.c),
 * its query through the handlers' query getters, its body through their
 * typed getters, then on into the domain and the store, as the server's last
 * callback would run them - on a real SQLite database seeded once with an
 * outlet, items, a sale and the rest, through these same handlers.
 *
 * The input is "METHOD /path?query" on its first line, then the body; a first line
 * starting "staff " or "manager " asks as a user of outlet 1 only, "connection " as the
 * seeded export-model webstore's connection token (SPEC E1: GET and PATCH
 * /api/v1/connection), else as the admin (who may also connect: POST /api/v1/connection,
 * with maria's password "maria-fuzz" to get past the sign-in). Each
 * request runs inside a transaction that is rolled back afterwards, so every
 * input meets the same seeded database and a crash replays alone. What must
 * hold whatever the body says: a success answers 2xx with a document that
 * serialises; a refusal is a client error (4xx, never a 5xx: hostile input is
 * not a server fault) with a UTF-8 field and message (SEC1); the handler
 * leaves no transaction open; and after a success the database still keeps
 * its invariants (sale totals, balances, stock against its ledger: the checks
 * of `stockbridge check`); and a user of outlet 1 is shown nothing of outlet 2
 * (N2, docs/behaviour.md "Access").
 *
 * Routes that need the server itself (sessions, webhooks through the
 * pipeline, polls and reconciliations that call the webstore, health and
 * metrics) are left out: they have harnesses of their own or no body. The
 * database, its seed and the stand-ins for the server are in seeded.c.
 */
#include "fuzz.h"

#include "seeded.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fz_seeded_init();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *line, *body;
    size_t line_len, body_len;
    if (!fz_next(&data, &size, "\n", &line, &line_len))
        return 0;
    if (!fz_next(&data, &size, "", &body, &body_len)) {
        body = NULL;
        body_len = 0;
    }
    const struct sb_scope *scope = &fz_scopes[0];
    if (line_len > 6 && memcmp(line, "staff ", 6) == 0) {
        scope = &fz_scopes[1];
        line += 6;
        line_len -= 6;
    } else if (line_len > 8 && memcmp(line, "manager ", 8) == 0) {
        scope = &fz_scopes[2];
        line += 8;
        line_len -= 8;
    } else if (line_len > 11 && memcmp(line, "connection ", 11) == 0) {
        scope = &fz_scopes[3];
        line += 11;
        line_len -= 11;
    }
    const uint8_t *sp = memchr(line, ' ', line_len);
    if (!sp)
        return 0;
    char *method = fz_cstr(line, (size_t)(sp - line));
    char *target = fz_cstr(sp + 1, line_len - (size_t)(sp - line) - 1);
    /* the body in a buffer of its own size, so that reading past it is caught */
    char *copy = body_len ? malloc(body_len) : NULL;
    if (!method || !target || (body_len && !copy))
        goto done;
    if (body_len)
        memcpy(copy, body, body_len);
    struct sb_db *db = fz_seeded_db();
    FZ_CHECK(sb_db_begin(db) == SB_OK, "begin: %s", sb_err_last()->message);
    bool ran;
    (void)fz_request(scope, method, target, copy, body_len, true, NULL, &ran);
    (void)sb_db_end(db, SB_EINTERNAL); /* roll back: the next input meets the same database */
    FZ_CHECK(db->tx_depth == 0, "still in a transaction");
    sb_err_clear();
done:
    free(method);
    free(target);
    free(copy);
    return 0;
}
