/*
 * Fixture loading and string expectations shared by the Shopify adapter's test
 * suites (test-shopify.c: parsing and webhooks; test-shopify-ops.c: the GraphQL
 * operations against a scripted fake Shopify).
 */
#ifndef SB_TEST_SHOPIFY_H
#define SB_TEST_SHOPIFY_H

#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline char *read_fixture(const char *name, size_t *ret_len)
{
    const char *root = getenv("SB_SOURCE_ROOT");
    char path[512];
    snprintf(path, sizeof(path), "%s/tests/fixtures/shopify/%s", root ? root : "..", name);
    FILE *f = fopen(path, "rb");
    cr_assert(f, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    cr_assert(buf);
    cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    if (ret_len)
        *ret_len = (size_t)n;
    return buf;
}

static inline json_t *fixture_json(const char *name)
{
    char *text = read_fixture(name, NULL);
    json_error_t e;
    json_t *j = json_loads(text, 0, &e);
    cr_assert(j, "%s: %s", name, e.text);
    free(text);
    return j;
}

static inline void expect_str(const char *got, const char *want, const char *what)
{
    if (!want) {
        cr_expect_null(got, "%s: expected NULL, got \"%s\"", what, got ? got : "");
        return;
    }
    cr_expect(got && strcmp(got, want) == 0, "%s: expected \"%s\", got \"%s\"", what, want,
              got ? got : "(null)");
}

#endif
