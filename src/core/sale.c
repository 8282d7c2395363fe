/*
 * Sale arithmetic and the rules that need no database: pure functions over
 * the structs in sale.h, shared by the till (POST /sales) and the channel
 * pipeline, and unit-tested in tests/test-sale-math.c. Every sum goes
 * through sb_money_add/mul so a hostile amount cannot wrap around.
 */
#include "core/sale.h"
#include "core/money.h"

#include <stdio.h>
#include <string.h>

static const char *const status_names[] = { "open", "completed", "voided" };

const char *sb_sale_status_name(enum sb_sale_status s)
{
    return (unsigned)s <= SB_SALE_VOIDED ? status_names[s] : "open";
}

bool sb_sale_status_parse(const char *s, enum sb_sale_status *ret)
{
    for (unsigned i = 0; s && i <= SB_SALE_VOIDED; i++) {
        if (strcmp(s, status_names[i]) == 0) {
            *ret = (enum sb_sale_status)i;
            return true;
        }
    }
    return false;
}

const char *sb_sale_source_name(enum sb_sale_source s)
{
    return s == SB_SALE_SOURCE_CHANNEL ? "channel" : "pos";
}

bool sb_sale_rate_valid(const char *s)
{
    if (!s || !*s || strlen(s) > 32)
        return false;
    int digits = 0, dots = 0, frac = 0;
    for (; *s; s++) {
        if (*s >= '0' && *s <= '9') {
            digits++;
            frac += dots;
        } else if (*s == '.' && dots == 0 && digits > 0) {
            dots++;
        } else {
            return false;
        }
    }
    return dots == 0 || frac > 0;
}

/* An error about a field of an indexed array entry ("lines[2].quantity"). */
static sb_err fail_at(sb_err err, const char *array, size_t i, const char *key, const char *msg)
{
    char field[64];
    if (key)
        snprintf(field, sizeof(field), "%s[%zu].%s", array, i, key);
    else
        snprintf(field, sizeof(field), "%s[%zu]", array, i);
    return sb_fail(err, field, "%s %s", field, msg);
}

static sb_err check_taxes(const char *array, const struct sb_sale_tax *taxes, size_t n)
{
    if (n > SB_SALE_MAX_PARTS)
        return sb_fail(SB_EINVALID_FIELD, array, "%s has more than %d entries", array,
                       SB_SALE_MAX_PARTS);
    for (size_t i = 0; i < n; i++) {
        if (!taxes[i].name || !taxes[i].name[0])
            return fail_at(SB_EMISSING_FIELD, array, i, "name", "is required");
        if (taxes[i].amount < 0 || taxes[i].amount > SB_MONEY_MAX)
            return fail_at(SB_EINVALID_FIELD, array, i, "amount", "must not be negative");
        if (taxes[i].rate && !sb_sale_rate_valid(taxes[i].rate))
            return fail_at(SB_EINVALID_FIELD, array, i, "rate",
                           "must be a decimal number such as \"8.25\"");
    }
    return SB_OK;
}

