/*
 * The catalogue's cursors and query parameters (SPEC E7): the page cursor and
 * the change feed's cursor (core/catalogue-cursor.c) alone, then GET
 * /api/v1/connection/catalogue?cursor=&limit= and GET
 * /api/v1/connection/changes?since=&limit= through the real handlers as the
 * seeded webstore's connection (seeded.h: its connection is complete, so the
 * routes run past 409). The input is three parts separated by a line "--":
 * the cursor, the since and the limit values (each sent as given, percent-
 * encoded). What must hold: a cursor that parses formats to text that parses
 * to the same value; a refusal is invalid_query on the field it names, with a
 * UTF-8 message; the routes answer 2xx or a 4xx (fz_request's checks); and
 * what an answer hands out - a page's next_cursor and changes_cursor, the
 * feed's next_cursor - parses and is taken by the next request (the
 * changes_cursor of a page read now answers no reset: nothing moved).
 */
#include "fuzz.h"

#include "core/catalogue-cursor.h"
#include "seeded.h"

#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fz_seeded_init();
    return 0;
}

static void page_cursor(const char *s)
{
    int64_t after, again;
    sb_err err = sb_catalogue_page_cursor_parse(s, &after);
    fz_check_error(err);
    if (err) {
        FZ_CHECK(err == SB_EINVALID_QUERY && !strcmp(sb_err_last()->field, "cursor"),
                 "page cursor: %s field %s", sb_err_code(err), sb_err_last()->field);
        return;
    }
    FZ_CHECK(after >= 0, "page cursor after %lld", (long long)after);
    char buf[SB_CATALOGUE_CURSOR_LEN];
    sb_catalogue_page_cursor_format(after, buf, sizeof(buf));
    FZ_CHECK(sb_catalogue_page_cursor_parse(buf, &again) == SB_OK && again == after,
             "\"%.60s\" formats as \"%s\", which does not read back", s, buf);
}

static void feed_cursor(const char *s)
{
    int64_t seq, seq2;
    uint64_t fp, fp2;
    sb_err err = sb_catalogue_feed_cursor_parse(s, &seq, &fp);
    fz_check_error(err);
    if (err) {
        FZ_CHECK(err == SB_EINVALID_QUERY && !strcmp(sb_err_last()->field, "since"),
                 "feed cursor: %s field %s", sb_err_code(err), sb_err_last()->field);
        return;
    }
    FZ_CHECK(seq >= 0, "feed cursor seq %lld", (long long)seq);
    char buf[SB_CATALOGUE_CURSOR_LEN];
    sb_catalogue_feed_cursor_format(seq, fp, buf, sizeof(buf));
    FZ_CHECK(sb_catalogue_feed_cursor_parse(buf, &seq2, &fp2) == SB_OK && seq2 == seq && fp2 == fp,
             "\"%.60s\" formats as \"%s\", which does not read back", s, buf);
}

/* Appends "&name=<value percent-encoded>" to the target. */
static void put(char *t, size_t size, const char *name, const char *value)
{
    size_t n = strlen(t);
    n += (size_t)snprintf(t + n, size - n, "%s%s=", strchr(t, '?') ? "&" : "?", name);
    for (const unsigned char *p = (const unsigned char *)value; *p && n + 4 < size; p++)
        n += (size_t)snprintf(t + n, size - n, "%%%02X", *p);
}

/* GET path with the query values given (NULL: left out); the document on success. */
static json_t *get(const char *path, const char *name, const char *value, const char *limit)
{
    char target[1024];
    snprintf(target, sizeof(target), "%s", path);
    if (value)
        put(target, sizeof(target), name, value);
    if (limit)
        put(target, sizeof(target), "limit", limit);
    json_t *doc = NULL;
    bool ran;
    sb_err err = fz_request(&fz_scopes[3], "GET", target, NULL, 0, true, &doc, &ran);
    FZ_CHECK(ran, "GET %s did not run", path);
    if (err) {
        FZ_CHECK(err == SB_EINVALID_QUERY, "GET %s: %s %s", path, sb_err_code(err),
                 sb_err_last()->message);
        sb_err_clear();
        return NULL;
    }
    FZ_CHECK(doc, "GET %s: no document", path);
    return doc;
}

/* What an answer hands out parses, and the next request takes it. */
static void follow(json_t *doc, const char *limit)
{
    const char *next = json_string_value(json_object_get(doc, "next_cursor"));
    const char *changes = json_string_value(json_object_get(doc, "changes_cursor"));
    bool page = json_object_get(doc, "changes_cursor") != NULL;
    int64_t i;
    uint64_t u;
    if (page) {
        FZ_CHECK(changes && sb_catalogue_feed_cursor_parse(changes, &i, &u) == SB_OK,
                 "a page's changes_cursor does not parse");
        FZ_CHECK(!next || sb_catalogue_page_cursor_parse(next, &i) == SB_OK,
                 "a page's next_cursor \"%s\" does not parse", next);
        json_t *feed = get("/api/v1/connection/changes", "since", changes, limit);
        FZ_CHECK(feed, "the changes_cursor of a page was refused");
        FZ_CHECK(json_is_false(json_object_get(feed, "reset")),
                 "the changes_cursor of a page read now answers a reset");
        json_decref(feed);
        if (next) {
            json_t *more = get("/api/v1/connection/catalogue", "cursor", next, limit);
            FZ_CHECK(more, "a page's next_cursor \"%s\" was refused", next);
            json_decref(more);
        }
    } else {
        FZ_CHECK(next && sb_catalogue_feed_cursor_parse(next, &i, &u) == SB_OK,
                 "the feed's next_cursor does not parse");
        json_t *again = get("/api/v1/connection/changes", "since", next, limit);
        FZ_CHECK(again, "the feed's next_cursor \"%s\" was refused", next);
        json_decref(again);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *part[3] = { NULL, NULL, NULL };
    size_t len[3] = { 0, 0, 0 };
    for (int i = 0; i < 3; i++)
        if (!fz_next(&data, &size, "\n--\n", &part[i], &len[i]))
            break;
    char *cursor = part[0] ? fz_cstr(part[0], len[0]) : NULL;
    char *since = part[1] ? fz_cstr(part[1], len[1]) : NULL;
    char *limit = part[2] ? fz_cstr(part[2], len[2]) : NULL;
    struct sb_db *db = fz_seeded_db();
    if ((part[0] && !cursor) || (part[1] && !since) || (part[2] && !limit))
        goto done;
    page_cursor(cursor);
    feed_cursor(since);
    sb_err_clear();
    FZ_CHECK(sb_db_begin(db) == SB_OK, "begin: %s", sb_err_last()->message);
    json_t *doc = get("/api/v1/connection/catalogue", "cursor", cursor, limit);
    if (doc)
        follow(doc, limit);
    json_decref(doc);
    doc = since ? get("/api/v1/connection/changes", "since", since, limit) : NULL;
    if (doc)
        follow(doc, limit);
    json_decref(doc);
    (void)sb_db_end(db, SB_EINTERNAL); /* roll back: the next input meets the same database */
    FZ_CHECK(db->tx_depth == 0, "still in a transaction");
    sb_err_clear();
done:
    free(cursor);
    free(since);
    free(limit);
    return 0;
}
