/*
 * Repeated kills. The real `stockbridge serve` takes a bounded stream of signed Shopify
 * webhooks - several versions of each order, a third of them delivered twice, shuffled
 * in windows so that later versions often come first - from four senders at once, and is
 * killed with SIGKILL at random moments while requests are in flight, again and again,
 * restarted each time (alternately ingest-only). What a sender did not see acknowledged
 * it sends again after the restart, as Shopify would. At the end `stockbridge sync
 * --drain` is killed in the middle of a batch (a crash point inside its transaction), and
 * run again. Then every order exists exactly once, as its newest version says, stock
 * moved once per order, and `stockbridge check` passes (teardown).
 *
 * A kill in the middle of each migration, on a fresh database, is recovered by the next
 * start: nothing half-applied, every migration once, the invariants intact.
 *
 * Bounded for `make test` (5 kills, 60 orders); `make chaos` runs it long:
 * SB_CHAOS_KILLS, SB_CHAOS_ORDERS and SB_CHAOS_SEED (printed, to replay a run).
 */
#include "harness.h"

#include <criterion/criterion.h>
#include <curl/curl.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static struct th t;
static struct th_fixture f;

static void setup(void)
{
    th_start(&t);
    th_fixture(&t, &f);
    th_create(&t, t.admin, "/api/v1/channels",
              "{\"kind\":\"shopify\",\"name\":\"Web shop\","
              "\"credentials\":{\"shop_domain\":\"chaos.myshopify.com\","
              "\"access_token\":\"" TH_SHOP_TOKEN "\",\"webhook_secret\":\"" TH_SHOP_SECRET "\"},"
              "\"outlets\":[1],\"default_outlet_id\":1}");
    /* the database goes to separate server processes, to be killed */
    sb_server_stop(t.server);
    sb_pipeline_stop(t.pipeline);
    sb_store_close(t.store);
    t.server = NULL;
    t.pipeline = NULL;
    t.store = NULL;
}

static void teardown(void)
{
    th_stop(&t); /* runs `stockbridge check` */
}

TestSuite(chaos, .init = setup, .fini = teardown, .timeout = 3600);

static long env_long(const char *name, long dflt)
{
    const char *v = getenv(name);
    char *end;
    long n = v ? strtol(v, &end, 10) : 0;
    return v && !*end && n > 0 ? n : dflt;
}

/* xorshift64*: the stream and the kill moments are a function of the seed alone */
static uint64_t rng_state;
static uint64_t rnd(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ull;
}
static size_t below(size_t n)
{
    return (size_t)(rnd() % n);
}

/* ---- the server process ---- */

static pid_t serve(const char *db_url, unsigned *ret_port, bool ingest_only)
{
    int pipefd[2];
    cr_assert_eq(pipe(pipefd), 0);
    pid_t pid = fork();
    cr_assert_neq(pid, -1);
    if (pid == 0) {
        dup2(pipefd[1], STDOUT_FILENO);
        close(pipefd[0]);
        close(pipefd[1]);
        if (ingest_only)
            setenv("STOCKBRIDGE_PIPELINE_WORKER", "off", 1);
        execl(getenv("SB_BIN"), "stockbridge", "serve", "--db", db_url, "--listen", "127.0.0.1:0",
              (char *)NULL);
        _exit(127);
    }
    close(pipefd[1]);
    char line[256];
    size_t n = 0;
    while (n + 1 < sizeof(line) && read(pipefd[0], line + n, 1) == 1 && line[n] != '\n')
        n++;
    line[n] = '\0';
    close(pipefd[0]);
    cr_assert_eq(sscanf(line, "stockbridge is serving on http://127.0.0.1:%u/", ret_port), 1,
                 "serve said: %s", line);
    return pid;
}

/* Runs the command with STOCKBRIDGE_CRASH_AT=crash_at (NULL: none); its wait status. */
static int run(const char *crash_at, const char *const *argv)
{
    pid_t pid = fork();
    cr_assert_neq(pid, -1);
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        dup2(null, STDOUT_FILENO);
        dup2(null, STDERR_FILENO);
        if (crash_at)
            setenv("STOCKBRIDGE_CRASH_AT", crash_at, 1);
        execv(getenv("SB_BIN"), (char *const *)argv);
        _exit(127);
    }
    int status = 0;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    return status;
}

/* ---- the stream ---- */

enum {
    MAX_VERSIONS = 3
};

struct delivery {
    int order, version;
};

