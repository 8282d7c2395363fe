/*
 * Fields described as data: a name, a type, bounds, a default, whether it is
 * required or secret, and the label and help text a form shows. One
 * description generates everything about a field - the check of a value that
 * came from the network, its default, and what the API says about it (GET
 * /api/v1/channel-kinds, from which the web app builds its forms) - so the
 * rules and the form cannot drift apart. Channel settings (common and per
 * kind) and channel credentials are described this way.
 */
#ifndef SB_FIELDS_H
#define SB_FIELDS_H

#include "util/err.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

enum sb_field_type {
    SB_FIELD_BOOL,   /* true or false */
    SB_FIELD_INT,    /* an integer from min to max */
    SB_FIELD_REF,    /* the id of a record (refers: the API collection, "price_levels") or
                      * null: none */
    SB_FIELD_TIME,   /* a UTC time "2026-11-27T00:00:00Z", or null: none; kept as given
                      * back by the time formatter */
    SB_FIELD_TEXT,   /* text of 1 to max bytes (0: SB_STR_MAX), no control character */
    SB_FIELD_HOST,   /* a host name: "shop.myshopify.com" */
    SB_FIELD_URL,    /* "http://" or "https://" with a host, an optional port and path */
    SB_FIELD_CHOICE, /* one of choices */
};

struct sb_field {
    const char *name; /* NULL ends a list */
    enum sb_field_type type;
    bool required;    /* must be given (and not null) */
    bool secret;      /* never shown back; a password input in forms */
    const char *dflt; /* the default as JSON text ("true", "300", "null", "\"sale\""); NULL:
                       * none (the field is absent until given) */
    int64_t min, max; /* SB_FIELD_INT: bounds; SB_FIELD_TEXT: max length (0: SB_STR_MAX) */
    const char *const *choices; /* SB_FIELD_CHOICE: NULL-terminated */
    const char *refers;         /* SB_FIELD_REF: the collection under /api/v1 it names */
    const char *label;          /* what a form calls it */
    const char *help;           /* one sentence for a form, or NULL */
};

/*
 * Checks one value against its description; path names it in errors ("settings.x").
 * *ret (a new reference) is the value to keep, normalised (a time as the formatter
 * writes it), or NULL for a null given to a field that may be left out (neither required
 * nor BOOL/INT: "absent"). SB_EINVALID_FIELD naming path otherwise; *ret untouched.
 */
sb_err sb_field_check(const struct sb_field *f, json_t *v, const char *path, json_t **ret);

/* The field named name in a NULL-name-terminated list, or NULL. list may be NULL. */
const struct sb_field *sb_field_find(const struct sb_field *list, const char *name);

/* The default as JSON (a new reference), NULL when the field has none. */
json_t *sb_field_default(const struct sb_field *f);

/* What the API says about a field: {name, type, required, secret, default, min, max,
 * choices, refers, label, help} (absent parts left out). NULL when out of memory. */
json_t *sb_field_describe(const struct sb_field *f);
/* A list described: an array of the above. */
json_t *sb_fields_describe(const struct sb_field *list);

/* The checks of SB_FIELD_HOST and SB_FIELD_URL, for callers that hold plain text. */
bool sb_field_host_ok(const char *s, size_t len);
bool sb_field_url_ok(const char *s);

#endif
