/*
 * Magento's searchCriteria on the list routes (orders, credit memos,
 * products, sources, source items). The query string is read whole and
 * decoded here (form encoding: '+' is a space), in both spellings official
 * material uses: filter_groups/condition_type/sort_orders/page_size/
 * current_page and filterGroups/conditionType/sortOrders/pageSize/
 * currentPage. Filters in a group are ORed, groups ANDed; values compare as
 * numbers when both sides are numbers, else as case-insensitive text (MySQL's
 * default collation; Magento's dates "YYYY-MM-DD HH:MM:SS" order as text).
 * Paging keeps Magento's quirks: a currentPage past the end answers the LAST
 * page again, and with the admin's page-size limit on, a pageSize over the
 * maximum is a 400 and none means 20.
 */
#include "magento2.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define QUERY_MAX            16384
#define ARGS_MAX             256
#define GROUPS_MAX           16
#define FILTERS_MAX          16
#define SORTS_MAX            4
#define DEFAULT_LIMITED_PAGE 20

/* ---------------------------------------------------------------- the query string */

bool m2_args_parse(const char *query, struct fs_args *ret)
{
    return fs_args_parse(query, QUERY_MAX, ARGS_MAX, ret);
}

/* ---------------------------------------------------------------- searchCriteria */

struct filter {
    const char *field, *value, *cond;
};

struct criteria {
    struct filter f[GROUPS_MAX][FILTERS_MAX];
    size_t nf[GROUPS_MAX];
    size_t ng;
    const char *sort_field[SORTS_MAX], *sort_dir[SORTS_MAX];
    size_t ns;
    int64_t page_size, current_page;
    bool has_size, has_page;
};

/* "searchCriteria[a][0][b]" -> tokens a, 0, b. */
static size_t tokens(const char *key, char tok[6][32])
{
    const char *p = key + strlen("searchCriteria");
    size_t n = 0;
    while (*p == '[' && n < 6) {
        const char *close = strchr(p, ']');
        if (!close || (size_t)(close - p - 1) >= sizeof(tok[0]))
            return 0;
        memcpy(tok[n], p + 1, (size_t)(close - p - 1));
        tok[n][close - p - 1] = '\0';
        n++;
        p = close + 1;
    }
    return *p ? 0 : n;
}

static bool small_index(const char *s, size_t max, size_t *ret)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (!*s || *end || errno || v < 0 || (size_t)v >= max)
        return false;
    *ret = (size_t)v;
    return true;
}

static bool is(const char *t, const char *a, const char *b)
{
    return strcmp(t, a) == 0 || strcmp(t, b) == 0;
}

static bool parse_int(const char *s, int64_t *ret)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (!*s || *end || errno)
        return false;
    *ret = v;
    return true;
}

static void bad_type(struct fs_m2_response *r, const char *value)
{
    m2_error(r, 400,
             "The \"%1\" value's type is invalid. The \"%2\" type was expected. Verify and try "
             "again.",
             json_pack("[s,s]", value, "int"));
}

