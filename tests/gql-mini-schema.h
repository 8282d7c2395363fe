/*
 * A small schema in the shape of Shopify's Admin API (a query root with
 * orders, products and inventory items as connections, a Node interface, a
 * union, enums, input objects with a @oneOf one, a mutation root), for the
 * GraphQL engine's unit tests and its fuzz harness: small enough to read,
 * loaded in no time, and written here rather than taken from Shopify's file,
 * which is fetched at test time and never committed.
 */
#ifndef SB_TESTS_GQL_MINI_SCHEMA_H
#define SB_TESTS_GQL_MINI_SCHEMA_H

#include <jansson.h>

/* The schema as an introspection answer ({"data": {"__schema": ...}}); NULL: no memory.
 * The caller owns it. */
json_t *gql_mini_schema(void);

#endif
