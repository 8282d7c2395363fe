/*
 * The re-read behind every call the adapter makes up to Magento (invoice,
 * ship, cancel): Magento's order routes are not idempotent (a second invoice
 * request is refused, a second shipment refused, a cancel answers false), and
 * an answer can be lost after Magento acted. So when a call is refused, or its
 * answer says nothing, the order is read again (GET /V1/orders/{id}) and what
 * Magento holds now decides: done already is success, exactly once.
 *
 * Also the small pieces those files share: the order route's path (the id is
 * the entity id, decimal digits only, so nothing from an order can steer the
 * path), a reply kept alive by the arena, an order's label for messages, and
 * whether an error's parameters name a value (Magento's refusals name the SKU
 * they refuse that way, not its position in the request).
 */
#include "channel/magento2/magento2.h"

#include <string.h>

#define MAX_ID_DIGITS 19 /* entity ids are unsigned ints; anything longer is not one */

static bool entity_id(const char *id)
{
    size_t n = id ? strlen(id) : 0;
    if (n == 0 || n > MAX_ID_DIGITS)
        return false;
    for (size_t i = 0; i < n; i++)
        if (id[i] < '0' || id[i] > '9')
            return false;
    return true;
}

const char *sb_m2up_order_path(struct sb_arena *a, const char *before, const char *id,
                               const char *after)
{
    if (!entity_id(id))
        return NULL;
    return sb_arena_printf(a, "/V1/%s%s%s", before, id, after ? after : "");
}

static void decref(void *p)
{
    json_decref(p);
}

json_t *sb_m2up_keep(struct sb_arena *a, json_t *body)
{
    if (body && !sb_arena_defer(a, decref, body)) {
        json_decref(body); /* could not register: freed now, and the caller sees NULL */
        return NULL;
    }
    return body;
}

const char *sb_m2up_order_label(json_t *order, const char *id, struct sb_arena *a)
{
    const char *inc = json_string_value(json_object_get(order, "increment_id"));
    if (inc && *inc)
        return sb_m2_cut(a, inc, 64);
    return sb_arena_printf(a, "#%.32s", id ? id : "?");
}

sb_err sb_m2up_order(const struct sb_channel *ch, const char *id, struct sb_arena *a, json_t **ret)
{
    const char *path = sb_m2up_order_path(a, "orders/", id, NULL);
    if (!path)
        return sb_fail(SB_EINVALID_FIELD, "order_external_id",
                       "\"%.40s\" is not a Magento order id (its entity_id, decimal digits)",
                       id ? id : "");
    struct sb_m2_reply r = { 0 };
    sb_err err = sb_m2_call(ch, "GET", path, NULL, NULL, a, &r);
    if (err)
        return err;
    sb_m2up_keep(a, r.body);
    if (r.status < 200 || r.status > 299)
        return sb_m2_status_err(&r, sb_arena_printf(a, "reading order #%s", id));
    if (!json_is_object(r.body))
        return sb_fail(SB_EIO, NULL, "Magento's answer for order %s is not an order", id);
    *ret = r.body;
    return SB_OK;
}

bool sb_m2up_names(json_t *parameters, const char *value)
{
    json_t *v;
    if (json_is_object(parameters)) {
        const char *key;
        json_object_foreach(parameters, key, v)
        {
            if (json_is_string(v) && strcmp(json_string_value(v), value) == 0)
                return true;
        }
    } else if (json_is_array(parameters)) {
        size_t i;
        json_array_foreach(parameters, i, v)
        {
            if (json_is_string(v) && strcmp(json_string_value(v), value) == 0)
                return true;
        }
    }
    return false;
}
