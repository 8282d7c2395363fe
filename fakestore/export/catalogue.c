/*
 * The export store's copy of the POS catalogue (SPEC E7): a full read of
 * GET /connection/catalogue, every page, keeping the first page's
 * changes_cursor; then the change feed (GET /connection/changes) from that
 * cursor at each refresh, asked again at once while "more", with the last
 * answer's ETag as If-None-Match (a 304 costs nothing), a full read again on
 * "reset". Items are kept by SKU as the POS sends them (stock per location,
 * prices, GTINs and MPN); "incomplete" ones apart; "removed" ones dropped. A
 * 429 is honoured: its Retry-After is waited out (bounded) during a read,
 * and a refresh before that time is skipped.
 */
#include "export.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PAGE          "500"
#define RETRIES       5
#define RETRY_MAX_SEC 30

/* A refresh done (the lock held): counted, timed, and told to whoever waits for one
 * (GET /_fake/state?refreshes_above=N; the timer's wait re-checks its own condition). */
static void refreshed(struct xp_site *s)
{
    s->last_refresh = (int64_t)time(NULL);
    s->refreshes++;
    pthread_cond_broadcast(&s->wake);
}

/* One GET, a 429 waited out and asked again (RETRIES times at most). */
static void get(struct xp_site *s, const char *path, const char *query, const char *token,
                const char *etag, struct xp_reply *rep)
{
    for (int i = 0;; i++) {
        xp_call(s, "GET", path, query, NULL, token, etag, rep);
        if (rep->status != 429)
            return;
        long wait = strtol(rep->retry_after, NULL, 10);
        wait = wait < 1 ? 1 : wait > RETRY_MAX_SEC ? RETRY_MAX_SEC : wait;
        pthread_mutex_lock(&s->mu);
        s->retry_until = (int64_t)time(NULL) + wait;
        xp_note_error(s, rep, "refresh");
        pthread_mutex_unlock(&s->mu);
        if (i + 1 >= RETRIES)
            return;
        xp_reply_free(rep);
        sleep((unsigned)wait);
    }
}

/* Takes the entries of a page or feed answer into the copy (with the lock). */
static void take(struct xp_site *s, json_t *answer)
{
    json_t *v;
    size_t i;
    json_array_foreach(json_object_get(answer, "items"), i, v)
    {
        const char *sku = json_string_value(json_object_get(v, "sku"));
        if (!sku)
            continue;
        json_object_del(s->incomplete, sku);
        json_object_set(s->items, sku, v);
    }
    json_array_foreach(json_object_get(answer, "incomplete"), i, v)
    {
        const char *sku = json_string_value(json_object_get(v, "sku"));
        if (!sku)
            continue;
        json_object_del(s->items, sku);
        json_object_set(s->incomplete, sku, v);
    }
    json_array_foreach(json_object_get(answer, "removed"), i, v)
    {
        const char *sku = json_string_value(json_object_get(v, "sku"));
        if (!sku)
            continue;
        json_object_del(s->items, sku);
        json_object_del(s->incomplete, sku);
    }
    const char *cur = json_string_value(json_object_get(answer, "currency"));
    if (cur && strlen(cur) == 3)
        memcpy(s->currency, cur, 4);
}

/* An answer that is not what was wanted: noted, and the connection retired if it says so. */
static bool refused(struct xp_site *s, struct xp_reply *rep)
{
    pthread_mutex_lock(&s->mu);
    if (xp_is_retired(rep))
        xp_note_retired(s, rep, "refresh");
    else
        xp_note_error(s, rep, "refresh");
    pthread_mutex_unlock(&s->mu);
    xp_reply_free(rep);
    return false;
}

