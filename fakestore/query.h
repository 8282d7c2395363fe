/*
 * What the simulated stores share of a request's query string and of money on their
 * wire (fakestore/query.c): a query decoded into its key/value pairs (percent-escapes
 * and '+' as a space, bounded), and an amount in a currency's minor units as the JSON
 * number those wires carry, read back exactly.
 */
#ifndef SB_FAKESTORE_QUERY_H
#define SB_FAKESTORE_QUERY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fs_args {
    size_t n;
    char **k, **v;
};
/* false when the query is longer than max_len, has more than max_args pairs, or memory
 * runs out; ret is then empty. NULL or "" is no pairs. */
bool fs_args_parse(const char *query, size_t max_len, size_t max_args, struct fs_args *ret);
void fs_args_free(struct fs_args *a);
/* The value of the first (Ecwid) or the last (Magento, as PHP) pair named key, or NULL. */
const char *fs_args_first(const struct fs_args *a, const char *key);
const char *fs_args_last(const struct fs_args *a, const char *key);

/* minor units as a JSON number of the currency's exponent */
json_t *fs_money_json(int exponent, int64_t minor);
/* A JSON integer (whole units) or real (or text) as minor units. A real with more
 * decimals than the currency has is rounded to it, or refused when exact is set. */
bool fs_money_parse(int exponent, const json_t *v, bool exact, int64_t *ret);

#endif
