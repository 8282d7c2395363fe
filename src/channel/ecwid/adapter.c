/*
 * The Ecwid kind's row in the table of kinds (SPEC W1-W6): Ecwid's wire
 * (channel/ecwid/ecwid.h) under Ecwid's rules. Only PAID orders come down
 * (W1), as completed sales whose fulfillment stays on Ecwid (W2, the row's
 * channel_fulfills), taken at the outlet of the channel's register (W4,
 * register_outlet). W3's two settings are the common ones: "publish Ecwid
 * sales to the POS" is download_orders, "update Ecwid with POS stock
 * changes" is stock_sync, both on by default. No status travels either way.
 */
#include "channel/ecwid/ecwid.h"

#include <string.h>
#include <strings.h>

const struct sb_field sb_ec_credentials[] = {
    { .name = "store_id",
      .type = SB_FIELD_TEXT,
      .required = true,
      .label = "Store ID",
      .help = "The store's number (Ecwid admin > Settings > General, or the app's installation)." },
    { .name = "api_token",
      .type = SB_FIELD_TEXT,
      .required = true,
      .secret = true,
      .label = "API token",
      .help = "The app's secret token for this store (secret_...): the bearer of every request." },
    { .name = "client_secret",
      .type = SB_FIELD_TEXT,
      .required = true,
      .secret = true,
      .label = "Client secret",
      .help = "The app's client secret: the key Ecwid signs its webhooks with (not the API "
              "token)." },
    { .name = "base_url",
      .type = SB_FIELD_URL,
      .label = "API base URL",
      .help = "Where Ecwid's REST API v3 lives, without the store id (default "
              "https://app.ecwid.com/api/v3)." },
    { .name = "currency",
      .type = SB_FIELD_TEXT,
      .label = "Store currency",
      .help = "ISO 4217 code of the store's prices; empty: read from the store's profile." },
    { 0 },
};

/* W1: PAID comes down; awaiting payment and every other payment status waits, saying which
 * (O10). */
static enum sb_decision decide(const struct sb_channel *ch, const struct sb_order *o,
                               const char **ret_reason)
{
    (void)ch;
    const char *p = o->payment_status ? o->payment_status : "";
    if (o->financial == SB_FIN_PAID)
        return SB_DECIDE_DOWNLOAD;
    if (o->financial == SB_FIN_PENDING && strncmp(p, "CUSTOM_PAYMENT_STATUS_", 22) == 0)
        *ret_reason = "a custom payment status, not PAID (W1: only PAID orders come down)";
    else if (o->financial == SB_FIN_PENDING && strcmp(p, "INCOMPLETE") == 0)
        *ret_reason = "checkout not completed (W1: only PAID orders come down)";
    else if (o->financial == SB_FIN_PENDING)
        *ret_reason = "awaiting payment (W1: only PAID orders come down)";
    else
        *ret_reason = "payment status is not PAID (W1: only PAID orders come down)";
    return SB_DECIDE_WAIT;
}

/* S1: voided in the POS, the order's payment is cancelled on Ecwid (which puts its stock
 * back on the store; the next push sets it right, I1). */
static sb_err push_cancel(const struct sb_channel *ch, const char *order_external_id,
                          const char *reason)
{
    (void)reason;
    return sb_ec_cancel(ch, order_external_id, false);
}

const struct sb_channel_ops sb_channel_ecwid = {
    .kind = "ecwid",
    .label = "Ecwid",
    .caps = SB_CH_WEBHOOKS | SB_CH_POLL | SB_CH_FETCH | SB_CH_CANCEL | SB_CH_STOCK | SB_CH_PRICES |
            SB_CH_CONNECT,
    SB_EC_WIRE_OPS,
    .channel_fulfills = true,
    .register_outlet = true,
    .decide = decide,
    .push_cancel = push_cancel,
};
