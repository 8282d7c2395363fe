/*
 * User rules: a username of printable characters without spaces, a known
 * role, and no outlet listed twice.
 */
#include "core/user.h"
#include "core/scope.h"

#include <string.h>

sb_err sb_user_validate(const struct sb_user *u, bool create)
{
    if (create && !u->username.set)
        return sb_fail(SB_EMISSING_FIELD, "username", "username is required");
    if (create && !u->role.set)
        return sb_fail(SB_EMISSING_FIELD, "role", "role is required");
    if (u->username.set) {
        const char *s = u->username.v;
        if (!s || !*s)
            return sb_fail(SB_EINVALID_FIELD, "username", "username must not be empty");
        for (; *s; s++)
            if ((unsigned char)*s <= ' ' || *s == 0x7f)
                return sb_fail(SB_EINVALID_FIELD, "username",
                               "username may not contain spaces or control characters");
    }
    if (u->role.set && sb_role_parse(u->role.v) == SB_ROLE_NONE)
        return sb_fail(SB_EINVALID_FIELD, "role", "role must be admin, manager or staff");
    for (size_t i = 0; i < u->n_outlets; i++)
        for (size_t j = i + 1; j < u->n_outlets; j++)
            if (u->outlet_ids[i] == u->outlet_ids[j])
                return sb_fail(SB_EINVALID_FIELD, "outlet_ids", "outlet %lld is listed twice",
                               (long long)u->outlet_ids[i]);
    return SB_OK;
}
