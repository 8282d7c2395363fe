/*
 * A reader of the tz database's compiled files (TZif, RFC 8536) and of the
 * POSIX TZ rule in their footer, which gives the offsets after the last
 * listed transition (daylight saving time in years the file does not list).
 *
 * Zones are read on first use and kept in a small cache for the life of the
 * process: each entry is built completely before it is published under the
 * mutex and never changes afterwards, so readers share it without locking.
 * A name is checked for shape before any file is opened (the names come from
 * the network), and files are bounded in size; unknown names are remembered
 * too (up to a bound), so a bad name does not cost a file system lookup per
 * call.
 */
#include "util/zone.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define TZIF_MAX    (256 * 1024) /* the largest zone file is a few KiB */
#define CACHE_MAX   1024         /* unknown names remembered; beyond, they are looked up again */
#define DEFAULT_DIR "/usr/share/zoneinfo"

/* A date rule of the POSIX TZ string: Jn (1-365, no February 29), n (0-365) or
 * Mm.w.d (day d of week w of month m; week 5 is the last), at a local time. */
struct rule_date {
    char kind; /* 'J', 'N' or 'M' */
    int n, m, w, d;
    int32_t time; /* seconds after local midnight; may be negative or past 24 h */
};

struct posix_tz {
    bool valid, has_dst;
    int32_t std_off, dst_off; /* UTC offsets, east positive */
    struct rule_date start, end;
};

struct zone {
    struct zone *next;
    char name[SB_ZONE_NAME_MAX + 1];
    bool valid;
    size_t n_trans, n_types;
    int64_t *trans; /* transition instants, ascending */
    uint8_t *idx;   /* the type in force from each transition */
    int32_t *utoff; /* each type's UTC offset */
    struct posix_tz footer;
};

static pthread_mutex_t cache_mu = PTHREAD_MUTEX_INITIALIZER;
static struct zone *cache;
static size_t cache_unknown; /* entries for names that are not zones */

/* ---------------------------------------------------------------- calendar */

