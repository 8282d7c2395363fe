/*
 * Unit tests of the till's oversell guard (core/oversell.c, SPEC A4: stock
 * goes negative only as a web order's backorder): units summed per item and
 * outlet over the lines, the line named where the sum goes over, reserved
 * stock not counted (the callback answers available), and what is never
 * checked: channel sales, confirmed sales, untracked items, free-text lines.
 */
#include "core/oversell.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

/* Item 1 "Tee": 10 available at outlet 1, 2 at outlet 2; item 2 "Wrap" not tracked;
 * item 3 "Mug": -1 at outlet 1. Counts the calls. */
static int calls;
static sb_err have(void *ctx, int64_t item, int64_t outlet, struct sb_stock_have *ret)
{
    (void)ctx;
    calls++;
    snprintf(ret->outlet, sizeof(ret->outlet), "%s", outlet == 1 ? "Harbour" : "Old Town");
    ret->tracked = item != 2;
    snprintf(ret->item, sizeof(ret->item), "%s", item == 1 ? "Tee" : item == 2 ? "Wrap" : "Mug");
    ret->available = item == 1 ? (outlet == 1 ? 10 : 2) : item == 3 ? -1 : 0;
    return SB_OK;
}

static sb_err check(enum sb_sale_source src, bool allow, const struct sb_sale_line *l, size_t n)
{
    struct sb_sale_input in = { .outlet_id = 1,
                                .source = src,
                                .channel_id = 1,
                                .external_id = "x",
                                .allow_oversell = allow,
                                .lines = l,
                                .n_lines = n };
    calls = 0;
    return sb_oversell_check(&in, have, NULL);
}

Test(oversell, a4_lines_of_one_item_add_up)
{
    struct sb_sale_line l[] = { { .item_id = 1, .quantity = 4 },
                                { .item_id = 2, .quantity = 99 },
                                { .item_id = 1, .quantity = 6 } };
    cr_expect_eq(check(SB_SALE_SOURCE_POS, false, l, 3), SB_OK, "exactly what is there");
    cr_expect_eq(calls, 2, "one look per item and outlet");
    l[2].quantity = 7;
    cr_assert_eq(check(SB_SALE_SOURCE_POS, false, l, 3), SB_EEXCEEDS_STOCK);
    cr_expect_str_eq(sb_err_last()->field, "lines[2].quantity");
    cr_expect_str_eq(sb_err_last()->message, "11 x Tee is more than Harbour has in stock (10)");
}

Test(oversell, a4_each_outlet_has_its_own_stock)
{
    struct sb_sale_line l[] = { { .item_id = 1, .quantity = 8 },
                                { .item_id = 1, .quantity = 3, .outlet_id = 2 } };
    cr_assert_eq(check(SB_SALE_SOURCE_POS, false, l, 2), SB_EEXCEEDS_STOCK);
    cr_expect_str_eq(sb_err_last()->field, "lines[1].quantity");
    cr_expect_str_eq(sb_err_last()->message, "3 x Tee is more than Old Town has in stock (2)");
    l[1].quantity = 2;
    cr_expect_eq(check(SB_SALE_SOURCE_POS, false, l, 2), SB_OK);
}

Test(oversell, a4_none_or_negative_stock)
{
    struct sb_sale_line l[] = { { .item_id = 3, .quantity = 1 } };
    cr_assert_eq(check(SB_SALE_SOURCE_POS, false, l, 1), SB_EEXCEEDS_STOCK);
    cr_expect_str_eq(sb_err_last()->message, "1 x Mug: Harbour has none in stock");
}

Test(oversell, a4_what_is_never_refused)
{
    struct sb_sale_line l[] = { { .item_id = 1, .quantity = 1000 },
                                { .item_id = 0, .quantity = 5, .description = "Engraving" } };
    cr_expect_eq(check(SB_SALE_SOURCE_CHANNEL, false, l, 1), SB_OK, "web orders backorder (A4)");
    cr_expect_eq(calls, 0);
    cr_expect_eq(check(SB_SALE_SOURCE_POS, true, l, 1), SB_OK, "confirmed by the clerk");
    cr_expect_eq(calls, 0);
    l[0].item_id = 2; /* does not track stock */
    cr_expect_eq(check(SB_SALE_SOURCE_POS, false, l, 2), SB_OK);
    cr_expect_eq(calls, 1, "the free-text line is not looked up");
}
