/*
 * Test harness implementation. The server runs in the test process (the
 * same code as `stockbridge serve`); the CLI checks run the built binary,
 * whose path meson passes in $SB_BIN. What the tests read and write in the
 * database directly goes through the storage interface (store/db.h) on a
 * connection of its own to the test's database URL, never through a
 * backend's own library, so the suites can run on another backend.
 */
#include "harness.h"
#include "store/users.h"
#include "util/secretbox.h"
#include "util/log.h"

#include <criterion/criterion.h>
#include <curl/curl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* How many engines (server and pipeline) this test process runs now: an Ecwid store started
 * meanwhile carries the engine's traffic (th_fake_start_args). */
static int engines_running;

/* The PostgreSQL pass (docs/testing.md): $SB_TEST_DB names a cluster's database (the
 * administrative one); each test makes a database of its own there and drops it at the
 * end. Unset (or not a postgres URL): each test has a SQLite file. */
static const char *pg_admin_url(void)
{
    const char *u = getenv("SB_TEST_DB");
    return u && strncmp(u, "postgres", 8) == 0 ? u : NULL;
}

bool th_pg(void)
{
    return pg_admin_url() != NULL;
}

static sb_err pg_sync_ids(struct sb_db *db);

static void pg_admin_exec(const char *sql)
{
    struct sb_db *db = NULL;
    sb_err err = sb_db_open(pg_admin_url(), &db);
    cr_assert_eq(err, SB_OK, "open %s: %s", pg_admin_url(), sb_err_last()->message);
    err = sb_db_exec(db, sql, NULL);
    cr_assert_eq(err, SB_OK, "%s: %s", sql, sb_err_last()->message);
    sb_db_close(db);
}

/* A fresh database on the cluster: name gets its name, url (of size n) its URL. */
static void pg_create_db(char *name, size_t name_size, char *url, size_t n)
{
    static unsigned count;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    snprintf(name, name_size, "sbt_%ld_%u_%ld", (long)getpid(), ++count, (long)(ts.tv_nsec / 1000));
    char sql[128];
    snprintf(sql, sizeof(sql), "CREATE DATABASE %s", name);
    pg_admin_exec(sql);
    const char *admin = pg_admin_url();
    const char *q = strchr(admin, '?');
    size_t end = q ? (size_t)(q - admin) : strlen(admin);
    const char *slash = memrchr(admin, '/', end);
    cr_assert(slash && slash > admin + 10, "SB_TEST_DB needs a database: %s", admin);
    snprintf(url, n, "%.*s/%s%s", (int)(slash - admin), admin, name, q ? q : "");
}

static void pg_drop_db(char *name)
{
    if (!name[0])
        return;
    char sql[128];
    snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)", name);
    pg_admin_exec(sql);
    name[0] = '\0';
}

static void pg_create(struct th *t)
{
    pg_create_db(t->pg_name, sizeof(t->pg_name), t->db_url, sizeof(t->db_url));
}

static void pg_drop(struct th *t)
{
    pg_drop_db(t->pg_name);
}

void th_db_make(struct th_db *d)
{
    memset(d, 0, sizeof(*d));
    snprintf(d->dir, sizeof(d->dir), "/tmp/sbunit-XXXXXX");
    cr_assert_not_null(mkdtemp(d->dir));
    if (th_pg())
        pg_create_db(d->pg_name, sizeof(d->pg_name), d->url, sizeof(d->url));
    else
        snprintf(d->url, sizeof(d->url), "sqlite:%s/t.db", d->dir);
}

void th_db_drop(struct th_db *d)
{
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", d->dir);
    cr_expect_eq(system(cmd), 0);
    pg_drop_db(d->pg_name);
}

sb_err th_db_sync_ids(struct sb_db *db)
{
    return th_pg() ? pg_sync_ids(db) : SB_OK;
}

void th_start(struct th *t)
{
    th_start_with(t, "");
}

