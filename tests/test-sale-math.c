/*
 * Unit tests of the sale arithmetic and rules in core/sale.c and the
 * customer/payment-type normalisation in core/customer.c: no database, no
 * HTTP, exact amounts to the cent.
 */
#include "core/customer.h"
#include "core/sale.h"

#include <criterion/criterion.h>
#include <string.h>

/* The worked example of the e2e suite: three lines with line discounts and line
 * taxes, an order discount, an order tax and an adjustment. */
static const struct sb_sale_tax tax_a[] = { { "State", "6.25", 119 }, { "City", "1", 19 } };
static const struct sb_sale_tax tax_b[] = { { "State", "6.25", 78 } };
static const struct sb_sale_tax order_tax[] = { { "Shipping tax", NULL, 50 } };
static const struct sb_sale_discount order_disc[] = { {
    "Loyalty",
    "LOYAL5",
    300,
} };
static const struct sb_sale_adjustment adj[] = { { "Rounding", -1 } };

static struct sb_sale_line example_lines[3];

static struct sb_sale_input example(void)
{
    example_lines[0] = (struct sb_sale_line){ .item_id = 1,
                                              .quantity = 2,
                                              .unit_price = 1000,
                                              .unit_price_set = true,
                                              .line_discount = 100,
                                              .taxes = tax_a,
                                              .n_taxes = 2 };
    example_lines[1] = (struct sb_sale_line){ .item_id = 2,
                                              .quantity = 1,
                                              .unit_price = 1250,
                                              .unit_price_set = true,
                                              .taxes = tax_b,
                                              .n_taxes = 1 };
    example_lines[2] = (struct sb_sale_line){ .description = "Engraving",
                                              .quantity = 3,
                                              .unit_price = 333,
                                              .unit_price_set = true,
                                              .line_discount = 99 };
    return (struct sb_sale_input){ .outlet_id = 1,
                                   .lines = example_lines,
                                   .n_lines = 3,
                                   .taxes = order_tax,
                                   .n_taxes = 1,
                                   .discounts = order_disc,
                                   .n_discounts = 1,
                                   .adjustments = adj,
                                   .n_adjustments = 1 };
}

Test(sale_math, worked_example_totals)
{
    struct sb_sale_input in = example();
    struct sb_sale_line_calc calc[3];
    struct sb_sale_totals t;
    cr_assert_eq(sb_sale_validate(&in), SB_OK, "%s", sb_err_last()->message);
    cr_assert_eq(sb_sale_compute(&in, calc, &t), SB_OK, "%s", sb_err_last()->message);
    /* line 1: 2 x 1000 - 100 + (119 + 19) = 2038 */
    cr_expect_eq(calc[0].gross, 2000);
    cr_expect_eq(calc[0].tax_total, 138);
    cr_expect_eq(calc[0].line_total, 2038);
    /* line 2: 1250 + 78 = 1328 */
    cr_expect_eq(calc[1].tax_total, 78);
    cr_expect_eq(calc[1].line_total, 1328);
    /* line 3: 3 x 333 - 99 = 900 */
    cr_expect_eq(calc[2].line_total, 900);
    cr_expect_eq(t.subtotal, 2000 + 1250 + 999);
    cr_expect_eq(t.discount_total, 100 + 99 + 300);
    cr_expect_eq(t.tax_total, 138 + 78 + 50);
    cr_expect_eq(t.adjustment_total, -1);
    cr_expect_eq(t.total, 4249 - 499 + 266 - 1);
    cr_expect_eq(t.paid_total, 0);
    cr_expect_eq(t.balance_due, 4015);
    cr_expect_eq(sb_sale_status_for(t.total, t.paid_total), SB_SALE_OPEN);
}

Test(sale_math, payments_complete_or_leave_a_balance)
{
    struct sb_sale_input in = example();
    struct sb_sale_payment pay[] = { { 1, 4000, NULL, NULL }, { 2, 15, NULL, NULL } };
    in.payments = pay;
    in.n_payments = 2;
    struct sb_sale_line_calc calc[3];
    struct sb_sale_totals t;
    cr_assert_eq(sb_sale_compute(&in, calc, &t), SB_OK);
    cr_expect_eq(t.paid_total, 4015);
    cr_expect_eq(t.balance_due, 0);
    cr_expect_eq(sb_sale_status_for(t.total, t.paid_total), SB_SALE_COMPLETED);
    pay[1].amount = 16; /* one cent too much */
    cr_expect_eq(sb_sale_compute(&in, calc, &t), SB_EINVALID_FIELD);
    cr_expect_str_eq(sb_err_last()->field, "payments");
    pay[1].amount = 5;
    cr_assert_eq(sb_sale_compute(&in, calc, &t), SB_OK);
    cr_expect_eq(t.balance_due, 10);
    cr_expect_eq(sb_sale_pay(&t, 11), SB_EINVALID_FIELD);
    cr_expect_str_eq(sb_err_last()->field, "amount");
    cr_expect_eq(sb_sale_pay(&t, 0), SB_EINVALID_FIELD);
    cr_expect_eq(sb_sale_pay(&t, 4), SB_OK);
    cr_expect_eq(t.balance_due, 6);
    cr_expect_eq(sb_sale_pay(&t, 6), SB_OK);
    cr_expect_eq(t.balance_due, 0);
    cr_expect_eq(t.paid_total, 4015);
}

