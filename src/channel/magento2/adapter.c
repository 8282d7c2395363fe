/*
 * The Magento 2 kind's row in the table of kinds: what it can do, its
 * credentials and settings as data (the engine checks, defaults and serves
 * them), its status table, its per-channel state, and payment types (P1,
 * P3). The operations themselves live in the files magento2.h lists.
 */
#include "channel/magento2/magento2.h"

#include "core/channel-settings.h"

#include <string.h>
#include <strings.h>

/* ---------------------------------------------------------------- the kind as data */

const struct sb_field sb_m2_credentials[] = {
    { .name = "base_url",
      .type = SB_FIELD_URL,
      .required = true,
      .label = "Store URL",
      .help = "The Magento store's base URL (https://shop.example.com), without /rest: "
              "requests go to <this>/rest/V1/..." },
    { .name = "access_token",
      .type = SB_FIELD_TEXT,
      .required = true,
      .secret = true,
      .label = "Access token",
      .help = "The integration's access token (System > Integrations > the integration > "
              "Integration Details)." },
    { .name = "consumer_key",
      .type = SB_FIELD_TEXT,
      .secret = true,
      .label = "Consumer key",
      .help = "With the consumer secret and the access token secret: every request is signed "
              "(OAuth 1.0a). Without them the access token is sent as a bearer, which Magento "
              "2.4.4+ accepts only when integration tokens may be used as bearers." },
    { .name = "consumer_secret",
      .type = SB_FIELD_TEXT,
      .secret = true,
      .label = "Consumer secret",
      .help = "The integration's consumer secret (OAuth 1.0a signing)." },
    { .name = "access_token_secret",
      .type = SB_FIELD_TEXT,
      .secret = true,
      .label = "Access token secret",
      .help = "The integration's access token secret (OAuth 1.0a signing)." },
    { 0 },
};

static const char *const download_modes[] = { "auto_invoice", "wait_for_invoice", NULL };
static const char *const import_as[] = { "sale", "order", "invoice", NULL };

const struct sb_field sb_m2_settings[] = {
    { .name = "download_mode",
      .type = SB_FIELD_CHOICE,
      .dflt = "\"wait_for_invoice\"",
      .choices = download_modes,
      .label = "Download mode",
      .help = "auto_invoice: orders pending, pending payment or processing whose payment is "
              "authorized or captured come down, then stockbridge invoices them on Magento; "
              "wait_for_invoice: orders come down once invoiced on Magento. An order is judged "
              "by the mode in force when it was created." },
    { .name = "download_credit_memos",
      .type = SB_FIELD_BOOL,
      .dflt = "true",
      .label = "Download credit memos",
      .help = "Refunded credit memos become returns on the sale." },
    { .name = "return_to_stock",
      .type = SB_FIELD_BOOL,
      .dflt = "false",
      .label = "Return credit memo items to stock",
      .help = "As Magento's \"automatically return credit memo item to stock\": the returns "
              "made from credit memos put their items back in stock." },
    { .name = SB_CHANNEL_IMPORT_AS,
      .type = SB_FIELD_CHOICE,
      .dflt = "\"sale\"",
      .choices = import_as,
      .label = "Download orders as",
      .help = "A sale, a customer order (which may reserve its stock and record a deposit), "
              "or an invoice." },
    { .name = SB_CHANNEL_RESERVE_STOCK,
      .type = SB_FIELD_BOOL,
      .dflt = "true",
      .label = "Reserve order inventory",
      .help = "Orders downloaded as customer orders reserve their lines' stock, deducted from "
              "what every channel is sent." },
    { .name = SB_CHANNEL_ORDER_DEPOSITS,
      .type = SB_FIELD_BOOL,
      .dflt = "false",
      .label = "Create order deposits",
      .help = "Orders downloaded as customer orders record the amount paid as a deposit." },
    { 0 },
};

/* IN only: nothing travels out by status (cancellations and shipments have their calls). */
static const struct sb_status_map statuses[] = {
    { "pending", SB_POS_PENDING, SB_STATUS_IN, SB_WHEN_ANY },
    { "processing", SB_POS_PAID, SB_STATUS_IN, SB_WHEN_ANY },
    { "complete", SB_POS_SHIPPED, SB_STATUS_IN, SB_WHEN_ANY },
    { "canceled", SB_POS_CANCELLED, SB_STATUS_IN, SB_WHEN_ANY },
    { 0 },
};

/* ---------------------------------------------------------------- state */

sb_err sb_m2_open(const struct sb_channel *ch, void *state)
{
    struct sb_m2_state *s = state;
    (void)ch;
    if (pthread_mutex_init(&s->lock, NULL) != 0)
        return sb_fail(SB_ENOMEM, NULL, "the Magento 2 adapter could not set up its state");
    return SB_OK;
}

