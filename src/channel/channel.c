/*
 * The table of channel kinds, and small helpers shared by adapters.
 */
#include "channel/channel.h"

#include <string.h>

static const struct sb_channel_ops *const kinds[] = { &sb_channel_shopify };

/* tests only (sb_channel_register): one adapter looked up before the built-in ones */
static const struct sb_channel_ops *registered;

void sb_channel_register(const struct sb_channel_ops *ops)
{
    registered = ops;
}

const struct sb_channel_ops *sb_channel_ops_for(const char *kind)
{
    if (kind && registered && strcmp(registered->kind, kind) == 0)
        return registered;
    for (size_t i = 0; kind && i < sizeof(kinds) / sizeof(kinds[0]); i++)
        if (strcmp(kinds[i]->kind, kind) == 0)
            return kinds[i];
    return NULL;
}

const char *sb_order_financial_name(enum sb_order_financial f)
{
    static const char *const names[] = { "pending", "authorized",         "partially_paid",
                                         "paid",    "partially_refunded", "refunded",
                                         "voided" };
    return (unsigned)f < sizeof(names) / sizeof(names[0]) ? names[f] : "pending";
}
