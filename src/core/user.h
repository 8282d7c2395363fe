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

#endif
