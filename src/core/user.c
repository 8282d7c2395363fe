/*
 * User rules: a username of printable characters without spaces, a known
 * role, and no outlet listed twice; the guard that keeps a store from
 * losing its last admin; and the rules for employees.
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

bool sb_user_update_drops_admin(const struct sb_user *u, bool target_is_active_admin)
{
    if (!target_is_active_admin)
        return false;
    bool demoted = u->role.set && sb_role_parse(u->role.v) != SB_ROLE_ADMIN;
    bool deactivated = u->active_set && !u->active;
    return demoted || deactivated;
}

sb_err sb_user_check_admin_change(const struct sb_user *u, bool self, bool target_is_active_admin,
                                  int64_t other_active_admins)
{
    if (!sb_user_update_drops_admin(u, target_is_active_admin))
        return SB_OK;
    const char *field =
        u->role.set && sb_role_parse(u->role.v) != SB_ROLE_ADMIN ? "role" : "active";
    if (self)
        return sb_fail(SB_ECONFLICT, field,
                       "you may not demote or deactivate yourself; ask another admin");
    if (other_active_admins <= 0)
        return sb_fail(SB_ECONFLICT, field, "this is the last active admin");
    return SB_OK;
}

sb_err sb_employee_validate(const struct sb_employee *e, bool create)
{
    if (create && !e->name.set)
        return sb_fail(SB_EMISSING_FIELD, "name", "name is required");
    if (e->name.set && (!e->name.v || !e->name.v[0]))
        return sb_fail(SB_EINVALID_FIELD, "name", "name must not be empty");
    /* An empty code would be a second "no code" that the unique key counts as a value. */
    if (e->code.set && e->code.v && !e->code.v[0])
        return sb_fail(SB_EINVALID_FIELD, "code", "code must not be empty (use null for none)");
    return SB_OK;
}
