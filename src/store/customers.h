/*
 * Customer records and their addresses (portable SQL). Customers are
 * store-wide; their sales are not (see sb_store_sale_list).
 */
#ifndef SB_STORE_CUSTOMERS_H
#define SB_STORE_CUSTOMERS_H

#include "core/customer.h"
#include "core/scope.h"
#include "store/db.h"

#include <jansson.h>

/* A taken email is SB_EDUPLICATE with field "email". */
sb_err sb_store_customer_create(struct sb_db *db, const struct sb_customer *c, int64_t *ret_id);
/* SB_ENOT_FOUND for an unknown id; a given address list replaces the old one. */
sb_err sb_store_customer_update(struct sb_db *db, int64_t id, const struct sb_customer *c);
/* The customer's columns (without email_norm) and "addresses". */
sb_err sb_store_customer_get(struct sb_db *db, int64_t id, json_t **ret);
/* What the customer bought in the caller's outlets (store/customer-summary.c): "sales" (their
 * completed sales), "spend" ([{currency, amount, sales}], amounts net of refunds, in minor
 * units) and "last_purchase_at" (or null). */
sb_err sb_store_customer_summary(struct sb_db *db, const struct sb_scope *scope, int64_t id,
                                 json_t **ret);

/* Merges customer dup into keep (store/customer-merge.c): keep's fields win, those it lacks
 * come from dup (the email too); dup's sales (each with a history line by user_id, 0: none)
 * and addresses move to keep; dup is deleted. *ret_moved: the sales moved. A dup with sales
 * outside the caller's outlets is SB_EOUTLET_FORBIDDEN (checked first: nothing else is
 * told); keep == dup SB_EINVALID_FIELD "from_customer_id"; an unknown keep SB_ENOT_FOUND, an
 * unknown dup SB_EUNKNOWN_REFERENCE "from_customer_id". */
sb_err sb_store_customer_merge(struct sb_db *db, const struct sb_scope *scope, int64_t keep,
                               int64_t dup, int64_t user_id, int64_t *ret_moved);

struct sb_customer_filter {
    const char *email; /* matched after normalising; NULL: any */
    const char *q;     /* substring of first/last/full name, email, phone or company */
};
sb_err sb_store_customer_list(struct sb_db *db, const struct sb_customer_filter *f, int64_t after,
                              int64_t limit, json_t **ret);

/*
 * The order pipeline's customer (SPEC C1-C5), inside the caller's transaction
 * when there is one:
 *   C1 an existing customer whose email matches case-insensitively, surrounding
 *      spaces ignored, is the customer;
 *   C2 their details are left as they are, whatever names the order carries;
 *   C3 otherwise a customer is created from the email and names;
 *   C4 with no name at all, the email is the first name;
 *   C5 with no email (or one that is not an address), *ret_id is 0: no customer.
 * Safe when two workers see the same new email at once (the unique key decides).
 */
sb_err sb_customer_match_or_create(struct sb_db *db, const char *email, const char *first_name,
                                   const char *last_name, int64_t *ret_id);

#endif
