/*
 * The order poll and the single-order fetch (channel/shopify/adapter.c): the stored
 * poll cursor, then Shopify's GraphQL answers to SbOrders (and to SbOrder for
 * orders too large for a page), as the poller thread meets them. The input is
 * the cursor text, a line "--", then the answers (fuzz/wire.h). A page that
 * is taken must hold orders that satisfy fz_check_order, unreadable orders
 * named by id with a UTF-8 reason (O10), and a next cursor that parses back to
 * itself (it is stored and handed to the next poll); a refusal must leave a
 * UTF-8 message for the channel log.
 */
#include "fuzz.h"

#include "channel/shopify/shopify.h"
#include "check-order.h"
#include "wire.h"

/* The poll never goes back (SP2): the next cursor's lower bound is at least this one's,
 * and while paging it keeps this one's bound and the newest time seen so far. */
static void check_progress(const struct sb_shopify_cursor *cur,
                           const struct sb_shopify_cursor *next, bool more)
{
    int64_t seen = cur->max > cur->since ? cur->max : cur->since;
    if (more)
        FZ_CHECK(next->since == cur->since && next->max >= seen, "paging moved the bound");
    else
        FZ_CHECK(next->since >= seen && !next->after, "the poll went back: %lld after %lld",
                 (long long)next->since, (long long)seen);
}

static void check_page(const struct sb_order_page *page, struct sb_arena *a,
                       const struct sb_shopify_cursor *cur)
{
    FZ_CHECK(page->n + page->n_unreadable <= 250, "%zu orders and %zu unreadable", page->n,
             page->n_unreadable);
    for (size_t i = 0; i < page->n; i++)
        fz_check_order(page->orders[i]);
    for (size_t i = 0; i < page->n_unreadable; i++) {
        const struct sb_order_unreadable *u = &page->unreadable[i];
        FZ_CHECK(sb_shopify_numeric_id(u->external_id), "unreadable order id");
        FZ_CHECK(u->reason && fz_utf8(u->reason, strlen(u->reason)), "unreadable reason");
    }
    FZ_CHECK(page->next_cursor, "no next cursor");
    struct sb_shopify_cursor next;
    sb_err err = sb_shopify_cursor_parse(page->next_cursor, a, &next);
    FZ_CHECK(err == SB_OK, "the next cursor \"%s\" does not parse", page->next_cursor);
    const char *again = sb_shopify_cursor_format(&next, a);
    FZ_CHECK(again && strcmp(again, page->next_cursor) == 0, "cursor \"%s\" reads back as \"%s\"",
             page->next_cursor, again ? again : "(null)");
    FZ_CHECK(!page->more || next.after, "more pages but no endCursor in \"%s\"", page->next_cursor);
    if (cur)
        check_progress(cur, &next, page->more);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *cur;
    size_t cur_len;
    if (!fz_next(&data, &size, "\n--\n", &cur, &cur_len))
        return 0;
    char *cursor = fz_cstr(cur, cur_len);
    struct sb_arena *a = sb_arena_new();
    if (!cursor || !a)
        goto done;
    fz_wire_load(data, size);
    const struct sb_channel *ch = fz_wire_channel();
    struct sb_order_page page = { 0 };
    sb_err err = sb_channel_shopify.poll_orders(ch, *cursor ? cursor : NULL, a, &page);
    fz_check_error(err);
    struct sb_shopify_cursor parsed_cursor;
    bool parsed = sb_shopify_cursor_parse(*cursor ? cursor : NULL, a, &parsed_cursor) == SB_OK;
    if (!err)
        check_page(&page, a, parsed ? &parsed_cursor : NULL);
    if (fz_wire_left()) {
        struct sb_order *o = NULL;
        err = sb_channel_shopify.fetch_order(ch, "450789469", a, &o);
        fz_check_error(err);
        if (!err)
            fz_check_order(o);
    }
done:
    fz_wire_reset();
    sb_arena_free(a);
    free(cursor);
    return 0;
}
