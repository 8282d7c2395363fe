/*
 * Polling Magento's orders (GET /V1/orders) and credit memos (GET
 * /V1/creditmemos) by updated_at, and reading one order (fetch_order).
 *
 * Paging is by keyset, never by offset: Magento answers a currentPage past
 * the end with the last page again, and an order updated while a poll pages
 * moves from one page to another. Every request asks currentPage=1 of either
 * [updated_at eq T AND entity_id gt I] (what is left of the second T) or
 * [updated_at gt T] (the seconds after), sorted by updated_at then entity_id,
 * and the cursor moves to the last (updated_at, entity_id) read. An order
 * updated during the poll moves to a later second, which a later request
 * reads; one answered twice is refused by the keyset check below. Times have
 * one-second resolution, hence the entity_id inside a second.
 *
 * updated_at has one-second resolution, so an order changed in the very second the poll
 * read last, after the read, keeps that second and a smaller entity_id than the cursor's:
 * [updated_at eq T AND entity_id gt I] would never see it. A poll that ends (no page
 * full) in a second still open (SB_M2_SECOND_OPEN, by our clock) leaves the cursor at
 * the start of that second, (T, 0): the next poll reads that second again (its orders
 * applied again are unchanged versions, O2, O3), and once the second is old it moves on.
 *
 * A store may cap the page size (a 400 naming pageSize): the poll asks again
 * with SB_M2_PAGE_SMALL and the channel's state remembers it.
 */
#include "channel/magento2/magento2.h"
#include "util/timeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void json_decref_cb(void *p)
{
    json_decref(p);
}

/* Keeps a reply's body alive as long as the arena. */
static sb_err keep(struct sb_arena *a, json_t *body)
{
    if (body && !sb_arena_defer(a, json_decref_cb, body)) {
        json_decref(body);
        return sb_fail(SB_ENOMEM, NULL, NULL);
    }
    return SB_OK;
}

static bool setting_on(const struct sb_channel *ch, const char *name, bool dflt)
{
    json_t *v = json_object_get(ch->settings, name);
    return json_is_boolean(v) ? json_is_true(v) : dflt;
}

/* A 400 that is about the page size (Magento: "Maximum SearchCriteria pageSize is ..."). */
static bool page_size_refused(const struct sb_m2_reply *r)
{
    return r->status == 400 && r->message && strcasestr(r->message, "pagesize");
}

/*
 * One search: path with filters, sorted by updated_at and entity_id, page of the learned
 * size; *ret_items the answer's items (a list, alive as long as the arena), *ret_size the
 * size asked for.
 */
static sb_err search(const struct sb_channel *ch, struct sb_arena *a, const char *path,
                     const struct sb_m2_filter *f, size_t nf, int page, const char *what,
                     json_t **ret_items, int *ret_size, int64_t *ret_total)
{
    static const char *const sort[] = { "updated_at:ASC", "entity_id:ASC" };
    int size = sb_m2_page_size(ch);
    for (int attempt = 0;; attempt++) {
        const char *q = sb_m2_search(a, f, nf, sort, 2, size, page);
        if (!q)
            return sb_fail(SB_ENOMEM, NULL, NULL);
        struct sb_m2_reply r;
        sb_err err = sb_m2_call(ch, "GET", path, q, NULL, a, &r);
        if (err)
            return err;
        if ((err = keep(a, r.body)))
            return err;
        if (page_size_refused(&r) && size > SB_M2_PAGE_SMALL && attempt == 0) {
            size = SB_M2_PAGE_SMALL;
            sb_m2_page_size_learn(ch, size);
            continue;
        }
        if (r.status < 200 || r.status > 299)
            return sb_m2_status_err(&r, what);
        json_t *items = json_object_get(r.body, "items");
        json_t *total = json_object_get(r.body, "total_count");
        if (!json_is_object(r.body) || (items && !json_is_array(items)))
            return sb_fail(SB_EIO, NULL, "Magento's answer to %s is not a search result", what);
        *ret_items = items ? items : json_array();
        if (!items && (err = keep(a, *ret_items)))
            return err;
        *ret_size = size;
        *ret_total = json_is_integer(total) ? json_integer_value(total) : 0;
        return SB_OK;
    }
}

/* An item's keyset position: its updated_at (else created_at) and entity_id. */
static bool position(json_t *item, struct sb_m2_pos *ret)
{
    json_t *id = json_object_get(item, "entity_id");
    const char *t = json_string_value(json_object_get(item, "updated_at"));
    if (!t)
        t = json_string_value(json_object_get(item, "created_at"));
    if (!json_is_integer(id) || json_integer_value(id) <= 0 || !t || !sb_m2_time_parse(t, &ret->at))
        return false;
    ret->id = json_integer_value(id);
    return true;
}

static bool after(const struct sb_m2_pos *p, const struct sb_m2_pos *q)
{
    return p->at > q->at || (p->at == q->at && p->id > q->id);
}

struct page_build {
    struct sb_order_page *page;
    size_t cap_orders, cap_unreadable;
};

