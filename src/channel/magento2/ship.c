/*
 * Shipments with tracking (SPEC S3): a fulfillment marked shipped in the POS,
 * with the channel's auto-fulfillment on, becomes
 *   POST /V1/order/{id}/ship {"items": [] (everything left), "notify",
 *                             "tracks": [{"track_number", "title", "carrier_code"}]}
 * answered with the shipment's id as a bare integer. The carrier code is
 * Magento's for the carriers it knows by name (ups, usps, fedex, dhl), else
 * "custom" with the company as the title ("Tracking" when none is given).
 *
 * Idempotent: a second shipment is refused ("Shipment Document Validation
 * Error(s): ... The order does not allow a shipment to be created."), so a
 * refusal, or a success without an id, is checked by reading the order again:
 * nothing left to ship is done (a retry after a lost answer, or shipped on
 * Magento already); else a permanent SB_EINVALID_FIELD with Magento's words.
 */
#include "channel/magento2/magento2.h"

#include <ctype.h>
#include <math.h>
#include <string.h>

#define REFUSAL "Shipment Document Validation Error(s):"

/* The company's letters and digits, lower-cased, for matching carrier names. */
static void squash(const char *s, char *out, size_t cap)
{
    size_t n = 0;
    for (; s && *s && n + 1 < cap; s++)
        if (isalnum((unsigned char)*s))
            out[n++] = (char)tolower((unsigned char)*s);
    out[n] = '\0';
}

const char *sb_m2up_carrier(const char *company)
{
    char c[64];
    squash(company, c, sizeof(c));
    if (strcmp(c, "ups") == 0 || strcmp(c, "unitedparcelservice") == 0)
        return "ups";
    if (strcmp(c, "usps") == 0 || strcmp(c, "unitedstatespostalservice") == 0)
        return "usps";
    if (strncmp(c, "fedex", 5) == 0 || strcmp(c, "federalexpress") == 0)
        return "fedex";
    if (strncmp(c, "dhl", 3) == 0)
        return "dhl";
    return "custom";
}

/* A quantity in ten-thousandths (Magento keeps four decimals); 0 when absent. */
static int64_t qty(json_t *item, const char *key)
{
    json_t *v = json_object_get(item, key);
    double d = json_is_number(v) ? json_number_value(v) : 0;
    if (!isfinite(d) || d < -1e12 || d > 1e12)
        return 0;
    return (int64_t)llround(d * 10000);
}

static bool item_done(json_t *item)
{
    if (json_is_true(json_object_get(item, "is_virtual")) ||
        json_integer_value(json_object_get(item, "is_virtual")) == 1)
        return true; /* virtual and downloadable products are never shipped */
    int64_t left = qty(item, "qty_ordered") - qty(item, "qty_refunded") -
                   qty(item, "qty_canceled") - qty(item, "qty_shipped");
    return left <= 0;
}

bool sb_m2up_shipped(json_t *order)
{
    const char *state = json_string_value(json_object_get(order, "state"));
    if (state && (strcmp(state, "complete") == 0 || strcmp(state, "closed") == 0))
        return true;
    json_t *items = json_object_get(order, "items"), *it, *child;
    if (json_array_size(items) == 0)
        return false;
    size_t i, k;
    json_array_foreach(items, i, it)
    {
        if (json_object_get(it, "parent_item_id") &&
            !json_is_null(json_object_get(it, "parent_item_id")))
            continue; /* judged with its parent */
        if (item_done(it))
            continue;
        /* a parent shipped through its children (a bundle shipped separately) */
        json_t *id = json_object_get(it, "item_id");
        bool children = false, all = true;
        json_array_foreach(items, k, child)
        {
            json_t *p = json_object_get(child, "parent_item_id");
            if (json_is_integer(id) && json_is_integer(p) &&
                json_integer_value(p) == json_integer_value(id)) {
                children = true;
                all = all && item_done(child);
            }
        }
        if (!children || !all)
            return false;
    }
    return true;
}

static json_t *ship_body(const struct sb_fulfillment_push *f)
{
    json_t *tracks = json_array();
    if (tracks && f->tracking_number && *f->tracking_number) {
        const char *company =
            f->tracking_company && *f->tracking_company ? f->tracking_company : "Tracking";
        json_array_append_new(tracks, json_pack("{s:s, s:s, s:s}", "track_number",
                                                f->tracking_number, "title", company,
                                                "carrier_code", sb_m2up_carrier(company)));
    }
    return tracks ? json_pack("{s:[], s:b, s:o}", "items", "notify", f->notify_customer, "tracks",
                              tracks)
                  : NULL;
}

static sb_err push(const struct sb_channel *ch, const struct sb_fulfillment_push *f,
                   struct sb_arena *a)
{
    const char *id = f->order_external_id;
    const char *path = sb_m2up_order_path(a, "order/", id, "/ship");
    if (!path)
        return sb_fail(SB_EINVALID_FIELD, "order_external_id",
                       "\"%.40s\" is not a Magento order id (its entity_id, decimal digits)",
                       id ? id : "");
    json_t *body = ship_body(f);
    if (!body)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    struct sb_m2_reply r = { 0 };
    sb_err err = sb_m2_call(ch, "POST", path, NULL, body, a, &r);
    json_decref(body);
    if (err)
        return err;
    sb_m2up_keep(a, r.body);
    bool ok = r.status >= 200 && r.status <= 299;
    if (ok && json_is_integer(r.body))
        return SB_OK;
    bool refused =
        r.status == 400 && r.message && strncmp(r.message, REFUSAL, strlen(REFUSAL)) == 0;
    if (!ok && !refused)
        return sb_m2_status_err(&r, sb_arena_printf(a, "shipping order #%s", id));
    json_t *now = NULL;
    if ((err = sb_m2up_order(ch, id, a, &now)))
        return err;
    if (sb_m2up_shipped(now))
        return SB_OK;
    const char *label = sb_m2up_order_label(now, id, a);
    if (ok)
        return sb_fail(SB_EIO, NULL,
                       "Magento answered the shipment of order %s without a shipment id, and "
                       "the order is not shipped",
                       label);
    return sb_fail(SB_EINVALID_FIELD, NULL, "Magento refused to ship order %s: %.200s", label,
                   r.message);
}

sb_err sb_m2_push_fulfillment(const struct sb_channel *ch, const struct sb_fulfillment_push *f)
{
    struct sb_arena *a = sb_arena_new();
    if (!a)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    sb_err err = push(ch, f, a);
    sb_arena_free(a);
    return err;
}
