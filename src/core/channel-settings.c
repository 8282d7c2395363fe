/*
 * The common channel settings as data (channel-settings.h): one row per
 * setting gives its description and its place in the typed struct, so the
 * defaults, the checks, what the API says and the web app's form all come
 * from the same row.
 */
#include "core/channel-settings.h"

#include <stdlib.h>
#include <string.h>

#define TEXT_OF_(x) #x
#define TEXT_OF(x)  TEXT_OF_(x)

#define BOOL(name, dflt, label, help)                                           \
    {                                                                           \
#name, SB_FIELD_BOOL, false, false, dflt, 0, 0, NULL, NULL, label, help \
    }
#define REF(name, refers, label, help)                                             \
    {                                                                              \
#name, SB_FIELD_REF, false, false, "null", 0, 0, NULL, refers, label, help \
    }
#define INT(name, dflt, min, max, label, help)                                     \
    {                                                                              \
#name, SB_FIELD_INT, false, false, dflt, min, max, NULL, NULL, label, help \
    }
#define TEXT(name, max, label, help)                                                \
    {                                                                               \
#name, SB_FIELD_TEXT, false, false, "null", 0, max, NULL, NULL, label, help \
    }
#define TIME(name, label, help)                                                   \
    {                                                                             \
#name, SB_FIELD_TIME, false, false, "null", 0, 0, NULL, NULL, label, help \
    }

/* One X per setting: the description and the member, in the order records show them. */
#define SETTINGS(X)                                                                                \
    X(download_orders, BOOL(download_orders, "true", "Download web orders",                        \
                            "Orders placed on the webstore come down as sales."))                  \
    X(notifications, BOOL(notifications, "true", "Notify staff of new orders",                     \
                          "Each new web order raises a notification for its outlets."))            \
    X(auto_fulfillment, BOOL(auto_fulfillment, "true", "Fulfil on the webstore when shipped here", \
                             "A shipment marked shipped here fulfils the order on the webstore.")) \
    X(take_fulfillments,                                                                           \
      BOOL(take_fulfillments, "false", "Mark shipped here when fulfilled on the webstore",         \
           "A fulfillment made on the webstore marks the order shipped here."))                    \
    X(stock_sync, BOOL(stock_sync, "true", "Send stock levels",                                    \
                       "Stock levels go to the webstore as they change."))                         \
    X(use_pos_pricing, BOOL(use_pos_pricing, "false", "Send prices from the POS",                  \
                            "The webstore's prices follow the price levels below."))               \
    X(regular_price_level_id, REF(regular_price_level_id, "price-levels", "Regular price level",   \
                                  "Required when prices are sent."))                               \
    X(sale_price_level_id, REF(sale_price_level_id, "price-levels", "Sale price level",            \
                               "Shown as the sale price while the sale is on."))                   \
    X(poll_interval_seconds,                                                                       \
      INT(poll_interval_seconds, TEXT_OF(SB_POLL_INTERVAL_DEFAULT), SB_POLL_INTERVAL_MIN,          \
          SB_POLL_INTERVAL_MAX, "Poll for missed orders every (seconds)",                          \
          "How often the webstore is asked for orders its webhooks may have missed."))             \
    X(publish_on_hand, BOOL(publish_on_hand, "true", "Publish items with stock on hand",           \
                            "Items with stock on hand are published."))                            \
    X(publish_on_order,                                                                            \
      BOOL(publish_on_order, "false", "Publish items on order", "Items on order are published."))  \
    X(publish_reorder, BOOL(publish_reorder, "false", "Publish items with a reorder point",        \
                            "Items with a reorder point or maximum level are published."))         \
    X(sale_starts_at,                                                                              \
      TIME(sale_starts_at, "Sale starts (UTC)", "The sale price shows from this time."))           \
    X(sale_ends_at,                                                                                \
      TIME(sale_ends_at, "Sale ends (UTC)", "And until this time (none: until it is cleared)."))   \
    X(email_new_orders, BOOL(email_new_orders, "false", "Email staff about new orders",            \
                             "Each new web order is also emailed to the addresses below."))        \
    X(email_recipients, TEXT(email_recipients, SB_EMAIL_RECIPIENTS_MAX, "Email new orders to",     \
                             "Email addresses, separated by commas."))

#define FIELD(member, desc)  desc,
#define OFFSET(member, desc) offsetof(struct sb_channel_settings, member),

const struct sb_field sb_channel_common_settings[] = { SETTINGS(FIELD){ 0 } };
static const size_t offsets[] = { SETTINGS(OFFSET) };