void th_start_with(struct th *t, const char *store_prefix)
{
    memset(t, 0, sizeof(*t));
    cr_assert_eq(sb_secret_init(), SB_OK);
    sb_log_level_from_env();
    snprintf(t->dir, sizeof(t->dir), "/tmp/sbtest-XXXXXX");
    cr_assert_not_null(mkdtemp(t->dir));
    snprintf(t->db_path, sizeof(t->db_path), "%s/test.db", t->dir);
    snprintf(t->db_url, sizeof(t->db_url), "sqlite:%s", t->db_path);
    if (th_pg()) {
        /* the key file beside the test's directory, for the CLI runs too (a postgres URL
         * names no file to put it beside) */
        char key[400];
        snprintf(key, sizeof(key), "%s.key", t->db_path);
        setenv("STOCKBRIDGE_KEY_FILE", key, 1);
        pg_create(t);
    }
    sb_err err = sb_secretbox_init(t->db_url);
    cr_assert_eq(err, SB_OK, "secretbox: %s", sb_err_last()->message);
    char url[400];
    snprintf(url, sizeof(url), "%s%s", store_prefix, t->db_url);
    err = sb_store_open(url, 8, &t->store);
    cr_assert_eq(err, SB_OK, "store open: %s", sb_err_last()->message);
    struct sb_db *db;
    cr_assert_eq(sb_store_acquire(t->store, &db), SB_OK);
    struct sb_user u = { .username = { "admin", true }, .role = { "admin", true } };
    int64_t uid;
    cr_assert_eq(sb_store_user_create(db, &u, &uid), SB_OK);
    cr_assert_eq(sb_store_token_create(db, uid, "test", t->admin), SB_OK);
    sb_store_release(t->store, db);
    cr_assert_eq(sb_pipeline_start(t->store, &t->pipeline), SB_OK);
    engines_running++;
    struct sb_server_config cfg = { .host = "127.0.0.1",
                                    .port = 0,
                                    .store = t->store,
                                    .pipeline = t->pipeline,
                                    .body_limit = 64 * 1024 };
    err = sb_server_start(&cfg, &t->server);
    cr_assert_eq(err, SB_OK, "server start: %s", sb_err_last()->message);
    t->port = sb_server_port(t->server);
    cr_assert_neq(t->port, 0);
}

void th_resume(struct th *t)
{
    sb_err err = sb_store_open(t->db_url, 8, &t->store);
    cr_assert_eq(err, SB_OK, "store open: %s", sb_err_last()->message);
    cr_assert_eq(sb_pipeline_start(t->store, &t->pipeline), SB_OK);
    engines_running++;
    struct sb_server_config cfg = { .host = "127.0.0.1",
                                    .port = 0,
                                    .store = t->store,
                                    .pipeline = t->pipeline,
                                    .body_limit = 64 * 1024 };
    err = sb_server_start(&cfg, &t->server);
    cr_assert_eq(err, SB_OK, "server start: %s", sb_err_last()->message);
    t->port = sb_server_port(t->server);
    cr_assert_neq(t->port, 0);
}

static void cleanup_files(struct th *t)
{
    char path[400];
    const char *suffixes[] = { "", "-wal", "-shm", ".key" };
    for (int i = 0; i < 4; i++) {
        snprintf(path, sizeof(path), "%s%s", t->db_path, suffixes[i]);
        unlink(path);
    }
    rmdir(t->dir);
    pg_drop(t);
}

void th_wait_pipeline(struct th *t)
{
    cr_assert(sb_pipeline_wait_idle(t->pipeline, 20000), "the pipeline did not settle in 20 s");
}

void th_hand_over(struct th *t)
{
    if (t->pipeline)
        engines_running--;
    sb_server_stop(t->server);
    sb_pipeline_stop(t->pipeline);
    sb_store_close(t->store);
    t->server = NULL;
    t->pipeline = NULL;
    t->store = NULL;
}

void th_stop_nocheck(struct th *t)
{
    th_hand_over(t);
    cleanup_files(t);
}

void th_stop(struct th *t)
{
    th_hand_over(t);
    char out[4096];
    int rc = th_run_cli(t, out, sizeof(out), "check", NULL);
    cleanup_files(t);
    if (rc != 0) {
        /* Criterion does not fail a test for an assertion in its teardown: the process
         * ends abnormally instead, which fails the test */
        fprintf(stderr, "stockbridge check found violations:\n%s\n", out);
        abort();
    }
}

struct buf {
    char *p;
    size_t n;
};

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *ud)
{
    struct buf *b = ud;
    size_t n = size * nmemb;
    char *np = realloc(b->p, b->n + n + 1);
    if (!np)
        return 0;
    b->p = np;
    memcpy(b->p + b->n, ptr, n);
    b->n += n;
    b->p[b->n] = '\0';
    return n;
}

static struct th_resp raw_to(const char *base, const char *method, const char *path,
                             const char *token, const char *ctype, const char *body, size_t len,
                             const char *const *extra);

struct th_resp th_req_raw(struct th *t, const char *method, const char *path, const char *token,
                          const char *ctype, const char *body, size_t len)
{
    char base[64];
    snprintf(base, sizeof(base), "http://127.0.0.1:%u", (unsigned)t->port);
    return raw_to(base, method, path, token, ctype, body, len, NULL);
}

struct th_resp th_post_headers(struct th *t, const char *path, const char *body,
                               const char *const *headers)
{
    char base[64];
    snprintf(base, sizeof(base), "http://127.0.0.1:%u", (unsigned)t->port);
    return raw_to(base, "POST", path, NULL, "application/json", body, strlen(body), headers);
}

