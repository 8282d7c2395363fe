/*
 * The end-to-end test harness: each test gets a fresh SQLite file in a
 * temporary directory, the real server on an ephemeral loopback port, an
 * admin token, and an HTTP client (libcurl). th_expect_error() checks the
 * exact status and error code of a bad request and that the database did
 * not change at all (a fingerprint of every row of every table).
 */
#ifndef SB_TEST_HARNESS_H
#define SB_TEST_HARNESS_H

#include "http/server.h"
#include "sync/pipeline.h"
#include "store/store.h"
#include "util/secret.h"
#include "util/timeutil.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

struct th {
    char dir[256];
    char db_path[320];
    char db_url[340];
    struct sb_store *store;
    struct sb_server *server;
    struct sb_pipeline *pipeline;
    uint16_t port;
    char admin[SB_TOKEN_LEN]; /* admin token */
    char pg_name[64];         /* the test's own PostgreSQL database, or "" (SQLite) */
};

/* Whether this run is the PostgreSQL pass ($SB_TEST_DB is a postgres URL: each test gets a
 * database of its own on that cluster instead of a SQLite file). */
bool th_pg(void);

/* For a test that is about SQLite itself (its file, its crash points, a shim over it):
 * skips the test on the PostgreSQL pass, printing why (docs/testing.md lists them). */
#define TH_SQLITE_ONLY(why)                             \
    do {                                                \
        if (th_pg()) {                                  \
            printf("skipped on PostgreSQL: %s\n", why); \
            cr_skip_test("SQLite only: %s", why);       \
        }                                               \
    } while (0)

/* A database of its own for a test that uses the store without a server: a SQLite file in
 * a fresh directory, or on the PostgreSQL pass a fresh database on $SB_TEST_DB's cluster.
 * th_db_drop removes it. */
struct th_db {
    char dir[64]; /* a scratch directory, on both passes */
    char url[340];
    char pg_name[64];
};
void th_db_make(struct th_db *d);
void th_db_drop(struct th_db *d);
/* After rows written with explicit ids: on PostgreSQL, moves each table's id sequence past
 * its largest id, so the store's own inserts do not collide (a no-op on SQLite). */
sb_err th_db_sync_ids(struct sb_db *db);

/* A node: `stockbridge serve` as a process of its own on a database (tests/th-node.c), with
 * leases of 3 s and the stock lane's timer on. key_file: its STOCKBRIDGE_KEY_FILE, or NULL
 * for the environment's. th_node_start returns once it listens; th_node_stop sends sig and
 * waits for it. */
struct th_node {
    pid_t pid;
    unsigned port;
};
void th_node_start(struct th_node *n, const char *db_url, const char *key_file);
void th_node_stop(struct th_node *n, int sig);
/* One Shopify webhook, signed with secret as a shop signs it, to 127.0.0.1:port + path; the
 * HTTP status (0: no answer). */
long th_shopify_hook(unsigned port, const char *path, const char *secret, const char *topic,
                     const char *event_id, const char *body);
/* A Shopify order as its webhook carries it: order `id` (name "#id"), of email, one TEE at
 * 20.00 USD to ship, at version 2026-11-22T10:MM (minute), paid or pending. */
void th_shopify_order_json(char *buf, size_t cap, int id, const char *email, int minute, bool paid);

struct th_resp {
    long status;
    json_t *json; /* NULL when the body is not JSON */
    char *body;
    char *content_type;
};

/* Starts everything; cr_assert on failure. */
void th_start(struct th *t);
/* The same with the store opened on store_prefix + the database URL ("fault:" for the
 * failing store of fault-db.h); the CLI and the helpers still use the plain URL. */
void th_start_with(struct th *t, const char *store_prefix);
/* Starts the store, pipeline and server again on the test's existing database (after
 * th_stop's first half, or a server process of its own that died), as a restart would. */
void th_resume(struct th *t);
/* Waits (bounded, on the pipeline's own signal) until every recorded webhook event is
 * applied and every due outbox call is sent; asserts it happened within 20 s. */
void th_wait_pipeline(struct th *t);
/* Stops the test's in-process server and pipeline and closes its store (the pipeline gives
 * its leases back), leaving the database to nodes of its own (th_node_start). */
void th_hand_over(struct th *t);

struct th_fixture;

