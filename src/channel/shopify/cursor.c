/*
 * The Shopify poll cursor (shopify.h: "SINCE" or "SINCE|MAX|AFTER"), kept
 * by the pipeline between polls: parsed back strictly, since the stored
 * text is the only thing a poll resumes from.
 */
#include "channel/shopify/shopify.h"

#include "util/timeutil.h"

#include <string.h>

sb_err sb_shopify_cursor_parse(const char *s, struct sb_arena *a, struct sb_shopify_cursor *ret)
{
    struct sb_shopify_cursor c = { 0 };
    if (!s || !*s) {
        *ret = c;
        return SB_OK;
    }
    if (strlen(s) > 4096)
        return sb_fail(SB_EINVALID_FIELD, "cursor", "the poll cursor is too long");
    const char *bar = strchr(s, '|');
    char part[SB_TIME_LEN + 16];
    size_t n = bar ? (size_t)(bar - s) : strlen(s);
    if (n >= sizeof(part))
        return sb_fail(SB_EINVALID_FIELD, "cursor", "the poll cursor is not valid");
    memcpy(part, s, n);
    part[n] = '\0';
    if (n && !sb_time_parse(part, &c.since))
        return sb_fail(SB_EINVALID_FIELD, "cursor", "the poll cursor is not valid");
    if (bar) {
        const char *m = bar + 1, *bar2 = strchr(m, '|');
        if (!bar2)
            return sb_fail(SB_EINVALID_FIELD, "cursor", "the poll cursor is not valid");
        n = (size_t)(bar2 - m);
        if (n >= sizeof(part))
            return sb_fail(SB_EINVALID_FIELD, "cursor", "the poll cursor is not valid");
        memcpy(part, m, n);
        part[n] = '\0';
        if (n && !sb_time_parse(part, &c.max))
            return sb_fail(SB_EINVALID_FIELD, "cursor", "the poll cursor is not valid");
        if (bar2[1] && !(c.after = sb_arena_strdup(a, bar2 + 1)))
            return sb_fail(SB_ENOMEM, NULL, NULL);
    }
    *ret = c;
    return SB_OK;
}

const char *sb_shopify_cursor_format(const struct sb_shopify_cursor *c, struct sb_arena *a)
{
    char since[SB_TIME_LEN] = "", max[SB_TIME_LEN] = "";
    if (c->since)
        sb_time_format(c->since, since, sizeof(since));
    if (!c->after)
        return sb_arena_strdup(a, since);
    if (c->max)
        sb_time_format(c->max, max, sizeof(max));
    return sb_arena_printf(a, "%s|%s|%s", since, max, c->after);
}
