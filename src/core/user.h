/*
 * Users sign in to stockbridge (API tokens now, passwords for the web app
 * later). A role (admin, manager, staff) says what they may do; the outlets
 * listed for them say where (admins have every outlet).
 */
#ifndef SB_USER_H
#define SB_USER_H

#include "core/outlet.h"

#include <stddef.h>

#define SB_USER_MAX_OUTLETS 256

struct sb_user {
    struct sb_opt_str username, name, email, role;
    int64_t employee_id; /* 0: none */
    bool employee_set;
    bool active, active_set;
    int64_t outlet_ids[SB_USER_MAX_OUTLETS];
    size_t n_outlets;
    bool outlets_set;
};

sb_err sb_user_validate(const struct sb_user *u, bool create);

/* Whether an update takes away an admin: the target is an active admin and the update
 * makes it another role or inactive. */
bool sb_user_update_drops_admin(const struct sb_user *u, bool target_is_active_admin);
/* A store never loses its last admin by accident: an admin may not demote or deactivate
 * themself (self), nor anyone the last active admin. SB_ECONFLICT when refused. */
sb_err sb_user_check_admin_change(const struct sb_user *u, bool self, bool target_is_active_admin,
                                  int64_t other_active_admins);

/* Employees are the people on the shop floor (sales record who served); a user may be
 * linked to one. The code (a badge or PIN label) is unique when given. */
struct sb_employee {
    struct sb_opt_str name, email, code;
    bool active, active_set;
};

sb_err sb_employee_validate(const struct sb_employee *e, bool create);

#endif
