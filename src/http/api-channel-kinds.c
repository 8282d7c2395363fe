/*
 * GET /api/v1/channel-kinds: every kind of webstore stockbridge can connect,
 * as its table row describes it (channel/kinds.c): its capabilities, its
 * credentials and settings as data (name, type, bounds, default, label,
 * help, secret or not) and its status table. The web app builds a channel's
 * settings form from it, so the form and the checks come from one place.
 */
#include "http/api.h"

#include "channel/channel.h"

sb_err sb_api_channel_kinds_list(struct sb_req *r)
{
    size_t n;
    const struct sb_channel_ops *const *kinds = sb_channel_kinds(&n);
    json_t *data = json_array();
    for (size_t i = 0; data && i < n; i++) {
        json_t *k = sb_channel_kind_describe(kinds[i]);
        if (!k || json_array_append_new(data, k)) {
            json_decref(data);
            data = NULL;
        }
    }
    json_t *doc = data ? json_pack("{s:o}", "data", data) : NULL;
    return doc ? sb_reply(r, 200, doc) : sb_fail(SB_ENOMEM, NULL, NULL);
}
