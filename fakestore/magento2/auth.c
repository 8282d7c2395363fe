/*
 * Who may call the simulated Magento's admin REST API: the integration's
 * access token as a bearer (only while the store allows integration tokens
 * as bearers, Magento 2.4.4's oauth/consumer/enable_integration_as_bearer),
 * or a request signed OAuth 1.0a with the integration's four credentials.
 * The signature is checked as RFC 5849 says: the base string is the method,
 * the base URI (http://host[:port]/path) and the sorted, percent-encoded
 * query and oauth_* parameters (a JSON body is not part of it), keyed with
 * consumer_secret&token_secret, HMAC-SHA256 or HMAC-SHA1. Timestamps older
 * or newer than 600 s and a nonce used before are refused, as Magento does.
 */
#include "magento2.h"

#include "util/hash.h"

#include <ctype.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define MAX_PARAMS     128
#define TIMESTAMP_SKEW 600
#define NONCE_MAX      (1u << 20) /* remembered nonces; the oldest go first once full */

struct param {
    char *k, *v; /* percent-encoded (RFC 3986) */
};

static void enc_append(char *out, size_t cap, size_t *o, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
            if (*o + 1 < cap)
                out[(*o)++] = (char)c;
        } else if (*o + 3 < cap) {
            out[(*o)++] = '%';
            out[(*o)++] = hex[c >> 4];
            out[(*o)++] = hex[c & 15];
        }
    }
    out[*o < cap ? *o : cap - 1] = '\0';
}

static char *enc(const char *s)
{
    size_t cap = strlen(s) * 3 + 1, o = 0;
    char *out = malloc(cap);
    if (out)
        enc_append(out, cap, &o, s);
    return out;
}

static int cmp_param(const void *a, const void *b)
{
    const struct param *x = a, *y = b;
    int c = strcmp(x->k, y->k);
    return c ? c : strcmp(x->v, y->v);
}

static int hexv(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = tolower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static void pct_decode(char *s)
{
    char *o = s;
    for (; *s; s++) {
        if (*s == '%' && hexv(s[1]) >= 0 && hexv(s[2]) >= 0) {
            *o++ = (char)(hexv(s[1]) * 16 + hexv(s[2]));
            s += 2;
        } else
            *o++ = *s;
    }
    *o = '\0';
}

/* The OAuth header's parameters, decoded: k="v", separated by commas. */
static size_t parse_header(char *h, char **keys, char **vals, size_t max)
{
    size_t n = 0;
    char *p = h;
    while (*p && n < max) {
        while (*p == ' ' || *p == ',' || *p == '\t')
            p++;
        char *k = p;
        while (*p && *p != '=' && *p != ',')
            p++;
        if (*p != '=')
            break;
        *p++ = '\0';
        char *v;
        if (*p == '"') {
            v = ++p;
            while (*p && *p != '"')
                p++;
            if (*p != '"')
                break;
            *p++ = '\0';
        } else {
            v = p;
            while (*p && *p != ',')
                p++;
            if (*p)
                *p++ = '\0';
        }
        pct_decode(k);
        pct_decode(v);
        keys[n] = k;
        vals[n] = v;
        n++;
    }
    return n;
}

static const char *hget(char **keys, char **vals, size_t n, const char *k)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(keys[i], k) == 0)
            return vals[i];
    return NULL;
}

