/*
 * /api/v1/users: who may sign in, with which role and outlets (admin only).
 * Users get API tokens from the CLI (`stockbridge token`). An admin may not
 * demote or deactivate themself, nor the last active admin, so a store
 * never locks itself out by accident.
 */
#include "http/api.h"
#include "store/users.h"

#include <stdio.h>

static const char *const fields[] = { "username",    "name",   "email",      "role",
                                      "employee_id", "active", "outlet_ids", NULL };

static sb_err parse_outlets(struct sb_jctx *c, struct sb_user *u)
{
    json_t *arr = NULL;
    sb_err err = sb_json_array(c, "outlet_ids", false, SB_USER_MAX_OUTLETS, &arr);
    if (err || !arr)
        return err;
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        if (!json_is_integer(v) || json_integer_value(v) <= 0) {
            char field[64];
            snprintf(field, sizeof(field), "outlet_ids[%zu]", i);
            return sb_fail(SB_EINVALID_FIELD, field, "%s must be an outlet id", field);
        }
        u->outlet_ids[i] = json_integer_value(v);
    }
    u->n_outlets = json_array_size(arr);
    u->outlets_set = true;
    return SB_OK;
}

static sb_err parse(struct sb_req *r, struct sb_user *u, bool create)
{
    struct sb_jctx c;
    sb_err err = sb_req_json(r, &c);
    if (!err)
        err = sb_json_only(&c, fields);
    if (!err)
        err = sb_json_str(&c, "username", create, 64, &u->username.v, &u->username.set);
    if (!err)
        err = sb_json_str_or_null(&c, "name", 200, &u->name.v, &u->name.set);
    if (!err)
        err = sb_json_str_or_null(&c, "email", 254, &u->email.v, &u->email.set);
    if (!err)
        err = sb_json_str(&c, "role", create, 16, &u->role.v, &u->role.set);
    if (!err) {
        /* null clears the link; absent leaves it */
        u->employee_set = json_object_get(c.obj, "employee_id") != NULL;
        err = sb_json_id(&c, "employee_id", false, &u->employee_id, NULL);
    }
    if (!err)
        err = sb_json_bool(&c, "active", false, &u->active, &u->active_set);
    if (!err)
        err = parse_outlets(&c, u);
    if (!err)
        err = sb_user_validate(u, create);
    return err;
}

static sb_err reply_one(struct sb_req *r, int status, int64_t id)
{
    json_t *doc;
    sb_err err = sb_store_user_get(r->db, id, &doc);
    return err ? err : sb_reply(r, status, doc);
}

sb_err sb_api_users_list(struct sb_req *r)
{
    struct sb_page page;
    json_t *rows;
    sb_err err = sb_req_page(r, &page);
    if (!err)
        err = sb_store_user_list_full(r->db, page.after, page.limit, &rows);
    return err ? err : sb_reply(r, 200, sb_page_json(rows, &page));
}

sb_err sb_api_users_create(struct sb_req *r)
{
    /* struct sb_user holds the outlet list inline: keep it off the handler's stack */
    struct sb_user *u = sb_arena_alloc(r->arena, sizeof(*u));
    int64_t id;
    if (!u)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    sb_err err = parse(r, u, true);
    if (!err)
        err = sb_store_user_create(r->db, u, &id);
    return err ? err : reply_one(r, 201, id);
}

sb_err sb_api_users_get(struct sb_req *r)
{
    int64_t id;
    sb_err err = sb_req_id(r, 0, &id);
    return err ? err : reply_one(r, 200, id);
}

sb_err sb_api_users_update(struct sb_req *r)
{
    struct sb_user *u = sb_arena_alloc(r->arena, sizeof(*u));
    int64_t id;
    if (!u)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    sb_err err = sb_req_id(r, 0, &id);
    if (!err)
        err = parse(r, u, false);
    if (!err)
        err = sb_store_user_update_guarded(r->db, r->scope.user_id, id, u);
    return err ? err : reply_one(r, 200, id);
}