struct stream {
    int n_orders;
    struct delivery *queue; /* what is still to be acknowledged, in sending order */
    size_t n_queue, next;
    struct delivery *again; /* failed this round: sent again after the restart */
    size_t n_again;
    struct delivery *reserve; /* the stream's last quarter, for the last, ingest-only life */
    size_t n_reserve;
    atomic_bool *acked; /* per (order, version) */
    long acks_this_round, kill_after;
    pid_t pid;
    unsigned port;
    bool killed;
    pthread_mutex_t lock;
};

static int versions_of(int order)
{
    return 1 + order % MAX_VERSIONS; /* 1, 2 or 3 versions */
}

/* Version v of order o: v0 created (cash on delivery, pending, for every other order; else
 * paid), v1 paid, v2 a new note. Two TEEs each. */
static int body_of(int o, int v, char *out, size_t cap)
{
    bool paid = v >= 1 || o % 2 == 1;
    return snprintf(out, cap,
                    "{\"id\":%d,\"name\":\"#C%d\",\"email\":\"c%d@example.com\","
                    "\"created_at\":\"2026-11-22T10:00:00Z\","
                    "\"updated_at\":\"2026-11-22T10:00:0%dZ\",\"currency\":\"USD\","
                    "\"financial_status\":\"%s\",\"gateway\":\"%s\",\"note\":\"%s\","
                    "\"subtotal_price\":\"40.00\",\"total_discounts\":\"0.00\","
                    "\"total_tax\":\"0.00\",\"total_price\":\"40.00\","
                    "\"total_outstanding\":\"%s\","
                    "\"shipping_address\":{\"name\":\"C %d\",\"address1\":\"1 St\"},"
                    "\"line_items\":[{\"id\":%d00,\"sku\":\"TEE\",\"title\":\"Tee\","
                    "\"quantity\":2,\"price\":\"20.00\",\"requires_shipping\":true}]}",
                    5000 + o, o, o, v, paid ? "paid" : "pending",
                    o % 2 ? "shopify_payments" : "Cash on Delivery (COD)",
                    v == 2 ? "second thoughts" : "first", paid ? "0.00" : "40.00", o, 5000 + o);
}

static size_t discard(char *p, size_t s, size_t n, void *ud)
{
    (void)p;
    (void)ud;
    return s * n;
}

static long post(CURL *h, unsigned port, const struct delivery *d)
{
    static const char *const topics[] = { "orders/create", "orders/paid", "orders/updated" };
    char body[1024], url[96], sig[128], event[96], topic[64], b64[64];
    int len = body_of(d->order, d->version, body, sizeof(body));
    unsigned char mac[32];
    unsigned int maclen = 0;
    HMAC(EVP_sha256(), TH_SHOP_SECRET, (int)strlen(TH_SHOP_SECRET), (unsigned char *)body,
         (size_t)len, mac, &maclen);
    EVP_EncodeBlock((unsigned char *)b64, mac, (int)maclen);
    snprintf(sig, sizeof(sig), "X-Shopify-Hmac-Sha256: %s", b64);
    snprintf(event, sizeof(event), "X-Shopify-Event-Id: chaos-%d-%d", d->order, d->version);
    snprintf(topic, sizeof(topic), "X-Shopify-Topic: %s", topics[d->version]);
    snprintf(url, sizeof(url), "http://127.0.0.1:%u/webhooks/1", port);
    struct curl_slist *hdr = curl_slist_append(NULL, "Content-Type: application/json");
    hdr = curl_slist_append(hdr, topic);
    hdr = curl_slist_append(hdr, sig);
    hdr = curl_slist_append(hdr, event);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)len);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 30L);
    long status = 0;
    if (curl_easy_perform(h) == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(hdr);
    return status;
}

/* A sender: takes the next delivery, posts it; an acknowledged one may be the moment the
 * server dies (the other senders' requests are in flight then); a failed one goes again
 * after the restart. */
static void *sender(void *arg)
{
    struct stream *s = arg;
    CURL *h = curl_easy_init();
    for (;;) {
        pthread_mutex_lock(&s->lock);
        if (s->next == s->n_queue) {
            pthread_mutex_unlock(&s->lock);
            break;
        }
        struct delivery d = s->queue[s->next++];
        unsigned port = s->port;
        pthread_mutex_unlock(&s->lock);
        long status = post(h, port, &d);
        pthread_mutex_lock(&s->lock);
        if (status == 200) {
            atomic_store(&s->acked[d.order * MAX_VERSIONS + d.version], true);
            if (++s->acks_this_round == s->kill_after && !s->killed) {
                kill(s->pid, SIGKILL);
                s->killed = true;
            }
        } else {
            s->again[s->n_again++] = d;
        }
        pthread_mutex_unlock(&s->lock);
    }
    curl_easy_cleanup(h);
    return NULL;
}

