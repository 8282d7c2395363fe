/*
 * Time text (util/timeutil.c): webhook and GraphQL timestamps, poll cursors and
 * the API's ?from= and ?to= are all read by sb_time_parse. What parses must
 * format as ISO 8601 UTC text of the documented length and parse back to the
 * same instant; the stored and sent form is the only one the rest of the code
 * compares as text.
 */
#include "fuzz.h"

#include "util/timeutil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fz_cstr(data, size);
    if (!s)
        return 0;
    int64_t t = 0, back = 0;
    if (sb_time_parse(s, &t)) {
        char buf[SB_TIME_LEN];
        memset(buf, 'x', sizeof(buf));
        sb_time_format(t, buf, sizeof(buf));
        FZ_CHECK(memchr(buf, '\0', sizeof(buf)) && strlen(buf) == SB_TIME_LEN - 1,
                 "\"%.64s\" (%lld) formats as \"%.*s\"", s, (long long)t, (int)sizeof(buf), buf);
        FZ_CHECK(sb_time_parse(buf, &back) && back == t,
                 "\"%.64s\" (%lld) formats as \"%s\", which does not parse back", s, (long long)t,
                 buf);
    }
    free(s);
    return 0;
}
