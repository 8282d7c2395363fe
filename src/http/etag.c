/*
 * Conditional GETs (issue 14 item 2, the catalogue routes): sb_reply_etag
 * sends a JSON answer with a strong ETag, a BLAKE2b hash of the very bytes
 * sent, and answers 304 with no body when the client's If-None-Match names
 * it (RFC 9110 13.1.2: a list of tags, or "*"; compared weakly, so a W/
 * prefix a proxy added still matches). Cache-Control: no-cache, so a client
 * or proxy may keep the answer but asks again every time.
 */
#include "http/request.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define TAG_BYTES 16

static void json_text_free(void *p)
{
    free(p);
}

/* Whether the If-None-Match header value names tag ("\"...\""). */
static bool names(const char *list, const char *tag)
{
    size_t tn = strlen(tag);
    for (const char *p = list; *p;) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        if (*p == '*')
            return true;
        if (strncmp(p, "W/", 2) == 0)
            p += 2;
        size_t n = strcspn(p, ", \t");
        if (n == tn && strncmp(p, tag, tn) == 0)
            return true;
        p += n;
    }
    return false;
}

sb_err sb_reply_etag(struct sb_req *r, json_t *doc)
{
    char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    json_decref(doc);
    if (!text || !sb_arena_defer(r->arena, json_text_free, text))
        return sb_fail(SB_ENOMEM, NULL, NULL);
    size_t len = strlen(text);
    unsigned char h[TAG_BYTES];
    crypto_generichash(h, sizeof(h), (const unsigned char *)text, len, NULL, 0);
    char hex[2 * TAG_BYTES + 1];
    sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
    r->etag = sb_arena_printf(r->arena, "\"%s\"", hex);
    if (!r->etag)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    r->cache_control = "no-cache";
    const char *inm = sb_req_header(r, "If-None-Match");
    if (inm && names(inm, r->etag)) {
        r->status = 304;
        return SB_OK;
    }
    return sb_reply_raw(r, 200, "application/json", text, len);
}