static sb_err add_unreadable(struct page_build *b, struct sb_arena *a, const char *external_id,
                             const char *why)
{
    struct sb_order_page *p = b->page;
    if (p->n_unreadable == b->cap_unreadable)
        return SB_OK; /* bounded by the page: cannot happen */
    p->unreadable[p->n_unreadable++] = (struct sb_order_unreadable){
        .external_id = external_id ? external_id : "unknown",
        .reason = sb_arena_strdup(a, why ? why : "the order could not be read"),
    };
    return SB_OK;
}

/* The order's credit memos (all of them: GET /V1/creditmemos filtered by order_id). */
static sb_err order_memos(const struct sb_channel *ch, struct sb_arena *a, const char *order_id,
                          json_t **ret)
{
    const struct sb_m2_filter f = { "order_id", order_id, "eq" };
    json_t *all = json_array();
    sb_err err = keep(a, all);
    for (int page = 1; !err; page++) {
        json_t *items;
        int size;
        int64_t total;
        if ((err = search(ch, a, "/V1/creditmemos", &f, 1, page, "listing an order's credit memos",
                          &items, &size, &total)))
            return err;
        if (json_array_extend(all, items))
            return sb_fail(SB_ENOMEM, NULL, NULL);
        if (json_array_size(all) > SB_M2_MAX_MEMOS)
            return sb_fail(SB_ETOO_LARGE, "creditmemos", "order %s has more than %d credit memos",
                           order_id, SB_M2_MAX_MEMOS);
        /* past the end Magento answers the last page again: stop at total_count */
        if (json_array_size(items) < (size_t)size || (int64_t)page * size >= total)
            break;
    }
    *ret = all;
    return err;
}

/* The order parsed, with its refunds when credit memos are downloaded and it has any. */
static sb_err read_order(const struct sb_channel *ch, struct sb_arena *a, json_t *obj,
                         bool force_memos, struct sb_order **ret)
{
    struct sb_order *o;
    sb_err err = sb_m2_parse_order(obj, a, &o);
    if (err)
        return err;
    json_t *refunded = json_object_get(obj, "total_refunded");
    bool has = json_is_number(refunded) && json_number_value(refunded) > 0;
    if (setting_on(ch, "download_credit_memos", true) && (has || force_memos)) {
        json_t *memos = NULL;
        if ((err = order_memos(ch, a, o->external_id, &memos)) ||
            (err = sb_m2_attach_memos(o, obj, memos, setting_on(ch, "return_to_stock", false), a)))
            return err;
    }
    *ret = o;
    return SB_OK;
}

static bool transient(sb_err err)
{
    return err == SB_EIO || err == SB_ENOMEM || err == SB_EBUSY || err == SB_EUNAUTHORIZED ||
           err == SB_EFORBIDDEN;
}

/* Reads items into the page past the cursor position *pos, moving it. */
static sb_err take(const struct sb_channel *ch, struct sb_arena *a, json_t *items,
                   struct sb_m2_pos *pos, struct page_build *b)
{
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it)
    {
        struct sb_m2_pos p;
        if (!position(it, &p)) {
            const char *idt = NULL;
            json_t *idv = json_object_get(it, "entity_id");
            if (json_is_integer(idv))
                idt = sb_arena_printf(a, "%" JSON_INTEGER_FORMAT, json_integer_value(idv));
            add_unreadable(b, a, idt, "the order has no readable entity_id or updated_at");
            continue;
        }
        if (!after(&p, pos))
            continue; /* the last page again, or an answer out of order: seen already */
        *pos = p;
        struct sb_order *o;
        sb_err err = read_order(ch, a, it, false, &o);
        if (err && transient(err))
            return err;
        if (err) {
            add_unreadable(b, a, sb_arena_printf(a, "%lld", (long long)p.id),
                           sb_err_last()->message);
            continue;
        }
        if (b->page->n < b->cap_orders)
            b->page->orders[b->page->n++] = o;
    }
    return SB_OK;
}

/* One keyset step from *pos over path: what is left of its second, then the seconds after.
 * *ret_full when a page came full (more may be ready now). */
static sb_err keyset(const struct sb_channel *ch, struct sb_arena *a, const char *path,
                     struct sb_m2_pos *pos, const char *what, json_t **ret_a, json_t **ret_b,
                     bool *ret_full)
{
    char t[24], id[24];
    json_t *items = NULL;
    int size;
    int64_t total;
    sb_err err;
    *ret_a = *ret_b = NULL;
    *ret_full = false;
    if (pos->at) {
        sb_m2_time_format(pos->at, t, sizeof(t));
        snprintf(id, sizeof(id), "%lld", (long long)pos->id);
        const struct sb_m2_filter same[] = { { "updated_at", t, "eq" }, { "entity_id", id, "gt" } };
        if ((err = search(ch, a, path, same, 2, 1, what, &items, &size, &total)))
            return err;
        *ret_a = items;
        if (json_array_size(items) >= (size_t)size) {
            *ret_full = true;
            return SB_OK;
        }
        const struct sb_m2_filter later[] = { { "updated_at", t, "gt" } };
        err = search(ch, a, path, later, 1, 1, what, &items, &size, &total);
    } else {
        err = search(ch, a, path, NULL, 0, 1, what, &items, &size, &total);
    }
    if (err)
        return err;
    *ret_b = items;
    *ret_full = json_array_size(items) >= (size_t)size;
    return SB_OK;
}

