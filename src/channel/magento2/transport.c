/*
 * The Magento 2 transport: one admin REST call under <base_url>/rest. How it
 * authenticates follows the credentials: with all four OAuth 1.0a values
 * (consumer_key, consumer_secret, access_token, access_token_secret) every
 * request is signed (oauth.c), since Magento 2.4.4 refuses an integration
 * token as a bearer unless the store allows it; with the access token alone it
 * is sent as a bearer. Every HTTP status comes back to the caller, who judges
 * it (a cancel's 200 false, an invoice's 400 refusal); sb_m2_status_err turns a
 * refusal into the sb_err the engine acts on. Magento's error bodies
 * ({message, parameters}) have their placeholders filled here, once.
 */
#include "channel/magento2/magento2.h"

#include "util/http-client.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

const char *sb_m2_cred(const struct sb_channel *ch, const char *key)
{
    json_t *v = json_object_get(ch->credentials, key);
    const char *s = json_string_value(v);
    return s && *s && strlen(s) == json_string_length(v) ? s : NULL;
}

const char *sb_m2_base_url(json_t *credentials, struct sb_arena *a)
{
    json_t *v = json_object_get(credentials, "base_url");
    const char *s = json_string_value(v);
    if (!s || strlen(s) != json_string_length(v) || strlen(s) > 2048 ||
        (strncasecmp(s, "http://", 7) != 0 && strncasecmp(s, "https://", 8) != 0))
        return NULL;
    size_t n = strlen(s);
    while (n && s[n - 1] == '/')
        n--;
    return sb_arena_strndup(a, s, n);
}

enum sb_m2_auth sb_m2_auth_mode(const struct sb_channel *ch)
{
    if (!sb_m2_cred(ch, "access_token"))
        return SB_M2_AUTH_NONE;
    if (sb_m2_cred(ch, "consumer_key") && sb_m2_cred(ch, "consumer_secret") &&
        sb_m2_cred(ch, "access_token_secret"))
        return SB_M2_AUTH_OAUTH;
    return SB_M2_AUTH_BEARER;
}

const char *sb_m2_auth_name(enum sb_m2_auth m)
{
    return m == SB_M2_AUTH_OAUTH ? "oauth" : m == SB_M2_AUTH_BEARER ? "bearer" : "none";
}

/* ---------------------------------------------------------------- error messages */

/* s cut to at most max bytes without splitting a UTF-8 character (s is UTF-8: jansson
 * checks what it loads), into buf (cap > max). */
static const char *utf8_cut(const char *s, size_t max, char *buf, size_t cap)
{
    size_t n = strlen(s);
    if (n > max)
        n = max;
    if (n >= cap)
        n = cap - 1;
    if (n < strlen(s)) { /* cut: back off to a character's start */
        size_t k = n;
        while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
            k--;
        n = k;
    }
    memcpy(buf, s, n);
    buf[n] = '\0';
    return buf;
}

