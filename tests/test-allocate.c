/*
 * Outlet allocation (SPEC A1-A4) as a pure function over a table of
 * available stock.
 */
#include "core/allocate.h"

#include <criterion/criterion.h>

/* available[item][outlet index]; items 1..3, outlets 10, 20, 30 */
static int64_t stock[4][3];

static int64_t avail(void *ud, int64_t item, int64_t outlet)
{
    (void)ud;
    return stock[item][outlet / 10 - 1];
}

static const int64_t outlets[] = { 10, 20, 30 };
static struct sb_alloc_part parts[32];

static struct sb_alloc_result run(const struct sb_alloc_line *lines, size_t n, bool forced,
                                  size_t forced_outlet)
{
    struct sb_alloc_input in = { .lines = lines,
                                 .n_lines = n,
                                 .outlets = outlets,
                                 .n_outlets = 3,
                                 .default_outlet = 2,
                                 .forced = forced,
                                 .forced_outlet = forced_outlet,
                                 .available = avail };
    struct sb_alloc_result r = { .parts = parts };
    cr_assert_eq(sb_allocate(&in, &r), SB_OK);
    return r;
}

static void set(int64_t item, int64_t a, int64_t b, int64_t c)
{
    stock[item][0] = a;
    stock[item][1] = b;
    stock[item][2] = c;
}

Test(allocate, a2_first_outlet_in_priority_that_has_everything)
{
    set(1, 1, 5, 5);
    set(2, 9, 2, 0);
    struct sb_alloc_line lines[] = { { 1, 2 }, { 2, 2 } };
    struct sb_alloc_result r = run(lines, 2, false, 0);
    cr_expect_eq(r.n_parts, 2);
    cr_expect_eq(parts[0].outlet, 1);
    cr_expect_eq(parts[1].outlet, 1);
    cr_expect_not(r.split);
    cr_expect_not(r.backorder);
}

Test(allocate, a2_two_lines_of_one_item_count_together)
{
    set(1, 3, 4, 0);
    struct sb_alloc_line lines[] = { { 1, 2 }, { 1, 2 } };
    struct sb_alloc_result r = run(lines, 2, false, 0);
    cr_expect_eq(parts[0].outlet, 1, "outlet 10 has 3, the order needs 4");
    cr_expect_eq(parts[1].outlet, 1);
    cr_expect_not(r.split);
}

Test(allocate, a3_split_by_available_stock)
{
    set(1, 2, 0, 0);
    set(2, 0, 3, 0);
    struct sb_alloc_line lines[] = { { 1, 2 }, { 2, 3 }, { 0, 1 } };
    struct sb_alloc_result r = run(lines, 3, false, 0);
    cr_expect(r.split);
    cr_expect_not(r.backorder);
    cr_assert_eq(r.n_parts, 3);
    cr_expect_eq(parts[0].line, 0);
    cr_expect_eq(parts[0].outlet, 0);
    cr_expect_eq(parts[1].line, 1);
    cr_expect_eq(parts[1].outlet, 1);
    cr_expect_eq(parts[2].line, 2, "a line without stock goes with the first outlet used");
    cr_expect_eq(parts[2].outlet, 0);
}

Test(allocate, a3_one_line_across_outlets_and_a4_backorder_at_default)
{
    set(1, 2, 1, 0);
    struct sb_alloc_line lines[] = { { 1, 5 } };
    struct sb_alloc_result r = run(lines, 1, false, 0);
    cr_expect(r.split);
    cr_expect(r.backorder);
    cr_assert_eq(r.n_parts, 3);
    cr_expect(parts[0].outlet == 0 && parts[0].quantity == 2 && parts[0].backorder == 0);
    cr_expect(parts[1].outlet == 1 && parts[1].quantity == 1 && parts[1].backorder == 0);
    cr_expect(parts[2].outlet == 2 && parts[2].quantity == 2 && parts[2].backorder == 2);
}

Test(allocate, a4_nothing_anywhere_goes_to_the_default_outlet)
{
    set(3, 0, 0, 0);
    struct sb_alloc_line lines[] = { { 3, 4 } };
    struct sb_alloc_result r = run(lines, 1, false, 0);
    cr_assert_eq(r.n_parts, 1);
    cr_expect_eq(parts[0].outlet, 2);
    cr_expect_eq(parts[0].backorder, 4);
    cr_expect(r.backorder);
    cr_expect_not(r.split);
}

Test(allocate, a1_forced_outlet_takes_the_whole_order)
{
    set(1, 9, 9, 9);
    set(2, 9, 9, 1);
    struct sb_alloc_line lines[] = { { 1, 1 }, { 2, 3 } };
    struct sb_alloc_result r = run(lines, 2, true, 2);
    cr_assert_eq(r.n_parts, 2);
    cr_expect_eq(parts[0].outlet, 2);
    cr_expect_eq(parts[1].outlet, 2);
    cr_expect_eq(parts[1].backorder, 2, "a pickup point short of stock shows the shortfall");
    cr_expect_not(r.split);
}

Test(allocate, negative_stock_counts_as_none)
{
    set(1, -4, 1, 0);
    struct sb_alloc_line lines[] = { { 1, 1 } };
    run(lines, 1, false, 0);
    cr_expect_eq(parts[0].outlet, 1);
}

Test(allocate, no_outlets_is_an_error)
{
    struct sb_alloc_line lines[] = { { 1, 1 } };
    struct sb_alloc_input in = {
        .lines = lines, .n_lines = 1, .outlets = outlets, .n_outlets = 0, .available = avail
    };
    struct sb_alloc_result r = { .parts = parts };
    cr_expect_eq(sb_allocate(&in, &r), SB_ECONFLICT);
}
