/*
 * GET /api/v1/notifications/stream: the bell's live feed (SPEC N1, N2), as Server-Sent
 * Events. Each notification the caller may see (their outlets only) is one event:
 *
 *     id: 42
 *     event: notification
 *     data: {...the same record as GET /api/v1/notifications lists...}
 *
 * A browser's EventSource reconnects by itself and sends the last id it saw in
 * Last-Event-ID; the stream then starts with what came after it. Without it the stream
 * starts at the newest notification (the caller reads the list for what came before).
 * A comment line goes out when nothing else has for a heartbeat (15 s), which keeps
 * proxies from closing the connection and finds clients that have gone. The caller's
 * session or token is looked up again at each heartbeat and before any event goes out, so
 * a signed-out user's stream ends and sends nothing more.
 *
 * Waking: the server runs a thread per connection, so the stream's thread blocks in read
 * on the process's doorbell (util/bell.h), which the commit of a notification on this node
 * rings; a notification raised on another node is found by a look at the newest id at
 * most once a second per process, shared by every stream (the first stream whose wait
 * runs out looks, and rings the bell for the others when it moved). So 100 open streams
 * cost one cheap query a second when nothing happens, and a scoped query each when
 * something does. The stream holds no database connection between looks.
 */
#include "http/api.h"
#include "http/server.h"
#include "store/notifications.h"
#include "store/sessions.h"
#include "store/tokens.h"
#include "util/bell.h"
#include "util/timeutil.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define BATCH       50   /* events read from the table at once */
#define LOOK_MS     1000 /* how often this process looks for other nodes' notifications */
#define RETRY_MS    3000 /* the client's reconnection delay, sent as the stream opens */
#define MAX_PENDING (256 * 1024)
/* Streams reading the database at once, per process: one order wakes every stream, and
 * each borrows a connection for its look; without a bound, 100 streams would open 100
 * connections at once (PostgreSQL's default limit is 100). */
#define READERS 8

struct stream {
    struct sb_server *server;
    struct sb_scope scope;
    char *credential; /* the session cookie or bearer token, to look up at each heartbeat */
    bool cookie;
    int64_t last_id; /* the newest event sent */
    uint64_t seen;   /* the doorbell's count when last looked */
    bool due;        /* the table is to be read before waiting again */
    uint64_t last_sent_ns;
    char *buf; /* written, not yet handed to the connection */
    size_t len, off, cap;
};

/* The look for other nodes' notifications, shared by the process's streams. */
static struct {
    pthread_mutex_t lock;
    uint64_t last_look_ns;
    int64_t newest;
} look = { PTHREAD_MUTEX_INITIALIZER, 0, 0 };

static struct {
    pthread_mutex_t lock;
    pthread_cond_t freed;
    int busy;
} readers = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0 };

/* A connection from the store, taken once fewer than READERS streams hold one. */
static sb_err reader_acquire(struct sb_store *store, struct sb_db **ret)
{
    pthread_mutex_lock(&readers.lock);
    while (readers.busy >= READERS)
        pthread_cond_wait(&readers.freed, &readers.lock);
    readers.busy++;
    pthread_mutex_unlock(&readers.lock);
    sb_err err = sb_store_acquire(store, ret);
    if (err) {
        pthread_mutex_lock(&readers.lock);
        readers.busy--;
        pthread_cond_signal(&readers.freed);
        pthread_mutex_unlock(&readers.lock);
    }
    return err;
}

static void reader_release(struct sb_store *store, struct sb_db *db)
{
    if (!db)
        return;
    sb_store_release(store, db);
    pthread_mutex_lock(&readers.lock);
    readers.busy--;
    pthread_cond_signal(&readers.freed);
    pthread_mutex_unlock(&readers.lock);
}

static bool append(struct stream *st, const char *text, size_t n)
{
    if (st->len + n > MAX_PENDING)
        return false;
    if (st->len + n > st->cap) {
        size_t cap = st->cap ? st->cap : 4096;
        while (cap < st->len + n)
            cap *= 2;
        char *nb = realloc(st->buf, cap);
        if (!nb)
            return false;
        st->buf = nb;
        st->cap = cap;
    }
    memcpy(st->buf + st->len, text, n);
    st->len += n;
    return true;
}

static bool append_event(struct stream *st, json_t *row)
{
    char *data = json_dumps(row, JSON_COMPACT); /* one line: JSON escapes its newlines */
    char head[64];
    int n = snprintf(head, sizeof(head), "id: %lld\nevent: notification\ndata: ",
                     (long long)json_integer_value(json_object_get(row, "id")));
    bool ok = data && append(st, head, (size_t)n) && append(st, data, strlen(data)) &&
              append(st, "\n\n", 2);
    free(data);
    return ok;
}

/* Reads the caller's events after last_id into the buffer; false when the stream must end
 * (storage failing: the client reconnects and resumes from its Last-Event-ID). */
static bool still_signed_in(struct stream *st);

static bool read_events(struct stream *st)
{
    struct sb_store *store = sb_server_store(st->server);
    struct sb_db *db = NULL;
    json_t *rows = NULL;
    sb_err err = reader_acquire(store, &db);
    if (!err)
        err = sb_store_notification_since(db, &st->scope, st->last_id, BATCH, &rows);
    reader_release(store, db);
    if (err)
        return false;
    /* nothing goes out to a session or token that has ended since the last look (SEC2);
     * looked up only when there is something to send, so quiet wakes cost one query */
    if (json_array_size(rows) && !still_signed_in(st)) {
        json_decref(rows);
        return false;
    }
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row)
    {
        if (!append_event(st, row)) {
            json_decref(rows);
            return false;
        }
        st->last_id = json_integer_value(json_object_get(row, "id"));
    }
    st->due = json_array_size(rows) == BATCH; /* more may follow at once */
    json_decref(rows);
    return true;
}

