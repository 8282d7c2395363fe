/*
 * Unit tests of the fulfillment status rule (SPEC F2): the whole matrix of
 * (kind, from, to), name round trips, and which statuses are final.
 */
#include "core/fulfillment.h"

#include <criterion/criterion.h>
#include <string.h>

static const enum sb_ff_status all[] = { SB_FF_NEW,     SB_FF_IN_PROGRESS, SB_FF_PACKED,
                                         SB_FF_SHIPPED, SB_FF_PICKED_UP,   SB_FF_CANCELLED };
#define N_STATUS (sizeof(all) / sizeof(all[0]))

/* The expected answer, written out as a table rather than derived, so the test does
 * not repeat the code's reasoning. Rows: from; columns: to, in the order of
 * `all` (new, in_progress, packed, shipped, picked_up, cancelled). */
/* clang-format off */
#define Y true
#define N false
static const bool shipping_ok[N_STATUS][N_STATUS] = {
    /* from, to:        ne  ip  pa  sh  pu  ca */
    /* new         */ { N,  Y,  Y,  Y,  N,  Y },
    /* in_progress */ { N,  N,  Y,  Y,  N,  Y },
    /* packed      */ { N,  N,  N,  Y,  N,  Y },
    /* shipped     */ { N,  N,  N,  N,  N,  N },
    /* picked_up   */ { N,  N,  N,  N,  N,  N },
    /* cancelled   */ { N,  N,  N,  N,  N,  N },
};

static const bool pickup_ok[N_STATUS][N_STATUS] = {
    /* from, to:        ne  ip  pa  sh  pu  ca */
    /* new         */ { N,  Y,  Y,  N,  Y,  Y },
    /* in_progress */ { N,  N,  Y,  N,  Y,  Y },
    /* packed      */ { N,  N,  N,  N,  Y,  Y },
    /* shipped     */ { N,  N,  N,  N,  N,  N },
    /* picked_up   */ { N,  N,  N,  N,  N,  N },
    /* cancelled   */ { N,  N,  N,  N,  N,  N },
};
#undef Y
#undef N
/* clang-format on */

Test(fulfillment, f2_shipping_matrix)
{
    for (size_t i = 0; i < N_STATUS; i++)
        for (size_t j = 0; j < N_STATUS; j++) {
            sb_err err = sb_ff_transition(SB_FF_SHIPPING, all[i], all[j]);
            cr_expect_eq(err, shipping_ok[i][j] ? SB_OK : SB_EINVALID_TRANSITION,
                         "shipping %s -> %s: got %d", sb_ff_status_name(all[i]),
                         sb_ff_status_name(all[j]), err);
        }
}

Test(fulfillment, f2_pickup_matrix)
{
    for (size_t i = 0; i < N_STATUS; i++)
        for (size_t j = 0; j < N_STATUS; j++) {
            sb_err err = sb_ff_transition(SB_FF_PICKUP, all[i], all[j]);
            cr_expect_eq(err, pickup_ok[i][j] ? SB_OK : SB_EINVALID_TRANSITION,
                         "pickup %s -> %s: got %d", sb_ff_status_name(all[i]),
                         sb_ff_status_name(all[j]), err);
        }
}

Test(fulfillment, f2_refusal_names_the_status_field)
{
    cr_assert_eq(sb_ff_transition(SB_FF_SHIPPING, SB_FF_PACKED, SB_FF_NEW), SB_EINVALID_TRANSITION);
    cr_expect_str_eq(sb_err_last()->field, "status");
    cr_assert_eq(sb_ff_transition(SB_FF_PICKUP, SB_FF_NEW, SB_FF_SHIPPED), SB_EINVALID_TRANSITION);
    cr_expect(strstr(sb_err_last()->message, "picked_up") != NULL);
}

Test(fulfillment, out_of_range_values_are_refused)
{
    cr_expect_eq(sb_ff_transition(SB_FF_SHIPPING, SB_FF_NEW, (enum sb_ff_status)42),
                 SB_EINVALID_TRANSITION);
    cr_expect_eq(sb_ff_transition((enum sb_ff_kind)9, SB_FF_NEW, SB_FF_PACKED),
                 SB_EINVALID_TRANSITION);
    cr_expect_str_eq(sb_ff_status_name((enum sb_ff_status)42), "unknown");
    cr_expect_str_eq(sb_ff_kind_name((enum sb_ff_kind)9), "unknown");
}

Test(fulfillment, names_round_trip)
{
    const char *names[] = { "new", "in_progress", "packed", "shipped", "picked_up", "cancelled" };
    for (size_t i = 0; i < N_STATUS; i++) {
        enum sb_ff_status s = SB_FF_CANCELLED;
        cr_expect_str_eq(sb_ff_status_name(all[i]), names[i]);
        cr_expect(sb_ff_status_parse(names[i], &s));
        cr_expect_eq(s, all[i]);
    }
    enum sb_ff_kind k = SB_FF_PICKUP;
    cr_expect(sb_ff_kind_parse("shipping", &k));
    cr_expect_eq(k, SB_FF_SHIPPING);
    cr_expect(sb_ff_kind_parse("pickup", &k));
    cr_expect_eq(k, SB_FF_PICKUP);
    cr_expect_str_eq(sb_ff_kind_name(SB_FF_SHIPPING), "shipping");
    cr_expect_str_eq(sb_ff_kind_name(SB_FF_PICKUP), "pickup");

    enum sb_ff_status s = SB_FF_PACKED;
    cr_expect_not(sb_ff_status_parse("New", &s));
    cr_expect_not(sb_ff_status_parse("", &s));
    cr_expect_not(sb_ff_status_parse("completed", &s));
    cr_expect_not(sb_ff_status_parse(NULL, &s));
    cr_expect_eq(s, SB_FF_PACKED, "a failed parse leaves the output alone");
    cr_expect_not(sb_ff_kind_parse("delivery", &k));
    cr_expect_not(sb_ff_kind_parse(NULL, &k));
}

