/*
 * Shopify's payment gateways as the POS names them (SPEC P1, P3): the
 * processors Shopify settles with are named after themselves; manual,
 * bank, cash-on-delivery and cheque methods are unintegrated, so their
 * orders come down unpaid.
 */
#include "channel/shopify/shopify.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>

/* Words of a gateway name, lower case, separated by anything not a letter or digit. */
static bool has_word(const char *norm, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = norm; (p = strstr(p, word)); p++) {
        bool start = p == norm || !isalnum((unsigned char)p[-1]);
        bool end = !isalnum((unsigned char)p[n]);
        if (start && end)
            return true;
    }
    return false;
}

const char *sb_shopify_payment_type(const char *gateway, bool *ret_integrated)
{
    /* Gateways that are payment processors Shopify settles with: named after them (P1). */
    static const struct {
        const char *gateway, *name;
    } known[] = {
        { "shopify_payments", "Shopify Payments" },
        { "stripe", "Stripe" },
        { "paypal", "PayPal" },
        { "paypal_express", "PayPal" },
        { "paypal_express_checkout", "PayPal" },
        { "braintree", "Braintree" },
        { "authorize_net", "Authorize.Net" },
        { "authorize.net", "Authorize.Net" },
        { "adyen", "Adyen" },
        { "klarna", "Klarna" },
        { "afterpay", "Afterpay" },
        { "affirm", "Affirm" },
        { "amazon_payments", "Amazon Pay" },
        { "amazon_pay", "Amazon Pay" },
        { "square", "Square" },
        { "mollie", "Mollie" },
        { "worldpay", "Worldpay" },
        { "shop_pay_installments", "Shop Pay Installments" },
        { "shopify_installments", "Shop Pay Installments" },
        { "gift_card", "Gift Card" },
        { "lightspeed_payments", "Lightspeed Payments" },
        { "bogus", "Shopify" }, /* Shopify's test gateway */
    };
    bool integrated = true;
    const char *name = gateway;
    char norm[128];
    size_t n = 0;
    const char *s = gateway ? gateway : "";
    while (isspace((unsigned char)*s))
        s++;
    for (; *s && n + 1 < sizeof(norm); s++)
        norm[n++] = *s == ' ' || *s == '-' ? '_' : (char)tolower((unsigned char)*s);
    while (n && norm[n - 1] == '_')
        n--;
    norm[n] = '\0';

    if (n == 0) {
        name = "Shopify";
    } else {
        size_t i = 0;
        for (; i < sizeof(known) / sizeof(known[0]); i++)
            if (strcmp(norm, known[i].gateway) == 0)
                break;
        if (i < sizeof(known) / sizeof(known[0])) {
            name = known[i].name;
        } else if (strstr(norm, "manual") || strstr(norm, "bank") || strstr(norm, "money_order") ||
                   strstr(norm, "moneyorder") || strstr(norm, "cash") || has_word(norm, "cod") ||
                   has_word(norm, "cheque") || has_word(norm, "check")) {
            /* Confirmed offline, later: the sale comes down unpaid (P3). */
            integrated = false;
        }
    }
    if (ret_integrated)
        *ret_integrated = integrated;
    return name;
}
