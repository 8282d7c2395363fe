/*
 * Typed JSON field access: types, bounds, NUL bytes, unknown fields and
 * the field path reported with each error.
 */
#include "util/jsonx.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

static json_t *doc;
static struct sb_jctx c;

static void load(const char *text)
{
    json_decref(doc);
    doc = json_loads(text, JSON_ALLOW_NUL, NULL);
    cr_assert_not_null(doc, "%s", text);
    c = (struct sb_jctx){ .obj = doc, .prefix = NULL };
}

static void fini(void)
{
    json_decref(doc);
    doc = NULL;
}

TestSuite(jsonx, .fini = fini);

Test(jsonx, strings)
{
    load("{\"a\":\"x\",\"n\":5,\"e\":\"\",\"nul\":\"a\\u0000b\",\"z\":null}");
    const char *s = NULL;
    bool present;
    cr_expect_eq(sb_json_str(&c, "a", true, 10, &s, &present), SB_OK);
    cr_expect_str_eq(s, "x");
    cr_expect(present);
    cr_expect_eq(sb_json_str(&c, "missing", true, 10, &s, NULL), SB_EMISSING_FIELD);
    cr_expect_str_eq(sb_err_last()->field, "missing");
    cr_expect_eq(sb_json_str(&c, "missing", false, 10, &s, &present), SB_OK);
    cr_expect_not(present);
    cr_expect_eq(sb_json_str(&c, "z", true, 10, &s, NULL), SB_EMISSING_FIELD);
    cr_expect_eq(sb_json_str(&c, "n", true, 10, &s, NULL), SB_EINVALID_FIELD);
    cr_expect_eq(sb_json_str(&c, "e", true, 10, &s, NULL), SB_EINVALID_FIELD);
    cr_expect_eq(sb_json_str(&c, "e", false, 10, &s, NULL), SB_OK);
    cr_expect_eq(sb_json_str(&c, "a", true, 0, &s, NULL), SB_EINVALID_FIELD);
    cr_expect_eq(sb_json_str(&c, "nul", true, 10, &s, NULL), SB_EINVALID_FIELD);
    s = "untouched";
    cr_expect_eq(sb_json_str_or_null(&c, "z", 10, &s, &present), SB_OK);
    cr_expect_null(s);
    cr_expect(present);
}

Test(jsonx, integers_and_ids)
{
    load("{\"q\":3,\"neg\":-1,\"f\":1.5,\"s\":\"3\",\"big\":9223372036854775807}");
    int64_t v = 0;
    cr_expect_eq(sb_json_int(&c, "q", true, 1, 10, &v, NULL), SB_OK);
    cr_expect_eq(v, 3);
    cr_expect_eq(sb_json_int(&c, "q", true, 4, 10, &v, NULL), SB_EINVALID_FIELD);
    cr_expect_eq(sb_json_int(&c, "f", true, 0, 10, &v, NULL), SB_EINVALID_FIELD);
    cr_expect_eq(sb_json_int(&c, "s", true, 0, 10, &v, NULL), SB_EINVALID_FIELD);
    cr_expect_eq(sb_json_id(&c, "neg", true, &v, NULL), SB_EINVALID_FIELD);
    cr_expect_eq(sb_json_id(&c, "big", true, &v, NULL), SB_OK);
    cr_expect_eq(v, INT64_MAX);
}

Test(jsonx, booleans_arrays_objects)
{
    load("{\"b\":true,\"i\":1,\"arr\":[1,2,3],\"o\":{}}");
    bool b = false;
    json_t *j = NULL;
    cr_expect_eq(sb_json_bool(&c, "b", true, &b, NULL), SB_OK);
    cr_expect(b);
    cr_expect_eq(sb_json_bool(&c, "i", true, &b, NULL), SB_EINVALID_FIELD);
    cr_expect_eq(sb_json_array(&c, "arr", true, 3, &j), SB_OK);
    cr_expect_eq(sb_json_array(&c, "arr", true, 2, &j), SB_EINVALID_FIELD);
    cr_expect_eq(sb_json_array(&c, "o", true, 2, &j), SB_EINVALID_FIELD);
    cr_expect_eq(sb_json_object(&c, "o", true, &j), SB_OK);
    cr_expect_eq(sb_json_object(&c, "arr", true, &j), SB_EINVALID_FIELD);
}

Test(jsonx, unknown_fields_and_paths)
{
    load("{\"lines\":[{\"quantity\":0,\"colour\":\"red\"}]}");
    static const char *const allowed[] = { "lines", NULL };
    cr_expect_eq(sb_json_only(&c, allowed), SB_OK);
    char buf[64];
    json_t *line = json_array_get(json_object_get(doc, "lines"), 0);
    struct sb_jctx lc = sb_jctx_child(&c, "lines", 0, line, buf, sizeof(buf));
    int64_t q;
    cr_expect_eq(sb_json_int(&lc, "quantity", true, 1, 100, &q, NULL), SB_EINVALID_FIELD);
    cr_expect_str_eq(sb_err_last()->field, "lines[0].quantity");
    static const char *const line_fields[] = { "quantity", NULL };
    cr_expect_eq(sb_json_only(&lc, line_fields), SB_EINVALID_FIELD);
    cr_expect_str_eq(sb_err_last()->field, "lines[0].colour");
}

/* SEC1: the error body quotes the field path; a path cut to fit its buffer in the middle of
 * a character made the field and message invalid UTF-8, which jansson refuses, so the 4xx
 * body lost its "field" and "message". Found by fuzz/fuzz-jsonx
 * (fuzz/corpus/jsonx/regress-utf8-cut-path). */
Test(jsonx, sec1_error_details_stay_utf8_when_a_path_is_cut)
{
    char text[512];
    size_t n = 0;
    n += (size_t)snprintf(text + n, sizeof(text) - n, "{\"");
    for (int i = 0; i < 100; i++)
        n += (size_t)snprintf(text + n, sizeof(text) - n, "\xC3\xA9"); /* é */
    snprintf(text + n, sizeof(text) - n, "\":1}");
    load(text);
    static const char *const allowed[] = { "a", NULL };
    cr_assert_eq(sb_json_only(&c, allowed), SB_EINVALID_FIELD);
    const struct sb_errinfo *e = sb_err_last();
    json_t *field = json_string(e->field), *message = json_string(e->message);
    cr_expect_not_null(field, "field is not UTF-8: %s", e->field);
    cr_expect_not_null(message, "message is not UTF-8: %s", e->message);
    cr_expect_eq(strncmp(e->field, "\xC3\xA9\xC3\xA9", 4), 0, "%s", e->field);
    json_decref(field);
    json_decref(message);
    /* a message quoting bytes that are not UTF-8 at all gets '?' for them */
    sb_fail(SB_EINVALID_FIELD, "f\xFFg", "bad \xC3 byte %.1s!", "\xC3\xA9");
    cr_expect_str_eq(sb_err_last()->field, "f?g");
    cr_expect_str_eq(sb_err_last()->message, "bad ? byte ?!");
}
