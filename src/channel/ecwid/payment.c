/*
 * Payment types for Ecwid's payment methods (P1, P3), shared by both kinds.
 * Ecwid names a method as the merchant titled it ("Credit or debit card",
 * "PayPal", "Cash on delivery"): a processor named in it gives the type its
 * name, anything else is "Ecwid"; the offline methods are unintegrated (their
 * words matched as whole words: "PayPal Checkout" is no cheque).
 */
#include "channel/ecwid/ecwid.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

/* word (letters, maybe spaces) in s as whole words, any case: "check" is in "Pay by check",
 * not in "PayPal Checkout" */
static bool has_word(const char *s, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = strcasestr(s, word); p; p = strcasestr(p + 1, word)) {
        bool before = p == s || !isalnum((unsigned char)p[-1]);
        bool after = !isalnum((unsigned char)p[n]);
        if (before && after)
            return true;
    }
    return false;
}

const char *sb_ec_payment_type(const struct sb_channel *ch, const char *method,
                               bool *ret_integrated)
{
    (void)ch;
    /* money that arrives outside Ecwid (P3): the order waits for Ecwid's PAID (P4) */
    static const char *const offline[] = { "cash",           "pay at pickup", "pay on pickup",
                                           "bank",           "wire transfer", "cheque",
                                           "check",          "invoice",       "phone order",
                                           "purchase order", "money order",   NULL };
    static const struct {
        const char *needle, *name;
    } named[] = {
        { "lightspeed payments", "Lightspeed Payments" },
        { "stripe", "Stripe" },
        { "paypal", "PayPal" },
        { "square", "Square" },
        { "authorize.net", "Authorize.Net" },
        { "braintree", "Braintree" },
        { "mollie", "Mollie" },
        { "adyen", "Adyen" },
    };
    bool integrated = true;
    const char *name = "Ecwid";
    for (size_t i = 0; method && offline[i]; i++)
        if (has_word(method, offline[i]))
            integrated = false;
    for (size_t i = 0; method && integrated && i < sizeof(named) / sizeof(named[0]); i++)
        if (strcasestr(method, named[i].needle)) {
            name = named[i].name;
            break;
        }
    if (ret_integrated)
        *ret_integrated = integrated;
    return name;
}
