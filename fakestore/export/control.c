/*
 * The control API of the export store, under /_fake/, for the tests and the
 * demo (docs/fakestore.md, "The export-model store"):
 *   GET  /_fake/state                      the connection, mapping, catalogue, orders;
 *        ?refreshes_above=N                once the catalogue has been refreshed more than
 *                                          N times, or after 10 s (for the timer's tests)
 *   POST /_fake/connect                    connect (again), with an optional mapping
 *                                          {locations, employee_id, register_id, settings}
 *   POST /_fake/refresh                    the change feed now (a full read first if none)
 *   POST /_fake/orders                     place an order
 *   GET  /_fake/orders/{id}                one order
 *   POST /_fake/orders/{id}/pay            capture its payments, or add one {method, amount}
 *   POST /_fake/orders/{id}/fulfill        mark lines fulfilled {lines: [index]} (all)
 *   POST /_fake/orders/{id}/capture-offline  a "Manual" payment for the amount due (E6)
 *   POST /_fake/orders/{id}/export         export it {force} (force: even when held)
 *   POST /_fake/orders/{id}/status         the site's own status {status} (E5: not sent)
 *   POST /_fake/orders/{id}/refund         a refund {lines, amount, note, send} (E8)
 *   POST /_fake/export                     a batch {ids} (default: every ready order)
 * Calls that talk to the POS return when it has answered. Bodies are JSON
 * objects; errors answer {"error":{"code","message"}}. No authentication:
 * main.c listens on loopback only.
 */
#include "export.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ?refreshes_above=N: waits (the lock held, at most WAIT_MAX_SEC) until the catalogue's
 * refresh count passes N, so that a test waits for the timer's refresh, not for a time. */
#define WAIT_MAX_SEC 10
static void wait_refresh(struct xp_site *s, const char *query)
{
    const char *q = query ? strstr(query, "refreshes_above=") : NULL;
    if (!q)
        return;
    long long above = strtoll(q + strlen("refreshes_above="), NULL, 10);
    struct timespec dl;
    clock_gettime(CLOCK_REALTIME, &dl);
    dl.tv_sec += WAIT_MAX_SEC;
    while (!s->stopping && s->refreshes <= above &&
           pthread_cond_timedwait(&s->wake, &s->mu, &dl) != ETIMEDOUT)
        ;
}

static void reply(struct fs_xp_response *r, int status, json_t *body)
{
    r->status = status;
    r->body = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
}

static void error(struct fs_xp_response *r, int status, const char *code, const char *message)
{
    reply(r, status, json_pack("{s:{s:s,s:s}}", "error", "code", code, "message", message));
}

static json_t *order_now(struct xp_site *s, const char *id)
{
    pthread_mutex_lock(&s->mu);
    struct xp_order *o = xp_order_find(s, id);
    json_t *doc = o ? xp_order_json(s, o) : NULL;
    pthread_mutex_unlock(&s->mu);
    return doc;
}

