/*
 * N4's message (order-email.h). The subject is "New web order #N — Outlet"; the body lists
 * the order's lines, its total, where it ships and a link to its fulfillment. Everything in
 * it came from the webstore, so it goes through util/mail.c, which keeps it out of the
 * headers' structure. The Message-ID is the same on every try, so a message that reached
 * the server before an answer was lost is recognisably the same one.
 */
#include "sync/order-email.h"
#include "core/channel-settings.h"
#include "core/currency.h"
#include "core/money.h"
#include "util/mail.h"
#include "util/smtp.h"
#include "util/timeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct text {
    char *p;
    size_t len;
    FILE *f;
};

static const char *str(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

static void money(char *buf, size_t cap, int64_t minor, const char *currency)
{
    int e = sb_currency_exponent(currency);
    char amount[48];
    sb_money_format(minor, e < 0 ? 2 : e, amount, sizeof(amount));
    snprintf(buf, cap, "%s %s", amount, currency);
}

static void ship_to(FILE *f, json_t *s)
{
    if (!json_is_object(s))
        return;
    fputs("\nShip to:\n", f);
    const char *lines[] = { "name", "company", "line1", "line2" };
    for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
        if (*str(s, lines[i]))
            fprintf(f, "%s\n", str(s, lines[i]));
    const char *city = str(s, "city"), *region = str(s, "region"), *zip = str(s, "postcode");
    if (*city || *region || *zip)
        fprintf(f, "%s%s%s%s%s\n", city, *city && (*region || *zip) ? " " : "", region,
                *region && *zip ? " " : "", zip);
    if (*str(s, "country"))
        fprintf(f, "%s\n", str(s, "country"));
    if (*str(s, "method"))
        fprintf(f, "Method: %s\n", str(s, "method"));
}

sb_err sb_order_email_send(int64_t channel_id, const char *ref, json_t *payload)
{
    const char *url = getenv("STOCKBRIDGE_SMTP_URL");
    const char *from = getenv("STOCKBRIDGE_SMTP_FROM");
    const char *base = getenv("STOCKBRIDGE_PUBLIC_URL");
    if (!url || !*url || !from || !*from)
        return sb_fail(SB_EIO, "smtp",
                       "no mail server: set STOCKBRIDGE_SMTP_URL and STOCKBRIDGE_SMTP_FROM");
    /* the sender is checked as the recipients are: it goes into a header and the envelope */
    char fbuf[300];
    const char *fromv[1];
    size_t nf = 0;
    if (sb_email_list_split(from, fbuf, sizeof(fbuf), fromv, 1, &nf) || nf != 1)
        return sb_fail(SB_EIO, "smtp", "STOCKBRIDGE_SMTP_FROM is not one email address");
    json_t *to_json = json_object_get(payload, "to");
    size_t n_to = json_array_size(to_json);
    if (!json_is_object(payload) || n_to == 0 || n_to > SB_EMAIL_RECIPIENTS_N)
        return sb_fail(SB_EINVALID_FIELD, "payload", "the email's payload names no recipients");
    const char *to[SB_EMAIL_RECIPIENTS_N];
    for (size_t i = 0; i < n_to; i++)
        if (!(to[i] = json_string_value(json_array_get(to_json, i))))
            return sb_fail(SB_EINVALID_FIELD, "payload", "a recipient is not text");

    const char *number = str(payload, "number"), *outlet = str(payload, "outlet");
    const char *currency = str(payload, "currency");
    char subject[400], amount[80];
    snprintf(subject, sizeof(subject), "New web order %s%.120s \xe2\x80\x94 %.120s",
             number[0] == '#' ? "" : "#", number, outlet);

    struct text t = { 0 };
    t.f = open_memstream(&t.p, &t.len);
    if (!t.f)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    fprintf(t.f, "A new web order came down for %s.\n\nOrder %s%s\n\n", outlet,
            number[0] == '#' ? "" : "#", number);
    size_t i;
    json_t *line;
    json_array_foreach(json_object_get(payload, "lines"), i, line)
    {
        money(amount, sizeof(amount), json_integer_value(json_object_get(line, "line_total")),
              currency);
        fprintf(t.f, "  %lld x %s%s%s%s  %s\n",
                (long long)json_integer_value(json_object_get(line, "quantity")),
                str(line, "description"), *str(line, "sku") ? " (" : "", str(line, "sku"),
                *str(line, "sku") ? ")" : "", amount);
    }
    money(amount, sizeof(amount), json_integer_value(json_object_get(payload, "total")), currency);
    fprintf(t.f, "\nTotal: %s\n", amount);
    ship_to(t.f, json_object_get(payload, "ship_to"));
    json_int_t ff = json_integer_value(json_object_get(payload, "fulfillment_id"));
    json_int_t sale = json_integer_value(json_object_get(payload, "sale_id"));
    if (ff)
        fprintf(t.f, "\nOpen its fulfillment: %s/fulfillments/%lld\n", base ? base : "",
                (long long)ff);
    else if (sale)
        fprintf(t.f, "\nOpen the sale: %s/sales/%lld\n", base ? base : "", (long long)sale);
    fclose(t.f);
    if (!t.p)
        return sb_fail(SB_ENOMEM, NULL, NULL);

    /* the same id on every try: the order's sale and channel, at the sender's domain */
    char mid[400];
    snprintf(mid, sizeof(mid), "<order-%lld.channel-%lld@%s>", (long long)sale,
             (long long)channel_id, strrchr(fromv[0], '@') + 1);
    (void)ref;
    struct sb_mail m = {
        .from = fromv[0],
        .to = to,
        .n_to = n_to,
        .subject = subject,
        .message_id = mid,
        .date = (time_t)sb_time_now(),
        .body = t.p,
    };
    size_t len = 0;
    char *msg = sb_mail_compose(&m, &len);
    free(t.p);
    if (!msg)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    sb_err err = sb_smtp_send(url, fromv[0], to, n_to, msg, len);
    free(msg);
    return err;
}
