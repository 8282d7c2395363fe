/*
 * An order's statuses written to Ecwid (PUT /orders/{id}, which answers
 * {updateCount}), and its payment status read back first where a kind's rule
 * needs it (the native eCom store takes no updates on a cancelled order, L2).
 */
#include "channel/ecwid/ecwid.h"

#include <string.h>

sb_err sb_ec_order_put(const struct sb_channel *ch, const char *external_id, json_t *body,
                       const char *what)
{
    if (!sb_ec_order_id_ok(external_id))
        return sb_fail(SB_EINVALID_FIELD, "order_id", "not an Ecwid order id");
    struct sb_arena *a = sb_arena_new();
    if (!a)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    const char *path = sb_arena_printf(a, "/orders/%s", external_id);
    struct sb_ec_reply r;
    sb_err err =
        path ? sb_ec_call(ch, "PUT", path, NULL, body, a, &r) : sb_fail(SB_ENOMEM, NULL, NULL);
    if (!err && r.status != 200)
        err = sb_ec_status_err(&r, what);
    sb_arena_free(a);
    return err;
}

sb_err sb_ec_order_payment(const struct sb_channel *ch, const char *external_id, struct sb_arena *a,
                           const char **ret_status)
{
    json_t *order = NULL;
    sb_err err = sb_ec_order_json(ch, external_id, a, &order);
    if (err)
        return err;
    const char *st = json_string_value(json_object_get(order, "paymentStatus"));
    if (!st)
        return sb_fail(SB_EIO, NULL, "Ecwid's order %s has no paymentStatus", external_id);
    *ret_status = st;
    return SB_OK;
}

sb_err sb_ec_cancel(const struct sb_channel *ch, const char *external_id, bool will_not_deliver)
{
    json_t *body = json_pack("{s:s}", "paymentStatus", "CANCELLED");
    if (body && will_not_deliver &&
        json_object_set_new(body, "fulfillmentStatus", json_string("WILL_NOT_DELIVER"))) {
        json_decref(body);
        body = NULL;
    }
    if (!body)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    sb_err err = sb_ec_order_put(ch, external_id, body, "cancelling the order");
    json_decref(body);
    return err;
}