static bool parse_criteria(struct m2_shop *s, const struct fs_args *a, struct criteria *c,
                           struct fs_m2_response *r)
{
    bool any = false;
    for (size_t i = 0; i < a->n; i++) {
        if (strncmp(a->k[i], "searchCriteria", 14) != 0)
            continue;
        any = true;
        char t[6][32];
        size_t n = tokens(a->k[i], t);
        size_t g, k;
        if (n == 5 && is(t[0], "filter_groups", "filterGroups") && strcmp(t[2], "filters") == 0 &&
            small_index(t[1], GROUPS_MAX, &g) && small_index(t[3], FILTERS_MAX, &k)) {
            struct filter *f = &c->f[g][k];
            if (strcmp(t[4], "field") == 0)
                f->field = a->v[i];
            else if (strcmp(t[4], "value") == 0)
                f->value = a->v[i];
            else if (is(t[4], "condition_type", "conditionType"))
                f->cond = a->v[i];
            if (g + 1 > c->ng)
                c->ng = g + 1;
            if (k + 1 > c->nf[g])
                c->nf[g] = k + 1;
        } else if (n == 3 && is(t[0], "sort_orders", "sortOrders") &&
                   small_index(t[1], SORTS_MAX, &k)) {
            if (strcmp(t[2], "field") == 0)
                c->sort_field[k] = a->v[i];
            else if (strcmp(t[2], "direction") == 0)
                c->sort_dir[k] = a->v[i];
            if (k + 1 > c->ns)
                c->ns = k + 1;
        } else if (n == 1 && is(t[0], "page_size", "pageSize")) {
            if (!parse_int(a->v[i], &c->page_size)) {
                bad_type(r, a->v[i]);
                return false;
            }
            c->has_size = true;
        } else if (n == 1 && is(t[0], "current_page", "currentPage")) {
            if (!parse_int(a->v[i], &c->current_page)) {
                bad_type(r, a->v[i]);
                return false;
            }
            c->has_page = true;
        }
    }
    if (!any) {
        m2_error(r, 400, "\"%fieldName\" is required. Enter and try again.",
                 json_pack("{s:s}", "fieldName", "searchCriteria"));
        return false;
    }
    for (size_t i = 0; i < c->ns; i++)
        if (c->sort_dir[i] && strcasecmp(c->sort_dir[i], "ASC") != 0 &&
            strcasecmp(c->sort_dir[i], "DESC") != 0) {
            m2_error(r, 400, "Sort order \"%1\" is invalid. Use \"ASC\" or \"DESC\".",
                     json_pack("[s]", c->sort_dir[i]));
            return false;
        }
    if (s->page_size_max > 0) {
        if (!c->has_size) {
            c->page_size = DEFAULT_LIMITED_PAGE;
            c->has_size = true;
        } else if (c->page_size > s->page_size_max) {
            m2_error(r, 400, "Maximum SearchCriteria pageSize is %max",
                     json_pack("{s:I}", "max", (json_int_t)s->page_size_max));
            return false;
        }
    }
    return true;
}

static json_t *criteria_json(const struct criteria *c)
{
    json_t *groups = json_array();
    for (size_t g = 0; g < c->ng; g++) {
        json_t *fs = json_array();
        for (size_t k = 0; k < c->nf[g]; k++) {
            const struct filter *f = &c->f[g][k];
            if (!f->field)
                continue;
            json_t *o = json_pack("{s:s}", "field", f->field);
            if (f->value)
                json_object_set_new(o, "value", json_string(f->value));
            json_object_set_new(o, "condition_type", json_string(f->cond ? f->cond : "eq"));
            json_array_append_new(fs, o);
        }
        json_array_append_new(groups, json_pack("{s:o}", "filters", fs));
    }
    json_t *o = json_pack("{s:o}", "filter_groups", groups);
    if (c->ns) {
        json_t *so = json_array();
        for (size_t i = 0; i < c->ns; i++)
            if (c->sort_field[i])
                json_array_append_new(so,
                                      json_pack("{s:s,s:s}", "field", c->sort_field[i], "direction",
                                                c->sort_dir[i] ? c->sort_dir[i] : "ASC"));
        json_object_set_new(o, "sort_orders", so);
    }
    if (c->has_size)
        json_object_set_new(o, "page_size", json_integer(c->page_size));
    if (c->has_page)
        json_object_set_new(o, "current_page", json_integer(c->current_page));
    return o;
}

/* ---------------------------------------------------------------- matching */

static bool number(const char *s, double *ret)
{
    /* for ordering only (entity ids, amounts as text): never used as money */
    char *end;
    if (!*s || isspace((unsigned char)*s))
        return false;
    errno = 0;
    double d = strtod(s, &end);
    if (*end || errno)
        return false;
    *ret = d;
    return true;
}

static int cmp(const char *a, const char *b)
{
    double x, y;
    if (number(a, &x) && number(b, &y))
        return x < y ? -1 : x > y;
    return strcasecmp(a, b);
}

/* SQL LIKE: % any run, _ any one character, case-insensitive. */
static bool like(const char *s, const char *p)
{
    if (!*p)
        return !*s;
    if (*p == '%') {
        for (;; s++) {
            if (like(s, p + 1))
                return true;
            if (!*s)
                return false;
        }
    }
    if (!*s)
        return false;
    if (*p == '_' || tolower((unsigned char)*p) == tolower((unsigned char)*s))
        return like(s + 1, p + 1);
    return false;
}

