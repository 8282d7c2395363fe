/*
 * The request arena: zeroed, aligned allocations, large blocks, string
 * helpers and cleanups run in reverse order at free.
 */
#include "util/arena.h"

#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

static int order[4], norder;

static void note(void *p)
{
    order[norder++] = *(int *)p;
}

Test(arena, allocations_are_zeroed_and_aligned)
{
    struct sb_arena *a = sb_arena_new();
    for (int i = 1; i < 2000; i += 37) {
        unsigned char *p = sb_arena_alloc(a, (size_t)i);
        cr_assert_not_null(p);
        cr_expect_eq((uintptr_t)p % 16, 0);
        for (int k = 0; k < i; k++)
            cr_assert_eq(p[k], 0);
        memset(p, 0xab, (size_t)i);
    }
    char *big = sb_arena_alloc(a, 1 << 20);
    cr_assert_not_null(big);
    memset(big, 1, 1 << 20);
    char *after = sb_arena_alloc(a, 16); /* still served after a large block */
    cr_expect_not_null(after);
    sb_arena_free(a);
}

Test(arena, strings)
{
    struct sb_arena *a = sb_arena_new();
    cr_expect_str_eq(sb_arena_strdup(a, "hello"), "hello");
    cr_expect_str_eq(sb_arena_strndup(a, "hello", 3), "hel");
    cr_expect_str_eq(sb_arena_printf(a, "%s-%d", "x", 42), "x-42");
    cr_expect_null(sb_arena_strdup(a, NULL));
    sb_arena_free(a);
}

Test(arena, cleanups_run_last_first)
{
    static int one = 1, two = 2, three = 3;
    norder = 0;
    struct sb_arena *a = sb_arena_new();
    sb_arena_defer(a, note, &one);
    sb_arena_defer(a, note, &two);
    sb_arena_defer(a, note, &three);
    sb_arena_free(a);
    cr_expect_eq(norder, 3);
    cr_expect_eq(order[0], 3);
    cr_expect_eq(order[2], 1);
    sb_arena_free(NULL);
}