/* Whether the caller's session or token still opens this route. */
static bool still_signed_in(struct stream *st)
{
    struct sb_store *store = sb_server_store(st->server);
    struct sb_db *db = NULL;
    struct sb_scope scope = { 0 };
    char csrf[SB_TOKEN_LEN];
    sb_err err = reader_acquire(store, &db);
    if (!err)
        err = st->cookie ? sb_store_session_lookup(db, st->credential, &scope, csrf)
                         : sb_store_token_lookup(db, st->credential, &scope);
    reader_release(store, db);
    if (err || scope.user_id != st->scope.user_id)
        return false;
    st->scope = scope; /* a role or outlet change since takes effect */
    return true;
}

/* Once a second per process: the newest notification's id, and a ring when it moved
 * (another node raised one). */
static void look_for_others(struct sb_server *server, uint64_t now)
{
    pthread_mutex_lock(&look.lock);
    bool mine = now - look.last_look_ns >= (uint64_t)LOOK_MS * 1000000u;
    if (mine)
        look.last_look_ns = now;
    pthread_mutex_unlock(&look.lock);
    if (!mine)
        return;
    struct sb_store *store = sb_server_store(server);
    struct sb_db *db = NULL;
    int64_t newest = 0;
    sb_err err = reader_acquire(store, &db);
    if (!err)
        err = sb_store_notification_last_id(db, &newest);
    reader_release(store, db);
    if (err)
        return;
    pthread_mutex_lock(&look.lock);
    bool moved = newest != look.newest;
    look.newest = newest;
    pthread_mutex_unlock(&look.lock);
    if (moved)
        sb_bell_ring();
}

static long hand_over(struct stream *st, char *buf, size_t max)
{
    size_t n = st->len - st->off < max ? st->len - st->off : max;
    memcpy(buf, st->buf + st->off, n);
    st->off += n;
    if (st->off == st->len)
        st->off = st->len = 0;
    st->last_sent_ns = sb_clock_ns();
    return (long)n;
}

static long stream_read(void *cls, char *buf, size_t max)
{
    struct stream *st = cls;
    if (st->off < st->len)
        return hand_over(st, buf, max);
    uint64_t beat_ns = (uint64_t)sb_server_heartbeat_ms(st->server) * 1000000u;
    for (;;) {
        if (sb_server_stopping(st->server))
            return SB_STREAM_END;
        if (st->due) {
            st->due = false;
            if (!read_events(st))
                return SB_STREAM_END;
            if (st->len)
                return hand_over(st, buf, max);
        }
        uint64_t now = sb_clock_ns();
        if (now - st->last_sent_ns >= beat_ns) {
            if (!still_signed_in(st))
                return SB_STREAM_END;
            if (!append(st, ": heartbeat\n\n", 13))
                return SB_STREAM_END;
            return hand_over(st, buf, max);
        }
        look_for_others(st->server, now);
        uint64_t left_ms = (beat_ns - (now - st->last_sent_ns)) / 1000000u + 1;
        if (sb_bell_wait(&st->seen, left_ms < LOOK_MS ? (int)left_ms : LOOK_MS))
            st->due = true;
    }
}

static void stream_free(void *cls)
{
    struct stream *st = cls;
    sb_server_stream_leave(st->server);
    free(st->credential);
    free(st->buf);
    free(st);
}

static const struct sb_stream_ops ops = {
    .content_type = "text/event-stream; charset=utf-8",
    .read = stream_read,
    .free = stream_free,
};

/* Last-Event-ID: the id of the last event the client saw (EventSource sends it back as
 * we wrote it); absent: from now. */
static sb_err last_event_id(struct sb_req *r, int64_t *ret, bool *ret_present)
{
    const char *h = sb_req_header(r, "Last-Event-ID");
    *ret_present = h != NULL;
    if (!h)
        return SB_OK;
    char *end;
    long long v = strtoll(h, &end, 10);
    if (!*h || *end || v < 0 || strlen(h) > 19)
        return sb_fail(SB_EINVALID_QUERY, "Last-Event-ID",
                       "Last-Event-ID must be the id of a notification");
    *ret = v;
    return SB_OK;
}

sb_err sb_api_notifications_stream(struct sb_req *r)
{
    int64_t after = 0;
    bool resume = false;
    uint64_t seen = sb_bell_generation(); /* before the newest id: a commit between rings */
    sb_err err = last_event_id(r, &after, &resume);
    if (!err && !resume)
        err = sb_store_notification_last_id(r->db, &after);
    if (err)
        return err;
    const char *auth = sb_req_header(r, "Authorization");
    const char *credential = r->session_token ? r->session_token : auth ? auth + 7 : NULL;
    if (!credential) /* authenticate() let the request through with one of the two */
        return sb_fail(SB_EUNAUTHORIZED, NULL, NULL);
    err = sb_server_stream_enter(r->server);
    if (err)
        return err;
    struct stream *st = calloc(1, sizeof(*st));
    char *cred = strdup(credential);
    char head[64];
    int n = snprintf(head, sizeof(head), "retry: %d\n: stream open\n\n", RETRY_MS);
    if (!st || !cred || !append(st, head, (size_t)n)) {
        if (st)
            free(st->buf);
        free(st);
        free(cred);
        sb_server_stream_leave(r->server);
        return sb_fail(SB_ENOMEM, NULL, NULL);
    }
    st->server = r->server;
    st->scope = r->scope;
    st->credential = cred;
    st->cookie = r->session_token != NULL;
    st->last_id = after;
    st->seen = seen;
    st->due = resume; /* what came after the client's last event, at once */
    return sb_reply_stream(r, &ops, st);
}