Test(sale_math, zero_total_sale_is_completed)
{
    struct sb_sale_line l = {
        .description = "Free sample", .quantity = 1, .unit_price = 0, .unit_price_set = true
    };
    struct sb_sale_input in = { .outlet_id = 1, .lines = &l, .n_lines = 1 };
    struct sb_sale_line_calc calc;
    struct sb_sale_totals t;
    cr_assert_eq(sb_sale_compute(&in, &calc, &t), SB_OK);
    cr_expect_eq(t.total, 0);
    cr_expect_eq(sb_sale_status_for(t.total, t.paid_total), SB_SALE_COMPLETED);
}

Test(sale_math, compute_refusals)
{
    struct sb_sale_input in = example();
    struct sb_sale_line_calc calc[3];
    struct sb_sale_totals t;
    example_lines[1].line_discount = 1251; /* more than the line */
    cr_expect_eq(sb_sale_compute(&in, calc, &t), SB_EINVALID_FIELD);
    cr_expect_str_eq(sb_err_last()->field, "lines[1].line_discount");
    example_lines[1].line_discount = 1250; /* exactly the line: a free line */
    cr_expect_eq(sb_sale_compute(&in, calc, &t), SB_OK);
    cr_expect_eq(calc[1].line_total, 78);

    in = example();
    struct sb_sale_discount big[] = { { "Everything", NULL, 5000 } };
    in.discounts = big;
    cr_expect_eq(sb_sale_compute(&in, calc, &t), SB_EINVALID_FIELD, "negative total");

    in = example();
    struct sb_sale_adjustment up[] = { { "x", SB_MONEY_MAX } };
    in.adjustments = up;
    cr_expect_eq(sb_sale_compute(&in, calc, &t), SB_EINVALID_FIELD, "overflow is refused");

    in = example();
    example_lines[0].quantity = SB_QTY_MAX;
    example_lines[0].unit_price = SB_MONEY_MAX;
    cr_expect_eq(sb_sale_compute(&in, calc, &t), SB_EINVALID_FIELD, "quantity x price overflow");

    in = example();
    example_lines[1].unit_price_set = false;
    cr_expect_eq(sb_sale_compute(&in, calc, &t), SB_EMISSING_FIELD);
    cr_expect_str_eq(sb_err_last()->field, "lines[1].unit_price");
}

Test(sale_math, validate_refusals)
{
    struct sb_sale_input in = example();
    in.n_lines = 0;
    cr_expect_eq(sb_sale_validate(&in), SB_EINVALID_FIELD);
    cr_expect_str_eq(sb_err_last()->field, "lines");

    in = example();
    in.outlet_id = 0;
    cr_expect_eq(sb_sale_validate(&in), SB_EMISSING_FIELD);

    in = example();
    example_lines[2].quantity = 0;
    cr_expect_eq(sb_sale_validate(&in), SB_EINVALID_FIELD);
    cr_expect_str_eq(sb_err_last()->field, "lines[2].quantity");
    example_lines[2].quantity = -1;
    cr_expect_eq(sb_sale_validate(&in), SB_EINVALID_FIELD);

    in = example();
    example_lines[2].description = NULL; /* free-text line without text */
    cr_expect_eq(sb_sale_validate(&in), SB_EMISSING_FIELD);
    cr_expect_str_eq(sb_err_last()->field, "lines[2].description");

    in = example();
    example_lines[2].unit_price_set = false; /* free-text line without a price */
    cr_expect_eq(sb_sale_validate(&in), SB_EMISSING_FIELD);
    cr_expect_str_eq(sb_err_last()->field, "lines[2].unit_price");

    in = example();
    example_lines[0].unit_price_set = false; /* an item line takes its price later */
    cr_expect_eq(sb_sale_validate(&in), SB_OK);

    in = example();
    example_lines[0].line_discount = -1;
    cr_expect_eq(sb_sale_validate(&in), SB_EINVALID_FIELD);
    cr_expect_str_eq(sb_err_last()->field, "lines[0].line_discount");

    in = example();
    struct sb_sale_tax bad_rate[] = { { "VAT", "20%", 10 } };
    example_lines[1].taxes = bad_rate;
    cr_expect_eq(sb_sale_validate(&in), SB_EINVALID_FIELD);
    cr_expect_str_eq(sb_err_last()->field, "lines[1].taxes[0].rate");

    in = example();
    struct sb_sale_tax neg[] = { { "VAT", NULL, -1 } };
    in.taxes = neg;
    cr_expect_eq(sb_sale_validate(&in), SB_EINVALID_FIELD);
    cr_expect_str_eq(sb_err_last()->field, "taxes[0].amount");

    in = example();
    struct sb_sale_payment zero[] = { { 1, 0, NULL, NULL } };
    in.payments = zero;
    in.n_payments = 1;
    cr_expect_eq(sb_sale_validate(&in), SB_EINVALID_FIELD);
    cr_expect_str_eq(sb_err_last()->field, "payments[0].amount");

    in = example();
    struct sb_sale_discount negd[] = { { "x", NULL, -5 } };
    in.discounts = negd;
    cr_expect_eq(sb_sale_validate(&in), SB_EINVALID_FIELD);

    in = example();
    in.n_lines = SB_SALE_MAX_LINES + 1;
    cr_expect_eq(sb_sale_validate(&in), SB_EINVALID_FIELD);

    in = example();
    in.source = SB_SALE_SOURCE_CHANNEL; /* a channel sale names its order */
    cr_expect_eq(sb_sale_validate(&in), SB_EMISSING_FIELD);
    in.channel_id = 1;
    in.external_id = "1001";
    cr_expect_eq(sb_sale_validate(&in), SB_OK);
}