static struct th_resp raw_to(const char *base, const char *method, const char *path,
                             const char *token, const char *ctype, const char *body, size_t len,
                             const char *const *extra)
{
    struct th_resp r = { 0 };
    CURL *c = curl_easy_init();
    cr_assert_not_null(c);
    char url[2048];
    snprintf(url, sizeof(url), "%s%s", base, path);
    struct curl_slist *h = NULL;
    char auth[128];
    if (token) {
        snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
        h = curl_slist_append(h, auth);
    }
    char ct[128];
    if (ctype) {
        snprintf(ct, sizeof(ct), "Content-Type: %s", ctype);
        h = curl_slist_append(h, ct);
    } else {
        h = curl_slist_append(h, "Content-Type:");
    }
    h = curl_slist_append(h, "Expect:");
    for (; extra && *extra; extra++)
        h = curl_slist_append(h, *extra);
    struct buf b = { 0 };
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    }
    CURLcode rc = curl_easy_perform(c);
    cr_assert_eq(rc, CURLE_OK, "%s %s: %s", method, path, curl_easy_strerror(rc));
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
    char *got_ct = NULL;
    curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &got_ct);
    r.content_type = got_ct ? strdup(got_ct) : NULL;
    r.body = b.p ? b.p : strdup("");
    r.json = json_loads(r.body, JSON_DECODE_ANY, NULL);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    return r;
}

struct th_resp th_req(struct th *t, const char *method, const char *path, const char *token,
                      const char *body)
{
    return th_req_raw(t, method, path, token, body ? "application/json" : NULL, body,
                      body ? strlen(body) : 0);
}

void th_resp_free(struct th_resp *r)
{
    json_decref(r->json);
    free(r->body);
    free(r->content_type);
    memset(r, 0, sizeof(*r));
}

int64_t th_create(struct th *t, const char *token, const char *path, const char *fmt, ...)
{
    char body[16384];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(body, sizeof(body), fmt, ap);
    va_end(ap);
    struct th_resp r = th_req(t, "POST", path, token, body);
    cr_assert_eq(r.status, 201, "POST %s %s -> %ld %s", path, body, r.status, r.body);
    json_t *id = json_object_get(r.json, "id");
    cr_assert(json_is_integer(id), "no id in %s", r.body);
    int64_t v = json_integer_value(id);
    th_resp_free(&r);
    return v;
}

json_t *th_get(struct th *t, const char *token, const char *fmt, ...)
{
    char path[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(path, sizeof(path), fmt, ap);
    va_end(ap);
    struct th_resp r = th_req(t, "GET", path, token, NULL);
    cr_assert_eq(r.status, 200, "GET %s -> %ld %s", path, r.status, r.body);
    json_t *j = json_incref(r.json);
    th_resp_free(&r);
    return j;
}

void th_user(struct th *t, const char *username, const char *role, const int64_t *outlets,
             char out_token[SB_TOKEN_LEN])
{
    struct sb_db *db;
    cr_assert_eq(sb_store_acquire(t->store, &db), SB_OK);
    struct sb_user u = { .username = { username, true },
                         .role = { role, true },
                         .outlets_set = true };
    for (; outlets && *outlets; outlets++)
        u.outlet_ids[u.n_outlets++] = *outlets;
    int64_t uid;
    cr_assert_eq(sb_store_user_create(db, &u, &uid), SB_OK, "user: %s", sb_err_last()->message);
    cr_assert_eq(sb_store_token_create(db, uid, "test", out_token), SB_OK);
    sb_store_release(t->store, db);
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *s = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ s[i]) * 1099511628211ull;
    return h;
}

/* A connection of its own to the test's database (the plain URL: no fault shim). */
static struct sb_db *db_open(struct th *t)
{
    struct sb_db *db = NULL;
    sb_err err = sb_db_open(t->db_url, &db);
    cr_assert_eq(err, SB_OK, "open %s: %s", t->db_url, sb_err_last()->message);
    return db;
}

/* Tables of the nodes' own bookkeeping, not the business's data: a lease the server's lease
 * thread renewed meanwhile (sync/leases.h), a request spent from a connection's rate bucket
 * (a refused request is a request too, http/ratelimit.h). */
static bool fingerprinted(const char *table)
{
    return strcmp(table, "leases") != 0 && strcmp(table, "rate_buckets") != 0;
}

