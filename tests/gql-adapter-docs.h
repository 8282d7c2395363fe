/*
 * Every GraphQL document the Shopify adapter can send, obtained from the
 * adapter itself at test time rather than copied into the tests: its
 * operations run against a fake wire (the test links with
 * -Wl,--wrap=sb_http_post_json, --wrap=sb_http_get_stream and
 * --wrap=nanosleep, as the fuzz harnesses do), which records each request and
 * answers just enough for the operation to send its next one. A change in
 * the adapter's documents is then checked against Shopify's schema by
 * tests/test-gql.c without anyone updating the test.
 */
#ifndef SB_TESTS_GQL_ADAPTER_DOCS_H
#define SB_TESTS_GQL_ADAPTER_DOCS_H

#include <jansson.h>
#include <stddef.h>

struct gql_sent {
    char *operation; /* operationName; the bulk query, sent as a variable: "SbBulkStock.query" */
    char *query;
    json_t *variables; /* as sent (the bulk query's: none) */
};

/* Runs each of the adapter's operations once and returns what they sent, each operation
 * once, in the order first sent. */
size_t gql_adapter_documents(struct gql_sent **ret);
void gql_adapter_documents_free(struct gql_sent *docs, size_t n);

#endif