static bool listed(const struct sb_order_page *p, const char *external_id)
{
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->orders[i]->external_id, external_id) == 0)
            return true;
    return false;
}

/* The memos changed since the cursor: each one's order, read again with all its memos. */
static sb_err memos_step(const struct sb_channel *ch, struct sb_arena *a, struct sb_m2_pos *pos,
                         struct page_build *b, bool *ret_full)
{
    json_t *pa, *pb;
    sb_err err = keyset(ch, a, "/V1/creditmemos", pos, "listing credit memos", &pa, &pb, ret_full);
    if (err)
        return err;
    json_t *lists[2] = { pa, pb };
    for (size_t l = 0; l < 2; l++) {
        size_t i;
        json_t *memo;
        json_array_foreach(lists[l], i, memo)
        {
            struct sb_m2_pos p;
            json_t *oid = json_object_get(memo, "order_id");
            if (!position(memo, &p) || !after(&p, pos))
                continue;
            *pos = p;
            if (!json_is_integer(oid) || json_integer_value(oid) <= 0)
                continue;
            const char *id = sb_arena_printf(a, "%" JSON_INTEGER_FORMAT, json_integer_value(oid));
            if (!id)
                return sb_fail(SB_ENOMEM, NULL, NULL);
            if (listed(b->page, id))
                continue;
            struct sb_order *o;
            err = sb_m2_fetch_order(ch, id, a, &o);
            if (err == SB_ENOT_FOUND)
                continue; /* the order is gone from Magento: nothing to apply */
            if (err && transient(err))
                return err;
            if (err) {
                add_unreadable(b, a, id, sb_err_last()->message);
                continue;
            }
            if (b->page->n < b->cap_orders)
                b->page->orders[b->page->n++] = o;
        }
    }
    return SB_OK;
}

sb_err sb_m2_poll_orders(const struct sb_channel *ch, const char *cursor, struct sb_arena *a,
                         struct sb_order_page *ret)
{
    struct sb_m2_cursor c;
    sb_err err = sb_m2_cursor_parse(cursor, &c);
    if (err)
        return err;
    struct sb_order_page page = { 0 };
    /* at most two orders pages and one memos page, each of at most SB_M2_PAGE_SIZE */
    struct page_build b = { .page = &page,
                            .cap_orders = 3 * SB_M2_PAGE_SIZE,
                            .cap_unreadable = 3 * SB_M2_PAGE_SIZE };
    page.orders = sb_arena_alloc(a, b.cap_orders * sizeof(*page.orders));
    page.unreadable = sb_arena_alloc(a, b.cap_unreadable * sizeof(*page.unreadable));
    if (!page.orders || !page.unreadable)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    json_t *pa, *pb;
    bool full;
    if ((err = keyset(ch, a, "/V1/orders", &c.orders, "listing orders", &pa, &pb, &full)) ||
        (err = take(ch, a, pa, &c.orders, &b)) || (err = take(ch, a, pb, &c.orders, &b)))
        return err;
    page.more = full;
    if (!full && setting_on(ch, "download_credit_memos", true)) {
        if ((err = memos_step(ch, a, &c.memos, &b, &full)))
            return err;
        page.more = full;
    }
    if (!page.more) { /* the last second again next time while Magento may still write it */
        int64_t open_since = sb_time_now() - SB_M2_SECOND_OPEN;
        if (c.orders.at > open_since)
            c.orders.id = 0;
        if (c.memos.at > open_since)
            c.memos.id = 0;
    }
    if (!(page.next_cursor = sb_m2_cursor_format(&c, a)))
        return sb_fail(SB_ENOMEM, NULL, NULL);
    *ret = page;
    return SB_OK;
}

sb_err sb_m2_fetch_order(const struct sb_channel *ch, const char *external_id, struct sb_arena *a,
                         struct sb_order **ret)
{
    char *end;
    long long n = external_id ? strtoll(external_id, &end, 10) : 0;
    if (!external_id || !(*external_id >= '1' && *external_id <= '9') || *end || n <= 0 ||
        strlen(external_id) > 18)
        return sb_fail(SB_EINVALID_FIELD, "external_id",
                       "a Magento order id is a positive integer (entity_id)");
    const char *path = sb_arena_printf(a, "/V1/orders/%lld", n);
    struct sb_m2_reply r;
    sb_err err =
        path ? sb_m2_call(ch, "GET", path, NULL, NULL, a, &r) : sb_fail(SB_ENOMEM, NULL, NULL);
    if (err || (err = keep(a, r.body)))
        return err;
    if (r.status < 200 || r.status > 299)
        return sb_m2_status_err(&r, "reading an order");
    if (!json_is_object(r.body))
        return sb_fail(SB_EIO, NULL, "Magento's answer for order %s is not an object", external_id);
    return read_order(ch, a, r.body, false, ret);
}
