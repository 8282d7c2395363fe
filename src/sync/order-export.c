/*
 * An exported order, judged and applied (SPEC E2-E6). The judgement is the
 * export's own: an order already made is answered with its sale and not
 * touched (O2, E5); an unbalanced one is refused with the amount due, in the
 * log and in the order's record (E2, O10). What passes is applied by the
 * engine's own path, sb_sync_apply_order, on the channel seen with the one
 * outlet the order goes to: its mapped location's, or its register's.
 */
#include "sync/order-export.h"
#include "store/channel-log.h"
#include "store/channel-orders.h"
#include "store/order-lookup.h"
#include "sync/order-apply.h"
#include "util/timeutil.h"

#include <stdio.h>
#include <string.h>

sb_err sb_sync_export_outlet(struct sb_db *db, const struct sb_channel_rt *rt,
                             const char *location_id, const char *field, int64_t *ret)
{
    if (location_id) {
        for (size_t i = 0; i < rt->rec.n_locations; i++) {
            if (strcmp(rt->rec.locations[i].location_id, location_id) == 0) {
                *ret = rt->rec.locations[i].outlet_id;
                return SB_OK;
            }
        }
        return sb_fail(SB_EUNKNOWN_REFERENCE, field, "location %s is not mapped by this connection",
                       location_id);
    }
    return sb_store_register_outlet(db, rt->rec.register_id, ret);
}

static sb_err refuse_unbalanced(struct sb_db *db, const struct sb_channel_rt *rt,
                                const struct sb_export_order *e, struct sb_export_result *ret)
{
    const struct sb_order *o = &e->order;
    int64_t due = o->total_price - e->paid;
    char why[200], now[SB_TIME_LEN];
    snprintf(why, sizeof(why),
             "unbalanced: total %lld, paid %lld, amount due %lld %s (E2: only balanced orders "
             "are accepted)",
             (long long)o->total_price, (long long)e->paid, (long long)due, o->currency);
    sb_time_format(sb_time_now(), now, sizeof(now));
    char version[SB_TIME_LEN];
    sb_time_format(o->updated_at, version, sizeof(version));
    struct sb_channel_order_rec r = { .channel_id = rt->ch.id,
                                      .external_id = o->external_id,
                                      .number = o->number,
                                      .state = "waiting",
                                      .reason = why,
                                      .version = version,
                                      .financial_status = "partially_paid",
                                      .fulfillment_status = "unfulfilled",
                                      .total = o->total_price,
                                      .currency = o->currency,
                                      .channel_status = o->channel_status,
                                      .now = now };
    sb_err err = sb_store_channel_order_record(db, &r);
    if (!err)
        err =
            sb_store_channel_log(db, rt->ch.id, "warn", "order.refused", o->external_id, "%s", why);
    if (err)
        return err;
    *ret = (struct sb_export_result){ .outcome = SB_EXPORT_REFUSED,
                                      .refusal = SB_EUNBALANCED,
                                      .amount_due = due,
                                      .field = "payments" };
    snprintf(ret->message, sizeof(ret->message), "%s", why);
    return SB_OK;
}

sb_err sb_sync_export_order(struct sb_db *db, const struct sb_channel_rt *rt,
                            const struct sb_export_order *e, int64_t outlet,
                            struct sb_export_result *ret)
{
    const struct sb_order *o = &e->order;
    struct sb_channel_order_state was;
    sb_err err = sb_store_channel_order_get(db, rt->ch.id, o->external_id, &was);
    if (err && err != SB_ENOT_FOUND)
        return err;
    if (!err && was.sale_id) { /* O2, E5: made once; a later export changes nothing */
        *ret = (struct sb_export_result){ .outcome = SB_EXPORT_EXISTING, .sale_id = was.sale_id };
        return SB_OK;
    }
    sb_err_clear();
    if (e->paid != o->total_price)
        return refuse_unbalanced(db, rt, e, ret);
    /* the channel as this order sees it: the one outlet it goes to */
    struct sb_channel_rt one = *rt;
    one.rec.outlet_ids = &outlet;
    one.rec.n_outlets = 1;
    one.rec.default_outlet_id = outlet;
    enum sb_apply_outcome outcome;
    err = sb_sync_apply_order(db, &one, o, &outcome);
    if (!err)
        err = sb_store_channel_order_get(db, rt->ch.id, o->external_id, &was);
    if (err)
        return err;
    if (outcome != SB_APPLY_IMPORTED || !was.sale_id)
        return sb_fail(SB_ECONFLICT, NULL, "order %s was not made a sale: %s", o->external_id,
                       was.reason[0] ? was.reason : "not downloaded");
    *ret = (struct sb_export_result){ .outcome = SB_EXPORT_CREATED, .sale_id = was.sale_id };
    return SB_OK;
}
