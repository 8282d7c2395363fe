/*
 * Stand-ins for the Magento 2 operations the "up" side writes (invoice.c,
 * ship.c, cancel.c, stock.c, prices.c), so the kind's row links before they
 * land. Each answers SB_EINTERNAL saying it is not written yet. The up side
 * deletes this file (and its meson line) when it merges.
 */
#include "channel/magento2/magento2.h"

#define NOT_YET(what) sb_fail(SB_EINTERNAL, NULL, "Magento 2: %s is not written yet", what)

sb_err sb_m2_after_download(const struct sb_channel *ch, const struct sb_after_download *d)
{
    (void)ch, (void)d;
    return NOT_YET("invoicing");
}

sb_err sb_m2_push_fulfillment(const struct sb_channel *ch, const struct sb_fulfillment_push *f)
{
    (void)ch, (void)f;
    return NOT_YET("shipping");
}

sb_err sb_m2_push_cancel(const struct sb_channel *ch, const char *id, const char *reason)
{
    (void)ch, (void)id, (void)reason;
    return NOT_YET("cancelling");
}

sb_err sb_m2_find_items(const struct sb_channel *ch, struct sb_channel_item *items, size_t n,
                        struct sb_arena *a)
{
    (void)ch, (void)items, (void)n, (void)a;
    return NOT_YET("finding items");
}

sb_err sb_m2_push_stock(const struct sb_channel *ch, struct sb_stock_level *l, size_t n,
                        struct sb_arena *a)
{
    (void)ch, (void)l, (void)n, (void)a;
    return NOT_YET("stock");
}

sb_err sb_m2_read_stock(const struct sb_channel *ch, const char *cursor, struct sb_arena *a,
                        struct sb_stock_page *ret)
{
    (void)ch, (void)cursor, (void)a, (void)ret;
    return NOT_YET("reading stock");
}

sb_err sb_m2_push_prices(const struct sb_channel *ch, struct sb_price *p, size_t n,
                         struct sb_arena *a)
{
    (void)ch, (void)p, (void)n, (void)a;
    return NOT_YET("prices");
}