/* Remembers the nonce; false when it was seen before. */
static bool nonce_fresh(struct m2_shop *s, const char *nonce, const char *ts, int64_t now)
{
    uint64_t h = sb_fnv1a_add(sb_fnv1a_add(sb_fnv1a(nonce), "|"), ts) | 1;
    if (s->n_nonces * 2 >= s->nonce_cap) {
        if (s->nonce_cap >= NONCE_MAX) {
            /* full: forget the nonces whose timestamps can no longer pass */
            size_t kept = 0;
            for (size_t i = 0; i < s->nonce_cap; i++)
                if (s->nonces[i].hash && now - s->nonces[i].at <= TIMESTAMP_SKEW)
                    kept++;
            if (kept * 2 >= s->nonce_cap)
                return false; /* a flood of fresh nonces: refuse rather than forget */
        }
        size_t cap = s->nonce_cap ? s->nonce_cap * (s->nonce_cap < NONCE_MAX ? 2 : 1) : 1024;
        struct m2_nonce *t = calloc(cap, sizeof(*t));
        if (!t)
            return false;
        size_t n = 0;
        for (size_t i = 0; i < s->nonce_cap; i++) {
            struct m2_nonce *e = &s->nonces[i];
            if (!e->hash || now - e->at > TIMESTAMP_SKEW)
                continue;
            size_t j = e->hash & (cap - 1);
            while (t[j].hash)
                j = (j + 1) & (cap - 1);
            t[j] = *e;
            n++;
        }
        free(s->nonces);
        s->nonces = t;
        s->nonce_cap = cap;
        s->n_nonces = n;
    }
    size_t j = h & (s->nonce_cap - 1);
    for (; s->nonces[j].hash; j = (j + 1) & (s->nonce_cap - 1))
        if (s->nonces[j].hash == h)
            return false;
    s->nonces[j] = (struct m2_nonce){ h, now };
    s->n_nonces++;
    return true;
}

