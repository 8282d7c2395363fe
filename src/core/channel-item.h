/*
 * An item as a channel knows it: the ids a webstore gives the POS item it
 * found by SKU (what stock and price pushes address). Plain data shared by
 * the channel interface (adapters find items, channel/channel.h) and the
 * store (which remembers them per channel, store/stock-queue.h), neither of
 * which may include the other.
 */
#ifndef SB_CHANNEL_ITEM_H
#define SB_CHANNEL_ITEM_H

struct sb_channel_item {
    const char *sku;         /* in */
    const char *item_id;     /* out: the channel's id for the item's stock (Shopify: the
                              * InventoryItem gid); NULL when the channel has no such SKU */
    const char *variant_id;  /* out: for prices (Shopify: the ProductVariant gid), or NULL */
    const char *product_id;  /* out: the product the variant belongs to, or NULL */
    const char *location_id; /* out: the one location the item is stocked at, NULL when it
                              * is stocked at several (then locations must be linked) */
};

#endif
