/*
 * The reports screen's figures (issue 16 item 6), for the caller's outlets over local days
 * [from, to) (SPEC T1), each filterable by ?outlet_id= and ?channel= (pos or a channel id):
 *   GET /api/v1/reports/sales          per day, week (from Monday) or month, with
 *                                      ?compare=previous: the same number of days just before
 *   GET /api/v1/reports/top-items      ?by=revenue|quantity&limit=N, net of returns
 *   GET /api/v1/reports/top-customers  ?limit=N, by spend, walk-in sales left out
 *   GET /api/v1/reports/takings        payments minus refunds per payment type
 * All per currency, never added across currencies. ?format=csv (or Accept: text/csv) sends
 * the same rows as CSV with a header row, money as decimal text in its currency's minor
 * units beside a currency column, text that a spreadsheet would take for a formula opened
 * with a quote.
 */
#include "core/currency.h"
#include "core/money.h"
#include "core/report-period.h"
#include "http/api.h"
#include "store/reports.h"
#include "util/grow.h"
#include "util/timeutil.h"

#include <stdlib.h>
#include <string.h>

#define TOP_LIMIT_MAX     100
#define TOP_LIMIT_DEFAULT 10

struct range {
    struct sb_report_filter f;
    int64_t from, to; /* day numbers, to excluded */
    bool csv;
};

static sb_err query_day(struct sb_req *r, const char *name, int64_t fallback, int64_t *ret)
{
    const char *v = sb_req_query(r, name);
    if (!v) {
        *ret = fallback;
        return SB_OK;
    }
    if (!sb_report_day_parse(v, ret))
        return sb_fail(SB_EINVALID_QUERY, name, "%s must be a day: YYYY-MM-DD", name);
    return SB_OK;
}

static char *day_text(struct sb_req *r, int64_t day)
{
    char *s = sb_arena_alloc(r->arena, SB_REPORT_DAY_LEN);
    if (s)
        sb_report_day_format(day, s);
    return s;
}

/* ?from=&to= (default: the 30 days to today, in my outlets), ?outlet_id=, ?channel=,
 * ?format= */
static sb_err parse_range(struct sb_req *r, struct range *g)
{
    char today[SB_DAY_LEN];
    int64_t t;
    sb_err err = sb_store_report_today(r->db, &r->scope, sb_time_now(), today);
    if (err)
        return err;
    if (!sb_report_day_parse(today, &t))
        return sb_fail(SB_EINTERNAL, NULL, "today is not a day");
    memset(g, 0, sizeof(*g));
    err = query_day(r, "from", t - 29, &g->from);
    if (!err)
        err = query_day(r, "to", t + 1, &g->to);
    if (!err && g->to <= g->from)
        err = sb_fail(SB_EINVALID_QUERY, "to", "to must come after from (to is not included)");
    if (!err && g->to - g->from > SB_REPORT_MAX_DAYS)
        err =
            sb_fail(SB_EINVALID_QUERY, "to", "a report covers at most %d days", SB_REPORT_MAX_DAYS);
    bool have_outlet = false;
    if (!err)
        err = sb_req_query_id(r, "outlet_id", &g->f.outlet_id, &have_outlet);
    const char *ch = sb_req_query(r, "channel");
    if (!err && ch) {
        if (strcmp(ch, "pos") == 0)
            g->f.pos_only = true;
        else if (sb_req_query_id(r, "channel", &g->f.channel_id, NULL))
            err = sb_fail(SB_EINVALID_QUERY, "channel", "channel must be \"pos\" or a channel id");
    }
    const char *format = sb_req_query(r, "format");
    if (!err && format) {
        if (strcmp(format, "csv") == 0)
            g->csv = true;
        else if (strcmp(format, "json") != 0)
            err = sb_fail(SB_EINVALID_QUERY, "format", "format must be json or csv");
    } else if (!err) {
        const char *accept = sb_req_header(r, "Accept");
        g->csv = accept && strstr(accept, "text/csv") != NULL;
    }
    if (!err && have_outlet)
        err = sb_req_outlet(r, g->f.outlet_id);
    if (err)
        return err;
    g->f.from = day_text(r, g->from);
    g->f.to = day_text(r, g->to);
    return g->f.from && g->f.to ? SB_OK : sb_fail(SB_ENOMEM, NULL, NULL);
}

/* ---- CSV ---- */

struct col {
    const char *key;
    char kind; /* 't' text, 'i' integer, 'm' money in the row's currency */
};

