/*
 * E9 and E8 on a sale's record: POST /api/v1/sales/{id}/reopen changes an
 * exported sale's outlet, register or customer and adds a note; POST
 * /api/v1/sales/{id}/review clears its review flag. Both answer the sale as
 * GET shows it, its "history" with them. The rules and the writes are
 * store/sale-reopen.c's; this file reads the JSON.
 */
#include "http/api.h"
#include "http/server.h"
#include "store/sale-reopen.h"
#include "store/sales.h"
#include "store/store.h"

#define NOTE_MAX 2000

/* A note, when given, says something. */
static sb_err note_field(struct sb_jctx *c, const char **ret)
{
    sb_err err = sb_json_str_or_null(c, "note", NOTE_MAX, ret, NULL);
    if (!err && *ret && !(*ret)[0])
        err = sb_fail(SB_EINVALID_FIELD, "note", "note must not be empty");
    return err;
}

/* An id that may be null (none) or absent: *ret_set says whether it was given. */
static sb_err id_or_null(struct sb_jctx *c, const char *key, int64_t *ret, bool *ret_set)
{
    json_t *v = json_object_get(c->obj, key);
    *ret = 0;
    *ret_set = v != NULL;
    if (!v || json_is_null(v))
        return SB_OK;
    return sb_json_id(c, key, false, ret, NULL);
}

struct reopen_write {
    const struct sb_scope *scope;
    int64_t sale_id;
    const struct sb_sale_reopen *in;
    const char *note; /* the review's */
};

static sb_err reopen_fn(struct sb_db *db, void *ctx)
{
    struct reopen_write *w = ctx;
    return sb_store_sale_reopen(db, w->scope, w->sale_id, w->in);
}

static sb_err review_fn(struct sb_db *db, void *ctx)
{
    struct reopen_write *w = ctx;
    return sb_store_sale_mark_reviewed(db, w->scope, w->sale_id, w->scope->user_id, w->note);
}

static sb_err reply_sale(struct sb_req *r, int64_t id)
{
    json_t *doc;
    sb_err err = sb_store_sale_get(r->db, &r->scope, id, &doc);
    return err ? err : sb_reply(r, 200, doc);
}

sb_err sb_api_sales_reopen(struct sb_req *r)
{
    static const char *const fields[] = { "outlet_id", "register_id", "customer_id", "note", NULL };
    struct sb_sale_reopen in = { .user_id = r->scope.user_id };
    struct reopen_write w = { .scope = &r->scope, .in = &in };
    struct sb_jctx c;
    sb_err err = sb_req_id(r, 0, &w.sale_id);
    if (!err)
        err = sb_req_json(r, &c);
    if (!err)
        err = sb_json_only(&c, fields);
    /* the outlet cannot be none: null counts as not given, as elsewhere */
    if (!err)
        err = sb_json_id(&c, "outlet_id", false, &in.outlet_id, &in.outlet_set);
    if (!err && !in.outlet_id)
        in.outlet_set = false;
    if (!err)
        err = id_or_null(&c, "register_id", &in.register_id, &in.register_set);
    if (!err)
        err = id_or_null(&c, "customer_id", &in.customer_id, &in.customer_set);
    if (!err)
        err = note_field(&c, &in.note);
    if (!err)
        err = sb_store_write(sb_server_store(r->server), reopen_fn, &w);
    return err ? err : reply_sale(r, w.sale_id);
}

sb_err sb_api_sales_review(struct sb_req *r)
{
    static const char *const fields[] = { "note", NULL };
    struct reopen_write w = { .scope = &r->scope };
    sb_err err = sb_req_id(r, 0, &w.sale_id);
    /* the body is optional: an empty one clears the flag without a note */
    if (!err && r->body_len > 0) {
        struct sb_jctx c;
        err = sb_req_json(r, &c);
        if (!err)
            err = sb_json_only(&c, fields);
        if (!err)
            err = note_field(&c, &w.note);
    }
    if (!err)
        err = sb_store_write(sb_server_store(r->server), review_fn, &w);
    return err ? err : reply_sale(r, w.sale_id);
}