Test(sale_math, rates)
{
    cr_expect(sb_sale_rate_valid("8"));
    cr_expect(sb_sale_rate_valid("8.25"));
    cr_expect(sb_sale_rate_valid("0.0825"));
    cr_expect_not(sb_sale_rate_valid(""));
    cr_expect_not(sb_sale_rate_valid(".5"));
    cr_expect_not(sb_sale_rate_valid("8."));
    cr_expect_not(sb_sale_rate_valid("-8"));
    cr_expect_not(sb_sale_rate_valid("8.2.5"));
    cr_expect_not(sb_sale_rate_valid("8%"));
}

Test(sale_math, statuses)
{
    enum sb_sale_status s;
    cr_expect(sb_sale_status_parse("voided", &s) && s == SB_SALE_VOIDED);
    cr_expect(sb_sale_status_parse("open", &s) && s == SB_SALE_OPEN);
    cr_expect_not(sb_sale_status_parse("Open", &s));
    cr_expect_str_eq(sb_sale_status_name(SB_SALE_COMPLETED), "completed");
    cr_expect_str_eq(sb_sale_source_name(SB_SALE_SOURCE_CHANNEL), "channel");
}

/* Default refunds: the share rounded down, and the last units take the remainder. */
Test(sale_math, return_share_rounds_down_and_last_takes_the_rest)
{
    /* 3 units, line total 1001 */
    cr_expect_eq(sb_sale_return_share(1001, 3, 0, 0, 1), 333);
    cr_expect_eq(sb_sale_return_share(1001, 3, 1, 333, 1), 333);
    cr_expect_eq(sb_sale_return_share(1001, 3, 2, 666, 1), 335);
    /* two partial returns: 1 then 2 */
    cr_expect_eq(sb_sale_return_share(1001, 3, 0, 0, 1), 333);
    cr_expect_eq(sb_sale_return_share(1001, 3, 1, 333, 2), 668);
    /* the whole line at once */
    cr_expect_eq(sb_sale_return_share(1001, 3, 0, 0, 3), 1001);
    /* an earlier explicit refund larger than its share: never below zero */
    cr_expect_eq(sb_sale_return_share(1001, 3, 1, 1001, 1), 0);
    cr_expect_eq(sb_sale_return_share(1001, 3, 2, 1001, 1), 0);
    cr_expect_eq(sb_sale_return_share(0, 3, 0, 0, 1), 0);
    /* no overflow on huge lines */
    cr_expect_eq(sb_sale_return_share(SB_MONEY_MAX, 1000, 0, 0, 999),
                 (int64_t)((__int128)SB_MONEY_MAX * 999 / 1000));
}

