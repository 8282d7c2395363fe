/*
 * The fake wire of wire.h. Every request the adapter sends is checked on the
 * way out (a JSON object naming its operation, as Shopify requires), every
 * wait it asks for is checked against its documented cap and skipped, and
 * each answer is handed back as the HTTP client would: status, body,
 * Retry-After; streamed bodies in pieces of varying sizes, so that lines
 * split across pieces are exercised.
 */
#include "wire.h"

#include "channel/shopify/shopify.h"
#include "fuzz.h"

#include <jansson.h>
#include <strings.h>

#define MAX_ANSWERS 64

static struct answer {
    long status;
    char *retry_after;
    const uint8_t *body;
    size_t len;
} answers[MAX_ANSWERS];
static size_t n_answers, next_answer;
static int64_t channel_id;
static json_t *credentials;
static struct sb_channel channel;
/* the adapter's state for the channel, fresh for each input (its pacing is fuzzed too) */
static struct sb_shopify_state state;
static bool state_open;

void fz_wire_reset(void)
{
    if (state_open)
        sb_channel_shopify.close(&state);
    state_open = false;
    for (size_t i = 0; i < n_answers; i++)
        free(answers[i].retry_after);
    n_answers = next_answer = 0;
}

void fz_wire_load(const uint8_t *data, size_t size)
{
    const uint8_t *piece;
    size_t len;
    fz_wire_reset();
    while (n_answers < MAX_ANSWERS && fz_next(&data, &size, "\n--\n", &piece, &len)) {
        struct answer *a = &answers[n_answers++];
        *a = (struct answer){ .status = 200, .body = piece, .len = len };
        if (len && piece[0] == '@') {
            const uint8_t *nl = memchr(piece, '\n', len);
            size_t head = nl ? (size_t)(nl - piece) : len;
            char line[64];
            size_t n = head < sizeof(line) - 1 ? head : sizeof(line) - 1;
            memcpy(line, piece + 1, n ? n - 1 : 0);
            line[n ? n - 1 : 0] = '\0';
            char *end;
            long status = strtol(line, &end, 10);
            a->status = status >= 100 && status <= 599 ? status : 200;
            while (*end == ' ')
                end++;
            if (*end)
                a->retry_after = strdup(end);
            a->body = nl ? nl + 1 : piece + len;
            a->len = nl ? len - head - 1 : 0;
        }
    }
    channel_id++;
}

size_t fz_wire_calls(void)
{
    return next_answer;
}

size_t fz_wire_left(void)
{
    return n_answers - next_answer;
}

const struct sb_channel *fz_wire_channel(void)
{
    if (!credentials)
        credentials = json_pack("{s:s, s:s}", "access_token", "shpat_fuzz", "base_url",
                                "http://shopify.fuzz.invalid");
    channel = (struct sb_channel){
        .id = channel_id,
        .kind = "shopify",
        .name = "fuzz",
        .credentials = credentials,
    };
    if (!state_open) {
        memset(&state, 0, sizeof(state));
        FZ_CHECK(sb_channel_shopify.open(&channel, &state) == SB_OK, "the adapter's state");
        state_open = true;
    }
    channel.state = &state;
    return &channel;
}

sb_err __wrap_sb_http_post_json(const struct sb_http_request *req, struct sb_http_response *ret)
{
    memset(ret, 0, sizeof(*ret));
    FZ_CHECK(req->url && strncmp(req->url, "http://shopify.fuzz.invalid/admin/api/", 38) == 0,
             "request to %s", req->url ? req->url : "(null)");
    json_t *sent = json_loadb(req->body, req->body_len, 0, NULL);
    FZ_CHECK(json_is_string(json_object_get(sent, "query")) &&
                 json_is_string(json_object_get(sent, "operationName")) &&
                 json_is_object(json_object_get(sent, "variables")),
             "the request is not a GraphQL operation: %.*s", (int)req->body_len, req->body);
    json_decref(sent);
    if (next_answer == n_answers)
        return sb_fail(SB_EIO, NULL, "Empty reply from server (the fuzz answers ran out)");
    const struct answer *a = &answers[next_answer++];
    ret->status = a->status;
    ret->body = malloc(a->len + 1);
    /* the headers the adapter asked for: Retry-After is the only one an answer carries */
    for (size_t i = 0; req->capture && req->capture[i] && i < SB_HTTP_MAX_CAPTURE; i++)
        if (a->retry_after && strcasecmp(req->capture[i], "Retry-After") == 0)
            FZ_CHECK((ret->captured[i] = strdup(a->retry_after)) != NULL, "out of memory");
    FZ_CHECK(ret->body != NULL, "out of memory");
    if (a->len)
        memcpy(ret->body, a->body, a->len);
    ret->body[a->len] = '\0';
    ret->len = a->len;
    return SB_OK;
}

sb_err __wrap_sb_http_get_stream(const char *url,
                                 sb_err (*each)(void *ud, const char *data, size_t len), void *ud,
                                 size_t max_size, long timeout_ms)
{
    FZ_CHECK(url && *url, "no url");
    if (next_answer == n_answers)
        return sb_fail(SB_EIO, NULL, "the download failed: the fuzz answers ran out");
    const struct answer *a = &answers[next_answer++];
    if (a->status >= 400)
        return sb_fail(SB_EIO, NULL, "the download failed: HTTP %ld", a->status);
    if (a->len > max_size)
        return sb_fail(SB_ETOO_LARGE, NULL, "the download is larger than %zu bytes", max_size);
    /* pieces of 1 to 97 bytes, in a sequence that depends on the body */
    uint32_t x = 2166136261u;
    for (size_t i = 0; i < a->len && i < 16; i++)
        x = (x ^ a->body[i]) * 16777619u;
    for (size_t at = 0; at < a->len;) {
        x = x * 1103515245u + 12345u;
        size_t n = 1 + (x >> 16) % 97;
        if (n > a->len - at)
            n = a->len - at;
        /* a copy of each piece, so that reading past it is caught */
        char *piece = malloc(n);
        FZ_CHECK(piece, "out of memory");
        memcpy(piece, a->body + at, n);
        sb_err err = each(ud, piece, n);
        free(piece);
        if (err)
            return err;
        at += n;
    }
    return SB_OK;
}

int __wrap_nanosleep(const struct timespec *req, struct timespec *rem)
{
    (void)rem;
    uint64_t ms = (uint64_t)req->tv_sec * 1000u + (uint64_t)req->tv_nsec / 1000000u;
    FZ_CHECK(req->tv_sec >= 0 && req->tv_nsec >= 0 && req->tv_nsec < 1000000000L,
             "a wait of %lld s %ld ns", (long long)req->tv_sec, req->tv_nsec);
    FZ_CHECK(ms <= SB_SHOPIFY_MAX_WAIT_MS, "a wait of %llu ms, over the cap of %d ms",
             (unsigned long long)ms, SB_SHOPIFY_MAX_WAIT_MS);
    return 0;
}
