/*
 * Auto-invoice (SPEC M3): an order downloaded under the download mode
 * "auto_invoice" is invoiced on Magento by the engine, through
 * POST /V1/order/{id}/invoice {"capture", "notify": false} (no items: the
 * whole order), which answers the new invoice's id as a bare integer.
 *
 * The engine calls after_download for every order that came down, through the
 * outbox (queued in the import's own transaction, so a crash between the
 * download and the invoice is covered by the outbox sending it again), and
 * sends it again after a lost answer. So the call decides on the order as
 * Magento holds it now, read first:
 *   - invoiced already (total_invoiced > 0): done, by us before the answer was
 *     lost or by someone else; never a second invoice;
 *   - created under "wait_for_invoice" (M5: the mode in force when the order
 *     was created, not now): nothing to do;
 *   - otherwise invoiced. Magento's refusal ("Invoice Document Validation
 *     Error(s): The order does not allow an invoice to be created.") is
 *     checked by reading the order again: invoiced meanwhile is done; else a
 *     permanent SB_EINVALID_FIELD with Magento's words, which the outbox parks
 *     in sight. 5xx and transport failures are SB_EIO, retried with backoff.
 * capture is true only when the payment is authorized and not yet paid, by a
 * method that captures online (an offline method is invoiced as paid offline).
 */
#include "channel/magento2/magento2.h"

#include <string.h>

#define REFUSAL "Invoice Document Validation Error(s):"

static bool positive(json_t *v)
{
    return json_is_number(v) && json_number_value(v) > 0;
}

bool sb_m2up_invoiced(json_t *order)
{
    return positive(json_object_get(order, "total_invoiced"));
}

bool sb_m2up_capture(json_t *order)
{
    json_t *pay = json_object_get(order, "payment");
    const char *method = json_string_value(json_object_get(pay, "method"));
    if (!positive(json_object_get(pay, "amount_authorized")) ||
        positive(json_object_get(pay, "amount_paid")))
        return false;
    bool integrated = false;
    if (method)
        (void)sb_m2_payment_type_name(method, &integrated); /* offline methods are not */
    return integrated;
}

/* The download mode the order was created under (M5). */
static bool auto_invoice(const struct sb_channel *ch, json_t *order, const char *id,
                         struct sb_arena *a, sb_err *ret_err)
{
    int64_t created = 0;
    if (!sb_m2_time_parse(json_string_value(json_object_get(order, "created_at")), &created)) {
        *ret_err = sb_fail(SB_EIO, NULL,
                           "Magento sent order %s without a readable created_at: its download "
                           "mode cannot be judged",
                           sb_m2up_order_label(order, id, a));
        return false;
    }
    const char *mode = json_string_value(sb_channel_setting_at(ch, "download_mode", created));
    *ret_err = SB_OK;
    return mode && strcmp(mode, "auto_invoice") == 0;
}

static sb_err after_download(const struct sb_channel *ch, const char *id, struct sb_arena *a)
{
    json_t *order = NULL;
    sb_err err = sb_m2up_order(ch, id, a, &order);
    if (err)
        return err;
    if (sb_m2up_invoiced(order))
        return SB_OK; /* exactly once */
    if (!auto_invoice(ch, order, id, a, &err))
        return err; /* SB_OK: created under wait_for_invoice, nothing to do */
    json_t *body = json_pack("{s:b, s:b}", "capture", sb_m2up_capture(order), "notify", 0);
    if (!body)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    struct sb_m2_reply r = { 0 };
    err =
        sb_m2_call(ch, "POST", sb_m2up_order_path(a, "order/", id, "/invoice"), NULL, body, a, &r);
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
        return sb_m2_status_err(
            &r, sb_arena_printf(a, "invoicing order %s", sb_m2up_order_label(order, id, a)));
    /* refused, or a 2xx without the invoice id: what Magento holds now decides */
    json_t *now = NULL;
    if ((err = sb_m2up_order(ch, id, a, &now)))
        return err;
    if (sb_m2up_invoiced(now))
        return SB_OK;
    const char *label = sb_m2up_order_label(now, id, a);
    if (ok)
        return sb_fail(SB_EIO, NULL,
                       "Magento answered the invoice of order %s without an invoice id, and "
                       "the order is not invoiced",
                       label);
    return sb_fail(SB_EINVALID_FIELD, NULL, "Magento refused to invoice order %s: %.200s", label,
                   r.message);
}

/* M3, M5: only an order created under auto-invoice and not invoiced when it came down is
 * worth the call (which re-reads it anyway: invoiced since is done). */
bool sb_m2_wants_after_download(const struct sb_channel *ch, const struct sb_order *o)
{
    const char *mode = json_string_value(sb_channel_setting_at(ch, "download_mode", o->created_at));
    return mode && strcmp(mode, "auto_invoice") == 0 && o->total_invoiced <= 0;
}

sb_err sb_m2_after_download(const struct sb_channel *ch, const struct sb_after_download *d)
{
    struct sb_arena *a = sb_arena_new();
    if (!a)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    sb_err err = after_download(ch, d->order_external_id, a);
    sb_arena_free(a);
    return err;
}
