/*
 * Customers are store-wide (not bound to an outlet). An email address
 * identifies a customer: it is unique once normalised (surrounding spaces
 * dropped, ASCII letters lowered), which is how web orders find their
 * customer (SPEC C1-C5).
 */
#ifndef SB_CUSTOMER_H
#define SB_CUSTOMER_H

#include "core/outlet.h"

#include <stdbool.h>
#include <stddef.h>

#define SB_EMAIL_MAX              254
#define SB_CUSTOMER_MAX_ADDRESSES 20

struct sb_customer_address {
    const char *kind; /* "shipping" (default) or "billing" */
    const char *name, *company, *line1, *line2, *city, *region, *postcode, *country, *phone;
};

struct sb_customer {
    struct sb_opt_str first_name, last_name, email, phone, company, note;
    const struct sb_customer_address *addresses;
    size_t n_addresses;
    bool addresses_set; /* replace the address list (the whole of it) */
};

/*
 * lower(trim(s)) into buf: the key under which emails and payment type names are
 * unique. Trims spaces, tabs and line breaks; lowers ASCII only (as SQL lower() does
 * in SQLite). False when s is NULL, blank, or does not fit.
 */
bool sb_norm_key(const char *s, char *buf, size_t cap);

/* s without surrounding white space, into buf; false when it does not fit. */
bool sb_trim_copy(const char *s, char *buf, size_t cap);

/* A basic shape check (after trimming): one "@" with text on both sides, no white
 * space, at most SB_EMAIL_MAX bytes. */
bool sb_email_valid(const char *email);

/* Checks the fields that are set; on create, at least one of first_name, last_name,
 * email and company must be non-empty. */
sb_err sb_customer_validate(const struct sb_customer *c, bool create);

#endif
