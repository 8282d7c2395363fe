/*
 * The export-model webstore (SPEC E1-E9, SmartEtailing-style): the webstore
 * is the active side. The merchant connects it with the credentials of an
 * admin or manager, and from then on it calls us through the connection API
 * (/api/v1/connection, http/api-connection.c): it reads the catalogue and
 * exports its orders. So the kind makes no calls at all: no webhooks, no
 * polling, nothing pushed (SB_CH_INBOUND). Its channel's linked outlets are
 * the webstore's mapped stores, its channel locations the webstore's
 * locations, its employee and register the connection's (E3); its common
 * settings hold the import filters (I7) and POS pricing (PR1-PR3), and it
 * adds the catalogue's field requirements (I8).
 *
 * Its one credential is the webstore's own id for itself (its Site Manager's
 * site id): connecting again from the same webstore finds the same channel.
 */
#include "channel/channel.h"

#include <string.h>

static const struct sb_field credentials[] = {
    { .name = "webstore_id",
      .type = SB_FIELD_TEXT,
      .required = true,
      .max = 100,
      .label = "Webstore ID",
      .help = "The webstore's own id for itself (its Site Manager's site id), sent when it "
              "connects." },
    { 0 },
};

/* I8: the field requirements of the catalogue (core/catalogue-fields.c reads them by these
 * names; store/catalogue.c applies them), each on unless set to false. */
static const struct sb_field settings[] = {
    { .name = "require_cost_or_msrp",
      .type = SB_FIELD_BOOL,
      .dflt = "true",
      .label = "Require a default cost or MSRP",
      .help = "An item without a default cost or an MSRP is listed as incomplete, not sent "
              "(I8)." },
    { .name = "require_upc_or_ean",
      .type = SB_FIELD_BOOL,
      .dflt = "true",
      .label = "Require a UPC or EAN",
      .help = "An item without a UPC or an EAN is listed as incomplete, not sent (I8)." },
    { .name = "require_manufacturer_sku",
      .type = SB_FIELD_BOOL,
      .dflt = "true",
      .label = "Require a manufacturer SKU",
      .help = "An item without a manufacturer SKU is listed as incomplete, not sent (I8)." },
    { 0 },
};

/* No API of its own that we call. */
static const char *base_url(json_t *cred, struct sb_arena *a)
{
    (void)cred;
    (void)a;
    return NULL;
}

/* E2 is checked where an export is received: what reaches the engine is balanced and sent
 * on purpose, so it comes down. */
static enum sb_decision decide(const struct sb_channel *ch, const struct sb_order *o,
                               const char **ret_reason)
{
    (void)ch;
    (void)o;
    (void)ret_reason;
    return SB_DECIDE_DOWNLOAD;
}

/* E6: a payment's method travels with the order and is matched by name: the gateway is the
 * method's name, and the payment is taken (E2: only captured payments are exported). */
static const char *payment_type(const struct sb_channel *ch, const char *gateway,
                                bool *ret_integrated)
{
    (void)ch;
    *ret_integrated = true;
    return gateway && *gateway ? gateway : "Manual";
}

const struct sb_channel_ops sb_channel_export = {
    .kind = "export",
    .label = "Export-model webstore",
    .caps = SB_CH_INBOUND,
    .credentials = credentials,
    .settings = settings,
    .base_url = base_url,
    .decide = decide,
    .payment_type = payment_type,
};
