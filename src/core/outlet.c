/*
 * Outlet rules: a name, an ISO 4217 currency that never changes once
 * sales exist (enforced by the store, which refuses the update), and an IANA
 * time zone of the tz database, which sets the outlet's business day (SPEC T1).
 */
#include "core/outlet.h"
#include "core/currency.h"
#include "util/zone.h"

sb_err sb_outlet_validate(const struct sb_outlet *o, bool create)
{
    if (create && !o->name.set)
        return sb_fail(SB_EMISSING_FIELD, "name", "name is required");
    if (create && !o->currency.set)
        return sb_fail(SB_EMISSING_FIELD, "currency", "currency is required");
    if (o->name.set && (!o->name.v || !o->name.v[0]))
        return sb_fail(SB_EINVALID_FIELD, "name", "name must not be empty");
    if (o->currency.set && sb_currency_exponent(o->currency.v) < 0)
        return sb_fail(SB_EINVALID_FIELD, "currency",
                       "currency must be an ISO 4217 code such as USD");
    if (o->timezone.set && !sb_zone_valid(o->timezone.v))
        return sb_fail(SB_EINVALID_FIELD, "timezone",
                       "timezone must be a time zone of the tz database, such as "
                       "America/New_York or UTC");
    return SB_OK;
}
