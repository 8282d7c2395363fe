/*
 * The channel cache (channel-cache.h). Adapter states are a short list under
 * the cache's mutex, one per channel, opened on first use and closed when
 * the cache goes (a server has a handful of channels, and a channel is never
 * deleted). The webhook path's channels are another short list: an entry
 * stops being current when forgotten or replaced, and is freed by whoever
 * drops its last reference.
 */
#include "sync/channel-cache.h"

#include "store/channel-credentials.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct entry {
    struct entry *next;
    struct sb_arena *arena;
    struct sb_channel_rt *rt;
    int refs;
    bool current;
};

struct state {
    struct state *next;
    int64_t channel;
    const struct sb_channel_ops *ops;
    void *data; /* ops->state_size bytes, opened */
};

struct sb_channel_cache {
    pthread_mutex_t lock;
    struct entry *head;
    struct state *states;
};

sb_err sb_channel_cache_new(struct sb_channel_cache **ret)
{
    struct sb_channel_cache *c = calloc(1, sizeof(*c));
    if (!c)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    pthread_mutex_init(&c->lock, NULL);
    *ret = c;
    return SB_OK;
}

static void entry_free(struct entry *e)
{
    sb_arena_free(e->arena);
    free(e);
}

void sb_channel_cache_free(struct sb_channel_cache *c)
{
    if (!c)
        return;
    for (struct entry *e = c->head, *next; e; e = next) {
        next = e->next;
        entry_free(e);
    }
    for (struct state *s = c->states, *next; s; s = next) {
        next = s->next;
        s->ops->close(s->data);
        free(s->data);
        free(s);
    }
    pthread_mutex_destroy(&c->lock);
    free(c);
}

/* ---------------------------------------------------------------- adapter state */

/* The channel's adapter state in the cache, opened with ch on first use. */
static sb_err cached_state(struct sb_channel_cache *c, const struct sb_channel_ops *ops,
                           const struct sb_channel *ch, void **ret)
{
    sb_err err = SB_OK;
    pthread_mutex_lock(&c->lock);
    struct state *s = c->states;
    while (s && !(s->channel == ch->id && s->ops == ops))
        s = s->next;
    if (!s) {
        s = calloc(1, sizeof(*s));
        void *data = s ? calloc(1, ops->state_size) : NULL;
        if (!data)
            err = sb_fail(SB_ENOMEM, NULL, NULL);
        else
            err = ops->open(ch, data);
        if (err) {
            free(data);
            free(s);
            s = NULL;
        } else {
            *s = (struct state){ .next = c->states, .channel = ch->id, .ops = ops, .data = data };
            c->states = s;
        }
    }
    pthread_mutex_unlock(&c->lock);
    if (!err)
        *ret = s->data;
    return err;
}

struct closing {
    void (*close)(void *state);
    void *state;
};

static void close_state(void *p)
{
    struct closing *k = p;
    k->close(k->state);
}

/* State for this load only (no cache): opened now, closed with the arena. */
static sb_err arena_state(struct sb_arena *a, const struct sb_channel_ops *ops,
                          const struct sb_channel *ch, void **ret)
{
    void *data = sb_arena_alloc(a, ops->state_size);
    struct closing *k = sb_arena_alloc(a, sizeof(*k));
    if (!data || !k)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    sb_err err = ops->open(ch, data);
    if (err)
        return err;
    *k = (struct closing){ .close = ops->close, .state = data };
    if (!sb_arena_defer(a, close_state, k))
        return sb_fail(SB_ENOMEM, NULL, NULL);
    *ret = data;
    return SB_OK;
}

/* ---------------------------------------------------------------- loading */

static void decref(void *p)
{
    json_decref(p);
}