/* A digest per table (but the nodes' bookkeeping), as {"table": "digest"}. */
static json_t *table_digests(struct th *t)
{
    struct sb_db *db = db_open(t);
    json_t *tables = NULL, *out = json_object();
    cr_assert_eq(sb_db_tables(db, &tables), SB_OK, "%s", sb_err_last()->message);
    size_t i;
    json_t *name;
    json_array_foreach(tables, i, name)
    {
        const char *table = json_string_value(name);
        if (!fingerprinted(table))
            continue;
        uint64_t h = fnv(1469598103934665603ull, table, strlen(table));
        char sql[256];
        snprintf(sql, sizeof(sql), "SELECT * FROM \"%s\" ORDER BY 1", table);
        struct sb_q q;
        cr_assert_eq(sb_q_open(&q, db, sql, NULL), SB_OK, "%s: %s", sql, sb_err_last()->message);
        while (sb_q_next(&q)) {
            for (int c = 0; c < sb_q_columns(&q); c++) {
                const char *v = sb_q_null(&q, c) ? NULL : sb_q_text(&q, c);
                h = fnv(h, v ? v : "\x01NULL", v ? strlen(v) : 6);
                h = fnv(h, "|", 1);
            }
        }
        cr_assert_eq(sb_q_close(&q), SB_OK, "%s: %s", sql, sb_err_last()->message);
        char hex[24];
        snprintf(hex, sizeof(hex), "%016llx", (unsigned long long)h);
        json_object_set_new(out, table, json_string(hex));
    }
    json_decref(tables);
    sb_db_close(db);
    return out;
}

uint64_t th_fingerprint(struct th *t)
{
    json_t *d = table_digests(t);
    uint64_t h = 1469598103934665603ull;
    const char *table;
    json_t *v;
    json_object_foreach(d, table, v)
    {
        h = fnv(h, table, strlen(table));
        h = fnv(h, json_string_value(v), strlen(json_string_value(v)));
    }
    json_decref(d);
    return h;
}

/* The tables whose digest differs, as "a, b" (empty when none). */
static void changed_tables(json_t *before, json_t *after, char *out, size_t cap)
{
    size_t n = 0;
    out[0] = '\0';
    const char *table;
    json_t *v;
    json_object_foreach(after, table, v)
    {
        json_t *b = json_object_get(before, table);
        if (!b || strcmp(json_string_value(b), json_string_value(v)) != 0)
            n += (size_t)snprintf(out + n, n < cap ? cap - n : 0, "%s%s", n ? ", " : "", table);
        if (n >= cap)
            break;
    }
}

void th_expect_error(struct th *t, const char *method, const char *path, const char *token,
                     const char *body, long status, const char *code)
{
    /* background work (events, outbox calls) must not be taken for the request's doing */
    if (t->pipeline)
        th_wait_pipeline(t);
    json_t *before = table_digests(t);
    struct th_resp r = th_req(t, method, path, token, body);
    cr_expect_eq(r.status, status, "%s %s %s: want %ld, got %ld %s", method, path, body ? body : "",
                 status, r.status, r.body);
    json_t *c = json_object_get(json_object_get(r.json, "error"), "code");
    cr_expect(json_is_string(c) && strcmp(json_string_value(c), code) == 0,
              "%s %s %s: want code %s, got %s", method, path, body ? body : "", code, r.body);
    cr_expect(json_is_string(json_object_get(json_object_get(r.json, "error"), "message")),
              "error without message: %s", r.body);
    json_t *after = table_digests(t);
    char changed[512];
    changed_tables(before, after, changed, sizeof(changed));
    cr_expect(changed[0] == '\0', "%s %s %s changed the database (tables: %s)", method, path,
              body ? body : "", changed);
    json_decref(before);
    json_decref(after);
    th_resp_free(&r);
}

