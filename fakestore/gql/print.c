/*
 * Printing literals and types back into GraphQL text, for error messages:
 * graphql-ruby's messages quote the offending value as its printer writes it
 * (GraphQL::Language::Printer: "[1, 2]", "{a: 1}", "\"x\""), and types by
 * their signature ("[ID!]!").
 */
#include "gql/internal.h"

#include <stdio.h>
#include <string.h>

static void print_string(struct gql_buf *b, const char *s, size_t n)
{
    gql_buf_add(b, "\"", 1);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '"':
            gql_buf_add(b, "\\\"", 2);
            break;
        case '\\':
            gql_buf_add(b, "\\\\", 2);
            break;
        case '\n':
            gql_buf_add(b, "\\n", 2);
            break;
        case '\r':
            gql_buf_add(b, "\\r", 2);
            break;
        case '\t':
            gql_buf_add(b, "\\t", 2);
            break;
        case '\b':
            gql_buf_add(b, "\\b", 2);
            break;
        case '\f':
            gql_buf_add(b, "\\f", 2);
            break;
        default:
            if (c < 0x20)
                gql_buf_addf(b, "\\u%04x", c);
            else
                gql_buf_add(b, (const char *)&s[i], 1);
        }
    }
    gql_buf_add(b, "\"", 1);
}

void gql_print_value(struct gql_buf *b, const struct sb_gql_value *v)
{
    switch (v->kind) {
    case SB_GQL_V_VARIABLE:
        gql_buf_add(b, "$", 1);
        gql_buf_add(b, v->text, v->len);
        break;
    case SB_GQL_V_INT:
    case SB_GQL_V_FLOAT:
    case SB_GQL_V_ENUM:
        gql_buf_add(b, v->text, v->len);
        break;
    case SB_GQL_V_STRING:
        print_string(b, v->text, v->len);
        break;
    case SB_GQL_V_BOOLEAN:
        gql_buf_add(b, v->boolean ? "true" : "false", v->boolean ? 4 : 5);
        break;
    case SB_GQL_V_NULL:
        gql_buf_add(b, "null", 4);
        break;
    case SB_GQL_V_LIST:
        gql_buf_add(b, "[", 1);
        for (size_t i = 0; i < v->n_items && !b->cut; i++) {
            if (i)
                gql_buf_add(b, ", ", 2);
            gql_print_value(b, v->items[i]);
        }
        gql_buf_add(b, "]", 1);
        break;
    case SB_GQL_V_OBJECT:
        gql_buf_add(b, "{", 1);
        for (size_t i = 0; i < v->n_fields && !b->cut; i++) {
            if (i)
                gql_buf_add(b, ", ", 2);
            gql_buf_add(b, v->fields[i].name, strlen(v->fields[i].name));
            gql_buf_add(b, ": ", 2);
            gql_print_value(b, v->fields[i].value);
        }
        gql_buf_add(b, "}", 1);
        break;
    }
}

void gql_print_type_ast(struct gql_buf *b, const struct sb_gql_type_ast *t)
{
    switch (t->form) {
    case SB_GQL_NAMED:
        gql_buf_add(b, t->name, strlen(t->name));
        break;
    case SB_GQL_LIST:
        gql_buf_add(b, "[", 1);
        gql_print_type_ast(b, t->of);
        gql_buf_add(b, "]", 1);
        break;
    case SB_GQL_NON_NULL:
        gql_print_type_ast(b, t->of);
        gql_buf_add(b, "!", 1);
        break;
    }
}

void gql_print_typeref(struct gql_buf *b, const struct sb_gql_typeref *t)
{
    switch (t->form) {
    case SB_GQL_NAMED:
        gql_buf_add(b, t->named->name, strlen(t->named->name));
        break;
    case SB_GQL_LIST:
        gql_buf_add(b, "[", 1);
        gql_print_typeref(b, t->of);
        gql_buf_add(b, "]", 1);
        break;
    case SB_GQL_NON_NULL:
        gql_print_typeref(b, t->of);
        gql_buf_add(b, "!", 1);
        break;
    }
}

void gql_print_json(struct gql_buf *b, json_t *v)
{
    char *text = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
    if (text) {
        gql_buf_add(b, text, strlen(text));
        free(text);
    } else {
        gql_buf_add(b, "null", 4);
    }
}

const char *sb_gql_typeref_text(const struct sb_gql_typeref *t, struct sb_arena *a)
{
    struct gql_buf b = { .len = 0 };
    b.text[0] = '\0';
    gql_print_typeref(&b, t);
    return sb_arena_strndup(a, b.text, b.len);
}
