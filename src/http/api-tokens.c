/*
 * /api/v1/tokens: API tokens, for admins (SEC3). A token is made for a user,
 * optionally with an expiry; its secret is in the answer to the POST and
 * nowhere else (only its hash is kept). Tokens are listed with their state
 * and revoked with POST .../revoke: a revoked token fails at once. The CLI
 * has the same (`stockbridge token`).
 */
#include "http/api.h"
#include "store/tokens.h"
#include "util/timeutil.h"

/* An expiry at most ten years ahead: a "forever" token says so with no expiry. */
#define MAX_LIFETIME ((int64_t)10 * 366 * 24 * 3600)

static const char *const fields[] = { "user_id", "name", "expires_in", "expires_at", NULL };

sb_err sb_api_tokens_list(struct sb_req *r)
{
    struct sb_page page;
    int64_t user_id = 0;
    json_t *rows;
    sb_err err = sb_req_page(r, &page);
    if (!err)
        err = sb_req_query_id(r, "user_id", &user_id, NULL);
    if (!err)
        err = sb_store_token_list(r->db, user_id, page.after, page.limit, &rows);
    return err ? err : sb_reply(r, 200, sb_page_json(rows, &page));
}

sb_err sb_api_tokens_create(struct sb_req *r)
{
    struct sb_jctx c;
    int64_t user_id = 0, in = 0, id = 0, now = sb_time_now(), expires = 0;
    const char *name = NULL, *at = NULL;
    bool have_in = false, have_at = false;
    sb_err err = sb_req_json(r, &c);
    if (!err)
        err = sb_json_only(&c, fields);
    if (!err)
        err = sb_json_id(&c, "user_id", true, &user_id, NULL);
    if (!err)
        err = sb_json_str(&c, "name", false, SB_TOKEN_NAME_MAX, &name, NULL);
    if (!err)
        err = sb_json_int(&c, "expires_in", false, 60, MAX_LIFETIME, &in, &have_in);
    if (!err)
        err = sb_json_str(&c, "expires_at", false, 64, &at, &have_at);
    if (!err && have_in && have_at)
        err = sb_fail(SB_EINVALID_FIELD, "expires_at", "give expires_in or expires_at, not both");
    if (!err && have_in)
        expires = now + in;
    if (!err && have_at) {
        if (!sb_time_parse(at, &expires))
            err = sb_fail(SB_EINVALID_FIELD, "expires_at", "expires_at must be an ISO 8601 time");
        else if (expires <= now || expires > now + MAX_LIFETIME)
            err = sb_fail(SB_EINVALID_FIELD, "expires_at",
                          "expires_at must be in the future, at most ten years ahead");
    }
    char token[SB_TOKEN_LEN];
    if (!err)
        err = sb_store_token_issue(r->db, user_id, name, expires, token, &id);
    json_t *doc = NULL;
    if (!err)
        err = sb_store_token_get(r->db, id, &doc);
    if (err)
        return err;
    json_object_set_new(doc, "token", json_string(token));
    return sb_reply(r, 201, doc);
}

sb_err sb_api_tokens_get(struct sb_req *r)
{
    int64_t id;
    json_t *doc;
    sb_err err = sb_req_id(r, 0, &id);
    if (!err)
        err = sb_store_token_get(r->db, id, &doc);
    return err ? err : sb_reply(r, 200, doc);
}

sb_err sb_api_tokens_revoke(struct sb_req *r)
{
    int64_t id;
    json_t *doc;
    sb_err err = sb_req_id(r, 0, &id);
    if (!err)
        err = sb_store_token_revoke(r->db, id);
    if (!err)
        err = sb_store_token_get(r->db, id, &doc);
    return err ? err : sb_reply(r, 200, doc);
}