Test(fulfillment, final_statuses)
{
    cr_expect_not(sb_ff_status_final(SB_FF_NEW));
    cr_expect_not(sb_ff_status_final(SB_FF_IN_PROGRESS));
    cr_expect_not(sb_ff_status_final(SB_FF_PACKED));
    cr_expect(sb_ff_status_final(SB_FF_SHIPPED));
    cr_expect(sb_ff_status_final(SB_FF_PICKED_UP));
    cr_expect(sb_ff_status_final(SB_FF_CANCELLED));
}

/* F3: a cancelled fulfillment never moves again, with its own code, whatever the target
 * and kind; a voided sale's fulfillment may only be cancelled; otherwise F2 decides, so
 * the move check agrees with the matrices above for a live sale. */
Test(fulfillment, f3_move_check_refuses_cancelled_and_voided)
{
    for (size_t j = 0; j < N_STATUS; j++) {
        cr_expect_eq(sb_ff_move_check(SB_FF_SHIPPING, SB_FF_CANCELLED, all[j], false),
                     SB_EFULFILLMENT_CANCELLED, "shipping cancelled -> %s",
                     sb_ff_status_name(all[j]));
        cr_expect_eq(sb_ff_move_check(SB_FF_PICKUP, SB_FF_CANCELLED, all[j], true),
                     SB_EFULFILLMENT_CANCELLED, "pickup cancelled -> %s",
                     sb_ff_status_name(all[j]));
    }
    cr_expect_str_eq(sb_err_last()->field, "status");
    cr_assert_eq(sb_ff_move_check(SB_FF_SHIPPING, SB_FF_CANCELLED, SB_FF_SHIPPED, false),
                 SB_EFULFILLMENT_CANCELLED);
    cr_expect_str_eq(sb_err_last()->message, "the fulfillment is cancelled: it cannot be shipped");
    cr_assert_eq(sb_ff_move_check(SB_FF_PICKUP, SB_FF_CANCELLED, SB_FF_PICKED_UP, false),
                 SB_EFULFILLMENT_CANCELLED);
    cr_expect_str_eq(sb_err_last()->message,
                     "the fulfillment is cancelled: it cannot be picked up");

    for (size_t i = 0; i < 3; i++) /* new, in_progress, packed */
        for (size_t j = 0; j < N_STATUS; j++) {
            sb_err want = all[j] == SB_FF_CANCELLED ? SB_OK : SB_ESALE_VOIDED;
            cr_expect_eq(sb_ff_move_check(SB_FF_SHIPPING, all[i], all[j], true), want,
                         "voided sale, shipping %s -> %s", sb_ff_status_name(all[i]),
                         sb_ff_status_name(all[j]));
            cr_expect_eq(sb_ff_move_check(SB_FF_PICKUP, all[i], all[j], true), want,
                         "voided sale, pickup %s -> %s", sb_ff_status_name(all[i]),
                         sb_ff_status_name(all[j]));
        }

    for (size_t i = 0; i < N_STATUS; i++)
        for (size_t j = 0; j < N_STATUS; j++) {
            if (all[i] == SB_FF_CANCELLED)
                continue;
            cr_expect_eq(sb_ff_move_check(SB_FF_SHIPPING, all[i], all[j], false),
                         shipping_ok[i][j] ? SB_OK : SB_EINVALID_TRANSITION);
            cr_expect_eq(sb_ff_move_check(SB_FF_PICKUP, all[i], all[j], false),
                         pickup_ok[i][j] ? SB_OK : SB_EINVALID_TRANSITION);
        }
}

/* F3 and SH2 for a shipment: each case of sb_ff_shipment_check, with its code. */
Test(fulfillment, f3_sh2_shipment_check)
{
    struct {
        struct sb_ff_ship_state s;
        sb_err want;
    } cases[] = {
        { { .sale_voided = false, .n_fulfillments = 0 }, SB_OK }, /* a ship-to alone */
        { { .sale_voided = true, .n_fulfillments = 0 }, SB_ESALE_VOIDED },
        { { .sale_voided = true, 1, 1, 1 }, SB_ESALE_VOIDED },
        { { .sale_voided = false, 1, 1, 1 }, SB_OK },
        { { .sale_voided = false, 2, 1, 2 }, SB_OK },                     /* split, one cancelled */
        { { .sale_voided = false, 1, 0, 1 }, SB_EFULFILLMENT_CANCELLED }, /* all cancelled */
        { { .sale_voided = false, 3, 0, 3 }, SB_EFULFILLMENT_CANCELLED },
        { { .sale_voided = false, 1, 0, 0 }, SB_EINVALID_TRANSITION }, /* a pickup */
        { { .sale_voided = false, 2, 1, 1 }, SB_OK },                  /* shipping and pickup */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cr_expect_eq(sb_ff_shipment_check(&cases[i].s), cases[i].want, "case %zu", i);
        if (cases[i].want)
            cr_expect_str_eq(sb_err_last()->field, "shipped", "case %zu", i);
    }
}
