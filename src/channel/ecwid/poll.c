/*
 * Polling Ecwid's orders (catching what webhooks missed): GET /orders with
 * updatedFrom (Unix seconds, inclusive), offset and limit (at most 100). Ecwid
 * pages by offset, so an order updated while a sweep pages through may move
 * past the offset already read; the cursor remembers when the sweep began and
 * the next sweep starts before both that and the newest order seen (less an
 * overlap), so such an order is read again, never lost. Orders read twice are
 * harmless: the engine applies only a newer version (O2, O3). One order is
 * fetched by its id (GET /orders/{id}) for a webhook's hint.
 */
#include "channel/ecwid/ecwid.h"

#include "util/arena.h"
#include "util/timeutil.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool num(const char **p, int64_t *ret)
{
    const char *s = *p;
    int64_t n = 0;
    if (*s < '0' || *s > '9')
        return false;
    for (; *s >= '0' && *s <= '9'; s++) {
        if (n > (INT64_MAX - 9) / 10)
            return false;
        n = n * 10 + (*s - '0');
    }
    *ret = n;
    *p = s;
    return true;
}

sb_err sb_ec_cursor_parse(const char *text, struct sb_ec_cursor *ret)
{
    *ret = (struct sb_ec_cursor){ 0 };
    if (!text || !*text)
        return SB_OK;
    int64_t v[4];
    const char *p = text;
    for (int i = 0; i < 4; i++) {
        if (!num(&p, &v[i]) || *p != (i < 3 ? '|' : '\0'))
            return sb_fail(SB_EINVALID_FIELD, "cursor", "the Ecwid poll cursor is not readable");
        if (i < 3)
            p++;
    }
    *ret = (struct sb_ec_cursor){ .from = v[0], .offset = v[1], .started = v[2], .newest = v[3] };
    return SB_OK;
}

const char *sb_ec_cursor_format(const struct sb_ec_cursor *c, struct sb_arena *a)
{
    return sb_arena_printf(a, "%" PRId64 "|%" PRId64 "|%" PRId64 "|%" PRId64, c->from, c->offset,
                           c->started, c->newest);
}

const char *sb_ec_orders_query(const struct sb_ec_cursor *c, struct sb_arena *a)
{
    return sb_arena_printf(a, "updatedFrom=%" PRId64 "&offset=%" PRId64 "&limit=%d", c->from,
                           c->offset, SB_EC_PAGE_SIZE);
}

const char *sb_ec_currency(const struct sb_channel *ch)
{
    const char *c = sb_ec_cred(ch, "currency");
    struct sb_ec_state *s = ch->state;
    if (!c && s) {
        pthread_mutex_lock(&s->lock);
        c = s->currency[0] ? s->currency : NULL; /* set once, never changed after */
        pthread_mutex_unlock(&s->lock);
    }
    if (!c)
        c = ch->currency;
    return c && *c ? c : "USD";
}

static bool count_field(json_t *body, const char *key, int64_t *ret)
{
    json_t *v = json_object_get(body, key);
    if (!json_is_integer(v) || json_integer_value(v) < 0)
        return false;
    *ret = json_integer_value(v);
    return true;
}

sb_err sb_ec_orders_page(json_t *body, const struct sb_ec_cursor *c, const char *currency,
                         int64_t now, struct sb_arena *a, struct sb_order_page *ret)
{
    int64_t total, count;
    json_t *items = json_object_get(body, "items");
    if (!json_is_object(body) || !count_field(body, "total", &total) || !json_is_array(items) ||
        json_array_size(items) > SB_EC_PAGE_SIZE)
        return sb_fail(SB_EIO, NULL, "Ecwid's order search answer is not {total, items[]}");
    if (!count_field(body, "count", &count))
        count = (int64_t)json_array_size(items);
    size_t n = json_array_size(items);
    *ret = (struct sb_order_page){ 0 };
    ret->orders = sb_arena_alloc(a, (n + 1) * sizeof(*ret->orders));
    ret->unreadable = sb_arena_alloc(a, (n + 1) * sizeof(*ret->unreadable));
    if (!ret->orders || !ret->unreadable)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    struct sb_ec_cursor next = *c;
    if (c->offset == 0)
        next.started = now, next.newest = 0;
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it)
    {
        struct sb_order *o;
        sb_err err = sb_ec_parse_order(it, currency, a, &o);
        if (err == SB_ENOMEM)
            return err;
        if (err) {
            const char *id = json_string_value(json_object_get(it, "id"));
            struct sb_order_unreadable *u = &ret->unreadable[ret->n_unreadable++];
            id = id ? id : "?";
            u->external_id = sb_arena_strndup(a, id, strnlen(id, SB_EC_ID_MAX));
            u->reason =
                sb_arena_strdup(a, sb_err_last()->message[0] ? sb_err_last()->message
                                                             : "the order could not be read");
            continue;
        }
        ret->orders[ret->n++] = o;
        if (o->updated_at > next.newest)
            next.newest = o->updated_at;
    }
    next.offset = c->offset + (int64_t)n;
    if (n > 0 && next.offset < total) {
        ret->more = true;
    } else { /* the sweep is over: the next one */
        int64_t from = next.newest && next.newest < next.started ? next.newest : next.started;
        from -= SB_EC_OVERLAP;
        if (from < c->from)
            from = c->from;
        next = (struct sb_ec_cursor){ .from = from };
    }
    (void)count;
    ret->next_cursor = sb_ec_cursor_format(&next, a);
    return ret->next_cursor ? SB_OK : sb_fail(SB_ENOMEM, NULL, NULL);
}

sb_err sb_ec_poll_orders(const struct sb_channel *ch, const char *cursor, struct sb_arena *a,
                         struct sb_order_page *ret)
{
    struct sb_ec_cursor c;
    sb_err err = sb_ec_cursor_parse(cursor, &c);
    if (err)
        return err;
    const char *q = sb_ec_orders_query(&c, a);
    if (!q)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    struct sb_ec_reply r;
    if ((err = sb_ec_profile_currency(ch, a)) ||
        (err = sb_ec_call(ch, "GET", "/orders", q, NULL, a, &r)))
        return err;
    if (r.status != 200)
        return sb_ec_status_err(&r, "listing orders");
    return sb_ec_orders_page(r.body, &c, sb_ec_currency(ch), sb_time_now(), a, ret);
}

sb_err sb_ec_order_json(const struct sb_channel *ch, const char *external_id, struct sb_arena *a,
                        json_t **ret)
{
    if (!sb_ec_order_id_ok(external_id))
        return sb_fail(SB_EINVALID_FIELD, "order_id", "not an Ecwid order id");
    const char *path = sb_arena_printf(a, "/orders/%s", external_id);
    if (!path)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    struct sb_ec_reply r;
    sb_err err = sb_ec_call(ch, "GET", path, NULL, NULL, a, &r);
    if (err)
        return err;
    if (r.status != 200)
        return sb_ec_status_err(&r, "reading the order");
    *ret = r.body;
    return SB_OK;
}

sb_err sb_ec_fetch_order(const struct sb_channel *ch, const char *external_id, struct sb_arena *a,
                         struct sb_order **ret)
{
    json_t *body = NULL;
    sb_err err = sb_ec_profile_currency(ch, a);
    if (!err)
        err = sb_ec_order_json(ch, external_id, a, &body);
    return err ? err : sb_ec_parse_order(body, sb_ec_currency(ch), a, ret);
}
