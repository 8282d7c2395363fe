/*
 * Typed, bounded reads of fields from untrusted JSON objects. Each getter
 * returns SB_OK, SB_EMISSING_FIELD when a required field is absent or null,
 * or SB_EINVALID_FIELD when it has the wrong type or is out of range, with
 * the field's path ("lines[2].quantity") recorded by sb_fail(). Optional
 * fields leave *ret untouched when absent; *ret_present (may be NULL) says
 * whether the field was given.
 */
#ifndef SB_JSONX_H
#define SB_JSONX_H

#include "util/err.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* Field paths are "prefix.key", or "key" with no prefix. */
struct sb_jctx {
    json_t *obj;
    const char *prefix;
};

#define SB_STR_MAX 1024

sb_err sb_json_str(struct sb_jctx *c, const char *key, bool required, size_t max_len,
                   const char **ret, bool *ret_present);
/* A string that is either absent, null (ret NULL, present true) or a string. */
sb_err sb_json_str_or_null(struct sb_jctx *c, const char *key, size_t max_len, const char **ret,
                           bool *ret_present);
sb_err sb_json_int(struct sb_jctx *c, const char *key, bool required, int64_t min, int64_t max,
                   int64_t *ret, bool *ret_present);
/* A positive integer id; null counts as absent. */
sb_err sb_json_id(struct sb_jctx *c, const char *key, bool required, int64_t *ret,
                  bool *ret_present);
sb_err sb_json_bool(struct sb_jctx *c, const char *key, bool required, bool *ret,
                    bool *ret_present);
sb_err sb_json_array(struct sb_jctx *c, const char *key, bool required, size_t max_items,
                     json_t **ret);
sb_err sb_json_object(struct sb_jctx *c, const char *key, bool required, json_t **ret);
/* Rejects keys not in the NULL-terminated allowed list. */
sb_err sb_json_only(struct sb_jctx *c, const char *const *allowed);
/* A child context for obj inside c: prefix "parent[index]" or "parent.key". */
struct sb_jctx sb_jctx_child(struct sb_jctx *c, const char *key, long index, json_t *obj, char *buf,
                             size_t cap);

/* Sets key to a string, or to null when s is NULL. */
void sb_json_set_str(json_t *obj, const char *key, const char *s);

#endif