static bool in_list(const char *v, const char *list)
{
    const char *p = list;
    while (*p) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        char item[256];
        if (n < sizeof(item)) {
            memcpy(item, p, n);
            item[n] = '\0';
            if (cmp(v, item) == 0)
                return true;
        }
        p += n;
        if (*p == ',')
            p++;
    }
    return false;
}

static bool test(const struct filter *f, const struct m2_val *v)
{
    const char *c = f->cond ? f->cond : "eq";
    const char *want = f->value ? f->value : "";
    if (strcmp(c, "null") == 0)
        return v->null;
    if (strcmp(c, "notnull") == 0)
        return !v->null;
    if (v->null)
        return false;
    if (strcmp(c, "eq") == 0)
        return cmp(v->str, want) == 0;
    if (strcmp(c, "neq") == 0)
        return cmp(v->str, want) != 0;
    if (strcmp(c, "gt") == 0)
        return cmp(v->str, want) > 0;
    if (strcmp(c, "gteq") == 0 || strcmp(c, "from") == 0 || strcmp(c, "moreq") == 0)
        return cmp(v->str, want) >= 0;
    if (strcmp(c, "lt") == 0)
        return cmp(v->str, want) < 0;
    if (strcmp(c, "lteq") == 0 || strcmp(c, "to") == 0)
        return cmp(v->str, want) <= 0;
    if (strcmp(c, "in") == 0)
        return in_list(v->str, want);
    if (strcmp(c, "nin") == 0)
        return !in_list(v->str, want);
    if (strcmp(c, "like") == 0)
        return like(v->str, want);
    if (strcmp(c, "nlike") == 0)
        return !like(v->str, want);
    if (strcmp(c, "finset") == 0)
        return in_list(want, v->str);
    return cmp(v->str, want) == 0;
}

struct sort_ctx {
    struct m2_val *vals; /* [key * n + match] */
    double *num;         /* the same values read as numbers once, where they are */
    bool *is_num;
    size_t n, nkeys;
    bool desc[SORTS_MAX];
};

static int cmp_idx(const void *a, const void *b, void *arg)
{
    const struct sort_ctx *c = arg;
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    for (size_t k = 0; k < c->nkeys; k++) {
        size_t ia = k * c->n + x, ib = k * c->n + y;
        const struct m2_val *va = &c->vals[ia], *vb = &c->vals[ib];
        int r;
        if (va->null || vb->null)
            r = va->null == vb->null ? 0 : va->null ? -1 : 1; /* NULL first, as MySQL */
        else if (c->is_num[ia] && c->is_num[ib]) /* as cmp() does, without reading again */
            r = c->num[ia] < c->num[ib] ? -1 : c->num[ia] > c->num[ib];
        else
            r = strcasecmp(va->str, vb->str);
        if (r)
            return c->desc[k] ? -r : r;
    }
    return x < y ? -1 : x > y; /* stable: the records' own order */
}

/* The first k of the n positions in sort order, into out (k <= n): one pass keeping the k
 * best in order, for a page near the start of many matches (a keyset poll asks for the
 * first 100 of everything after its cursor); a full sort costs n log n comparisons for
 * every page instead. */
