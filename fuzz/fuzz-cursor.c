/*
 * Cursors: the Shopify poll cursor (channel/shopify/cursor.c: "SINCE" or
 * "SINCE|MAX|AFTER", stored between polls and rebuilt from each page), and
 * the API's keyset page cursors (http/request.c: ?limit= and ?after=, with the
 * next_after that sb_page_json hands out), plus the ?from= times that list
 * routes take. The input is four parts separated by a line "--": a poll
 * cursor, then the limit, after and from query values. A poll cursor that
 * parses must format to text that parses to the same cursor; page values
 * that are taken must be in their documented ranges, and the next_after of a
 * full page, given back as ?after=, must read as the same id.
 */
#include "fuzz.h"

#include "channel/shopify/shopify.h"
#include "http/request.h"
#include "util/timeutil.h"

#include <inttypes.h>

/* The query values of the current input: request.c's calls to sb_req_query (server.c,
 * libmicrohttpd) come here instead, through the linker's --wrap. */
static const char *query_limit, *query_after, *query_from;

const char *__wrap_sb_req_query(struct sb_req *r, const char *name);
const char *__wrap_sb_req_query(struct sb_req *r, const char *name)
{
    (void)r;
    return strcmp(name, "limit") == 0   ? query_limit
           : strcmp(name, "after") == 0 ? query_after
           : strcmp(name, "from") == 0  ? query_from
                                        : NULL;
}

static void poll_cursor(const char *text, struct sb_arena *a)
{
    struct sb_shopify_cursor c, again;
    sb_err err = sb_shopify_cursor_parse(text, a, &c);
    fz_check_error(err);
    if (err)
        return;
    const char *out = sb_shopify_cursor_format(&c, a);
    FZ_CHECK(out, "the cursor did not format");
    err = sb_shopify_cursor_parse(out, a, &again);
    FZ_CHECK(err == SB_OK, "\"%.80s\" formats as \"%.80s\", which does not parse", text, out);
    FZ_CHECK(again.since == c.since, "since %lld -> %lld", (long long)c.since,
             (long long)again.since);
    FZ_CHECK(!c.after || again.max == c.max, "max %lld -> %lld", (long long)c.max,
             (long long)again.max);
    FZ_CHECK((!c.after && !again.after) ||
                 (c.after && again.after && !strcmp(c.after, again.after)),
             "after \"%s\" -> \"%s\"", c.after ? c.after : "(null)",
             again.after ? again.after : "(null)");
}

static void page_cursor(struct sb_arena *a)
{
    struct sb_req r = { .arena = a };
    struct sb_page page;
    sb_err err = sb_req_page(&r, &page);
    fz_check_error(err);
    if (err) {
        FZ_CHECK(err == SB_EINVALID_QUERY, "page: %s", sb_err_code(err));
        return;
    }
    FZ_CHECK(page.limit >= 1 && page.limit <= 500 && page.after >= 0, "limit %lld after %lld",
             (long long)page.limit, (long long)page.after);
    if (page.after > INT64_MAX - page.limit)
        return;
    /* a full page of the ids that follow after: the next page starts past its last */
    json_t *rows = json_array();
    for (int64_t i = 1; i <= page.limit; i++)
        json_array_append_new(rows, json_pack("{s:I}", "id", (json_int_t)(page.after + i)));
    json_t *doc = sb_page_json(rows, &page);
    json_t *next = json_object_get(doc, "next_after");
    FZ_CHECK(json_is_integer(next) && json_integer_value(next) == page.after + page.limit,
             "next_after of a full page");
    char text[32];
    snprintf(text, sizeof(text), "%" PRId64, (int64_t)json_integer_value(next));
    const char *saved = query_after;
    query_after = text;
    struct sb_page again;
    err = sb_req_page(&r, &again);
    FZ_CHECK(err == SB_OK && again.after == json_integer_value(next), "next_after %s back: %s",
             text, sb_err_code(err));
    query_after = saved;
    json_decref(doc);
}

static void from_time(struct sb_arena *a)
{
    struct sb_req r = { .arena = a };
    const char *from = NULL;
    sb_err err = sb_req_query_time(&r, "from", &from);
    fz_check_error(err);
    if (err || !from)
        return;
    int64_t t = 0;
    FZ_CHECK(strlen(from) == SB_TIME_LEN - 1 && sb_time_parse(from, &t), "from \"%s\" as \"%s\"",
             query_from, from);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *part[4] = { 0 };
    size_t len[4] = { 0 };
    char *text[4] = { 0 };
    struct sb_arena *a = sb_arena_new();
    for (int i = 0; i < 4; i++)
        if (!fz_next(&data, &size, "\n--\n", &part[i], &len[i]))
            part[i] = NULL;
    for (int i = 0; i < 4; i++)
        if (part[i] && !(text[i] = fz_cstr(part[i], len[i])))
            goto done;
    if (!a)
        goto done;
    if (text[0])
        poll_cursor(text[0], a);
    query_limit = text[1];
    query_after = text[2];
    query_from = text[3];
    page_cursor(a);
    from_time(a);
done:
    query_limit = query_after = query_from = NULL;
    sb_arena_free(a);
    for (int i = 0; i < 4; i++)
        free(text[i]);
    return 0;
}
