/*
 * Prints every GraphQL document the Shopify adapter can send, as a JSON array of
 * {"operation", "query", "variables"} on standard output, for the checks in
 * tests/shopify-official/ (graphql-js validates each against Shopify's Admin schema).
 * The documents come from the adapter itself, through the fake wire of
 * tests/gql-adapter-docs.c (linked with -Wl,--wrap=...), never copied by hand.
 */
#include "gql-adapter-docs.h"

#include <stdio.h>

int main(void)
{
    struct gql_sent *docs;
    size_t n = gql_adapter_documents(&docs);
    json_t *out = json_array();
    int rc = out ? 0 : 1;
    for (size_t i = 0; out && i < n; i++) {
        json_t *doc = json_pack("{s:s, s:s, s:O*}", "operation", docs[i].operation, "query",
                                docs[i].query, "variables", docs[i].variables);
        if (!doc || json_array_append_new(out, doc) != 0)
            rc = 1;
    }
    gql_adapter_documents_free(docs, n);
    if (rc == 0 && (n == 0 || json_dumpf(out, stdout, JSON_INDENT(2)) != 0))
        rc = 1;
    json_decref(out);
    if (rc != 0)
        fputs("shopify-docs-dump: no documents, or out of memory\n", stderr);
    else
        putchar('\n');
    return rc;
}