sb_err sb_sale_validate(const struct sb_sale_input *in)
{
    if (in->outlet_id <= 0)
        return sb_fail(SB_EMISSING_FIELD, "outlet_id", "outlet_id is required");
    if (in->n_lines == 0)
        return sb_fail(SB_EINVALID_FIELD, "lines", "a sale needs at least one line");
    if (in->n_lines > SB_SALE_MAX_LINES)
        return sb_fail(SB_EINVALID_FIELD, "lines", "a sale has at most %d lines",
                       SB_SALE_MAX_LINES);
    if (in->source == SB_SALE_SOURCE_CHANNEL && (in->channel_id <= 0 || !in->external_id))
        return sb_fail(SB_EMISSING_FIELD, "channel_id",
                       "a channel sale names its channel and external order id");
    for (size_t i = 0; i < in->n_lines; i++) {
        const struct sb_sale_line *l = &in->lines[i];
        if (l->quantity <= 0 || l->quantity > SB_QTY_MAX)
            return fail_at(SB_EINVALID_FIELD, "lines", i, "quantity",
                           "must be a positive whole number of units");
        if (!l->item_id && (!l->description || !l->description[0]))
            return fail_at(SB_EMISSING_FIELD, "lines", i, "description",
                           "is required on a line without an item");
        if (!l->item_id && !l->unit_price_set)
            return fail_at(SB_EMISSING_FIELD, "lines", i, "unit_price",
                           "is required on a line without an item");
        if (l->unit_price_set && (l->unit_price < 0 || l->unit_price > SB_MONEY_MAX))
            return fail_at(SB_EINVALID_FIELD, "lines", i, "unit_price", "must not be negative");
        if (l->line_discount < 0 || l->line_discount > SB_MONEY_MAX)
            return fail_at(SB_EINVALID_FIELD, "lines", i, "line_discount", "must not be negative");
        char array[48];
        snprintf(array, sizeof(array), "lines[%zu].taxes", i);
        sb_err err = check_taxes(array, l->taxes, l->n_taxes);
        if (err)
            return err;
    }
    sb_err err = check_taxes("taxes", in->taxes, in->n_taxes);
    if (err)
        return err;
    if (in->n_discounts > SB_SALE_MAX_PARTS)
        return sb_fail(SB_EINVALID_FIELD, "discounts", "too many discounts");
    for (size_t i = 0; i < in->n_discounts; i++) {
        if (!in->discounts[i].name || !in->discounts[i].name[0])
            return fail_at(SB_EMISSING_FIELD, "discounts", i, "name", "is required");
        if (in->discounts[i].amount < 0 || in->discounts[i].amount > SB_MONEY_MAX)
            return fail_at(SB_EINVALID_FIELD, "discounts", i, "amount", "must not be negative");
    }
    if (in->n_adjustments > SB_SALE_MAX_PARTS)
        return sb_fail(SB_EINVALID_FIELD, "adjustments", "too many adjustments");
    for (size_t i = 0; i < in->n_adjustments; i++) {
        if (!in->adjustments[i].reason || !in->adjustments[i].reason[0])
            return fail_at(SB_EMISSING_FIELD, "adjustments", i, "reason", "is required");
        if (in->adjustments[i].amount < -SB_MONEY_MAX || in->adjustments[i].amount > SB_MONEY_MAX)
            return fail_at(SB_EINVALID_FIELD, "adjustments", i, "amount", "is out of range");
    }
    if (in->n_payments > SB_SALE_MAX_PARTS)
        return sb_fail(SB_EINVALID_FIELD, "payments", "too many payments");
    for (size_t i = 0; i < in->n_payments; i++) {
        if (in->payments[i].payment_type_id <= 0)
            return fail_at(SB_EMISSING_FIELD, "payments", i, "payment_type_id", "is required");
        if (in->payments[i].amount <= 0 || in->payments[i].amount > SB_MONEY_MAX)
            return fail_at(SB_EINVALID_FIELD, "payments", i, "amount", "must be positive");
    }
    return SB_OK;
}

static sb_err overflow(const char *field)
{
    return sb_fail(SB_EINVALID_FIELD, field, "%s: the amounts are too large", field);
}

sb_err sb_sale_compute(const struct sb_sale_input *in, struct sb_sale_line_calc *calc,
                       struct sb_sale_totals *ret)
{
    struct sb_sale_totals t = { 0 };
    for (size_t i = 0; i < in->n_lines; i++) {
        const struct sb_sale_line *l = &in->lines[i];
        struct sb_sale_line_calc c = { 0 };
        if (!l->unit_price_set)
            return fail_at(SB_EMISSING_FIELD, "lines", i, "unit_price", "is required");
        if (!sb_money_mul(l->quantity, l->unit_price, &c.gross))
            return overflow("lines");
        if (l->line_discount > c.gross)
            return fail_at(SB_EINVALID_FIELD, "lines", i, "line_discount",
                           "is more than the line is worth");
        for (size_t k = 0; k < l->n_taxes; k++)
            if (!sb_money_add(c.tax_total, l->taxes[k].amount, &c.tax_total))
                return overflow("lines");
        if (!sb_money_add(c.gross - l->line_discount, c.tax_total, &c.line_total) ||
            !sb_money_add(t.subtotal, c.gross, &t.subtotal) ||
            !sb_money_add(t.discount_total, l->line_discount, &t.discount_total) ||
            !sb_money_add(t.tax_total, c.tax_total, &t.tax_total))
            return overflow("lines");
        calc[i] = c;
    }
    for (size_t i = 0; i < in->n_discounts; i++)
        if (!sb_money_add(t.discount_total, in->discounts[i].amount, &t.discount_total))
            return overflow("discounts");
    for (size_t i = 0; i < in->n_taxes; i++)
        if (!sb_money_add(t.tax_total, in->taxes[i].amount, &t.tax_total))
            return overflow("taxes");
    for (size_t i = 0; i < in->n_adjustments; i++)
        if (!sb_money_add(t.adjustment_total, in->adjustments[i].amount, &t.adjustment_total))
            return overflow("adjustments");
    if (!sb_money_add(t.subtotal, -t.discount_total, &t.total) ||
        !sb_money_add(t.total, t.tax_total, &t.total) ||
        !sb_money_add(t.total, t.adjustment_total, &t.total))
        return overflow("total");
    if (t.total < 0)
        return sb_fail(SB_EINVALID_FIELD, "discounts",
                       "the discounts and adjustments take the total below zero");
    for (size_t i = 0; i < in->n_payments; i++)
        if (!sb_money_add(t.paid_total, in->payments[i].amount, &t.paid_total))
            return overflow("payments");
    if (t.paid_total > t.total)
        return sb_fail(SB_EINVALID_FIELD, "payments",
                       "the payments (%lld) are more than the total (%lld)",
                       (long long)t.paid_total, (long long)t.total);
    t.balance_due = t.total - t.paid_total;
    *ret = t;
    return SB_OK;
}