sb_err sb_channel_load(struct sb_channel_cache *c, struct sb_db *db, int64_t id, struct sb_arena *a,
                       struct sb_channel_rt **ret)
{
    struct sb_channel_record *rec = NULL;
    sb_err err = sb_store_channel_record(db, id, a, &rec);
    if (err)
        return err;
    const struct sb_channel_ops *ops = sb_channel_ops_for(rec->kind);
    if (!ops)
        return sb_fail(SB_EINTERNAL, "kind", "channel %lld is of kind %s, which has no adapter",
                       (long long)id, rec->kind);
    struct sb_channel_rt *rt = sb_arena_alloc(a, sizeof(*rt));
    if (!rt)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    json_t *cred = NULL;
    if (rec->has_credentials)
        err = sb_store_channel_credentials(db, id, &cred);
    else if (!(cred = json_object()))
        err = sb_fail(SB_ENOMEM, NULL, NULL);
    if (err)
        return err;
    if (!sb_arena_defer(a, decref, cred))
        return sb_fail(SB_ENOMEM, NULL, NULL);
    /* the kind's settings default as the common ones do: a setting added later has one */
    if ((err = sb_channel_kind_fill_settings(ops, rec->settings_json)))
        return err;
    /* ... and so do the settings in its history (M5) */
    size_t i;
    json_t *row;
    json_array_foreach(rec->settings_history, i, row)
    {
        json_t *settings = json_object_get(row, "settings");
        if (json_is_object(settings) && (err = sb_channel_kind_fill_settings(ops, settings)))
            return err;
    }
    rt->rec = *rec;
    rt->ops = ops;
    rt->ch = (struct sb_channel){
        .id = id,
        .kind = rec->kind,
        .name = rec->name,
        .settings = rec->settings_json,
        .settings_history = rec->settings_history,
        .credentials = cred,
        .base_url = ops->base_url(cred, a),
        .currency = rec->currency,
    };
    if (ops->state_size) {
        void *state = NULL;
        err = c ? cached_state(c, ops, &rt->ch, &state) : arena_state(a, ops, &rt->ch, &state);
        if (err)
            return err;
        rt->ch.state = state;
    }
    *ret = rt;
    return SB_OK;
}

/* ---------------------------------------------------------------- the webhook path */

/* Frees e (the lock held) when it is neither current nor held. */
static void reap(struct sb_channel_cache *c, struct entry *e)
{
    if (e->current || e->refs > 0)
        return;
    for (struct entry **pp = &c->head; *pp; pp = &(*pp)->next) {
        if (*pp == e) {
            *pp = e->next;
            break;
        }
    }
    entry_free(e);
}

static struct entry *find(struct sb_channel_cache *c, const struct sb_channel_rt *rt)
{
    for (struct entry *e = c->head; e; e = e->next)
        if (e->rt == rt)
            return e;
    return NULL;
}

sb_err sb_channel_cache_get(struct sb_channel_cache *c, struct sb_db *db, int64_t id,
                            const struct sb_channel_rt **ret)
{
    pthread_mutex_lock(&c->lock);
    for (struct entry *e = c->head; e; e = e->next) {
        if (e->current && e->rt->ch.id == id) {
            e->refs++;
            *ret = e->rt;
            pthread_mutex_unlock(&c->lock);
            return SB_OK;
        }
    }
    pthread_mutex_unlock(&c->lock);
    /* loaded outside the lock: two requests may both load; the later one wins */
    struct entry *e = calloc(1, sizeof(*e));
    if (!e || !(e->arena = sb_arena_new())) {
        free(e);
        return sb_fail(SB_ENOMEM, NULL, NULL);
    }
    sb_err err = sb_channel_load(c, db, id, e->arena, &e->rt);
    if (err) {
        entry_free(e);
        return err;
    }
    pthread_mutex_lock(&c->lock);
    for (struct entry *old = c->head; old; old = old->next) {
        if (old->current && old->rt->ch.id == id) {
            old->current = false;
            reap(c, old);
            break;
        }
    }
    e->refs = 1;
    e->current = true;
    e->next = c->head;
    c->head = e;
    *ret = e->rt;
    pthread_mutex_unlock(&c->lock);
    return SB_OK;
}

void sb_channel_cache_put(struct sb_channel_cache *c, const struct sb_channel_rt *rt)
{
    if (!rt)
        return;
    pthread_mutex_lock(&c->lock);
    struct entry *e = find(c, rt);
    if (e) {
        e->refs--;
        reap(c, e);
    }
    pthread_mutex_unlock(&c->lock);
}

void sb_channel_cache_forget(struct sb_channel_cache *c, const struct sb_channel_rt *rt)
{
    pthread_mutex_lock(&c->lock);
    struct entry *e = find(c, rt);
    if (e) {
        e->current = false;
        reap(c, e);
    }
    pthread_mutex_unlock(&c->lock);
}
