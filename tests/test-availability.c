/*
 * What a channel may sell (SPEC I2, I6), and how the Shopify adapter asks for
 * items by SKU.
 */
#include "channel/shopify/shopify.h"
#include "core/availability.h"

#include <criterion/criterion.h>
#include <stdint.h>

Test(availability, i2_i6_on_hand_less_reserved_never_below_zero)
{
    cr_expect_eq(sb_available(10, 0), 10);
    cr_expect_eq(sb_available(10, 3), 7);
    cr_expect_eq(sb_available(3, 3), 0);
    cr_expect_eq(sb_available(2, 5), 0, "more reserved than on hand offers nothing");
    cr_expect_eq(sb_available(-4, 0), 0, "a negative count offers nothing");
    cr_expect_eq(sb_available(5, -1), 5, "a negative reservation never adds stock");
}

Test(availability, i2_the_sum_over_the_linked_outlets)
{
    struct sb_outlet_stock rows[] = {
        { .outlet_id = 1, .on_hand = 10, .reserved = 12 },
        { .outlet_id = 2, .on_hand = 5, .reserved = 1 },
        { .outlet_id = 3, .on_hand = 100, .reserved = 0 },
    };
    int64_t both[] = { 1, 2 }, two[] = { 2 }, none[] = { 7 };
    cr_expect_eq(sb_available_sum(rows, 3, both, 2), 4, "outlet 1 adds 0, not -2");
    cr_expect_eq(sb_available_sum(rows, 3, two, 1), 4);
    cr_expect_eq(sb_available_sum(rows, 3, none, 1), 0, "an outlet without stock adds nothing");
    cr_expect_eq(sb_available_sum(rows, 3, NULL, 0), 0);
    struct sb_outlet_stock huge[] = { { .outlet_id = 1, .on_hand = INT64_MAX },
                                      { .outlet_id = 2, .on_hand = INT64_MAX } };
    cr_expect_eq(sb_available_sum(huge, 2, both, 2), INT64_MAX, "saturates");
}

Test(availability, i3_shopify_finds_items_by_sku_quoting_what_needs_it)
{
    struct sb_arena *a = sb_arena_new();
    const char *one[] = { "TEE" };
    cr_expect_str_eq(sb_shopify_sku_query(one, 1, a), "sku:TEE");
    const char *many[] = { "TEE", "MUG-2.0_x", "BIG BOX", "A\"B\\C" };
    cr_expect_str_eq(sb_shopify_sku_query(many, 4, a),
                     "sku:TEE OR sku:MUG-2.0_x OR sku:\"BIG BOX\" OR sku:\"A\\\"B\\\\C\"");
    sb_arena_free(a);
}

Test(availability, i7_publish_filters)
{
    int64_t both[] = { 1, 2 };
    struct sb_outlet_stock none[] = { { .outlet_id = 1 }, { .outlet_id = 3, .on_hand = 9 } };
    struct sb_outlet_stock hand[] = { { .outlet_id = 2, .on_hand = 1 } };
    struct sb_outlet_stock order[] = { { .outlet_id = 1, .on_order = 2 } };
    struct sb_outlet_stock reorder[] = { { .outlet_id = 2, .max_level = 5 } };
    struct sb_publish_filters def = { .on_hand = true }, all = { true, true, true }, off = { 0 };
    cr_expect_null(sb_unpublished_reason(&def, hand, 1, both, 2));
    cr_expect_str_eq(sb_unpublished_reason(&def, none, 2, both, 2),
                     "not published: none on hand in the channel's outlets (filter: on hand > 0)",
                     "stock in an outlet the channel does not use does not count");
    cr_expect_str_eq(sb_unpublished_reason(&def, order, 1, both, 2),
                     "not published: none on hand in the channel's outlets (filter: on hand > 0)");
    cr_expect_null(sb_unpublished_reason(&all, order, 1, both, 2));
    cr_expect_null(sb_unpublished_reason(&all, reorder, 1, both, 2));
    cr_expect_str_eq(sb_unpublished_reason(&all, none, 2, both, 2),
                     "not published: none on hand or on order, and no reorder point or maximum "
                     "level, in the channel's outlets");
    cr_expect_str_eq(sb_unpublished_reason(&off, hand, 1, both, 2),
                     "not published: no publish filter is on for this channel");
}
