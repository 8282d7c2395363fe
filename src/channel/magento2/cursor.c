/*
 * The Magento 2 poll cursor (magento2.h: "T|I|MT|MI") and Magento's times.
 * The cursor is the only thing a poll resumes from after a restart, so it is
 * parsed back strictly: anything else is refused, never read as "from the
 * beginning". Times are Magento's "YYYY-MM-DD HH:MM:SS", UTC without a zone.
 */
#include "channel/magento2/magento2.h"

#include "util/timeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

bool sb_m2_time_parse(const char *s, int64_t *ret)
{
    /* exactly 19 characters: digits where digits go, the separators where they go */
    static const char shape[] = "dddd-dd-dd dd:dd:dd";
    if (!s || strlen(s) != sizeof(shape) - 1)
        return false;
    for (size_t i = 0; shape[i]; i++)
        if (shape[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != shape[i])
            return false;
    char iso[24], back[24];
    int64_t t;
    snprintf(iso, sizeof(iso), "%.10sT%.8sZ", s, s + 11);
    if (!sb_time_parse(iso, &t))
        return false;
    /* a second 60 or a 31st of April would be moved on: only times that exist */
    sb_m2_time_format(t, back, sizeof(back));
    if (strcmp(back, s) != 0)
        return false;
    *ret = t;
    return true;
}

void sb_m2_time_format(int64_t t, char *buf, size_t cap)
{
    char iso[SB_TIME_LEN];
    sb_time_format(t, iso, sizeof(iso));
    snprintf(buf, cap, "%.10s %.8s", iso, iso + 11);
}

/* One "T|I" half: T empty with I 0 (not started), or a time and an entity id. */
static bool parse_pos(const char *t, size_t tn, const char *i, size_t in, struct sb_m2_pos *ret)
{
    char tb[24], ib[24];
    if (tn >= sizeof(tb) || in >= sizeof(ib))
        return false;
    memcpy(tb, t, tn);
    tb[tn] = '\0';
    memcpy(ib, i, in);
    ib[in] = '\0';
    struct sb_m2_pos p = { 0 };
    if (!tn)
        return strcmp(ib, "0") == 0 && (*ret = p, true);
    if (!sb_m2_time_parse(tb, &p.at) || p.at <= 0)
        return false;
    char *end;
    if (!(ib[0] >= '0' && ib[0] <= '9') || (ib[0] == '0' && ib[1]))
        return false;
    long long v = strtoll(ib, &end, 10);
    if (*end || v < 0 || in > 18)
        return false;
    p.id = v;
    *ret = p;
    return true;
}

sb_err sb_m2_cursor_parse(const char *s, struct sb_m2_cursor *ret)
{
    struct sb_m2_cursor c = { 0 };
    if (!s || !*s) {
        *ret = c;
        return SB_OK;
    }
    const char *f[4];
    size_t n[4], k = 0;
    const char *p = s;
    while (k < 4) {
        size_t len = strcspn(p, "|");
        f[k] = p;
        n[k++] = len;
        if (!p[len])
            break;
        p += len + 1;
    }
    if (k != 4 || strchr(f[3], '|') || !parse_pos(f[0], n[0], f[1], n[1], &c.orders) ||
        !parse_pos(f[2], n[2], f[3], n[3], &c.memos))
        return sb_fail(SB_EINVALID_FIELD, "cursor", "the Magento poll cursor is not valid");
    *ret = c;
    return SB_OK;
}

static void format_pos(const struct sb_m2_pos *p, char *buf, size_t cap)
{
    char t[24];
    if (!p->at) {
        snprintf(buf, cap, "|0");
        return;
    }
    sb_m2_time_format(p->at, t, sizeof(t));
    snprintf(buf, cap, "%s|%lld", t, (long long)p->id);
}

const char *sb_m2_cursor_format(const struct sb_m2_cursor *c, struct sb_arena *a)
{
    char o[48], m[48];
    format_pos(&c->orders, o, sizeof(o));
    format_pos(&c->memos, m, sizeof(m));
    return sb_arena_printf(a, "%s|%s", o, m);
}