void sb_m2_close(void *state)
{
    struct sb_m2_state *s = state;
    json_decref(s->connection);
    pthread_mutex_destroy(&s->lock);
}

int sb_m2_page_size(const struct sb_channel *ch)
{
    struct sb_m2_state *s = ch->state;
    int n = 0;
    if (s) {
        pthread_mutex_lock(&s->lock);
        n = s->page_size;
        pthread_mutex_unlock(&s->lock);
    }
    return n > 0 ? n : SB_M2_PAGE_SIZE;
}

void sb_m2_page_size_learn(const struct sb_channel *ch, int size)
{
    struct sb_m2_state *s = ch->state;
    if (!s)
        return;
    pthread_mutex_lock(&s->lock);
    s->page_size = size;
    pthread_mutex_unlock(&s->lock);
}

/* ---------------------------------------------------------------- payments (P1, P3) */

const char *sb_m2_payment_type_name(const char *method, bool *ret_integrated)
{
    /* Magento's offline methods: the money arrives outside Magento (P3) */
    static const char *const offline[] = {
        "checkmo", "banktransfer", "cashondelivery", "purchaseorder", "free", "companycredit", NULL
    };
    /* processors named by their own name (P1) */
    static const struct {
        const char *prefix, *name;
    } named[] = {
        { "stripe", "Stripe" },  { "braintree", "Braintree" },        { "paypal", "PayPal" },
        { "payflow", "PayPal" }, { "authorizenet", "Authorize.Net" }, { "adyen", "Adyen" },
        { "klarna", "Klarna" },  { "amazon", "Amazon Pay" },
    };
    bool integrated = true;
    const char *name = "Magento";
    for (size_t i = 0; method && offline[i]; i++)
        if (strcmp(method, offline[i]) == 0)
            integrated = false;
    for (size_t i = 0; method && integrated && i < sizeof(named) / sizeof(named[0]); i++)
        if (strncasecmp(method, named[i].prefix, strlen(named[i].prefix)) == 0)
            name = named[i].name;
    if (ret_integrated)
        *ret_integrated = integrated;
    return name;
}

static const char *m2_payment_type(const struct sb_channel *ch, const char *gateway,
                                   bool *ret_integrated)
{
    (void)ch;
    return sb_m2_payment_type_name(gateway, ret_integrated);
}

/* ---------------------------------------------------------------- the row */

/* M9: the statuses of an order Magento has not shipped, cancelled or closed, for which MSI
 * still holds a reservation of its lines (Magento_InventorySales: placed, compensated when
 * the order ships, is cancelled or refunded). What such orders already downloaded hold is
 * added back to the source quantities pushed, so Magento's salable quantity (source less
 * reservations) is the POS's available stock and no order is counted twice. A custom status
 * is not in the list: it reads as not holding (documented in docs/channels/magento2.md). */
static const char *const held_statuses[] = {
    "pending", "pending_payment", "processing", "holded", "payment_review", "fraud", NULL,
};

const struct sb_channel_ops sb_channel_magento2 = {
    .kind = "magento2",
    .label = "Magento 2",
    .caps = SB_CH_POLL | SB_CH_FETCH | SB_CH_LOCATIONS | SB_CH_FULFILL | SB_CH_CANCEL |
            SB_CH_STOCK | SB_CH_PRICES | SB_CH_AFTER_DOWNLOAD | SB_CH_STATUS_IN | SB_CH_RESERVE |
            SB_CH_CONNECT,
    .credentials = sb_m2_credentials,
    .settings = sb_m2_settings,
    .statuses = statuses,
    .push_batch = SB_M2_PUSH_BATCH,
    .held_statuses = held_statuses,
    .base_url = sb_m2_base_url,
    .state_size = sizeof(struct sb_m2_state),
    .open = sb_m2_open,
    .close = sb_m2_close,
    .poll_orders = sb_m2_poll_orders,
    .fetch_order = sb_m2_fetch_order,
    .decide = sb_m2_decide,
    .payment_type = m2_payment_type,
    .after_download = sb_m2_after_download,
    .wants_after_download = sb_m2_wants_after_download,
    .push_fulfillment = sb_m2_push_fulfillment,
    .push_cancel = sb_m2_push_cancel,
    .find_items = sb_m2_find_items,
    .push_stock = sb_m2_push_stock,
    .read_stock = sb_m2_read_stock,
    .push_prices = sb_m2_push_prices,
    .connect = sb_m2_connect,
    .connection = sb_m2_connection,
};