/* A stockbridge-fakestore process (the simulated Shopify shop) on loopback. */
struct th_fake {
    int pid;
    uint16_t port;
    char url[64];           /* "http://127.0.0.1:PORT" */
    char traffic_log[512];  /* the store's --traffic-log file when the harness knows one, or "" */
    char traffic_copy[512]; /* where th_fake_stop copies it ($SB_EC_TRAFFIC_DIR), or "" */
};

/* Starts the fakestore with this token and webhook secret, sending webhooks to
 * webhook_path on the test server; returns once it listens. */
void th_fake_start(struct th *t, struct th_fake *f, const char *token, const char *secret,
                   const char *webhook_path);
/* The same, for a shop whose currency is `currency` (ISO 4217; th_fake_start's is USD). */
void th_fake_start_currency(struct th *t, struct th_fake *f, const char *token, const char *secret,
                            const char *webhook_path, const char *currency);
/* Starts the fakestore with exactly these arguments (NULL-terminated, after the program
 * name; --listen 127.0.0.1:0 is added), for stores of any kind; needs no test server.
 * A Magento store (--kind magento2) given no --traffic-log logs its traffic to a file of
 * its own in $SB_M2_TRAFFIC_DIR when that is set (make test sets it, for the official-schema
 * check), named in f->traffic_log. An Ecwid store (--kind ecwid) logs to a file of its own
 * in $SB_EC_TRAFFIC_DIR when that is set (make test sets it, for scripts/test-ecwid-official
 * e2e-logs), named "ec-engine-{program}-..." when this process runs an engine (th_start,
 * th_resume, not yet stopped) as the store starts, so the log carries the engine's
 * requests, else "ec-alone-{program}-..."; f->traffic_log names the file. An Ecwid store
 * given its own --traffic-log keeps it (f->traffic_log), and th_fake_stop copies it into
 * the directory under such a name (f->traffic_copy). An export-model site (--kind
 * export) logs every exchange it has with the POS to $SB_EXPORT_TRAFFIC_DIR/<its pid>.jsonl
 * when that is set (passed through in its environment), besides its own --traffic-log. */
void th_fake_start_args(struct th_fake *f, const char *const *args);
/* Stops it (SIGTERM) and reaps it. */
void th_fake_stop(struct th_fake *f);
/* A request to the fakestore with extra header lines ("Authorization: ...", NULL-terminated;
 * may be NULL); body may be NULL. */
struct th_resp th_fake_req_headers(struct th_fake *f, const char *method, const char *path,
                                   const char *body, const char *const *headers);
/* A request to the fakestore's control API; body may be NULL. */
struct th_resp th_fake_req(struct th_fake *f, const char *method, const char *path,
                           const char *body);

/* The credentials the test shop and its channel share. */
#define TH_SHOP_TOKEN  "shpat_test_token"
#define TH_SHOP_SECRET "whsec_test_secret"

/* th_start + th_fixture + a fakestore + channel 1: a Shopify channel on that shop, linked
 * to outlets 1 and 2 (default 1, register 1, employee 1), with "Pickup at Uptown" tied
 * to outlet 2 as a pickup point. Stock sync is off on it: the order tests count the
 * shop's requests, and stock has its own tests (test-stock-sync.c). */
void th_shop_start(struct th *t, struct th_fixture *f, struct th_fake *fake);
/* The same with the outlets and the shop in `currency` (fixture amounts stay as they are,
 * read as that currency's minor units). */
void th_shop_start_currency(struct th *t, struct th_fixture *f, struct th_fake *fake,
                            const char *currency);
/* Places an order on the shop (POST /_fake/orders, must answer 201), waits for the
 * pipeline, and returns the order's REST id as text. */
void th_shop_place(struct th *t, struct th_fake *fake, const char *body, char *id, size_t cap);
/* POST /_fake/orders/{id}/{action} (pay, cancel, refund, fulfill, update), then waits for
 * the pipeline. */
void th_shop_act(struct th *t, struct th_fake *fake, const char *id, const char *action,
                 const char *body);

/* Stops the server and store, runs `stockbridge check` (must pass) and removes the files. */
void th_stop(struct th *t);
/* Stops without the invariant check (for tests that damage the database on purpose). */
void th_stop_nocheck(struct th *t);

