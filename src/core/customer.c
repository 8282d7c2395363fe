/*
 * Customer rules: email normalisation and shape, what a customer record must
 * hold, and address kinds. The database keeps email_norm unique; this file
 * decides what "the same email" means.
 */
#include "core/customer.h"

#include <stdio.h>
#include <string.h>

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* The bounds of s without surrounding white space. */
static size_t trimmed(const char *s, const char **ret_start)
{
    while (is_space(*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && is_space(s[n - 1]))
        n--;
    *ret_start = s;
    return n;
}

bool sb_trim_copy(const char *s, char *buf, size_t cap)
{
    if (!s)
        return false;
    const char *start;
    size_t n = trimmed(s, &start);
    if (n + 1 > cap)
        return false;
    memcpy(buf, start, n);
    buf[n] = '\0';
    return true;
}

bool sb_norm_key(const char *s, char *buf, size_t cap)
{
    if (!sb_trim_copy(s, buf, cap) || !buf[0])
        return false;
    for (char *p = buf; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    return true;
}

bool sb_email_valid(const char *email)
{
    if (!email)
        return false;
    const char *s;
    size_t n = trimmed(email, &s);
    if (n == 0 || n > SB_EMAIL_MAX)
        return false;
    size_t at = n, ats = 0;
    for (size_t i = 0; i < n; i++) {
        if (is_space(s[i]))
            return false;
        if (s[i] == '@') {
            ats++;
            at = i;
        }
    }
    return ats == 1 && at > 0 && at < n - 1;
}

static bool blank(const struct sb_opt_str *f)
{
    const char *s;
    return !f->set || !f->v || trimmed(f->v, &s) == 0;
}

sb_err sb_customer_validate(const struct sb_customer *c, bool create)
{
    if (create && blank(&c->first_name) && blank(&c->last_name) && blank(&c->email) &&
        blank(&c->company))
        return sb_fail(SB_EMISSING_FIELD, "first_name",
                       "give at least one of first_name, last_name, email or company");
    if (c->email.set && c->email.v && !sb_email_valid(c->email.v))
        return sb_fail(SB_EINVALID_FIELD, "email",
                       "email must look like name@example.com (one @, no spaces)");
    if (c->addresses_set && c->n_addresses > SB_CUSTOMER_MAX_ADDRESSES)
        return sb_fail(SB_EINVALID_FIELD, "addresses", "a customer has at most %d addresses",
                       SB_CUSTOMER_MAX_ADDRESSES);
    for (size_t i = 0; c->addresses_set && i < c->n_addresses; i++) {
        const char *kind = c->addresses[i].kind;
        if (kind && strcmp(kind, "shipping") != 0 && strcmp(kind, "billing") != 0) {
            char field[40];
            snprintf(field, sizeof(field), "addresses[%zu].kind", i);
            return sb_fail(SB_EINVALID_FIELD, field, "%s must be shipping or billing", field);
        }
    }
    return SB_OK;
}
