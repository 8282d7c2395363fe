/*
 * Connection pool: a mutex-guarded stack of idle connections. A connection
 * is opened on demand when none is idle and closed on release when the
 * stack is full, so the pool never blocks a request.
 */
#include "store/store.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct sb_store {
    char *url;
    int version;
    pthread_mutex_t lock;
    unsigned nidle, max_idle;
    struct sb_db **idle;
};

sb_err sb_store_open(const char *url, unsigned max_idle, struct sb_store **ret)
{
    struct sb_db *db = NULL;
    sb_err err = sb_db_open(url, &db);
    if (err)
        return err;
    int version = 0;
    err = db->ops->migrate(db, &version);
    if (err) {
        sb_db_close(db);
        return err;
    }
    struct sb_store *s = calloc(1, sizeof(*s));
    if (max_idle == 0)
        max_idle = 1;
    if (s) {
        s->url = strdup(url);
        s->idle = calloc(max_idle, sizeof(*s->idle));
    }
    if (!s || !s->url || !s->idle) {
        sb_db_close(db);
        if (s) {
            free(s->url);
            free(s->idle);
            free(s);
        }
        return sb_fail(SB_ENOMEM, NULL, NULL);
    }
    pthread_mutex_init(&s->lock, NULL);
    s->version = version;
    s->max_idle = max_idle;
    s->idle[s->nidle++] = db;
    *ret = s;
    return SB_OK;
}

void sb_store_close(struct sb_store *s)
{
    if (!s)
        return;
    for (unsigned i = 0; i < s->nidle; i++)
        sb_db_close(s->idle[i]);
    pthread_mutex_destroy(&s->lock);
    free(s->idle);
    free(s->url);
    free(s);
}

sb_err sb_store_acquire(struct sb_store *s, struct sb_db **ret)
{
    struct sb_db *db = NULL;
    pthread_mutex_lock(&s->lock);
    if (s->nidle > 0)
        db = s->idle[--s->nidle];
    pthread_mutex_unlock(&s->lock);
    if (db) {
        *ret = db;
        return SB_OK;
    }
    return sb_db_open(s->url, ret);
}

void sb_store_release(struct sb_store *s, struct sb_db *db)
{
    if (!db)
        return;
    if (db->tx_depth > 0) {
        /* a handler left a transaction open: never hand it to the next request */
        (void)sb_db_end(db, SB_EINTERNAL);
    }
    pthread_mutex_lock(&s->lock);
    if (s->nidle < s->max_idle) {
        s->idle[s->nidle++] = db;
        db = NULL;
    }
    pthread_mutex_unlock(&s->lock);
    sb_db_close(db);
}

int sb_store_schema_version(const struct sb_store *s)
{
    return s->version;
}