struct buf {
    char *p;
    size_t len, cap;
    bool oom;
};

static void put(struct buf *b, const char *s, size_t n)
{
    if (b->oom || !sb_grow((void **)&b->p, &b->cap, b->len + n + 1, 1, 4096)) {
        b->oom = true;
        return;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

/* RFC 4180: quoted when it holds a comma, quote or line break, quotes doubled */
static void put_field(struct buf *b, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        put(b, s, strlen(s));
        return;
    }
    put(b, "\"", 1);
    for (const char *q; (q = strchr(s, '"')); s = q + 1) {
        put(b, s, (size_t)(q - s) + 1);
        put(b, "\"", 1);
    }
    put(b, s, strlen(s));
    put(b, "\"", 1);
}

static sb_err reply_csv(struct sb_req *r, const struct col *cols, json_t *rows)
{
    struct buf b = { 0 };
    for (const struct col *c = cols; c->key; c++) {
        if (c != cols)
            put(&b, ",", 1);
        put_field(&b, c->key);
    }
    put(&b, "\r\n", 2);
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row)
    {
        int exponent = sb_currency_exponent(json_string_value(json_object_get(row, "currency")));
        for (const struct col *c = cols; c->key; c++) {
            json_t *v = json_object_get(row, c->key);
            char num[48];
            if (c != cols)
                put(&b, ",", 1);
            if (json_is_string(v) && strchr("=+-@\t\r", *json_string_value(v)) &&
                *json_string_value(v)) {
                /* a name from a webstore must not be a spreadsheet formula (CWE-1236):
                 * text that would start one is opened with a quote */
                char *quoted = sb_arena_printf(r->arena, "'%s", json_string_value(v));
                put_field(&b, quoted ? quoted : "");
                b.oom = b.oom || !quoted;
            } else if (json_is_string(v))
                put_field(&b, json_string_value(v));
            else if (json_is_integer(v) && c->kind == 'm') {
                sb_money_format(json_integer_value(v), exponent < 0 ? 0 : exponent, num,
                                sizeof(num));
                put_field(&b, num);
            } else if (json_is_integer(v)) {
                snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(v));
                put_field(&b, num);
            }
        }
        put(&b, "\r\n", 2);
    }
    json_decref(rows);
    if (b.oom) {
        free(b.p);
        return sb_fail(SB_ENOMEM, NULL, NULL);
    }
    if (!sb_arena_defer(r->arena, free, b.p)) {
        free(b.p);
        return sb_fail(SB_ENOMEM, NULL, NULL);
    }
    return sb_reply_raw(r, 200, "text/csv; charset=utf-8", b.p, b.len);
}

/* ---- the sales series ---- */

struct bucket {
    int64_t start, end, sales, total, refunded;
};

/* The periods of [from, to) by group, the first and last cut at the range's ends. */
static size_t buckets(int64_t from, int64_t to, enum sb_report_group g, struct bucket *out)
{
    size_t n = 0;
    for (int64_t s = from; s < to; n++) {
        int64_t next = sb_report_period_next(sb_report_period_start(s, g), g);
        out[n] = (struct bucket){ .start = s, .end = next < to ? next : to };
        s = out[n].end;
    }
    return n;
}

static json_t *bucket_json(struct sb_req *r, const struct bucket *k)
{
    return json_pack("{s:s,s:s,s:I,s:I,s:I,s:I}", "start", day_text(r, k->start), "end",
                     day_text(r, k->end), "sales", (json_int_t)k->sales, "total",
                     (json_int_t)k->total, "refunded", (json_int_t)k->refunded, "net",
                     (json_int_t)(k->total - k->refunded));
}

/* One currency's days folded into the periods of [from, to): {"buckets","totals"}. */
static json_t *series(struct sb_req *r, json_t *days, const char *currency, int64_t from,
                      int64_t to, enum sb_report_group g, struct bucket *work,
                      struct bucket *ret_totals)
{
    size_t n = buckets(from, to, g, work), at = 0, i;
    struct bucket sum = { .start = from, .end = to };
    json_t *row;
    json_array_foreach(days, i, row)
    {
        int64_t day;
        if (strcmp(json_string_value(json_object_get(row, "currency")), currency) != 0 ||
            !sb_report_day_parse(json_string_value(json_object_get(row, "day")), &day))
            continue;
        while (at + 1 < n && day >= work[at].end)
            at++;
        int64_t c = json_integer_value(json_object_get(row, "sales"));
        int64_t t = json_integer_value(json_object_get(row, "total"));
        int64_t f = json_integer_value(json_object_get(row, "refunded"));
        work[at].sales += c, work[at].total += t, work[at].refunded += f;
        sum.sales += c, sum.total += t, sum.refunded += f;
    }
    json_t *list = json_array();
    for (size_t k = 0; k < n; k++)
        json_array_append_new(list, bucket_json(r, &work[k]));
    *ret_totals = sum;
    return json_pack("{s:o,s:o}", "buckets", list, "totals", bucket_json(r, &sum));
}