static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static bool leap_year(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int64_t y, int m)
{
    static const int n[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    return m == 2 && leap_year(y) ? 29 : n[m - 1];
}

/* The local wall-clock instant (as seconds since the epoch, as if it were UTC) at which
 * rule r falls in year y. */
static int64_t rule_local(const struct rule_date *r, int64_t y)
{
    int64_t day;
    if (r->kind == 'J') {
        day = days_from_civil(y, 1, 1) + r->n - 1;
        if (leap_year(y) && r->n >= 60)
            day++;
    } else if (r->kind == 'N') {
        day = days_from_civil(y, 1, 1) + r->n;
    } else {
        int64_t first = days_from_civil(y, r->m, 1);
        int wd = (int)(((first % 7) + 7 + 4) % 7); /* 1970-01-01 was a Thursday */
        int mday = 1 + (r->d - wd + 7) % 7 + 7 * (r->w - 1);
        while (mday > month_days(y, r->m))
            mday -= 7;
        day = first + mday - 1;
    }
    return day * 86400 + r->time;
}

static int32_t footer_offset(const struct posix_tz *p, int64_t t)
{
    if (!p->has_dst)
        return p->std_off;
    time_t lt = (time_t)(t + p->std_off);
    struct tm tm;
    if (!gmtime_r(&lt, &tm))
        return p->std_off;
    int64_t y = (int64_t)tm.tm_year + 1900;
    int64_t start = rule_local(&p->start, y) - p->std_off; /* given in standard time */
    int64_t end = rule_local(&p->end, y) - p->dst_off;     /* given in daylight time */
    bool dst = start < end ? (t >= start && t < end) : !(t >= end && t < start);
    return dst ? p->dst_off : p->std_off;
}

/* ---------------------------------------------------------------- the POSIX TZ string */

static const char *posix_name(const char *s)
{
    if (*s == '<') {
        const char *e = strchr(s + 1, '>');
        return e && e - s >= 4 ? e + 1 : NULL;
    }
    const char *p = s;
    while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z'))
        p++;
    return p - s >= 3 ? p : NULL;
}

/* [+-]hh[:mm[:ss]], hours up to max_h. */
static const char *posix_hms(const char *s, int max_h, int32_t *ret)
{
    int sign = 1;
    if (*s == '+' || *s == '-')
        sign = *s++ == '-' ? -1 : 1;
    int32_t v[3] = { 0, 0, 0 };
    for (int part = 0; part < 3; part++) {
        if (part > 0) {
            if (*s != ':')
                break;
            s++;
        }
        int digits = 0;
        while (*s >= '0' && *s <= '9' && digits < 3) {
            v[part] = v[part] * 10 + (*s++ - '0');
            digits++;
        }
        if (digits == 0 || (part > 0 && v[part] > 59))
            return NULL;
    }
    if (v[0] > max_h)
        return NULL;
    *ret = sign * (v[0] * 3600 + v[1] * 60 + v[2]);
    return s;
}

static const char *posix_int(const char *s, int lo, int hi, int *ret)
{
    int v = 0, digits = 0;
    while (*s >= '0' && *s <= '9' && digits < 4) {
        v = v * 10 + (*s++ - '0');
        digits++;
    }
    if (digits == 0 || v < lo || v > hi)
        return NULL;
    *ret = v;
    return s;
}

static const char *posix_rule(const char *s, struct rule_date *r)
{
    if (*s == 'J') {
        r->kind = 'J';
        s = posix_int(s + 1, 1, 365, &r->n);
    } else if (*s == 'M') {
        r->kind = 'M';
        s = posix_int(s + 1, 1, 12, &r->m);
        if (s && *s == '.')
            s = posix_int(s + 1, 1, 5, &r->w);
        else
            s = NULL;
        if (s && *s == '.')
            s = posix_int(s + 1, 0, 6, &r->d);
        else
            s = NULL;
    } else {
        r->kind = 'N';
        s = posix_int(s, 0, 365, &r->n);
    }
    if (!s)
        return NULL;
    r->time = 7200; /* 02:00 unless said */
    if (*s == '/')
        s = posix_hms(s + 1, 167, &r->time);
    return s;
}

/* "EST5EDT,M3.2.0,M11.1.0", "<+0330>-3:30", "UTC0". An empty string (a zone whose
 * file lists every transition) leaves p invalid. */
static bool posix_parse(const char *s, struct posix_tz *p)
{
    int32_t hms;
    memset(p, 0, sizeof(*p));
    if (!*s)
        return true;
    if (!(s = posix_name(s)) || !(s = posix_hms(s, 24, &hms)))
        return false;
    p->std_off = -hms; /* POSIX counts west positive */
    if (*s) {
        if (!(s = posix_name(s)))
            return false;
        p->has_dst = true;
        p->dst_off = p->std_off + 3600;
        if (*s && *s != ',') {
            if (!(s = posix_hms(s, 24, &hms)))
                return false;
            p->dst_off = -hms;
        }
        if (*s == ',') {
            if (!(s = posix_rule(s + 1, &p->start)) || *s != ',' ||
                !(s = posix_rule(s + 1, &p->end)))
                return false;
        } else {
            /* the POSIX default: the US rules */
            p->start = (struct rule_date){ .kind = 'M', .m = 3, .w = 2, .d = 0, .time = 7200 };
            p->end = (struct rule_date){ .kind = 'M', .m = 11, .w = 1, .d = 0, .time = 7200 };
        }
    }
    if (*s)
        return false;
    p->valid = true;
    return true;
}

/* ---------------------------------------------------------------- TZif */

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p)
{
    return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

struct counts {
    uint32_t isut, isstd, leap, time, type, chars;
};

static bool header(const unsigned char *p, size_t n, struct counts *c)
{
    if (n < 44 || memcmp(p, "TZif", 4) != 0)
        return false;
    c->isut = be32(p + 20);
    c->isstd = be32(p + 24);
    c->leap = be32(p + 28);
    c->time = be32(p + 32);
    c->type = be32(p + 36);
    c->chars = be32(p + 40);
    return c->type >= 1 && c->type <= 256 && c->time <= 100000 && c->leap <= 100000 &&
           c->chars <= 100000 && c->isut <= c->type && c->isstd <= c->type;
}

static size_t block_size(const struct counts *c, size_t tsize)
{
    return (size_t)c->time * tsize + c->time + (size_t)c->type * 6 + c->chars +
           (size_t)c->leap * (tsize + 4) + c->isstd + c->isut;
}

static bool parse_tzif(const unsigned char *p, size_t n, struct zone *z)
{
    struct counts c;
    if (!header(p, n, &c))
        return false;
    size_t tsize = 4, at = 44;
    if (p[4] >= '2') {
        /* skip the 32-bit block: the 64-bit one follows with its own header */
        at += block_size(&c, 4);
        if (at > n || !header(p + at, n - at, &c))
            return false;
        at += 44;
        tsize = 8;
    }
    if (block_size(&c, tsize) > n - at)
        return false;
    const unsigned char *times = p + at, *idx = times + (size_t)c.time * tsize,
                        *types = idx + c.time;
    z->n_trans = c.time;
    z->n_types = c.type;
    z->trans = malloc((c.time ? c.time : 1) * sizeof(*z->trans));
    z->idx = malloc(c.time ? c.time : 1);
    z->utoff = malloc(c.type * sizeof(*z->utoff));
    if (!z->trans || !z->idx || !z->utoff)
        return false;
    for (uint32_t i = 0; i < c.time; i++) {
        z->trans[i] = tsize == 8 ? be64(times + i * 8) : (int32_t)be32(times + i * 4);
        z->idx[i] = idx[i];
        if (idx[i] >= c.type || (i > 0 && z->trans[i] <= z->trans[i - 1]))
            return false;
    }
    for (uint32_t i = 0; i < c.type; i++) {
        int32_t off = (int32_t)be32(types + i * 6);
        if (off < -25 * 3600 || off > 26 * 3600)
            return false;
        z->utoff[i] = off;
    }
    at += block_size(&c, tsize);
    if (tsize == 8) {
        /* the footer: "\n<POSIX TZ string>\n" */
        if (at >= n || p[at] != '\n')
            return false;
        const unsigned char *end = memchr(p + at + 1, '\n', n - at - 1);
        if (!end || end - (p + at + 1) > 128)
            return false;
        char tz[129];
        size_t len = (size_t)(end - (p + at + 1));
        memcpy(tz, p + at + 1, len);
        tz[len] = '\0';
        if (!posix_parse(tz, &z->footer))
            return false;
    }
    return true;
}

/* ---------------------------------------------------------------- names and the cache */

/* The shape of a tz name: components of letters, digits, '_', '-' and '+', separated by
 * single slashes, none starting with '.' or '-'. Nothing else may reach the file system. */
static bool name_shape(const char *name)
{
    size_t n = strnlen(name, SB_ZONE_NAME_MAX + 1);
    if (n == 0 || n > SB_ZONE_NAME_MAX)
        return false;
    bool start = true;
    for (size_t i = 0; i < n; i++) {
        char ch = name[i];
        if (ch == '/') {
            if (start)
                return false;
            start = true;
            continue;
        }
        bool ok = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
                  (ch >= '0' && ch <= '9') || ch == '_' || ch == '+' || (ch == '-' && !start);
        if (!ok)
            return false;
        start = false;
    }
    if (start)
        return false;
    /* variants and files of the directory that are not zones of their own */
    return strncmp(name, "posix/", 6) != 0 && strncmp(name, "right/", 6) != 0 &&
           strcmp(name, "posixrules") != 0 && strcmp(name, "localtime") != 0;
}

static void zone_free(struct zone *z)
{
    if (!z)
        return;
    free(z->trans);
    free(z->idx);
    free(z->utoff);
    free(z);
}

static bool read_file(const char *path, unsigned char **ret, size_t *ret_n)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC); /* links such as US/Eastern may be symlinks */
    if (fd < 0)
        return false;
    struct stat st;
    unsigned char *buf = NULL;
    size_t got = 0;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 && st.st_size <= TZIF_MAX)
        buf = malloc((size_t)st.st_size);
    while (buf && got < (size_t)st.st_size) {
        ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    if (!buf || got != (size_t)st.st_size) {
        free(buf);
        return false;
    }
    *ret = buf;
    *ret_n = got;
    return true;
}

