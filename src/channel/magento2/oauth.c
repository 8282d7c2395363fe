/*
 * OAuth 1.0a request signing (RFC 5849) as Magento checks it for an
 * integration's four credentials: the signature base string over the method,
 * the base URI and every query and oauth_* parameter, percent-encoded and
 * sorted (section 3.4.1); HMAC-SHA256 keyed with the consumer secret and the
 * token secret (3.4.2, with SHA-256 in place of SHA-1); the Authorization
 * header (3.5.1). JSON bodies are not form parameters and take no part.
 * Pure functions: the caller (transport.c) brings the nonce and timestamp.
 */
#include "channel/magento2/magento2.h"

#include <ctype.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool unreserved(unsigned char c)
{
    return isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

/* Percent-encodes n bytes of s into the arena. */
static char *pct_n(struct sb_arena *a, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    char *out = sb_arena_alloc(a, n * 3 + 1), *o = out;
    if (!out)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (unreserved(c)) {
            *o++ = (char)c;
        } else {
            *o++ = '%';
            *o++ = hex[c >> 4];
            *o++ = hex[c & 15];
        }
    }
    *o = '\0';
    return out;
}

const char *sb_m2_pct(struct sb_arena *a, const char *s)
{
    return pct_n(a, s ? s : "", s ? strlen(s) : 0);
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes n bytes of percent-encoded text (a '+' is a space, as in a form), then encodes
 * it again the RFC 3986 way (3.4.1.3.2: decoded, then encoded). */
static char *normalise(struct sb_arena *a, const char *s, size_t n)
{
    char *d = sb_arena_alloc(a, n + 1);
    size_t k = 0;
    if (!d)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        int h, l;
        if (s[i] == '%' && i + 2 < n && (h = hexval(s[i + 1])) >= 0 &&
            (l = hexval(s[i + 2])) >= 0) {
            d[k++] = (char)(h * 16 + l);
            i += 2;
        } else {
            d[k++] = s[i] == '+' ? ' ' : s[i];
        }
    }
    return pct_n(a, d, k);
}

struct param {
    const char *key, *value; /* both encoded */
};

static int param_cmp(const void *x, const void *y)
{
    const struct param *p = x, *q = y;
    int c = strcmp(p->key, q->key);
    return c ? c : strcmp(p->value, q->value);
}

/* The base string URI (3.4.1.2): scheme and host lower-case, the default port dropped,
 * no query or fragment. */
static const char *base_uri(struct sb_arena *a, const char *url)
{
    size_t skip;
    int dflt;
    if (strncasecmp(url, "http://", 7) == 0)
        skip = 7, dflt = 80;
    else if (strncasecmp(url, "https://", 8) == 0)
        skip = 8, dflt = 443;
    else
        return NULL;
    const char *host = url + skip;
    size_t host_n = strcspn(host, "/?#");
    const char *path = host + host_n;
    size_t path_n = strcspn(path, "?#");
    size_t name_n = host_n;
    const char *colon = memchr(host, ':', host_n);
    if (colon) {
        char *end;
        long port = strtol(colon + 1, &end, 10);
        if (end == host + host_n && port == dflt)
            name_n = (size_t)(colon - host);
    }
    char *out = sb_arena_printf(a, "%.*s://%.*s%.*s", (int)(skip - 3), url, (int)name_n, host,
                                (int)path_n, path_n ? path : "/");
    for (char *p = out; p && *p && p < out + skip + name_n; p++)
        *p = (char)tolower((unsigned char)*p);
    return out;
}