/* The change from prev to cur in percent, to one decimal (null from nothing). */
static json_t *percent(int64_t cur, int64_t prev)
{
    if (prev == 0)
        return json_null();
    /* in tenths, rounded half away from zero, in 128 bits so no sum overflows */
    __int128 num = ((__int128)cur - prev) * 1000, den = prev < 0 ? -(__int128)prev : prev;
    __int128 q = ((num < 0 ? -num : num) * 2 + den) / (2 * den);
    return json_real((double)(num < 0 ? -q : q) / 10.0);
}

static void add_currency(json_t *list, json_t *days)
{
    size_t i;
    json_t *row;
    json_array_foreach(days, i, row)
    {
        const char *c = json_string_value(json_object_get(row, "currency"));
        size_t k;
        json_t *have;
        bool seen = false;
        json_array_foreach(list, k, have) seen = seen || strcmp(json_string_value(have), c) == 0;
        if (!seen)
            json_array_append_new(list, json_string(c));
    }
}

static void csv_rows(json_t *out, const char *which, const char *currency, json_t *s)
{
    size_t i;
    json_t *b;
    json_array_foreach(json_object_get(s, "buckets"), i, b)
    {
        json_t *row = json_deep_copy(b);
        json_object_set_new(row, "series", json_string(which));
        json_object_set_new(row, "currency", json_string(currency));
        json_array_append_new(out, row);
    }
}

sb_err sb_api_reports_sales(struct sb_req *r)
{
    struct range g;
    enum sb_report_group group = SB_GROUP_AUTO;
    sb_err err = parse_range(r, &g);
    const char *gs = sb_req_query(r, "group");
    if (!err && gs && !sb_report_group_parse(gs, &group))
        err = sb_fail(SB_EINVALID_QUERY, "group", "group must be auto, day, week or month");
    const char *cmp = sb_req_query(r, "compare");
    if (!err && cmp && strcmp(cmp, "previous") != 0 && strcmp(cmp, "none") != 0)
        err = sb_fail(SB_EINVALID_QUERY, "compare", "compare must be previous or none");
    if (err)
        return err;
    bool compare = cmp && strcmp(cmp, "previous") == 0;
    if (group == SB_GROUP_AUTO)
        group = sb_report_group_auto(g.to - g.from);
    int64_t len = g.to - g.from;
    struct range p = g;
    p.from = g.from - len, p.to = g.from;
    p.f.from = day_text(r, p.from), p.f.to = g.f.from;
    if (!p.f.from)
        return sb_fail(SB_ENOMEM, NULL, NULL);

    json_t *days = NULL, *pdays = NULL;
    err = sb_store_report_day_totals(r->db, &r->scope, &g.f, &days);
    if (!err && compare)
        err = sb_store_report_day_totals(r->db, &r->scope, &p.f, &pdays);
    if (err) {
        json_decref(days);
        return err;
    }
    json_t *currencies = json_array();
    add_currency(currencies, days);
    if (pdays)
        add_currency(currencies, pdays);
    /* the work array: as many periods as days at most, plus the cut ends */
    struct bucket *work = sb_arena_alloc(r->arena, sizeof(*work) * (size_t)(len + 2));
    json_t *out = json_array(), *flat = json_array();
    size_t i;
    json_t *cv;
    json_array_foreach(currencies, i, cv)
    {
        if (!work)
            break;
        const char *c = json_string_value(cv);
        struct bucket cur, prev;
        memset(work, 0, sizeof(*work) * (size_t)(len + 2));
        json_t *s = series(r, days, c, g.from, g.to, group, work, &cur);
        json_object_set_new(s, "currency", json_string(c));
        csv_rows(flat, "current", c, s);
        if (compare) {
            memset(work, 0, sizeof(*work) * (size_t)(len + 2));
            json_t *ps = series(r, pdays, c, p.from, p.to, group, work, &prev);
            csv_rows(flat, "previous", c, ps);
            json_object_set_new(s, "previous", ps);
            json_object_set_new(
                s, "change",
                json_pack("{s:I,s:o,s:I,s:o}", "sales", (json_int_t)(cur.sales - prev.sales),
                          "sales_percent", percent(cur.sales, prev.sales), "net",
                          (json_int_t)((cur.total - cur.refunded) - (prev.total - prev.refunded)),
                          "net_percent",
                          percent(cur.total - cur.refunded, prev.total - prev.refunded)));
        }
        json_array_append_new(out, s);
    }
    json_decref(days);
    json_decref(pdays);
    json_decref(currencies);
    if (!work) {
        json_decref(out);
        json_decref(flat);
        return sb_fail(SB_ENOMEM, NULL, NULL);
    }
    if (g.csv) {
        static const struct col cols[] = {
            { "series", 't' },   { "currency", 't' }, { "start", 't' },
            { "end", 't' },      { "sales", 'i' },    { "total", 'm' },
            { "refunded", 'm' }, { "net", 'm' },      { NULL, 0 },
        };
        json_decref(out);
        return reply_csv(r, cols, flat);
    }
    json_decref(flat);
    json_t *doc = json_pack("{s:s,s:s,s:s,s:o}", "from", g.f.from, "to", g.f.to, "group",
                            sb_report_group_name(group), "data", out);
    if (compare)
        json_object_set_new(doc, "previous",
                            json_pack("{s:s,s:s}", "from", p.f.from, "to", p.f.to));
    return sb_reply(r, 200, doc);
}

