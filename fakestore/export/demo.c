/*
 * The export store's timer and demo orders. The timer thread connects at
 * start (--connect start; with --connect retry, as make demo starts it before
 * the server may be up, again after 1, 2, 4 ... 30 s until it connects; with
 * --connect request only the control API connects) and then refreshes
 * the catalogue from the change feed every --refresh-seconds (never when 0:
 * only on request), not before a 429's Retry-After has passed. A demo order
 * is one to three lines of what the site sells (the POS catalogue's items
 * with stock at the first location, else the --sku products), paid by card,
 * fulfilled at once: with --auto-export on it goes to the POS straight away.
 */
#include "export.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static uint64_t next(uint64_t *rng)
{
    *rng ^= *rng << 13, *rng ^= *rng >> 7, *rng ^= *rng << 17;
    return *rng;
}

/* Waits (the lock held) until the deadline, a stop or a wake-up; true when stopping. */
static bool wait_for(struct xp_site *s, int64_t seconds)
{
    struct timespec dl;
    clock_gettime(CLOCK_REALTIME, &dl);
    dl.tv_sec += (time_t)seconds;
    while (!s->stopping && !s->refresh_now &&
           pthread_cond_timedwait(&s->wake, &s->mu, &dl) != ETIMEDOUT)
        ;
    return s->stopping;
}

static void *timer_main(void *arg)
{
    struct xp_site *s = arg;
    int64_t backoff = 1;
    while (s->connect != XP_CONNECT_REQUEST && !xp_connect(s)) {
        pthread_mutex_lock(&s->mu);
        bool stop = s->connect != XP_CONNECT_RETRY || wait_for(s, backoff);
        pthread_mutex_unlock(&s->mu);
        if (stop)
            break;
        backoff = backoff * 2 > 30 ? 30 : backoff * 2;
    }
    pthread_mutex_lock(&s->mu);
    while (!s->stopping) {
        if (s->refresh_seconds <= 0) {
            pthread_cond_wait(&s->wake, &s->mu);
            continue;
        }
        if (wait_for(s, s->refresh_seconds))
            break;
        s->refresh_now = false;
        bool go = (int64_t)time(NULL) >= s->retry_until && strcmp(s->state, "connected") == 0;
        pthread_mutex_unlock(&s->mu);
        if (go)
            xp_catalogue_refresh(s);
        pthread_mutex_lock(&s->mu);
    }
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

sb_err fs_xp_start(struct xp_site *s)
{
    if (pthread_create(&s->timer, NULL, timer_main, s) != 0)
        return sb_fail(SB_EINTERNAL, NULL, "cannot start the timer");
    s->timer_running = true;
    return SB_OK;
}

/* The SKUs an order may take: in stock at the first location, else the site's own. */
static json_t *choosable(struct xp_site *s)
{
    json_t *list = json_array();
    const char *sku;
    json_t *it;
    json_object_foreach(s->items, sku, it)
    {
        size_t i;
        json_t *st;
        json_array_foreach(json_object_get(it, "stock"), i, st)
        {
            const char *loc = json_string_value(json_object_get(st, "location_id"));
            if (loc && strcmp(loc, s->locations[0].id) == 0 &&
                json_integer_value(json_object_get(st, "available")) > 0)
                json_array_append_new(list, json_string(sku));
        }
    }
    if (!json_array_size(list)) {
        size_t i;
        json_t *p;
        json_array_foreach(s->products, i, p) json_array_append(list, json_object_get(p, "sku"));
    }
    return list;
}

sb_err fs_xp_demo_order(struct xp_site *s, uint64_t *rng)
{
    pthread_mutex_lock(&s->mu);
    json_t *skus = choosable(s);
    if (!json_array_size(skus)) {
        pthread_mutex_unlock(&s->mu);
        json_decref(skus);
        return sb_fail(SB_ECONFLICT, NULL, "nothing to order yet");
    }
    json_t *lines = json_array();
    size_t n = 1 + next(rng) % 3;
    for (size_t i = 0; i < n; i++)
        json_array_append_new(lines,
                              json_pack("{s:O,s:i}", "sku",
                                        json_array_get(skus, next(rng) % json_array_size(skus)),
                                        "quantity", 1));
    char email[64];
    snprintf(email, sizeof(email), "shopper%u@example.com", (unsigned)(next(rng) % 50));
    json_t *body = json_pack("{s:o,s:s,s:[{s:s}],s:{s:s,s:i}}", "lines", lines, "email", email,
                             "payments", "method", next(rng) % 3 ? "Card" : "PayPal", "shipping",
                             "title", "Ground", "price", 500);
    struct xp_order *o = NULL;
    sb_err err = body ? xp_order_place(s, body, &o) : sb_fail(SB_ENOMEM, NULL, NULL);
    char id[64] = "";
    if (!err) {
        size_t i;
        json_t *l;
        json_array_foreach(o->lines, i, l) json_object_set_new(l, "fulfilled", json_true());
        snprintf(id, sizeof(id), "%s", o->id);
    }
    pthread_mutex_unlock(&s->mu);
    json_decref(body);
    json_decref(skus);
    if (!err)
        xp_auto_export(s, id);
    return err;
}
