/*
 * The web app's sign-in: POST /api/v1/session (user name and password ->
 * the session cookie, HttpOnly and SameSite=Strict, and the CSRF token the
 * app sends back as X-CSRF-Token on every change), GET (who is signed in),
 * DELETE (sign out). Failed sign-ins are counted per client address and per
 * (address, user name) (store/sessions.h); past the limits the next tries
 * from that address are refused (429 with Retry-After) without the password
 * being looked at.
 */
#include "http/api.h"
#include "store/sessions.h"
#include "store/users.h"
#include "util/jsonx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Behind a TLS-terminating proxy, STOCKBRIDGE_SECURE_COOKIES=on adds Secure. */
static const char *cookie_flags(void)
{
    const char *v = getenv("STOCKBRIDGE_SECURE_COOKIES");
    return v && strcmp(v, "on") == 0 ? "; HttpOnly; SameSite=Strict; Path=/; Secure"
                                     : "; HttpOnly; SameSite=Strict; Path=/";
}

static sb_err reply_session(struct sb_req *r, int status, const char *csrf)
{
    json_t *me;
    sb_err err = sb_api_me_json(r, &me);
    if (err)
        return err;
    return sb_reply(r, status,
                    json_pack("{s:o,s:s?}", "user", me, "csrf_token", csrf && *csrf ? csrf : NULL));
}

sb_err sb_api_session_create(struct sb_req *r)
{
    struct sb_jctx c;
    sb_err err = sb_req_json(r, &c);
    if (err)
        return err;
    static const char *const keys[] = { "username", "password", NULL };
    const char *username = NULL, *password = NULL;
    if ((err = sb_json_only(&c, keys)) ||
        (err = sb_json_str(&c, "username", true, 100, &username, NULL)) ||
        (err = sb_json_str(&c, "password", true, SB_PASSWORD_MAX, &password, NULL)))
        return err;
    int64_t user_id = 0, retry = 0;
    char token[SB_TOKEN_LEN], csrf[SB_TOKEN_LEN];
    const char *address = sb_req_client_address(r);
    if (!address)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    err = sb_store_session_sign_in(r->db, username, password, address, NULL, &user_id, token, csrf,
                                   &retry);
    if (err == SB_ETOO_MANY)
        r->retry_after = sb_arena_printf(r->arena, "%lld", (long long)retry);
    if (err)
        return err;
    r->set_cookie = sb_arena_printf(r->arena, "sb_session=%s%s; Max-Age=%d", token, cookie_flags(),
                                    SB_SESSION_SECONDS);
    r->scope.user_id = user_id;
    err = sb_store_user_role(r->db, user_id, &r->scope.role);
    if (err)
        return err;
    r->scope.all_outlets = r->scope.role == SB_ROLE_ADMIN;
    return reply_session(r, 200, csrf);
}

sb_err sb_api_session_get(struct sb_req *r)
{
    return reply_session(r, 200, r->session_token ? r->csrf : NULL);
}

sb_err sb_api_session_delete(struct sb_req *r)
{
    if (r->session_token) {
        sb_err err = sb_store_session_delete(r->db, r->session_token);
        if (err)
            return err;
    }
    r->set_cookie = sb_arena_printf(r->arena, "sb_session=%s; Max-Age=0", cookie_flags());
    return sb_reply(r, 204, NULL);
}