const char *sb_m2_oauth_base_string(struct sb_arena *a, const char *method, const char *url,
                                    const char *query, const struct sb_m2_oauth *o)
{
    const char *uri = url ? base_uri(a, url) : NULL;
    if (!uri || !method)
        return NULL;
    size_t n_query = 0;
    for (const char *q = query; q && *q; q++)
        n_query += *q == '&';
    size_t cap = n_query + 1 + 6, n = 0;
    struct param *ps = sb_arena_alloc(a, cap * sizeof(*ps));
    if (!ps)
        return NULL;
    for (const char *q = query; q && *q;) {
        size_t len = strcspn(q, "&");
        if (len) {
            const char *eq = memchr(q, '=', len);
            size_t kn = eq ? (size_t)(eq - q) : len;
            ps[n].key = normalise(a, q, kn);
            ps[n].value = eq ? normalise(a, eq + 1, len - kn - 1) : "";
            if (!ps[n].key || !ps[n].value)
                return NULL;
            n++;
        }
        q += len;
        if (*q == '&')
            q++;
    }
    const struct {
        const char *k, *v;
    } oauth[] = {
        { "oauth_consumer_key", o->consumer_key },
        { "oauth_nonce", o->nonce },
        { "oauth_signature_method", o->signature_method },
        { "oauth_timestamp", o->timestamp },
        { "oauth_token", o->token },
        { "oauth_version", o->version },
    };
    for (size_t i = 0; i < sizeof(oauth) / sizeof(oauth[0]); i++) {
        /* RFC 5849's own example leaves oauth_version out: a NULL value is not sent;
         * the transport always sends all six */
        if (!oauth[i].v)
            continue;
        ps[n].key = oauth[i].k;
        if (!(ps[n].value = sb_m2_pct(a, oauth[i].v)))
            return NULL;
        n++;
    }
    qsort(ps, n, sizeof(*ps), param_cmp);
    size_t total = 1;
    for (size_t i = 0; i < n; i++)
        total += strlen(ps[i].key) + strlen(ps[i].value) + 2;
    char *norm = sb_arena_alloc(a, total), *w = norm;
    if (!norm)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        size_t kl = strlen(ps[i].key), vl = strlen(ps[i].value);
        if (i)
            *w++ = '&';
        memcpy(w, ps[i].key, kl);
        w += kl;
        *w++ = '=';
        memcpy(w, ps[i].value, vl);
        w += vl;
    }
    *w = '\0';
    char *m = sb_arena_strdup(a, method);
    for (char *p = m; p && *p; p++)
        *p = (char)toupper((unsigned char)*p);
    const char *eu = sb_m2_pct(a, uri), *en = sb_m2_pct(a, norm);
    return m && eu && en ? sb_arena_printf(a, "%s&%s&%s", m, eu, en) : NULL;
}

const char *sb_m2_oauth_sign(struct sb_arena *a, const char *base, const struct sb_m2_oauth *o)
{
    const char *ks = sb_m2_pct(a, o->consumer_secret), *ts = sb_m2_pct(a, o->token_secret);
    const char *key = ks && ts ? sb_arena_printf(a, "%s&%s", ks, ts) : NULL;
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_len = 0;
    if (!key || !base ||
        !HMAC(EVP_sha256(), key, (int)strlen(key), (const unsigned char *)base, strlen(base), mac,
              &mac_len))
        return NULL;
    size_t cap = sodium_base64_ENCODED_LEN(mac_len, sodium_base64_VARIANT_ORIGINAL);
    char *out = sb_arena_alloc(a, cap);
    if (!out)
        return NULL;
    sodium_bin2base64(out, cap, mac, mac_len, sodium_base64_VARIANT_ORIGINAL);
    return out;
}

const char *sb_m2_oauth_header(struct sb_arena *a, const char *method, const char *url,
                               const char *query, const struct sb_m2_oauth *o)
{
    const char *base = sb_m2_oauth_base_string(a, method, url, query, o);
    const char *sig = base ? sb_m2_oauth_sign(a, base, o) : NULL;
    if (!sig)
        return NULL;
    return sb_arena_printf(a,
                           "OAuth oauth_consumer_key=\"%s\", oauth_nonce=\"%s\", "
                           "oauth_signature=\"%s\", oauth_signature_method=\"%s\", "
                           "oauth_timestamp=\"%s\", oauth_token=\"%s\", oauth_version=\"%s\"",
                           sb_m2_pct(a, o->consumer_key), sb_m2_pct(a, o->nonce), sb_m2_pct(a, sig),
                           sb_m2_pct(a, o->signature_method), sb_m2_pct(a, o->timestamp),
                           sb_m2_pct(a, o->token), sb_m2_pct(a, o->version ? o->version : "1.0"));
}