bool xp_catalogue_read(struct xp_site *s)
{
    char token[128];
    if (!xp_token(s, token, sizeof(token)))
        return false;
    char *cursor = NULL, *changes = NULL;
    json_t *items = json_object(), *incomplete = json_object();
    bool ok = true;
    for (;;) {
        char query[600];
        snprintf(query, sizeof(query), "limit=" PAGE "%s%s", cursor ? "&cursor=" : "",
                 cursor ? cursor : "");
        struct xp_reply rep;
        get(s, "/api/v1/connection/catalogue", query, token, NULL, &rep);
        if (rep.status != 200 || !json_is_object(rep.body)) {
            ok = refused(s, &rep);
            break;
        }
        if (!changes) {
            const char *c = json_string_value(json_object_get(rep.body, "changes_cursor"));
            changes = c ? strdup(c) : NULL;
        }
        pthread_mutex_lock(&s->mu);
        /* the page goes into a fresh copy, swapped in when the read is whole */
        json_t *keep_items = s->items, *keep_incomplete = s->incomplete;
        s->items = items;
        s->incomplete = incomplete;
        take(s, rep.body);
        s->items = keep_items;
        s->incomplete = keep_incomplete;
        pthread_mutex_unlock(&s->mu);
        const char *next = json_string_value(json_object_get(rep.body, "next_cursor"));
        free(cursor);
        cursor = next ? strdup(next) : NULL;
        xp_reply_free(&rep);
        if (!cursor)
            break;
    }
    pthread_mutex_lock(&s->mu);
    if (ok) {
        json_decref(s->items);
        json_decref(s->incomplete);
        s->items = items;
        s->incomplete = incomplete;
        items = incomplete = NULL;
        free(s->feed_cursor);
        free(s->feed_etag);
        s->feed_cursor = changes;
        s->feed_etag = NULL;
        changes = NULL;
        refreshed(s);
    }
    pthread_mutex_unlock(&s->mu);
    json_decref(items);
    json_decref(incomplete);
    free(cursor);
    free(changes);
    return ok;
}

bool xp_catalogue_refresh(struct xp_site *s)
{
    char token[128];
    if (!xp_token(s, token, sizeof(token)))
        return false;
    pthread_mutex_lock(&s->mu);
    bool full = !s->feed_cursor;
    pthread_mutex_unlock(&s->mu);
    if (full)
        return xp_catalogue_read(s);
    for (;;) {
        pthread_mutex_lock(&s->mu);
        char since[600], etag[160] = "";
        snprintf(since, sizeof(since), "since=%s&limit=" PAGE, s->feed_cursor);
        if (s->feed_etag)
            snprintf(etag, sizeof(etag), "%s", s->feed_etag);
        pthread_mutex_unlock(&s->mu);
        struct xp_reply rep;
        get(s, "/api/v1/connection/changes", since, token, etag[0] ? etag : NULL, &rep);
        if (rep.status == 304) {
            pthread_mutex_lock(&s->mu);
            s->not_modified++;
            refreshed(s);
            pthread_mutex_unlock(&s->mu);
            xp_reply_free(&rep);
            return true;
        }
        if (rep.status != 200 || !json_is_object(rep.body))
            return refused(s, &rep);
        const char *next = json_string_value(json_object_get(rep.body, "next_cursor"));
        bool reset = json_is_true(json_object_get(rep.body, "reset"));
        bool more = json_is_true(json_object_get(rep.body, "more"));
        pthread_mutex_lock(&s->mu);
        if (reset) {
            s->resets++;
        } else {
            take(s, rep.body);
        }
        if (next) {
            bool same = strcmp(next, s->feed_cursor) == 0;
            free(s->feed_cursor);
            s->feed_cursor = strdup(next);
            free(s->feed_etag);
            /* the tag is of this answer to this `since`: only worth sending for it again */
            s->feed_etag = same && rep.etag[0] ? strdup(rep.etag) : NULL;
        }
        refreshed(s);
        pthread_mutex_unlock(&s->mu);
        xp_reply_free(&rep);
        if (reset) {
            /* read it all again, then follow on from this answer's cursor */
            char *keep = NULL;
            pthread_mutex_lock(&s->mu);
            keep = s->feed_cursor ? strdup(s->feed_cursor) : NULL;
            pthread_mutex_unlock(&s->mu);
            bool ok = xp_catalogue_read(s);
            pthread_mutex_lock(&s->mu);
            if (ok && keep) {
                free(s->feed_cursor);
                s->feed_cursor = keep;
                keep = NULL;
            }
            pthread_mutex_unlock(&s->mu);
            free(keep);
            return ok;
        }
        if (!more)
            return true;
    }
}

json_t *xp_catalogue_json(struct xp_site *s)
{
    json_t *items = json_array(), *incomplete = json_array();
    const char *k;
    json_t *v;
    json_object_foreach(s->items, k, v) json_array_append(items, v);
    json_object_foreach(s->incomplete, k, v) json_array_append(incomplete, v);
    return json_pack("{s:s,s:o,s:o,s:s?,s:I,s:I,s:I,s:I,s:I}", "currency", s->currency, "items",
                     items, "incomplete", incomplete, "cursor", s->feed_cursor, "last_refresh",
                     (json_int_t)s->last_refresh, "refreshes", (json_int_t)s->refreshes,
                     "not_modified", (json_int_t)s->not_modified, "resets", (json_int_t)s->resets,
                     "retry_until", (json_int_t)s->retry_until);
}