/* A request with an optional JSON body and bearer token (NULL for none). */
struct th_resp th_req(struct th *t, const char *method, const char *path, const char *token,
                      const char *body);
/* The same with a body and content type of your choosing (NULL ctype: none). */
struct th_resp th_req_raw(struct th *t, const char *method, const char *path, const char *token,
                          const char *ctype, const char *body, size_t len);
void th_resp_free(struct th_resp *r);
/* A POST with a JSON body and extra headers ("Name: value", NULL-terminated), no token. */
struct th_resp th_post_headers(struct th *t, const char *path, const char *body,
                               const char *const *headers);

/* POST that must answer 201; returns the new record's "id". Path and body may be printf
 * formats: th_create(t, t->admin, "/api/v1/registers", "{\"outlet_id\":%lld}", id). */
int64_t th_create(struct th *t, const char *token, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* GET that must answer 200; returns the JSON (caller decrefs). */
json_t *th_get(struct th *t, const char *token, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Creates a user with a role and outlets (a 0-terminated list) and returns a token for it
 * (static storage per call site is the caller's; copy it). */
void th_user(struct th *t, const char *username, const char *role, const int64_t *outlets,
             char out_token[SB_TOKEN_LEN]);

/* A digest of every row in every table, but the nodes' bookkeeping (leases, rate_buckets). */
uint64_t th_fingerprint(struct th *t);

/* Sends the request and asserts the status, error code, and an unchanged database. */
void th_expect_error(struct th *t, const char *method, const char *path, const char *token,
                     const char *body, long status, const char *code);

/* Runs the stockbridge binary with arguments (NULL-terminated) and --db for this test's
 * database; returns its exit status; its stdout goes to out (may be NULL). */
int th_run_cli(struct th *t, char *out, size_t cap, ...) __attribute__((sentinel));

/* A scalar from the database, for assertions: th_sql_int(t, "SELECT COUNT(*) FROM sales")
 * (INT64_MIN when there is no row). */
int64_t th_sql_int(struct th *t, const char *sql);
/* A time (ISO 8601 UTC text, the first column of the first row) as seconds since the epoch,
 * for arithmetic on times that is the same on every backend. */
int64_t th_sql_time(struct th *t, const char *sql);
/* The same as th_sql_int with the SQL formatted (printf) first; a suite's sql_int(...) for
 * th_sql_intf(&t, ...). */
int64_t th_sql_intf(struct th *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A field of a JSON object: th_int asserts an integer; th_str gives "(not a string)" for
 * anything else, so a string comparison fails with a readable message. */
int64_t th_int(json_t *o, const char *key);
const char *th_str(json_t *o, const char *key);

/* Runs SQL against the test database directly (fixtures only; assert on success): the
 * statements (separated by semicolons) in one transaction, on a connection of its own. */
void th_sql_exec(struct th *t, const char *sql);
/* Runs fn(db, ud) in one transaction on a connection of its own to the test's database,
 * as another process would (the server sees the change when it next looks); asserts that
 * it succeeds. */
void th_db_write(struct th *t, sb_err (*fn)(struct sb_db *db, void *ud), void *ud);

/*
 * A small store, written straight into the database so suites do not
 * depend on each other's routes:
 *   outlets 1 "Downtown" and 2 "Uptown" (USD), register 1 in outlet 1 and
 *   register 2 in outlet 2, employee 1 "Erin", price levels 1 "Default" and
 *   2 "Sale", payment types 1 "Cash" and 2 "Card" (integrated);
 *   item 1 TEE (2000, on hand 10 at outlet 1 and 5 at outlet 2),
 *   item 2 MUG (1250, on hand 3 at outlet 1, 0 at outlet 2),
 *   item 3 GIFTWRAP (500, does not track stock);
 *   tokens: staff1 (staff, outlet 1 only), staff2 (staff, outlet 2 only),
 *   manager (manager, both outlets).
 * Stock comes with matching ledger entries, so `stockbridge check` holds.
 */
struct th_fixture {
    int64_t outlet1, outlet2, register1, register2, employee, level_default, level_sale, cash, card,
        tee, mug, giftwrap;
    char staff1[SB_TOKEN_LEN], staff2[SB_TOKEN_LEN], manager[SB_TOKEN_LEN];
};
void th_fixture(struct th *t, struct th_fixture *f);

#endif