static bool check_oauth(struct m2_shop *s, const struct fs_m2_request *req, const char *header,
                        const char **why)
{
    if (!s->consumer_key || !s->consumer_secret || !s->token_secret) {
        *why = "OAuth is not set up on this store";
        return false;
    }
    char *h = strdup(header);
    struct fs_args args = { 0 };
    struct param *ps = calloc(MAX_PARAMS, sizeof(*ps));
    char *keys[MAX_PARAMS], *vals[MAX_PARAMS];
    char *base = NULL;
    size_t np = 0;
    bool ok = false;
    *why = "out of memory";
    if (!h || !ps || !m2_args_parse(req->query, &args))
        goto out;
    size_t nh = parse_header(h, keys, vals, MAX_PARAMS);
    const char *ck = hget(keys, vals, nh, "oauth_consumer_key");
    const char *tok = hget(keys, vals, nh, "oauth_token");
    const char *sm = hget(keys, vals, nh, "oauth_signature_method");
    const char *sig = hget(keys, vals, nh, "oauth_signature");
    const char *ts = hget(keys, vals, nh, "oauth_timestamp");
    const char *nonce = hget(keys, vals, nh, "oauth_nonce");
    const char *ver = hget(keys, vals, nh, "oauth_version");
    if (!ck || !tok || !sm || !sig || !ts || !nonce) {
        *why = "an oauth_ parameter is missing";
        goto out;
    }
    if (ver && strcmp(ver, "1.0") != 0) {
        *why = "oauth_version is not 1.0";
        goto out;
    }
    const EVP_MD *md = strcmp(sm, "HMAC-SHA256") == 0 ? EVP_sha256()
                       : strcmp(sm, "HMAC-SHA1") == 0 ? EVP_sha1()
                                                      : NULL;
    if (!md) {
        *why = "oauth_signature_method is not HMAC-SHA256 or HMAC-SHA1";
        goto out;
    }
    if (strcmp(ck, s->consumer_key) != 0 || strcmp(tok, s->token) != 0) {
        *why = "unknown consumer key or token";
        goto out;
    }
    char *end;
    long long t = strtoll(ts, &end, 10);
    int64_t now = (int64_t)time(NULL);
    if (!*ts || *end || t < now - TIMESTAMP_SKEW || t > now + TIMESTAMP_SKEW) {
        *why = "oauth_timestamp is not within 600 s of the store's clock";
        goto out;
    }
    /* the parameters: the query's and the header's, oauth_signature and realm left out */
    for (size_t i = 0; i < args.n && np < MAX_PARAMS; i++, np++) {
        ps[np].k = enc(args.k[i]);
        ps[np].v = enc(args.v[i]);
    }
    for (size_t i = 0; i < nh && np < MAX_PARAMS; i++) {
        if (strcmp(keys[i], "oauth_signature") == 0 || strcmp(keys[i], "realm") == 0)
            continue;
        ps[np].k = enc(keys[i]);
        ps[np].v = enc(vals[i]);
        np++;
    }
    if (np == MAX_PARAMS) {
        *why = "too many parameters";
        goto out;
    }
    for (size_t i = 0; i < np; i++)
        if (!ps[i].k || !ps[i].v)
            goto out;
    qsort(ps, np, sizeof(*ps), cmp_param);
    size_t plen = 1;
    for (size_t i = 0; i < np; i++)
        plen += strlen(ps[i].k) + strlen(ps[i].v) + 2;
    char *norm = malloc(plen);
    if (!norm)
        goto out;
    size_t o = 0;
    for (size_t i = 0; i < np; i++)
        o += (size_t)snprintf(norm + o, plen - o, "%s%s=%s", i ? "&" : "", ps[i].k, ps[i].v);
    char host[256];
    snprintf(host, sizeof(host), "%s", req->host ? req->host : "");
    for (char *c = host; *c; c++)
        *c = (char)tolower((unsigned char)*c);
    size_t hl = strlen(host);
    if (hl > 3 && strcmp(host + hl - 3, ":80") == 0)
        host[hl - 3] = '\0';
    size_t ulen = strlen(host) + strlen(req->path) + 16;
    char *uri = malloc(ulen);
    size_t blen = (ulen + plen) * 3 + 16;
    base = malloc(blen);
    if (!uri || !base) {
        free(uri);
        free(norm);
        goto out;
    }
    snprintf(uri, ulen, "http://%s%s", host, req->path);
    o = 0;
    enc_append(base, blen, &o, req->method);
    base[o++] = '&'; /* the separators raw: encoded they would read %26 */
    enc_append(base, blen, &o, uri);
    base[o++] = '&';
    enc_append(base, blen, &o, norm);
    free(uri);
    free(norm);

    char key[1024];
    size_t ko = 0;
    enc_append(key, sizeof(key), &ko, s->consumer_secret);
    if (ko + 1 < sizeof(key))
        key[ko++] = '&';
    enc_append(key, sizeof(key), &ko, s->token_secret);
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_len = 0;
    if (!HMAC(md, key, (int)ko, (const unsigned char *)base, o, mac, &mac_len))
        goto out;
    unsigned char b64[4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1];
    int bl = EVP_EncodeBlock(b64, mac, (int)mac_len);
    if (bl < 0 || strlen(sig) != (size_t)bl || CRYPTO_memcmp(b64, sig, (size_t)bl) != 0) {
        *why = "oauth_signature does not match";
        goto out;
    }
    if (!nonce_fresh(s, nonce, ts, now)) {
        *why = "oauth_nonce was used before";
        goto out;
    }
    ok = true;
    *why = NULL;
out:
    for (size_t i = 0; ps && i < np; i++) {
        free(ps[i].k);
        free(ps[i].v);
    }
    free(ps);
    free(base);
    free(h);
    fs_args_free(&args);
    return ok;
}

bool m2_auth_check(struct m2_shop *s, const struct fs_m2_request *req, const char **ret_why)
{
    const char *a = req->authorization;
    if (!a) {
        *ret_why = "no Authorization header";
        return false;
    }
    while (*a == ' ')
        a++;
    if (strncasecmp(a, "Bearer ", 7) == 0) {
        const char *t = a + 7;
        while (*t == ' ')
            t++;
        if (!s->bearer_allowed) {
            *ret_why = "integration tokens are not allowed as bearers";
            return false;
        }
        size_t n = strlen(s->token);
        if (strlen(t) != n || CRYPTO_memcmp(t, s->token, n) != 0) {
            *ret_why = "unknown bearer token";
            return false;
        }
        return true;
    }
    if (strncasecmp(a, "OAuth ", 6) == 0)
        return check_oauth(s, req, a + 6, ret_why);
    *ret_why = "the Authorization scheme is neither Bearer nor OAuth";
    return false;
}
