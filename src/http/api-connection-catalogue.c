/*
 * /api/v1/connection/catalogue and /api/v1/connection/changes (SPEC E7,
 * issue 14 item 2): what an export-model webstore reads with its connection
 * token, once the connection is complete (409 connection_incomplete until
 * then). They serve the store's answers as they are
 * (store/catalogue.h: a page of the catalogue, the change feed since a
 * cursor), with a strong ETag and Cache-Control: no-cache, so a webstore
 * that asks again and again for an unchanged page is answered 304 with no
 * body. docs/channels/export.md, "Reading the catalogue", shows both.
 */
#include "http/api.h"
#include "store/catalogue.h"
#include "util/timeutil.h"

#define DEFAULT_LIMIT 100

/* ?limit= (1..SB_CATALOGUE_LIMIT_MAX, default DEFAULT_LIMIT) */
static sb_err limit_of(struct sb_req *r, int64_t *ret)
{
    *ret = DEFAULT_LIMIT;
    return sb_req_query_int(r, "limit", 1, SB_CATALOGUE_LIMIT_MAX, ret, NULL);
}

sb_err sb_api_connection_catalogue(struct sb_req *r)
{
    int64_t limit;
    sb_err err = sb_api_connection_require_ready(r);
    if (!err)
        err = limit_of(r, &limit);
    json_t *doc = NULL;
    if (!err)
        err = sb_store_catalogue_page(r->db, r->scope.channel_id, sb_req_query(r, "cursor"), limit,
                                      sb_time_now(), &doc);
    return err ? err : sb_reply_etag(r, doc);
}

sb_err sb_api_connection_changes(struct sb_req *r)
{
    int64_t limit;
    sb_err err = sb_api_connection_require_ready(r);
    if (!err)
        err = limit_of(r, &limit);
    const char *since = sb_req_query(r, "since");
    if (!err && !since)
        err = sb_fail(SB_EINVALID_QUERY, "since",
                      "since is required: a catalogue page's changes_cursor or the feed's "
                      "next_cursor");
    json_t *doc = NULL;
    if (!err)
        err = sb_store_catalogue_changes(r->db, r->scope.channel_id, since, limit, sb_time_now(),
                                         &doc);
    return err ? err : sb_reply_etag(r, doc);
}