int th_run_cli(struct th *t, char *out, size_t cap, ...)
{
    const char *bin = getenv("SB_BIN");
    cr_assert_not_null(bin, "SB_BIN is not set (run the tests through meson)");
    const char *argv[32];
    int n = 0;
    argv[n++] = bin;
    va_list ap;
    va_start(ap, cap);
    const char *a;
    while ((a = va_arg(ap, const char *)) != NULL && n < 28)
        argv[n++] = a;
    va_end(ap);
    argv[n++] = "--db";
    argv[n++] = t->db_url;
    /* issue 14: an export-model site (--kind export) logs every exchange with the POS to
     * $SB_EXPORT_TRAFFIC_DIR/<its pid>.jsonl when that is set (make test sets it, for the
     * OpenAPI check of the connection API's traffic); the store reads it from its
     * environment, which execv passes through unchanged - nothing to add to argv. */
    argv[n] = NULL;
    int pipefd[2];
    cr_assert_eq(pipe(pipefd), 0);
    pid_t pid = fork();
    cr_assert_neq(pid, -1);
    if (pid == 0) {
        dup2(pipefd[1], STDOUT_FILENO);
        close(pipefd[0]);
        close(pipefd[1]);
        execv(bin, (char *const *)argv);
        _exit(127);
    }
    close(pipefd[1]);
    size_t len = 0;
    char tmp[4096];
    ssize_t got;
    while ((got = read(pipefd[0], tmp, sizeof(tmp))) > 0) {
        if (out && len + 1 < cap) {
            size_t k = (size_t)got < cap - len - 1 ? (size_t)got : cap - len - 1;
            memcpy(out + len, tmp, k);
            len += k;
        }
    }
    if (out)
        out[len] = '\0';
    close(pipefd[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

int64_t th_sql_int(struct th *t, const char *sql)
{
    struct sb_db *db = db_open(t);
    int64_t v = INT64_MIN;
    sb_err err = sb_db_int(db, &v, sql, NULL);
    cr_assert(err == SB_OK || err == SB_ENOT_FOUND, "%s: %s", sql, sb_err_last()->message);
    sb_db_close(db);
    return err ? INT64_MIN : v;
}

int64_t th_sql_time(struct th *t, const char *sql)
{
    struct sb_db *db = db_open(t);
    json_t *row = NULL;
    sb_err err = sb_db_json_one(db, &row, sql, NULL);
    cr_assert_eq(err, SB_OK, "%s: %s", sql, sb_err_last()->message);
    sb_db_close(db);
    json_t *v = json_object_iter_value(json_object_iter(row));
    int64_t secs = 0;
    cr_assert(json_is_string(v) && sb_time_parse(json_string_value(v), &secs),
              "%s: not an ISO 8601 time", sql);
    json_decref(row);
    return secs;
}

int64_t th_sql_intf(struct th *t, const char *fmt, ...)
{
    char sql[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(sql, sizeof(sql), fmt, ap);
    va_end(ap);
    cr_assert(n >= 0 && (size_t)n < sizeof(sql), "SQL too long for th_sql_intf: %s", fmt);
    return th_sql_int(t, sql);
}

void th_db_write(struct th *t, sb_err (*fn)(struct sb_db *db, void *ud), void *ud)
{
    struct sb_db *db = db_open(t);
    sb_err err = sb_db_begin(db);
    if (!err)
        err = sb_db_end(db, fn(db, ud));
    if (!err && th_pg())
        err = pg_sync_ids(db);
    cr_assert_eq(err, SB_OK, "%s", sb_err_last()->message);
    sb_db_close(db);
}

/* Each statement of a script (split at the semicolons outside quotes), in order. */
static sb_err script_fn(struct sb_db *db, void *ud)
{
    const char *sql = ud;
    size_t len = strlen(sql);
    char *stmt = malloc(len + 1);
    if (!stmt)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    sb_err err = SB_OK;
    size_t n = 0;
    char quote = 0;
    for (size_t i = 0; !err && i <= len; i++) {
        char c = sql[i];
        if (quote && c == quote)
            quote = 0;
        else if (!quote && (c == '\'' || c == '"'))
            quote = c;
        if (c && (quote || c != ';')) {
            stmt[n++] = c;
            continue;
        }
        stmt[n] = '\0';
        size_t k = strspn(stmt, " \t\r\n");
        if (stmt[k]) {
            err = sb_db_exec(db, stmt + k, NULL);
            if (err) {
                char why[sizeof(sb_err_last()->message)];
                snprintf(why, sizeof(why), "%s", sb_err_last()->message);
                err = sb_fail(err, NULL, "%.200s: %s", stmt + k, why);
            }
        }
        n = 0;
    }
    free(stmt);
    return err;
}

/* Fixtures write ids of their own; PostgreSQL's identity columns then need to be told to go
 * on after the highest (SQLite's rowids do so by themselves). */
static sb_err pg_sync_ids(struct sb_db *db)
{
    return sb_db_exec(
        db,
        "DO $$ DECLARE r record; BEGIN"
        " FOR r IN SELECT c.relname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
        " JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE a.attidentity <> '' AND a.attname = 'id' AND n.nspname = current_schema() LOOP"
        " EXECUTE format('SELECT setval(pg_get_serial_sequence(%L, ''id''),"
        " COALESCE((SELECT MAX(id) FROM %I), 0) + 1, false)', r.relname, r.relname);"
        " END LOOP; END $$",
        NULL);
}

void th_sql_exec(struct th *t, const char *sql)
{
    th_db_write(t, script_fn, (void *)sql);
}

void th_fixture(struct th *t, struct th_fixture *f)
{
    const char *now = "'2026-01-01T00:00:00Z'";
    char sql[8192];
    snprintf(
        sql, sizeof(sql),
        "INSERT INTO outlets (id, name, currency, created_at, updated_at) VALUES"
        " (1, 'Downtown', 'USD', %1$s, %1$s), (2, 'Uptown', 'USD', %1$s, %1$s);"
        "INSERT INTO registers (id, outlet_id, name, created_at, updated_at) VALUES"
        " (1, 1, 'Till 1', %1$s, %1$s), (2, 2, 'Till 1', %1$s, %1$s);"
        "INSERT INTO employees (id, name, created_at, updated_at) VALUES"
        " (1, 'Erin', %1$s, %1$s);"
        "INSERT INTO price_levels (id, name, created_at, updated_at) VALUES"
        " (1, 'Default', %1$s, %1$s), (2, 'Sale', %1$s, %1$s);"
        "INSERT INTO payment_types (id, name, name_norm, integrated, created_at, updated_at)"
        " VALUES (1, 'Cash', 'cash', false, %1$s, %1$s), (2, 'Card', 'card', true, %1$s, %1$s);"
        "INSERT INTO items (id, sku, upc, ean, manufacturer_sku, name, default_cost, msrp,"
        " track_stock, created_at, updated_at) VALUES"
        " (1, 'TEE', '012345678905', '4006381333931', 'MFR-TEE', 'T-shirt', 800, 2500, true,"
        " %1$s, %1$s),"
        " (2, 'MUG', '036000291452', NULL, 'MFR-MUG', 'Mug', 400, 1500, true, %1$s, %1$s),"
        " (3, 'GIFTWRAP', NULL, NULL, NULL, 'Gift wrap', 0, 0, false, %1$s, %1$s);"
        "INSERT INTO item_prices (item_id, price_level_id, amount) VALUES"
        " (1, 1, 2000), (1, 2, 1500), (2, 1, 1250), (3, 1, 500);"
        "INSERT INTO stock (item_id, outlet_id, on_hand, reserved, updated_at) VALUES"
        " (1, 1, 10, 0, %1$s), (1, 2, 5, 0, %1$s), (2, 1, 3, 0, %1$s), (2, 2, 0, 0, %1$s);"
        "INSERT INTO stock_ledger (item_id, outlet_id, reason, on_hand_delta, reserved_delta,"
        " on_hand_after, reserved_after, reference, created_at) VALUES"
        " (1, 1, 'receipt', 10, 0, 10, 0, 'fixture', %1$s),"
        " (1, 2, 'receipt', 5, 0, 5, 0, 'fixture', %1$s),"
        " (2, 1, 'receipt', 3, 0, 3, 0, 'fixture', %1$s);",
        now);
    th_sql_exec(t, sql);
    *f = (struct th_fixture){ .outlet1 = 1,
                              .outlet2 = 2,
                              .register1 = 1,
                              .register2 = 2,
                              .employee = 1,
                              .level_default = 1,
                              .level_sale = 2,
                              .cash = 1,
                              .card = 2,
                              .tee = 1,
                              .mug = 2,
                              .giftwrap = 3 };
    int64_t o1[] = { 1, 0 }, o2[] = { 2, 0 }, both[] = { 1, 2, 0 };
    th_user(t, "staff1", "staff", o1, f->staff1);
    th_user(t, "staff2", "staff", o2, f->staff2);
    th_user(t, "manager", "manager", both, f->manager);
}

int64_t th_int(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    cr_assert(json_is_integer(v), "%s is not an integer", key);
    return json_integer_value(v);
}

const char *th_str(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_string_value(v) : "(not a string)";
}

void th_fake_start(struct th *t, struct th_fake *f, const char *token, const char *secret,
                   const char *webhook_path)
{
    th_fake_start_currency(t, f, token, secret, webhook_path, "USD");
}

void th_fake_start_currency(struct th *t, struct th_fake *f, const char *token, const char *secret,
                            const char *webhook_path, const char *currency)
{
    const char *bin = getenv("SB_BIN");
    cr_assert_not_null(bin, "SB_BIN is not set (run the tests through meson)");
    char fake[512], hook[256];
    snprintf(fake, sizeof(fake), "%s", bin);
    char *slash = strrchr(fake, '/');
    cr_assert_not_null(slash);
    snprintf(slash + 1, sizeof(fake) - (size_t)(slash + 1 - fake), "stockbridge-fakestore");
    snprintf(hook, sizeof(hook), "http://127.0.0.1:%u%s", (unsigned)t->port, webhook_path);
    int pipefd[2];
    cr_assert_eq(pipe(pipefd), 0);
    pid_t pid = fork();
    cr_assert_neq(pid, -1);
    if (pid == 0) {
        /* a test that fails an assertion ends without stopping its store: the store goes
         * with it, rather than hold the test's output open until the suite times out */
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        dup2(pipefd[1], STDOUT_FILENO);
        close(pipefd[0]);
        close(pipefd[1]);
        execl(fake, "stockbridge-fakestore", "--listen", "127.0.0.1:0", "--token", token,
              "--secret", secret, "--webhook-url", hook, "--currency", currency, (char *)NULL);
        _exit(127);
    }
    close(pipefd[1]);
    char line[256];
    size_t n = 0;
    while (n + 1 < sizeof(line)) { /* the first line, byte by byte: nothing more is read */
        ssize_t got = read(pipefd[0], line + n, 1);
        if (got <= 0 || line[n] == '\n')
            break;
        n++;
    }
    line[n] = '\0';
    close(pipefd[0]);
    unsigned port = 0;
    cr_assert_eq(sscanf(line, "fakestore listening on http://127.0.0.1:%u/", &port), 1,
                 "the fakestore said: %s", line);
    f->pid = pid;
    f->port = (uint16_t)port;
    snprintf(f->url, sizeof(f->url), "http://127.0.0.1:%u", port);
}

/* A traffic log's path in dir: "{kind}-{what}{program}-{pid}-{time}-{n}.jsonl", one per store;
 * program is the test executable's name (Criterion's workers are named boxfort-worker, so
 * it is read from /proc/self/exe). */
static void traffic_name(char *buf, size_t cap, const char *dir, const char *kind, const char *what)
{
    static unsigned started;
    char exe[512];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    exe[len > 0 ? len : 0] = '\0';
    const char *program = strrchr(exe, '/') ? strrchr(exe, '/') + 1 : "test";
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    snprintf(buf, cap, "%s/%s-%s%s-%ld-%lld.%09ld-%u.jsonl", dir, kind, what, program,
             (long)getpid(), (long long)ts.tv_sec, (long)ts.tv_nsec, ++started);
}

void th_fake_start_args(struct th_fake *f, const char *const *args)
{
    const char *bin = getenv("SB_BIN");
    cr_assert_not_null(bin, "SB_BIN is not set (run the tests through meson)");
    char fake[512];
    snprintf(fake, sizeof(fake), "%s", bin);
    char *slash = strrchr(fake, '/');
    cr_assert_not_null(slash);
    snprintf(slash + 1, sizeof(fake) - (size_t)(slash + 1 - fake), "stockbridge-fakestore");
    const char *argv[64];
    size_t n = 0;
    argv[n++] = "stockbridge-fakestore";
    argv[n++] = "--listen";
    argv[n++] = "127.0.0.1:0";
    bool magento = false, ecwid = false;
    const char *own_log = NULL; /* a test that reads its own traffic log keeps it */
    for (; args && *args && n < 61; args++) {
        if (n >= 4 && strcmp(argv[n - 1], "--kind") == 0 && strcmp(*args, "magento2") == 0)
            magento = true;
        if (n >= 4 && strcmp(argv[n - 1], "--kind") == 0 && strcmp(*args, "ecwid") == 0)
            ecwid = true;
        if (n >= 4 && strcmp(argv[n - 1], "--traffic-log") == 0)
            own_log = *args;
        argv[n++] = *args;
    }
    /* issue 12: with SB_M2_TRAFFIC_DIR set (make test sets it), every Magento store started
     * here logs its /rest/ traffic - our adapter's requests and its answers - to a file of
     * its own there, which scripts/test-magento-official e2e-logs checks against Magento's
     * official OpenAPI description */
    char log_path[512];
    const char *m2_dir = getenv("SB_M2_TRAFFIC_DIR");
    if (magento && !own_log && m2_dir && *m2_dir) {
        traffic_name(log_path, sizeof(log_path), m2_dir, "m2", "");
        argv[n++] = "--traffic-log";
        argv[n++] = log_path;
    }
    f->traffic_log[0] = '\0';
    f->traffic_copy[0] = '\0';
    if (magento && !own_log && m2_dir && *m2_dir)
        snprintf(f->traffic_log, sizeof(f->traffic_log), "%s", log_path);
    /* issue 13: with SB_EC_TRAFFIC_DIR set (make test sets it), every Ecwid store started here
     * logs its /api/v3/ traffic to a file of its own there, which scripts/test-ecwid-official
     * e2e-logs checks against the routes the engine may call and the Java client's types.
     * The name says whether this process ran the engine when the store started ("engine":
     * the log carries the engine's requests) or not ("alone": a test of the fakestore's own,
     * whose requests are the test's). A store given its own --traffic-log writes there and
     * the file is copied into the directory when the store stops. */
    const char *ec_dir = getenv("SB_EC_TRAFFIC_DIR");
    if (ecwid && ec_dir && *ec_dir) {
        traffic_name(log_path, sizeof(log_path), ec_dir, "ec",
                     engines_running > 0 ? "engine-" : "alone-");
        if (own_log) {
            snprintf(f->traffic_log, sizeof(f->traffic_log), "%s", own_log);
            snprintf(f->traffic_copy, sizeof(f->traffic_copy), "%s", log_path);
        } else {
            argv[n++] = "--traffic-log";
            argv[n++] = log_path;
            snprintf(f->traffic_log, sizeof(f->traffic_log), "%s", log_path);
        }
    }
    /* issue 14: an export-model site (--kind export) logs every exchange with the POS to
     * $SB_EXPORT_TRAFFIC_DIR/<its pid>.jsonl when that is set (make test sets it, for the
     * OpenAPI check of the connection API's traffic); the store reads it from its
     * environment, which execv passes through unchanged - nothing to add to argv. */
    argv[n] = NULL;
    int pipefd[2];
    cr_assert_eq(pipe(pipefd), 0);
    pid_t pid = fork();
    cr_assert_neq(pid, -1);
    if (pid == 0) {
        /* a test that fails an assertion ends without stopping its store: the store goes
         * with it, rather than hold the test's output open until the suite times out */
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        dup2(pipefd[1], STDOUT_FILENO);
        close(pipefd[0]);
        close(pipefd[1]);
        execv(fake, (char *const *)argv);
        _exit(127);
    }
    close(pipefd[1]);
    char line[256];
    size_t len = 0;
    while (len + 1 < sizeof(line)) { /* the first line, byte by byte: nothing more is read */
        ssize_t got = read(pipefd[0], line + len, 1);
        if (got <= 0 || line[len] == '\n')
            break;
        len++;
    }
    line[len] = '\0';
    close(pipefd[0]);
    unsigned port = 0;
    cr_assert_eq(sscanf(line, "fakestore listening on http://127.0.0.1:%u/", &port), 1,
                 "the fakestore said: %s", line);
    f->pid = pid;
    f->port = (uint16_t)port;
    snprintf(f->url, sizeof(f->url), "http://127.0.0.1:%u", port);
}

struct th_resp th_fake_req_headers(struct th_fake *f, const char *method, const char *path,
                                   const char *body, const char *const *headers)
{
    return raw_to(f->url, method, path, NULL, body ? "application/json" : NULL, body,
                  body ? strlen(body) : 0, headers);
}

void th_fake_stop(struct th_fake *f)
{
    if (f->pid <= 0)
        return;
    kill(f->pid, SIGTERM);
    int status;
    waitpid(f->pid, &status, 0);
    f->pid = 0;
    if (f->traffic_copy[0]) { /* the store's own log, complete now, into $SB_EC_TRAFFIC_DIR */
        FILE *in = fopen(f->traffic_log, "rb");
        FILE *out = in ? fopen(f->traffic_copy, "wb") : NULL;
        char buf[8192];
        size_t got;
        bool ok = in && out;
        while (ok && (got = fread(buf, 1, sizeof(buf), in)) > 0)
            ok = fwrite(buf, 1, got, out) == got;
        ok = ok && !ferror(in);
        if (in)
            fclose(in);
        if (out && fclose(out) != 0)
            ok = false;
        cr_expect(ok, "copying the traffic log %s to %s failed", f->traffic_log, f->traffic_copy);
        f->traffic_copy[0] = '\0';
    }
}

struct th_resp th_fake_req(struct th_fake *f, const char *method, const char *path,
                           const char *body)
{
    return raw_to(f->url, method, path, NULL, body ? "application/json" : NULL, body,
                  body ? strlen(body) : 0, NULL);
}

void th_shop_start(struct th *t, struct th_fixture *f, struct th_fake *fake)
{
    th_shop_start_currency(t, f, fake, "USD");
}

void th_shop_start_currency(struct th *t, struct th_fixture *f, struct th_fake *fake,
                            const char *currency)
{
    th_start(t);
    th_fixture(t, f);
    char sql[96];
    snprintf(sql, sizeof(sql), "UPDATE outlets SET currency = '%s'", currency);
    th_sql_exec(t, sql);
    th_fake_start_currency(t, fake, TH_SHOP_TOKEN, TH_SHOP_SECRET, "/webhooks/1", currency);
    int64_t id = th_create(t, t->admin, "/api/v1/channels",
                           "{\"kind\":\"shopify\",\"name\":\"Web shop\","
                           "\"credentials\":{\"shop_domain\":\"demo.myshopify.com\","
                           "\"access_token\":\"" TH_SHOP_TOKEN "\","
                           "\"webhook_secret\":\"" TH_SHOP_SECRET "\",\"base_url\":\"%s\"},"
                           "\"outlets\":[1,2],\"default_outlet_id\":1,\"register_id\":1,"
                           "\"employee_id\":1,\"settings\":{\"stock_sync\":false},"
                           "\"methods\":[{\"method\":\"Pickup at Uptown\",\"outlet_id\":2,"
                           "\"pickup\":true}]}",
                           fake->url);
    cr_assert_eq(id, 1);
}

void th_shop_place(struct th *t, struct th_fake *fake, const char *body, char *id, size_t cap)
{
    struct th_resp r = th_fake_req(fake, "POST", "/_fake/orders", body);
    cr_assert_eq(r.status, 201, "fakestore: %ld %s", r.status, r.body);
    json_t *v = json_object_get(r.json, "id");
    cr_assert(json_is_integer(v), "%s", r.body);
    snprintf(id, cap, "%lld", (long long)json_integer_value(v));
    th_resp_free(&r);
    th_wait_pipeline(t);
}

void th_shop_act(struct th *t, struct th_fake *fake, const char *id, const char *action,
                 const char *body)
{
    char path[128];
    snprintf(path, sizeof(path), "/_fake/orders/%s/%s", id, action);
    struct th_resp r = th_fake_req(fake, "POST", path, body ? body : "{}");
    cr_assert_eq(r.status / 100, 2, "fakestore %s: %ld %s", action, r.status, r.body);
    th_resp_free(&r);
    th_wait_pipeline(t);
}
