/*
 * The Magento 2 poll and fetch (channel/magento2/poll.c) against whatever a
 * store answers. The input is the stored cursor, a line "--", then the
 * answers, one per request, separated by lines "--"; an answer may start
 * with a line "@STATUS" (else 200). The HTTP client is replaced here (the
 * linker's --wrap): the adapter's own code runs end to end with no network.
 * A request after the last answer fails as a cut connection (SB_EIO). A page
 * taken must hold orders that satisfy fz_check_order, unreadable orders with
 * a UTF-8 reason (O10), and a next cursor that parses and never goes back (but to
 * the start of its last second, once caught up).
 */
#include "fuzz.h"

#include "channel/magento2/magento2.h"
#include "check-order.h"
#include "util/http-client.h"

static const uint8_t *wire;
static size_t wire_left;

sb_err __wrap_sb_http_post_json(const struct sb_http_request *req, struct sb_http_response *ret);
sb_err __wrap_sb_http_post_json(const struct sb_http_request *req, struct sb_http_response *ret)
{
    memset(ret, 0, sizeof(*ret));
    FZ_CHECK(req->url && strncmp(req->url, "http://m2.fuzz.invalid/rest/V1/", 31) == 0,
             "request to %s", req->url ? req->url : "(null)");
    const uint8_t *answer;
    size_t len;
    if (!wire)
        return sb_fail(SB_EIO, NULL, "cut");
    if (!fz_next(&wire, &wire_left, "\n--\n", &answer, &len)) {
        answer = wire;
        len = wire_left;
        wire = NULL;
    }
    ret->status = 200;
    if (len && answer[0] == '@') {
        long st = 0; /* the digits within the answer: it is not NUL-terminated */
        for (size_t k = 1; k < len && k < 5 && answer[k] >= '0' && answer[k] <= '9'; k++)
            st = st * 10 + (answer[k] - '0');
        ret->status = st;
        const uint8_t *nl = memchr(answer, '\n', len);
        size_t skip = nl ? (size_t)(nl - answer) + 1 : len;
        answer += skip;
        len -= skip;
    }
    ret->body = fz_cstr(answer, len);
    ret->len = len;
    return ret->body ? SB_OK : sb_fail(SB_ENOMEM, NULL, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *cur;
    size_t cur_len;
    if (!fz_next(&data, &size, "\n--\n", &cur, &cur_len))
        return 0;
    char *cursor = fz_cstr(cur, cur_len);
    struct sb_arena *a = sb_arena_new();
    json_t *creds =
               json_pack("{s:s, s:s}", "base_url", "http://m2.fuzz.invalid", "access_token", "t"),
           *settings = json_pack("{s:b, s:b}", "download_credit_memos", size % 2, "return_to_stock",
                                 size % 3 == 0);
    if (!cursor || !a || !creds || !settings)
        goto done;
    wire = data;
    wire_left = size;
    struct sb_channel ch = {
        .id = 1, .kind = "magento2", .credentials = creds, .settings = settings
    };
    struct sb_order_page page = { 0 };
    struct sb_m2_cursor before, next;
    bool parsed = sb_m2_cursor_parse(*cursor ? cursor : NULL, &before) == SB_OK;
    sb_err err = sb_m2_poll_orders(&ch, *cursor ? cursor : NULL, a, &page);
    fz_check_error(err);
    if (!err) {
        FZ_CHECK(parsed, "a cursor that does not parse was polled from");
        for (size_t i = 0; i < page.n; i++)
            fz_check_order(page.orders[i]);
        for (size_t i = 0; i < page.n_unreadable; i++)
            FZ_CHECK(page.unreadable[i].external_id && page.unreadable[i].reason &&
                         fz_utf8(page.unreadable[i].reason, strlen(page.unreadable[i].reason)),
                     "unreadable order without id or UTF-8 reason");
        FZ_CHECK(page.next_cursor && sb_m2_cursor_parse(page.next_cursor, &next) == SB_OK,
                 "the next cursor does not parse");
        /* the second never goes back; within it the id may start again from 0 once the poll
         * is caught up (the last second is read again: Magento's one-second updated_at) */
        FZ_CHECK(next.orders.at > before.orders.at ||
                     (next.orders.at == before.orders.at &&
                      (next.orders.id >= before.orders.id || (!page.more && next.orders.id == 0))),
                 "the orders' position went back");
        FZ_CHECK(next.memos.at > before.memos.at ||
                     (next.memos.at == before.memos.at &&
                      (next.memos.id >= before.memos.id || (!page.more && next.memos.id == 0))),
                 "the memos' position went back");
    }
    if (wire) {
        struct sb_order *o = NULL;
        err = sb_m2_fetch_order(&ch, "42", a, &o);
        fz_check_error(err);
        if (!err)
            fz_check_order(o);
    }
done:
    wire = NULL;
    json_decref(creds);
    json_decref(settings);
    sb_arena_free(a);
    free(cursor);
    return 0;
}