/* One parameter's text: strings as they are, numbers printed; NULL for anything else. */
static const char *param_text(json_t *v, char *buf, size_t cap)
{
    if (json_is_string(v))
        return json_string_value(v);
    if (json_is_integer(v)) {
        snprintf(buf, cap, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        return buf;
    }
    if (json_is_real(v)) {
        snprintf(buf, cap, "%.15g", json_real_value(v));
        return buf;
    }
    return NULL;
}

/*
 * Magento renders a phrase with strtr(): "%name" for an object's keys, "%1".."%n" for an
 * array's items (1-based), the longest placeholder winning where two start alike ("%10"
 * before "%1"). The same here, bounded.
 */
const char *sb_m2_fill_message(json_t *message, json_t *parameters, struct sb_arena *a)
{
    const char *m = json_string_value(message);
    if (!m)
        return NULL;
    char out[SB_M2_MSG_MAX];
    size_t n = 0;
    for (const char *p = m; *p && n + 1 < sizeof(out);) {
        json_t *best = NULL;
        size_t best_len = 0;
        char buf[64], num[24];
        if (*p == '%' && json_is_object(parameters)) {
            const char *key;
            json_t *v;
            json_object_foreach(parameters, key, v)
            {
                size_t kl = strlen(key);
                if (kl > best_len && strncmp(p + 1, key, kl) == 0 &&
                    param_text(v, buf, sizeof(buf))) {
                    best_len = kl;
                    best = v;
                }
            }
        } else if (*p == '%' && json_is_array(parameters)) {
            for (size_t i = 0; i < json_array_size(parameters) && i < 99; i++) {
                int kl = snprintf(num, sizeof(num), "%zu", i + 1);
                json_t *v = json_array_get(parameters, i);
                if ((size_t)kl > best_len && strncmp(p + 1, num, (size_t)kl) == 0 &&
                    param_text(v, buf, sizeof(buf))) {
                    best_len = (size_t)kl;
                    best = v;
                }
            }
        }
        const char *best_val = best ? param_text(best, buf, sizeof(buf)) : NULL;
        if (best_val) {
            size_t vl = strlen(best_val);
            if (vl > sizeof(out) - 1 - n)
                vl = sizeof(out) - 1 - n;
            memcpy(out + n, best_val, vl); /* a cut character is trimmed at the end */
            n += vl;
            p += 1 + best_len;
        } else {
            out[n++] = *p++;
        }
    }
    out[n] = '\0';
    /* a character the cap cut in two goes whole */
    size_t k = n;
    while (k > 0 && ((unsigned char)out[k - 1] & 0xC0) == 0x80)
        k--;
    if (k > 0) {
        unsigned char lead = (unsigned char)out[k - 1];
        size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
        if (n - (k - 1) < need)
            out[k - 1] = '\0';
    }
    /* at most 200 bytes, whole characters: callers print it with %.200s */
    char cut[201];
    return sb_arena_strdup(a, utf8_cut(out, 200, cut, sizeof(cut)));
}

const char *sb_m2_cut(struct sb_arena *a, const char *s, size_t max)
{
    char buf[256];
    if (!s)
        return NULL;
    if (max >= sizeof(buf))
        max = sizeof(buf) - 1;
    return sb_arena_strdup(a, utf8_cut(s, max, buf, sizeof(buf)));
}

/* ---------------------------------------------------------------- the call */

static void nonce_text(char *buf, size_t cap)
{
    unsigned char r[16];
    randombytes_buf(r, sizeof(r));
    sodium_bin2hex(buf, cap, r, sizeof(r));
}

sb_err sb_m2_call(const struct sb_channel *ch, const char *method, const char *path,
                  const char *query, json_t *body, struct sb_arena *a, struct sb_m2_reply *ret)
{
    enum sb_m2_auth auth = sb_m2_auth_mode(ch);
    if (auth == SB_M2_AUTH_NONE)
        return sb_fail(SB_EMISSING_FIELD, "credentials.access_token",
                       "the channel's credentials have no access_token");
    const char *base = ch->base_url && *ch->base_url ? ch->base_url : NULL;
    if (!base)
        base = sb_m2_base_url(ch->credentials, a);
    if (!base)
        return sb_fail(SB_EMISSING_FIELD, "credentials.base_url",
                       "the channel's credentials have no base_url (http:// or https://)");
    char *url = sb_arena_printf(a, "%s/rest%s", base, path);
    char *full = url && query && *query ? sb_arena_printf(a, "%s?%s", url, query) : url;
    if (!full)
        return sb_fail(SB_ENOMEM, NULL, NULL);

    const char *authz;
    if (auth == SB_M2_AUTH_OAUTH) {
        char nonce[33], ts[24];
        nonce_text(nonce, sizeof(nonce));
        snprintf(ts, sizeof(ts), "%lld", (long long)time(NULL));
        const struct sb_m2_oauth o = {
            .consumer_key = sb_m2_cred(ch, "consumer_key"),
            .consumer_secret = sb_m2_cred(ch, "consumer_secret"),
            .token = sb_m2_cred(ch, "access_token"),
            .token_secret = sb_m2_cred(ch, "access_token_secret"),
            .signature_method = "HMAC-SHA256",
            .nonce = nonce,
            .timestamp = ts,
            .version = "1.0",
        };
        authz = sb_m2_oauth_header(a, method, url, query, &o);
    } else {
        authz = sb_arena_printf(a, "Bearer %s", sb_m2_cred(ch, "access_token"));
    }
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    if (!authz || (body && (!text || !sb_arena_defer(a, free, text)))) {
        if (text && !authz)
            free(text);
        return sb_fail(SB_ENOMEM, NULL, NULL);
    }
    const struct sb_http_header headers[] = { { "Authorization", authz } };
    struct sb_http_request hreq = {
        .method = method,
        .url = full,
        .headers = headers,
        .n_headers = 1,
        .body = text,
        .body_len = text ? strlen(text) : 0,
        .max_response = SB_M2_MAX_BODY,
    };
    struct sb_http_response resp;
    sb_err err = sb_http_post_json(&hreq, &resp);
    if (err)
        return err == SB_ETOO_LARGE
                   ? err
                   : sb_fail(SB_EIO, NULL, "Magento could not be reached (%s %s)", method, path);
    json_t *parsed = resp.len ? json_loadb(resp.body, resp.len, JSON_DECODE_ANY, NULL) : NULL;
    struct sb_m2_reply r = { .status = resp.status, .body = parsed, .auth = auth };
    sb_http_response_free(&resp);
    if (json_is_object(parsed) && (r.status < 200 || r.status > 299))
        r.message = sb_m2_fill_message(json_object_get(parsed, "message"),
                                       json_object_get(parsed, "parameters"), a);
    *ret = r;
    return SB_OK;
}

sb_err sb_m2_status_err(const struct sb_m2_reply *r, const char *what)
{
    /* sb_fail keeps 255 bytes: Magento's words cut (at a character) so the advice fits */
    char buf[192];
    const char *m = utf8_cut(r->message ? r->message : "no message", r->status == 401 ? 90 : 150,
                             buf, sizeof(buf));
    switch (r->status) {
    case 401: /* what to change first, Magento's words last */
        if (r->auth == SB_M2_AUTH_OAUTH)
            return sb_fail(SB_EUNAUTHORIZED, "credentials",
                           "Magento refused the OAuth signature (%s): check the consumer key "
                           "and secret, the access token and its secret, and that the "
                           "integration is active. Magento: %s",
                           what, m);
        return sb_fail(SB_EUNAUTHORIZED, "credentials",
                       "Magento refused the token as a bearer (%s): give the four OAuth "
                       "credentials, or let Magento take integration tokens as bearers. "
                       "Magento: %s",
                       what, m);
    case 403:
        return sb_fail(SB_EFORBIDDEN, "credentials",
                       "Magento refused %s (HTTP 403: %s): grant the integration the "
                       "resource",
                       what, m);
    case 404:
        return sb_fail(SB_ENOT_FOUND, NULL, "Magento found nothing while %s (HTTP 404: %s)", what,
                       m);
    case 400:
    case 422:
        return sb_fail(SB_EINVALID_FIELD, NULL, "Magento refused %s (HTTP %ld): %s", what,
                       r->status, m);
    default:
        return sb_fail(SB_EIO, NULL, "Magento answered HTTP %ld while %s: %s", r->status, what, m);
    }
}
