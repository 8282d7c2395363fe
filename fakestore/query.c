/*
 * Query strings and money for the simulated stores (query.h).
 */
#include "query.h"

#include "core/money.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static char *decode(const char *s, size_t n)
{
    char *out = malloc(n + 1), *o = out;
    if (!out)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '+')
            *o++ = ' ';
        else if (s[i] == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
            *o++ = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
            i += 2;
        } else
            *o++ = s[i];
    }
    *o = '\0';
    return out;
}

bool fs_args_parse(const char *query, size_t max_len, size_t max_args, struct fs_args *ret)
{
    *ret = (struct fs_args){ 0 };
    if (!query || !*query)
        return true;
    if (strlen(query) > max_len)
        return false;
    ret->k = calloc(max_args, sizeof(char *));
    ret->v = calloc(max_args, sizeof(char *));
    if (!ret->k || !ret->v) {
        fs_args_free(ret);
        return false;
    }
    const char *p = query;
    while (*p) {
        const char *amp = strchr(p, '&');
        size_t len = amp ? (size_t)(amp - p) : strlen(p);
        if (len) {
            if (ret->n == max_args) {
                fs_args_free(ret);
                return false;
            }
            const char *eq = memchr(p, '=', len);
            size_t kl = eq ? (size_t)(eq - p) : len;
            ret->k[ret->n] = decode(p, kl);
            ret->v[ret->n] = eq ? decode(eq + 1, len - kl - 1) : strdup("");
            if (!ret->k[ret->n++] || !ret->v[ret->n - 1]) {
                fs_args_free(ret);
                return false;
            }
        }
        p += len;
        if (*p == '&')
            p++;
    }
    return true;
}

void fs_args_free(struct fs_args *a)
{
    for (size_t i = 0; i < a->n; i++) {
        free(a->k[i]);
        free(a->v[i]);
    }
    free(a->k);
    free(a->v);
    *a = (struct fs_args){ 0 };
}

const char *fs_args_first(const struct fs_args *a, const char *key)
{
    for (size_t i = 0; i < a->n; i++)
        if (strcmp(a->k[i], key) == 0)
            return a->v[i];
    return NULL;
}

const char *fs_args_last(const struct fs_args *a, const char *key)
{
    for (size_t i = a->n; i-- > 0;)
        if (strcmp(a->k[i], key) == 0)
            return a->v[i];
    return NULL;
}

json_t *fs_money_json(int exponent, int64_t minor)
{
    /* replies are dumped with 15 significant digits, which gives back the exact decimal of
     * any amount below 10^13 minor units */
    double scale = 1;
    for (int i = 0; i < exponent; i++)
        scale *= 10;
    return json_real((double)minor / scale);
}

bool fs_money_parse(int exponent, const json_t *v, bool exact, int64_t *ret)
{
    char buf[64];
    if (json_is_integer(v)) {
        int64_t n = json_integer_value(v);
        for (int i = 0; i < exponent; i++) {
            if (n > INT64_MAX / 10 || n < INT64_MIN / 10)
                return false;
            n *= 10;
        }
        *ret = n;
        return true;
    }
    if (json_is_real(v)) {
        double d = json_real_value(v);
        if (!(d > -1e13 && d < 1e13))
            return false;
        /* exact: printed past the currency's decimals, so that an amount the store cannot
         * hold (20.005 dollars) is refused rather than rounded */
        snprintf(buf, sizeof(buf), "%.*f", exponent + (exact ? 6 : 0), d);
        return sb_money_parse(buf, exponent, ret);
    }
    if (json_is_string(v))
        return sb_money_parse(json_string_value(v), exponent, ret);
    return false;
}