/* The actions on one order that change only the site (then auto-export may send it). */
static void order_action(struct xp_site *s, const char *id, const char *action, json_t *body,
                         struct fs_xp_response *r)
{
    pthread_mutex_lock(&s->mu);
    struct xp_order *o = xp_order_find(s, id);
    if (!o) {
        pthread_mutex_unlock(&s->mu);
        error(r, 404, "not_found", "no such order");
        return;
    }
    const char *msg = NULL;
    if (strcmp(action, "pay") == 0) {
        json_t *m = json_object_get(body, "method"), *a = json_object_get(body, "amount");
        if ((m && !json_is_string(m)) || (a && !json_is_integer(a))) {
            msg = "pay takes {method, amount, reference}";
        } else if (!m && !a) {
            size_t i;
            json_t *p;
            json_array_foreach(o->payments, i, p) json_object_set_new(p, "captured", json_true());
        } else {
            json_t *p = json_pack(
                "{s:s,s:I,s:b}", "method", m ? json_string_value(m) : "Card", "amount",
                (json_int_t)(a ? json_integer_value(a) : xp_order_due(o)), "captured", true);
            if (p && json_object_get(body, "reference"))
                json_object_set(p, "reference", json_object_get(body, "reference"));
            json_array_append_new(o->payments, p);
        }
    } else if (strcmp(action, "fulfill") == 0) {
        json_t *which = json_object_get(body, "lines"), *v;
        size_t i;
        if (which && !json_is_array(which))
            msg = "fulfill takes {lines: [index]}";
        json_array_foreach(which, i, v)
        {
            json_t *l = json_array_get(o->lines, (size_t)json_integer_value(v));
            if (!json_is_integer(v) || !l)
                msg = "no such line";
        }
        if (!msg && !which)
            json_array_foreach(o->lines, i, v) json_object_set_new(v, "fulfilled", json_true());
        if (!msg)
            json_array_foreach(which, i, v) json_object_set_new(
                json_array_get(o->lines, (size_t)json_integer_value(v)), "fulfilled", json_true());
    } else if (strcmp(action, "capture-offline") == 0) {
        int64_t due = xp_order_due(o);
        if (due <= 0)
            msg = "nothing is due";
        else
            json_array_append_new(o->payments,
                                  json_pack("{s:s,s:I,s:b,s:b}", "method", "Manual", "amount",
                                            (json_int_t)due, "captured", true, "offline", true));
    } else { /* status */
        const char *st = json_string_value(json_object_get(body, "status"));
        if (!st || !*st || strlen(st) >= sizeof(o->status))
            msg = "status takes {status}: 1-255 characters";
        else
            snprintf(o->status, sizeof(o->status), "%s", st);
    }
    pthread_mutex_unlock(&s->mu);
    if (msg) {
        error(r, 422, "invalid_field", msg);
        return;
    }
    if (strcmp(action, "status") != 0)
        xp_auto_export(s, id);
    reply(r, 200, order_now(s, id));
}

/* POST /_fake/export: the ids given, or every order ready to go, in batches. */
static void batch(struct xp_site *s, json_t *body, struct fs_xp_response *r)
{
    json_t *ids = json_object_get(body, "ids");
    bool force = json_is_true(json_object_get(body, "force"));
    if (ids && !json_is_array(ids)) {
        error(r, 422, "invalid_field", "ids must be an array of order ids");
        return;
    }
    json_t *list = json_array();
    size_t i;
    json_t *v;
    if (ids) {
        json_array_foreach(ids, i, v)
        {
            if (json_is_string(v))
                json_array_append(list, v);
        }
    } else {
        pthread_mutex_lock(&s->mu);
        for (i = 0; i < s->n_orders; i++) {
            struct xp_order *o = s->orders[i];
            if (!o->exported && !o->exporting && xp_order_due(o) == 0)
                json_array_append_new(list, json_string(o->id));
        }
        pthread_mutex_unlock(&s->mu);
    }
    json_t *results = json_array();
    int status = 200;
    for (size_t at = 0; at < json_array_size(list) && status == 200; at += XP_BATCH) {
        const char *chunk[XP_BATCH];
        size_t n = 0;
        for (; n < XP_BATCH && at + n < json_array_size(list); n++)
            chunk[n] = json_string_value(json_array_get(list, at + n));
        json_t *res = NULL;
        status = xp_export(s, chunk, n, force, &res);
        if (status == 200)
            json_array_extend(results, json_object_get(res, "results"));
        else
            reply(r, status, json_incref(res));
        json_decref(res);
    }
    json_decref(list);
    if (status == 200)
        reply(r, 200, json_pack("{s:o}", "results", results));
    else
        json_decref(results);
}