static struct zone *load(const char *name)
{
    struct zone *z = calloc(1, sizeof(*z));
    if (!z)
        return NULL;
    memcpy(z->name, name, strlen(name) + 1);
    const char *dir = getenv("TZDIR");
    char path[512];
    unsigned char *data = NULL;
    size_t n = 0;
    if (snprintf(path, sizeof(path), "%s/%s", dir && *dir ? dir : DEFAULT_DIR, name) <
            (int)sizeof(path) &&
        read_file(path, &data, &n))
        z->valid = parse_tzif(data, n, z);
    free(data);
    if (!z->valid && (strcmp(name, "UTC") == 0 || strcmp(name, "Etc/UTC") == 0)) {
        /* a system without the tz database still knows UTC */
        free(z->trans);
        free(z->idx);
        free(z->utoff);
        z->trans = NULL;
        z->idx = NULL;
        z->n_trans = 0;
        z->n_types = 1;
        z->utoff = calloc(1, sizeof(*z->utoff));
        z->valid = z->utoff != NULL;
        memset(&z->footer, 0, sizeof(z->footer));
    }
    return z;
}

static const struct zone *find(const char *name)
{
    if (!name || !name_shape(name))
        return NULL;
    pthread_mutex_lock(&cache_mu);
    struct zone *z = cache;
    while (z && strcmp(z->name, name) != 0)
        z = z->next;
    pthread_mutex_unlock(&cache_mu);
    if (z)
        return z->valid ? z : NULL;
    /* read outside the lock; a thread that raced us to the same name wins */
    struct zone *fresh = load(name);
    if (!fresh)
        return NULL;
    pthread_mutex_lock(&cache_mu);
    for (z = cache; z && strcmp(z->name, name) != 0; z = z->next)
        ;
    /* valid zones are as many as the database's files; unknown names are capped */
    if (!z && (fresh->valid || cache_unknown < CACHE_MAX)) {
        fresh->next = cache;
        cache = fresh;
        cache_unknown += !fresh->valid;
        z = fresh;
        fresh = NULL;
    }
    pthread_mutex_unlock(&cache_mu);
    zone_free(fresh);
    return z && z->valid ? z : NULL;
}