#define SELECT_MAX 1000
static void select_first(size_t *pos, size_t n, size_t k, struct sort_ctx *sc, size_t *out)
{
    size_t have = 0;
    for (size_t j = 0; j < n; j++) {
        if (have == k && cmp_idx(&pos[j], &out[k - 1], sc) >= 0)
            continue;
        size_t lo = 0, hi = have;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (cmp_idx(&out[mid], &pos[j], sc) <= 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        size_t keep = have < k ? have : k - 1;
        memmove(out + lo + 1, out + lo, (keep - lo) * sizeof(*out));
        out[lo] = pos[j];
        if (have < k)
            have++;
    }
}

bool m2_search(struct m2_shop *s, const struct fs_args *args, size_t n, m2_getter get, void *ctx,
               struct fs_m2_response *r, size_t **ret_idx, size_t *ret_n, int64_t *ret_total,
               json_t **ret_criteria)
{
    struct criteria *c = calloc(1, sizeof(*c));
    if (!c) {
        m2_error(r, 500, "Internal Error.", NULL);
        return false;
    }
    if (!parse_criteria(s, args, c, r)) {
        free(c);
        return false;
    }
    size_t *match = malloc((n ? n : 1) * sizeof(*match)), nm = 0;
    if (!match) {
        free(c);
        m2_error(r, 500, "Internal Error.", NULL);
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        bool ok = true;
        for (size_t g = 0; g < c->ng && ok; g++) {
            bool any = false, has = false;
            for (size_t k = 0; k < c->nf[g] && !any; k++) {
                const struct filter *f = &c->f[g][k];
                if (!f->field)
                    continue;
                has = true;
                struct m2_val v = { 0 };
                get(s, ctx, i, f->field, &v);
                any = test(f, &v);
            }
            ok = any || !has;
        }
        if (ok)
            match[nm++] = i;
    }
    size_t start = 0, count = nm;
    if (c->has_size && c->page_size > 0) {
        int64_t size = c->page_size;
        int64_t last = ((int64_t)nm + size - 1) / size;
        if (last < 1)
            last = 1;
        int64_t page = c->has_page && c->current_page > 0 ? c->current_page : 1;
        if (page > last)
            page = last; /* Magento's quirk: past the end, the last page again */
        start = (size_t)((page - 1) * size);
        count = nm - start < (size_t)size ? nm - start : (size_t)size;
    }
    size_t nkeys = 0;
    struct sort_ctx sc = { 0 };
    for (size_t k = 0; k < c->ns; k++)
        if (c->sort_field[k])
            nkeys++;
    if (nkeys && nm > 1) {
        sc.vals = calloc(nkeys * nm, sizeof(*sc.vals));
        sc.num = calloc(nkeys * nm, sizeof(*sc.num));
        sc.is_num = calloc(nkeys * nm, sizeof(*sc.is_num));
        size_t *pos = malloc(nm * sizeof(*pos));
        if (!sc.vals || !sc.num || !sc.is_num || !pos) {
            free(sc.vals);
            free(sc.num);
            free(sc.is_num);
            free(pos);
            free(match);
            free(c);
            m2_error(r, 500, "Internal Error.", NULL);
            return false;
        }
        sc.n = nm;
        size_t key = 0;
        for (size_t k = 0; k < c->ns; k++) {
            if (!c->sort_field[k])
                continue;
            sc.desc[key] = c->sort_dir[k] && strcasecmp(c->sort_dir[k], "DESC") == 0;
            for (size_t j = 0; j < nm; j++) {
                struct m2_val *v = &sc.vals[key * nm + j];
                get(s, ctx, match[j], c->sort_field[k], v);
                if (!v->null && v->str)
                    sc.is_num[key * nm + j] = number(v->str, &sc.num[key * nm + j]);
            }
            key++;
        }
        sc.nkeys = nkeys;
        for (size_t j = 0; j < nm; j++)
            pos[j] = j;
        size_t want = start + count;
        size_t *first =
            want < nm && want <= SELECT_MAX ? malloc((want ? want : 1) * sizeof(*first)) : NULL;
        size_t sorted = nm;
        if (first) {
            select_first(pos, nm, want, &sc, first);
            memcpy(pos, first, want * sizeof(*pos));
            free(first);
            sorted = want;
        } else {
            qsort_r(pos, nm, sizeof(*pos), cmp_idx, &sc);
        }
        for (size_t j = 0; j < sorted; j++)
            pos[j] = match[pos[j]];
        free(match);
        match = pos;
        free(sc.vals);
        free(sc.num);
        free(sc.is_num);
    }
    memmove(match, match + start, count * sizeof(*match));
    *ret_idx = match;
    *ret_n = count;
    *ret_total = (int64_t)nm;
    *ret_criteria = criteria_json(c);
    free(c);
    return true;
}

void m2_search_reply(struct fs_m2_response *r, json_t *items, json_t *criteria, int64_t total)
{
    m2_reply(r, 200,
             json_pack("{s:o,s:o,s:I}", "items", items, "search_criteria", criteria, "total_count",
                       (json_int_t)total));
}