enum sb_sale_status sb_sale_status_for(int64_t total, int64_t paid_total)
{
    return total - paid_total == 0 ? SB_SALE_COMPLETED : SB_SALE_OPEN;
}

sb_err sb_sale_pay(struct sb_sale_totals *t, int64_t amount)
{
    if (amount <= 0 || amount > SB_MONEY_MAX)
        return sb_fail(SB_EINVALID_FIELD, "amount", "amount must be positive");
    if (amount > t->balance_due)
        return sb_fail(SB_EINVALID_FIELD, "amount", "amount %lld is more than the %lld due",
                       (long long)amount, (long long)t->balance_due);
    t->paid_total += amount;
    t->balance_due = t->total - t->paid_total;
    return SB_OK;
}

int64_t sb_sale_return_share(int64_t line_total, int64_t quantity, int64_t returned_qty,
                             int64_t refunded, int64_t qty)
{
    if (quantity <= 0 || qty <= 0 || line_total <= 0)
        return 0;
    if (returned_qty + qty >= quantity) {
        int64_t left = line_total - refunded;
        return left > 0 ? left : 0;
    }
    /* 128-bit: line_total * qty may pass int64 for huge lines; the quotient cannot */
    int64_t share = (int64_t)((__int128)line_total * qty / quantity);
    int64_t left = line_total - refunded;
    return share < left ? share : (left > 0 ? left : 0);
}

sb_err sb_sale_return_check(const char *field, int64_t quantity, int64_t returned_qty,
                            int64_t line_total, int64_t refunded, int64_t qty, bool amount_set,
                            int64_t amount)
{
    char f[80];
    snprintf(f, sizeof(f), "%s.quantity", field);
    if (qty <= 0)
        return sb_fail(SB_EINVALID_FIELD, f, "%s must be positive", f);
    if (qty > quantity - returned_qty)
        return sb_fail(SB_EINSUFFICIENT, f, "%s: only %lld of %lld units are left to return", f,
                       (long long)(quantity - returned_qty), (long long)quantity);
    if (amount_set) {
        snprintf(f, sizeof(f), "%s.amount", field);
        int64_t left = line_total - refunded;
        if (amount < 0)
            return sb_fail(SB_EINVALID_FIELD, f, "%s must not be negative", f);
        if (amount > (left > 0 ? left : 0))
            return sb_fail(SB_EINVALID_FIELD, f,
                           "%s is more than the %lld left to refund on the line", f,
                           (long long)(left > 0 ? left : 0));
    }
    return SB_OK;
}

sb_err sb_return_validate(const struct sb_return_input *in)
{
    if (in->n_lines == 0)
        return sb_fail(SB_EINVALID_FIELD, "lines", "a return needs at least one line");
    if (in->n_lines > SB_SALE_MAX_LINES)
        return sb_fail(SB_EINVALID_FIELD, "lines", "a return has at most %d lines",
                       SB_SALE_MAX_LINES);
    for (size_t i = 0; i < in->n_lines; i++) {
        const struct sb_return_line *l = &in->lines[i];
        if (l->sale_line_id <= 0)
            return fail_at(SB_EMISSING_FIELD, "lines", i, "sale_line_id", "is required");
        if (l->quantity <= 0 || l->quantity > SB_QTY_MAX)
            return fail_at(SB_EINVALID_FIELD, "lines", i, "quantity",
                           "must be a positive whole number of units");
        if (l->amount_set && (l->amount < 0 || l->amount > SB_MONEY_MAX))
            return fail_at(SB_EINVALID_FIELD, "lines", i, "amount", "must not be negative");
    }
    return SB_OK;
}

sb_err sb_payment_type_validate(const struct sb_payment_type *p, bool create)
{
    if (create && !p->name.set)
        return sb_fail(SB_EMISSING_FIELD, "name", "name is required");
    if (p->name.set) {
        const char *s = p->name.v;
        while (s && (*s == ' ' || *s == '\t'))
            s++;
        if (!s || !*s)
            return sb_fail(SB_EINVALID_FIELD, "name", "name must not be empty");
    }
    return SB_OK;
}