/* ---------------------------------------------------------------- the API */

static int32_t offset_at(const struct zone *z, int64_t t)
{
    if (z->n_trans == 0)
        return z->footer.valid ? footer_offset(&z->footer, t) : z->utoff[0];
    if (t < z->trans[0])
        return z->utoff[0];
    if (t >= z->trans[z->n_trans - 1] && z->footer.valid)
        return footer_offset(&z->footer, t);
    size_t lo = 0, hi = z->n_trans; /* the last transition at or before t */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (z->trans[mid] <= t)
            lo = mid;
        else
            hi = mid;
    }
    return z->utoff[z->idx[lo]];
}

bool sb_zone_valid(const char *name)
{
    return find(name) != NULL;
}

bool sb_zone_offset(const char *zone, int64_t t, int32_t *ret)
{
    const struct zone *z = find(zone);
    if (!z)
        return false;
    *ret = offset_at(z, t);
    return true;
}

bool sb_zone_day(const char *zone, int64_t t, char out[SB_DAY_LEN])
{
    int32_t off;
    if (!sb_zone_offset(zone, t, &off))
        return false;
    time_t lt = (time_t)(t + off);
    struct tm tm;
    if (!gmtime_r(&lt, &tm) || tm.tm_year < -1900 || tm.tm_year > 9999 - 1900)
        return false;
    unsigned y = (unsigned)(tm.tm_year + 1900) % 10000, m = (unsigned)(tm.tm_mon + 1) % 100,
             d = (unsigned)tm.tm_mday % 100;
    snprintf(out, SB_DAY_LEN, "%04u-%02u-%02u", y, m, d);
    return true;
}