/* ---- the tables ---- */

static sb_err reply_rows(struct sb_req *r, const struct range *g, const struct col *cols,
                         json_t *rows)
{
    if (g->csv)
        return reply_csv(r, cols, rows);
    return sb_reply(r, 200,
                    json_pack("{s:s,s:s,s:o}", "from", g->f.from, "to", g->f.to, "data", rows));
}

static sb_err query_limit(struct sb_req *r, int64_t *ret)
{
    *ret = TOP_LIMIT_DEFAULT;
    return sb_req_query_int(r, "limit", 1, TOP_LIMIT_MAX, ret, NULL);
}

sb_err sb_api_reports_top_items(struct sb_req *r)
{
    static const struct col cols[] = {
        { "rank", 'i' },     { "item_id", 'i' },  { "sku", 't' },     { "name", 't' },
        { "currency", 't' }, { "quantity", 'i' }, { "revenue", 'm' }, { NULL, 0 },
    };
    struct range g;
    int64_t limit;
    sb_err err = parse_range(r, &g);
    if (!err)
        err = query_limit(r, &limit);
    const char *by = sb_req_query(r, "by");
    if (!err && by && strcmp(by, "revenue") != 0 && strcmp(by, "quantity") != 0)
        err = sb_fail(SB_EINVALID_QUERY, "by", "by must be revenue or quantity");
    json_t *rows;
    if (!err)
        err = sb_store_report_top_items(r->db, &r->scope, &g.f, by && strcmp(by, "quantity") == 0,
                                        limit, &rows);
    return err ? err : reply_rows(r, &g, cols, rows);
}

sb_err sb_api_reports_top_customers(struct sb_req *r)
{
    static const struct col cols[] = {
        { "rank", 'i' },     { "customer_id", 'i' }, { "name", 't' },  { "email", 't' },
        { "currency", 't' }, { "sales", 'i' },       { "spend", 'm' }, { NULL, 0 },
    };
    struct range g;
    int64_t limit;
    sb_err err = parse_range(r, &g);
    if (!err)
        err = query_limit(r, &limit);
    json_t *rows;
    if (!err)
        err = sb_store_report_top_customers(r->db, &r->scope, &g.f, limit, &rows);
    return err ? err : reply_rows(r, &g, cols, rows);
}

sb_err sb_api_reports_takings(struct sb_req *r)
{
    static const struct col cols[] = {
        { "payment_type_id", 'i' },
        { "payment_type", 't' },
        { "currency", 't' },
        { "payments", 'm' },
        { "refunds", 'm' },
        { "net", 'm' },
        { NULL, 0 },
    };
    struct range g;
    sb_err err = parse_range(r, &g);
    json_t *rows;
    if (!err)
        err = sb_store_report_takings(r->db, &r->scope, &g.f, &rows);
    return err ? err : reply_rows(r, &g, cols, rows);
}
