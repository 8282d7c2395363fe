/*
 * A short list of entries under one mutex: a server has a handful of channels.
 * An entry stops being current when forgotten or replaced, and is freed by
 * whoever drops its last reference.
 */
#include "sync/rt-cache.h"

#include <pthread.h>
#include <stdlib.h>

struct entry {
    struct entry *next;
    struct sb_arena *arena;
    struct sb_channel_rt *rt;
    int refs;
    bool current;
};

struct sb_rt_cache {
    pthread_mutex_t lock;
    struct entry *head;
};

sb_err sb_rt_cache_new(struct sb_rt_cache **ret)
{
    struct sb_rt_cache *c = calloc(1, sizeof(*c));
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

void sb_rt_cache_free(struct sb_rt_cache *c)
{
    if (!c)
        return;
    for (struct entry *e = c->head, *next; e; e = next) {
        next = e->next;
        entry_free(e);
    }
    pthread_mutex_destroy(&c->lock);
    free(c);
}

/* Frees e (the lock held) when it is neither current nor held. */
static void reap(struct sb_rt_cache *c, struct entry *e)
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

static struct entry *find(struct sb_rt_cache *c, const struct sb_channel_rt *rt)
{
    for (struct entry *e = c->head; e; e = e->next)
        if (e->rt == rt)
            return e;
    return NULL;
}

sb_err sb_rt_cache_get(struct sb_rt_cache *c, struct sb_db *db, int64_t id,
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
    sb_err err = sb_store_channel_load(db, id, e->arena, &e->rt);
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

void sb_rt_cache_put(struct sb_rt_cache *c, const struct sb_channel_rt *rt)
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

void sb_rt_cache_forget(struct sb_rt_cache *c, const struct sb_channel_rt *rt)
{
    pthread_mutex_lock(&c->lock);
    struct entry *e = find(c, rt);
    if (e) {
        e->current = false;
        reap(c, e);
    }
    pthread_mutex_unlock(&c->lock);
}
