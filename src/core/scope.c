/*
 * Role names.
 */
#include "core/scope.h"

#include <string.h>

static const char *const names[] = { "none", "staff", "manager", "admin" };

const char *sb_role_name(enum sb_role role)
{
    return (unsigned)role <= SB_ROLE_ADMIN ? names[role] : "none";
}

enum sb_role sb_role_parse(const char *s)
{
    for (int r = SB_ROLE_STAFF; s && r <= SB_ROLE_ADMIN; r++)
        if (strcmp(s, names[r]) == 0)
            return (enum sb_role)r;
    return SB_ROLE_NONE;
}
