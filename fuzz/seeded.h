/*
 * A seeded database behind the real API handlers, for the harnesses that need
 * one (fuzz-api, fuzz-shopify-apply, fuzz-catalogue-cursor): a SQLite file in
 * a directory of its own under TMPDIR (removed at exit), seeded once through
 * the handlers themselves with users, two outlets, registers, items, stock, a
 * customer, sales at both outlets, a Shopify channel and an export-model
 * webstore whose connection is complete (locations L1 and L2 at outlets 1 and
 * 2, employee 1, register 1) and has exported order "S-1" (two TEE, one MUG);
 * and a request runner that does what the
 * server's last callback does - route, role, query, body, handler - without
 * libmicrohttpd.
 *
 * The server's glue is replaced through the linker's --wrap (fuzz/meson.build):
 * sb_req_query (libmicrohttpd's arguments: here the request's parsed query),
 * sb_req_header (none), sb_server_store, sb_server_pipeline (none: nothing to
 * wake) and sb_store_write
 * (the group-commit writer: here the request's own connection, inside the
 * harness's transaction). A harness runs each input between sb_db_begin() and a
 * rolled-back sb_db_end(), so every input meets the same database.
 */
#ifndef SB_FUZZ_SEEDED_H
#define SB_FUZZ_SEEDED_H

#include "core/scope.h"
#include "store/db.h"
#include "util/err.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* Who asks: [0] the admin (user 1), [1] a staff user and [2] a manager, both of outlet 1
 * only (users 2 and 3), [3] the connection token of the seeded export-model webstore
 * (channel 2, SPEC E1: webstore_id "site-1"; maria's password is "maria-fuzz"). */
extern const struct sb_scope fz_scopes[4];

/* Opens and seeds the database, once per process. */
void fz_seeded_init(void);
/* The one connection every request uses. */
struct sb_db *fz_seeded_db(void);
/* Runs "METHOD target" (target: path and query, modified in place) with the body as the
 * server's last callback would. *ret_ran is false when the route is not one that can run
 * without the server (sessions, webhooks, polls, reconciliations, health, metrics), or
 * the role is below the route's (the server's 403), or the caller is a connection on
 * another route or a user on a connection route (the server's 403 too). With check, the invariants of
 * fuzz-api.c are checked (no 5xx, UTF-8 errors, no open transaction, a serialisable
 * document, the database invariants, outlet 1's users shown nothing of outlet 2). On
 * success *ret_doc (may be NULL) gets a reference to the document sent (a raw JSON
 * answer, such as the catalogue's, parsed). */
sb_err fz_request(const struct sb_scope *scope, const char *method, char *target, const char *body,
                  size_t len, bool check, json_t **ret_doc, bool *ret_ran);
/* The checks of `stockbridge check` on the database as it is now (inside the
 * transaction): sale totals and balances, stock against its ledger. */
void fz_seeded_check(void);

#endif