size_t sb_channel_setting_offset(size_t i)
{
    return i < sizeof(offsets) / sizeof(offsets[0]) ? offsets[i] : 0;
}

void sb_channel_settings_defaults(struct sb_channel_settings *s)
{
    memset(s, 0, sizeof(*s));
    for (size_t i = 0; sb_channel_common_settings[i].name; i++) {
        const struct sb_field *f = &sb_channel_common_settings[i];
        char *p = (char *)s + offsets[i];
        if (f->type == SB_FIELD_BOOL)
            *(bool *)p = f->dflt && strcmp(f->dflt, "true") == 0;
        else if (f->type == SB_FIELD_TEXT)
            *p = '\0'; /* TEXT defaults to none */
        else if (f->dflt && strcmp(f->dflt, "null") != 0)
            *(int64_t *)p = strtoll(f->dflt, NULL, 10); /* REF and TIME default to none */
    }
}

sb_err sb_channel_settings_check(const struct sb_channel_settings *s)
{
    if (s->use_pos_pricing && !s->regular_price_level_id)
        return sb_fail(SB_EMISSING_FIELD, "settings.regular_price_level_id",
                       "a regular price level is required when use_pos_pricing is on");
    if (s->poll_interval_seconds < SB_POLL_INTERVAL_MIN ||
        s->poll_interval_seconds > SB_POLL_INTERVAL_MAX)
        return sb_fail(SB_EINVALID_FIELD, "settings.poll_interval_seconds",
                       "settings.poll_interval_seconds must be between %d and %d",
                       SB_POLL_INTERVAL_MIN, SB_POLL_INTERVAL_MAX);
    if (s->sale_ends_at && (!s->sale_starts_at || s->sale_ends_at <= s->sale_starts_at))
        return sb_fail(SB_EINVALID_FIELD, "settings.sale_ends_at",
                       "settings.sale_ends_at must come after settings.sale_starts_at");
    char buf[SB_EMAIL_RECIPIENTS_MAX + 1];
    const char *to[SB_EMAIL_RECIPIENTS_N];
    size_t n = 0;
    sb_err err =
        sb_email_list_split(s->email_recipients, buf, sizeof(buf), to, SB_EMAIL_RECIPIENTS_N, &n);
    if (err)
        return err;
    if (s->email_new_orders && n == 0)
        return sb_fail(SB_EMISSING_FIELD, "settings.email_recipients",
                       "settings.email_recipients needs an address when email_new_orders is on");
    return SB_OK;
}

/* An addr-spec we are willing to put in an envelope and a To: header. */
static bool address_ok(const char *a)
{
    const char *at = strrchr(a, '@');
    size_t len = strlen(a);
    if (!at || at == a || !at[1] || len > 254 || (size_t)(at - a) > 64)
        return false;
    for (const char *c = a; *c; c++) {
        unsigned char u = (unsigned char)*c;
        if (u <= ' ' || u >= 0x7f || strchr("\"(),:;<>[]\\", u) || (u == '@' && c != at))
            return false;
    }
    for (const char *c = at + 1; *c; c++) /* a host name: letters, digits, dots, hyphens */
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
              *c == '.' || *c == '-'))
            return false;
    return at[1] != '.' && a[len - 1] != '.';
}

sb_err sb_email_list_split(const char *list, char *buf, size_t buf_cap, const char **out,
                           size_t cap, size_t *ret_n)
{
    size_t n = 0, len = strlen(list);
    if (len + 1 > buf_cap)
        return sb_fail(SB_EINVALID_FIELD, "settings.email_recipients",
                       "settings.email_recipients is too long");
    memcpy(buf, list, len + 1);
    for (char *p = buf; *p;) {
        char *end = p + strcspn(p, ",");
        bool last = *end == '\0';
        *end = '\0';
        while (*p == ' ')
            p++;
        for (char *q = end; q > p && q[-1] == ' ';)
            *--q = '\0';
        if (*p) {
            if (!address_ok(p))
                return sb_fail(SB_EINVALID_FIELD, "settings.email_recipients",
                               "settings.email_recipients: not an email address: %.80s", p);
            if (n == cap)
                return sb_fail(SB_EINVALID_FIELD, "settings.email_recipients",
                               "settings.email_recipients: at most %zu addresses", cap);
            out[n++] = p;
        }
        if (last)
            break;
        p = end + 1;
    }
    *ret_n = n;
    return SB_OK;
}