/* One life of the server: the queue sent by four senders, the server killed after
 * kill_after acknowledgements (0: not killed); what failed is the next round's queue. */
static void round_of(struct stream *s, long kill_after, bool ingest_only)
{
    s->pid = serve(t.db_url, &s->port, ingest_only);
    s->next = 0;
    s->n_again = 0;
    s->acks_this_round = 0;
    s->kill_after = kill_after;
    s->killed = false;
    pthread_t th[4];
    for (int i = 0; i < 4; i++)
        cr_assert_eq(pthread_create(&th[i], NULL, sender, s), 0);
    for (int i = 0; i < 4; i++)
        pthread_join(th[i], NULL);
    if (!s->killed)
        kill(s->pid, kill_after ? SIGKILL : SIGTERM);
    int status;
    waitpid(s->pid, &status, 0);
    memcpy(s->queue, s->again, s->n_again * sizeof(*s->queue));
    s->n_queue = s->n_again;
}

/* Every version of every order, a third of them twice, shuffled in windows of 12. */
static void build_stream(struct stream *s)
{
    size_t cap = (size_t)s->n_orders * MAX_VERSIONS * 2, n = 0;
    s->queue = calloc(cap, sizeof(*s->queue));
    s->again = calloc(cap, sizeof(*s->again));
    s->acked = calloc((size_t)s->n_orders * MAX_VERSIONS, sizeof(*s->acked));
    cr_assert(s->queue && s->again && s->acked);
    for (int o = 0; o < s->n_orders; o++)
        for (int v = 0; v < versions_of(o); v++) {
            s->queue[n++] = (struct delivery){ o, v };
            if (below(3) == 0)
                s->queue[n++] = (struct delivery){ o, v };
        }
    for (size_t w = 0; w < n; w += 12) {
        size_t end = w + 12 < n ? w + 12 : n;
        for (size_t i = end - 1; i > w; i--) {
            size_t j = w + below(i - w + 1);
            struct delivery tmp = s->queue[i];
            s->queue[i] = s->queue[j];
            s->queue[j] = tmp;
        }
    }
    s->n_reserve = n / 4;
    s->reserve = calloc(s->n_reserve + 1, sizeof(*s->reserve));
    cr_assert(s->reserve);
    memcpy(s->reserve, s->queue + (n - s->n_reserve), s->n_reserve * sizeof(*s->reserve));
    s->n_queue = n - s->n_reserve;
}

