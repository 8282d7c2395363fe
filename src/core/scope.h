/*
 * Who is acting, and which outlets they may see. Admins see every outlet;
 * managers and staff see the outlets listed for them. Every list and read
 * of outlet-bound records is filtered through a scope (see SB_SQL_SCOPE).
 */
#ifndef SB_SCOPE_H
#define SB_SCOPE_H

#include <stdbool.h>
#include <stdint.h>

enum sb_role {
    SB_ROLE_NONE = 0,
    SB_ROLE_STAFF = 1,
    SB_ROLE_MANAGER = 2,
    SB_ROLE_ADMIN = 3
};

struct sb_scope {
    int64_t user_id;
    enum sb_role role;
    bool all_outlets;
    /* E1: the export channel whose connection token this is (0: a user's token or session):
     * such a caller opens only the connection API, never a user's routes */
    int64_t channel_id;
};

const char *sb_role_name(enum sb_role role);
enum sb_role sb_role_parse(const char *s); /* SB_ROLE_NONE when unknown */

#endif