Test(sale_math, return_checks)
{
    cr_expect_eq(sb_sale_return_check("lines[0]", 3, 1, 1001, 333, 2, false, 0), SB_OK);
    cr_expect_eq(sb_sale_return_check("lines[0]", 3, 1, 1001, 333, 3, false, 0), SB_EINSUFFICIENT);
    cr_expect_str_eq(sb_err_last()->field, "lines[0].quantity");
    cr_expect_eq(sb_sale_return_check("lines[0]", 3, 3, 1001, 1001, 1, false, 0), SB_EINSUFFICIENT);
    cr_expect_eq(sb_sale_return_check("lines[1]", 3, 0, 1001, 0, 0, false, 0), SB_EINVALID_FIELD);
    cr_expect_eq(sb_sale_return_check("lines[1]", 3, 1, 1001, 333, 1, true, 668), SB_OK);
    cr_expect_eq(sb_sale_return_check("lines[1]", 3, 1, 1001, 333, 1, true, 669),
                 SB_EINVALID_FIELD);
    cr_expect_str_eq(sb_err_last()->field, "lines[1].amount");
    cr_expect_eq(sb_sale_return_check("lines[1]", 3, 1, 1001, 333, 1, true, -1), SB_EINVALID_FIELD);

    struct sb_return_line l = { .sale_line_id = 1, .quantity = 1, .restock = true };
    struct sb_return_input in = { .lines = &l, .n_lines = 1 };
    cr_expect_eq(sb_return_validate(&in), SB_OK);
    l.quantity = 0;
    cr_expect_eq(sb_return_validate(&in), SB_EINVALID_FIELD);
    l.quantity = 1;
    l.sale_line_id = 0;
    cr_expect_eq(sb_return_validate(&in), SB_EMISSING_FIELD);
    in.n_lines = 0;
    cr_expect_eq(sb_return_validate(&in), SB_EINVALID_FIELD);
}

/* C1: the same email whatever its case and surrounding spaces. */
Test(customer_rules, email_normalisation)
{
    char buf[64];
    cr_assert(sb_norm_key("  Ann.Lee@Example.COM \t", buf, sizeof(buf)));
    cr_expect_str_eq(buf, "ann.lee@example.com");
    cr_expect_not(sb_norm_key("   ", buf, sizeof(buf)));
    cr_expect_not(sb_norm_key(NULL, buf, sizeof(buf)));
    cr_expect_not(sb_norm_key("abcdefgh", buf, 4), "does not fit");
    cr_assert(sb_trim_copy("  A b  ", buf, sizeof(buf)));
    cr_expect_str_eq(buf, "A b");
    cr_expect(sb_email_valid("a@b"));
    cr_expect(sb_email_valid("  Ann@Example.com  "));
    cr_expect_not(sb_email_valid("ann"));
    cr_expect_not(sb_email_valid("@example.com"));
    cr_expect_not(sb_email_valid("ann@"));
    cr_expect_not(sb_email_valid("a@b@c"));
    cr_expect_not(sb_email_valid("ann lee@example.com"));
    cr_expect_not(sb_email_valid(""));
}

Test(customer_rules, validate)
{
    struct sb_customer c = { 0 };
    cr_expect_eq(sb_customer_validate(&c, true), SB_EMISSING_FIELD);
    c.company.v = "  ";
    c.company.set = true;
    cr_expect_eq(sb_customer_validate(&c, true), SB_EMISSING_FIELD, "blank does not count");
    c.company.v = "Acme";
    cr_expect_eq(sb_customer_validate(&c, true), SB_OK);
    cr_expect_eq(sb_customer_validate(&(struct sb_customer){ 0 }, false), SB_OK);
    c.email = (struct sb_opt_str){ "not an email", true };
    cr_expect_eq(sb_customer_validate(&c, true), SB_EINVALID_FIELD);
    cr_expect_str_eq(sb_err_last()->field, "email");
    c.email = (struct sb_opt_str){ NULL, true }; /* clearing the email is fine */
    cr_expect_eq(sb_customer_validate(&c, false), SB_OK);
    struct sb_customer_address a[] = { { .kind = "billing" }, { .kind = "home" } };
    c.addresses = a;
    c.n_addresses = 2;
    c.addresses_set = true;
    cr_expect_eq(sb_customer_validate(&c, false), SB_EINVALID_FIELD);
    cr_expect_str_eq(sb_err_last()->field, "addresses[1].kind");
}

Test(customer_rules, payment_type_names)
{
    struct sb_payment_type p = { 0 };
    cr_expect_eq(sb_payment_type_validate(&p, true), SB_EMISSING_FIELD);
    p.name = (struct sb_opt_str){ "  ", true };
    cr_expect_eq(sb_payment_type_validate(&p, true), SB_EINVALID_FIELD);
    p.name = (struct sb_opt_str){ " Gift card ", true };
    cr_expect_eq(sb_payment_type_validate(&p, true), SB_OK);
    cr_expect_eq(sb_payment_type_validate(&(struct sb_payment_type){ 0 }, false), SB_OK);
}
