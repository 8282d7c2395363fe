/*
 * The fakestore's GraphQL engine (fakestore/gql/), fed what a client may send:
 * the input is a document, optionally followed by a line "--" and a JSON
 * object of variables. Against the small test schema (tests/gql-mini-schema.c)
 * it is parsed, validated, its operation chosen, its variables coerced, its
 * cost computed and then executed over a fixed shop with the default resolver,
 * and its actual cost read back from the answer - sb_gql_prepare, sb_gql_execute
 * and sb_gql_actual_cost, what the simulation calls.
 *
 * Invariants: every error is an object with a non-empty UTF-8 message, and its
 * locations (when present) have a line and a column of 1 or more; a parse
 * failure gives exactly one error; a step's result agrees with whether it
 * added errors; at most SB_GQL_MAX_ERRORS errors; a cost between 0 and the
 * saturation cap, the actual cost too; an answer's data is an object or null; nothing leaks.
 */
#include "fuzz.h"

#include "../tests/gql-mini-schema.h"
#include "gql/gql.h"

#include <jansson.h>

static struct sb_gql_schema *schema;
static json_t *shop;

static void init(void)
{
    json_t *intro = gql_mini_schema();
    FZ_CHECK(intro && sb_gql_schema_load(intro, &schema) == SB_OK, "the mini schema loads");
    json_decref(intro);
    /* what the default resolver reads from the root: every root field has an answer */
    shop = json_loads(
        "{\"shop\": {\"id\": \"gid://shopify/Shop/1\", \"name\": \"Demo\", \"currencyCode\": "
        "\"USD\", \"createdAt\": \"2026-01-01T00:00:00Z\"},"
        " \"order\": {\"id\": \"gid://shopify/Order/1\", \"name\": \"#1001\", \"tags\": [\"a\"],"
        " \"customer\": {\"email\": \"a@b.c\", \"lastOrder\": null}, \"transactions\": [],"
        " \"lineItems\": {\"edges\": [], \"nodes\": [], \"pageInfo\": {\"hasNextPage\": false,"
        " \"hasPreviousPage\": false}}},"
        " \"node\": {\"__typename\": \"Product\", \"id\": \"gid://shopify/Product/1\", \"title\":"
        " \"Mug\", \"variants\": {\"nodes\": [{\"id\": \"v\", \"price\": \"1.00\"}]}},"
        " \"nodes\": [null, {\"__typename\": \"Order\", \"id\": \"o\", \"name\": \"#1\"}],"
        " \"search\": [{\"__typename\": \"Nope\"}], \"ping\": \"pong\"}",
        0, NULL);
    FZ_CHECK(shop, "the shop's JSON");
}

static void check_errors(json_t *errors, size_t from)
{
    size_t i;
    json_t *e;
    FZ_CHECK(json_array_size(errors) <= SB_GQL_MAX_ERRORS, "%zu errors", json_array_size(errors));
    json_array_foreach(errors, i, e)
    {
        if (i < from)
            continue;
        const char *msg = json_string_value(json_object_get(e, "message"));
        FZ_CHECK(json_is_object(e) && msg && *msg, "an error without a message");
        FZ_CHECK(fz_utf8(msg, json_string_length(json_object_get(e, "message"))),
                 "a message that is not UTF-8");
        json_t *loc, *locs = json_object_get(e, "locations");
        size_t k;
        json_array_foreach(locs, k, loc)
        {
            json_int_t line = json_integer_value(json_object_get(loc, "line"));
            json_int_t col = json_integer_value(json_object_get(loc, "column"));
            FZ_CHECK(line >= 1 && col >= 1, "a location at %lld, %lld", (long long)line,
                     (long long)col);
        }
    }
}

static enum sb_gql_outcome resolve(void *ud, const struct sb_gql_field_call *call, json_t **ret,
                                   struct sb_gql_field_error *ret_error)
{
    (void)ud, (void)ret_error;
    /* the root reads the shop; connections page what they hold */
    if (strcmp(call->parent_type->name, "QueryRoot") == 0) {
        *ret = json_incref(json_object_get(shop, call->field->name));
        return SB_GQL_VALUE;
    }
    return SB_GQL_DEFAULT;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!schema)
        init();
    const uint8_t *doc, *vars_text;
    size_t doc_len, vars_len;
    fz_next(&data, &size, "\n--\n", &doc, &doc_len); /* always a piece, maybe empty */
    json_t *vars = NULL;
    if (fz_next(&data, &size, "\n--\n", &vars_text, &vars_len))
        vars = json_loadb((const char *)vars_text, vars_len, 0, NULL);
    struct sb_arena *a = sb_arena_new();
    json_t *errors = json_array();
    FZ_CHECK(a && errors, "out of memory");

    /* the steps one by one, to check each */
    struct sb_gql_document *parsed;
    sb_err err = sb_gql_parse((const char *)doc, doc_len, NULL, a, errors, &parsed);
    FZ_CHECK(err == SB_OK || err == SB_EINVALID_QUERY, "parse: %d", err);
    FZ_CHECK(json_array_size(errors) == (err ? 1u : 0u), "parse: %d with %zu errors", err,
             json_array_size(errors));
    check_errors(errors, 0);
    if (!err) {
        err = sb_gql_validate(schema, parsed, NULL, a, errors);
        FZ_CHECK(err == SB_OK || err == SB_EINVALID_QUERY, "validate: %d", err);
        FZ_CHECK((err == SB_OK) == (json_array_size(errors) == 0), "validate: %d with %zu errors",
                 err, json_array_size(errors));
        check_errors(errors, 0);
    }

    /* then as the simulation runs a request */
    json_array_clear(errors);
    struct sb_gql_request req;
    err = sb_gql_prepare(schema, (const char *)doc, doc_len, NULL, vars, NULL, a, errors, &req);
    FZ_CHECK(err == SB_OK || err == SB_EINVALID_QUERY, "prepare: %d", err);
    FZ_CHECK((err == SB_OK) == (json_array_size(errors) == 0), "prepare: %d with %zu errors", err,
             json_array_size(errors));
    check_errors(errors, 0);
    if (!err) {
        FZ_CHECK(req.cost >= 0 && req.cost <= 1000000000000LL, "cost %lld", (long long)req.cost);
        struct sb_gql_resolver r = { .resolve = resolve };
        json_t *answer = NULL;
        FZ_CHECK(sb_gql_execute(&req, &r, a, errors, &answer) == SB_OK, "execute");
        FZ_CHECK(!answer || json_is_object(answer), "data is an object or null");
        check_errors(errors, 0);
        /* the actual cost reads the answer back along the document */
        size_t before = json_array_size(errors);
        int64_t actual = -1;
        err = sb_gql_actual_cost(&req, answer, errors, &actual);
        FZ_CHECK(err == SB_OK || err == SB_EINVALID_QUERY, "actual cost: %d", err);
        FZ_CHECK((err == SB_OK) == (json_array_size(errors) == before),
                 "actual cost: %d with %zu more errors", err, json_array_size(errors) - before);
        FZ_CHECK(err || (actual >= 0 && actual <= 1000000000000LL), "actual cost %lld",
                 (long long)actual);
        check_errors(errors, before);
        json_decref(answer);
    }
    json_decref(errors);
    json_decref(vars);
    sb_arena_free(a);
    return 0;
}