static int64_t sql(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int64_t sql(const char *fmt, ...)
{
    char q[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(q, sizeof(q), fmt, ap);
    va_end(ap);
    return th_sql_int(&t, q);
}

/* O2, O3, SEC: acknowledged orders survive any number of kills, exactly once, as their
 * newest version says; a drain killed inside its transaction loses and doubles nothing. */
Test(chaos, o2_o3_acknowledged_orders_survive_repeated_kills_exactly_once)
{
    long kills = env_long("SB_CHAOS_KILLS", 5);
    struct stream s = { .n_orders = (int)env_long("SB_CHAOS_ORDERS", 60) };
    rng_state = (uint64_t)env_long("SB_CHAOS_SEED", 20261203);
    fprintf(stderr, "chaos: %ld kills, %d orders, SB_CHAOS_SEED=%llu\n", kills, s.n_orders,
            (unsigned long long)rng_state);
    pthread_mutex_init(&s.lock, NULL);
    build_stream(&s);
    int64_t tee_before =
        sql("SELECT on_hand FROM stock WHERE item_id = %lld AND outlet_id = 1", (long long)f.tee);

    long round = 0;
    for (; round < kills && s.n_queue > 0; round++)
        round_of(&s, 1 + (long)below(s.n_queue < 40 ? s.n_queue : 40), round % 2 == 1);
    cr_expect_eq(round, kills, "the stream outlived every kill (make it longer otherwise)");
    /* the last life, ingest-only, takes the rest and the reserved quarter: a backlog */
    memcpy(s.queue + s.n_queue, s.reserve, s.n_reserve * sizeof(*s.queue));
    s.n_queue += s.n_reserve;
    while (s.n_queue > 0)
        round_of(&s, 0, true);
    for (int o = 0; o < s.n_orders; o++)
        for (int v = 0; v < versions_of(o); v++)
            cr_assert(atomic_load(&s.acked[o * MAX_VERSIONS + v]), "order %d v%d acknowledged", o,
                      v);

    /* the drain dies inside its first batch's transaction, then runs again */
    int64_t pending = sql("SELECT COUNT(*) FROM channel_events WHERE status = 'pending'");
    cr_expect_gt(pending, 0, "the ingest-only life left events to drain");
    const char *drain[] = { "stockbridge", "sync", "--drain", "--db", t.db_url, NULL };
    int st = run("apply:3", drain);
    cr_expect(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "the drain was killed (status %d)", st);
    cr_expect_eq(sql("SELECT COUNT(*) FROM channel_events WHERE status = 'pending'"), pending,
                 "the killed batch left nothing behind");
    st = run(NULL, drain);
    cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the drain finished (status %d)", st);

    int64_t total_versions = 0;
    for (int o = 0; o < s.n_orders; o++)
        total_versions += versions_of(o);
    cr_expect_eq(sql("SELECT COUNT(*) FROM channel_events"), total_versions,
                 "every event recorded once, however often it was sent");
    cr_expect_eq(sql("SELECT COUNT(*) FROM channel_events WHERE status <> 'done'"), 0);
    cr_expect_eq(sql("SELECT COUNT(*) FROM sales WHERE source = 'channel'"), s.n_orders,
                 "every acknowledged order is a sale");
    cr_expect_eq(sql("SELECT COUNT(DISTINCT external_id) FROM sales WHERE source = 'channel'"),
                 s.n_orders, "and none twice");
    for (int o = 0; o < s.n_orders; o++) {
        int newest = versions_of(o) - 1;
        bool paid = newest >= 1 || o % 2 == 1;
        cr_expect_eq(sql("SELECT balance_due FROM sales WHERE external_id = '%d'", 5000 + o),
                     paid ? 0 : 4000, "order %d: as its newest version says (O3)", o);
        cr_expect_eq(sql("SELECT note = '%s' FROM sales WHERE external_id = '%d'",
                         newest == 2 ? "second thoughts" : "first", 5000 + o),
                     1, "order %d: the newest note", o);
        cr_expect_eq(sql("SELECT COUNT(*) FROM payments p JOIN sales s ON s.id = p.sale_id"
                         " WHERE s.external_id = '%d'",
                         5000 + o),
                     paid ? 1 : 0, "order %d: paid once", o);
    }
    cr_expect_eq(
        sql("SELECT on_hand FROM stock WHERE item_id = %lld AND outlet_id = 1", (long long)f.tee),
        tee_before - 2 * s.n_orders, "stock left once per order");
    free(s.queue);
    free(s.again);
    free(s.reserve);
    free(s.acked);
    pthread_mutex_destroy(&s.lock);
}

/* A kill in the middle of each migration (applied, not committed) on a fresh database:
 * the next run finds it not applied at all, applies every migration once, and the
 * database is sound. */
Test(chaos, a_kill_inside_any_migration_is_recovered_by_the_next_start)
{
    char out[64];
    cr_assert_eq(th_run_cli(&t, out, sizeof(out), "migrate", NULL), 0);
    int64_t latest = sql("SELECT MAX(version) FROM schema_migrations");
    cr_assert_gt(latest, 1);
    for (int64_t v = 1; v <= latest; v++) {
        struct th_db fresh; /* a new database on the test's backend */
        th_db_make(&fresh);
        const char *url = fresh.url;
        char at[32];
        snprintf(at, sizeof(at), "migration:%lld", (long long)v);
        const char *migrate[] = { "stockbridge", "migrate", "--db", url, NULL };
        int st = run(at, migrate);
        cr_expect(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "migration %lld: killed (%d)",
                  (long long)v, st);
        struct th other = t;
        other.db_path[0] = '\0';
        snprintf(other.db_url, sizeof(other.db_url), "%s", url);
        cr_expect_eq(th_sql_int(&other, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations"),
                     v - 1, "migration %lld: not applied at all", (long long)v);
        st = run(NULL, migrate);
        cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 0, "migration %lld: the next run",
                  (long long)v);
        cr_expect_eq(th_sql_int(&other, "SELECT COUNT(*) FROM schema_migrations"), latest);
        const char *check[] = { "stockbridge", "check", "--db", url, NULL };
        st = run(NULL, check);
        cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 0, "migration %lld: check", (long long)v);
        th_db_drop(&fresh);
    }
}