void xp_control(struct xp_site *s, const struct fs_xp_request *req, struct fs_xp_response *r)
{
    json_t *body = NULL;
    if (req->body_len) {
        body = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, NULL);
        if (!json_is_object(body)) {
            json_decref(body);
            error(r, 400, "invalid_json", "the body must be a JSON object");
            return;
        }
    } else {
        body = json_object();
    }
    const char *p = req->path + strlen("/_fake/");
    bool get = strcmp(req->method, "GET") == 0, post = strcmp(req->method, "POST") == 0;
    if (get && strcmp(p, "state") == 0) {
        pthread_mutex_lock(&s->mu);
        wait_refresh(s, req->query);
        json_t *doc = xp_state_json(s);
        pthread_mutex_unlock(&s->mu);
        reply(r, 200, doc);
    } else if (post && strcmp(p, "connect") == 0) {
        pthread_mutex_lock(&s->mu);
        json_decref(s->mapping);
        s->mapping = json_object_size(body) ? json_incref(body) : NULL;
        pthread_mutex_unlock(&s->mu);
        xp_connect(s);
        pthread_mutex_lock(&s->mu);
        json_t *doc = xp_state_json(s);
        pthread_mutex_unlock(&s->mu);
        reply(r, 200, json_incref(json_object_get(doc, "connection")));
        json_decref(doc);
    } else if (post && strcmp(p, "refresh") == 0) {
        bool ok = xp_catalogue_refresh(s);
        pthread_mutex_lock(&s->mu);
        json_t *doc = xp_catalogue_json(s);
        if (!ok)
            json_object_set(doc, "error", s->last_error ? s->last_error : json_null());
        pthread_mutex_unlock(&s->mu);
        reply(r, ok ? 200 : 409, doc);
    } else if (post && strcmp(p, "orders") == 0) {
        pthread_mutex_lock(&s->mu);
        struct xp_order *o = NULL;
        sb_err err = xp_order_place(s, body, &o);
        char id[64] = "";
        if (!err) {
            snprintf(id, sizeof(id), "%s", o->id);
            if (json_is_true(json_object_get(body, "fulfilled"))) {
                size_t i;
                json_t *l;
                json_array_foreach(o->lines, i, l) json_object_set_new(l, "fulfilled", json_true());
            }
        }
        pthread_mutex_unlock(&s->mu);
        if (err) {
            error(r, 422, "invalid_field", sb_err_last()->message);
        } else {
            xp_auto_export(s, id);
            reply(r, 201, order_now(s, id));
        }
    } else if (post && strcmp(p, "export") == 0) {
        batch(s, body, r);
    } else if (strncmp(p, "orders/", 7) == 0) {
        char id[64];
        const char *rest = p + 7, *slash = strchr(rest, '/');
        size_t n = slash ? (size_t)(slash - rest) : strlen(rest);
        if (!n || n >= sizeof(id)) {
            error(r, 404, "not_found", "no such order");
        } else {
            memcpy(id, rest, n);
            id[n] = '\0';
            const char *action = slash ? slash + 1 : "";
            if (get && !*action) {
                json_t *doc = order_now(s, id);
                if (doc)
                    reply(r, 200, doc);
                else
                    error(r, 404, "not_found", "no such order");
            } else if (post &&
                       (strcmp(action, "pay") == 0 || strcmp(action, "fulfill") == 0 ||
                        strcmp(action, "capture-offline") == 0 || strcmp(action, "status") == 0)) {
                order_action(s, id, action, body, r);
            } else if (post && strcmp(action, "export") == 0) {
                const char *ids[] = { id };
                json_t *res = NULL;
                int status =
                    xp_export(s, ids, 1, json_is_true(json_object_get(body, "force")), &res);
                if (status == 200) {
                    json_t *one = json_incref(json_array_get(json_object_get(res, "results"), 0));
                    json_t *doc = order_now(s, id);
                    json_decref(res);
                    res = json_pack("{s:o?,s:o?}", "result", one, "order", doc);
                }
                reply(r, status, res);
            } else if (post && strcmp(action, "refund") == 0) {
                json_t *res = NULL;
                int status = xp_refund(s, id, body, &res);
                reply(r, status, res);
            } else {
                error(r, 404, "not_found", "no such control route");
            }
        }
    } else {
        error(r, 404, "not_found", "no such control route");
    }
    json_decref(body);
}

void fs_xp_handle(struct xp_site *s, const struct fs_xp_request *req, struct fs_xp_response *r)
{
    if (strncmp(req->path, "/_fake/", 7) == 0)
        xp_control(s, req, r);
    else
        error(r, 404, "not_found",
              "an export-model webstore serves no API: it calls the POS (see /_fake/state)");
}
