/*
 * The catalogue an export-model webstore reads and its change feed (see
 * catalogue.h), in portable SQL: each item is judged the same way for a page
 * and for the feed (entry()): listed, incomplete (I8) or not published (I7,
 * inactive), from its record, its stock rows and its prices.
 */
#include "store/catalogue.h"
#include "core/availability.h"
#include "core/catalogue-cursor.h"
#include "core/catalogue-fields.h"
#include "store/channels.h"
#include "store/connections.h"
#include "store/stock-queue.h"
#include "util/arena.h"
#include "util/timeutil.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Whether any export-model channel reads the change feed. */
static sb_err feed_read(struct sb_db *db, bool *ret)
{
    /* no export-model channel, no reader of the feed: nothing to record (bench-stock: the
     * bump nearly doubled a commit of 20,000 stock moves; docs/performance.md). A channel
     * made later starts from a full read, whose changes_cursor is the highest seq then;
     * writes are serialized, so no move commits between that check and that read unseen */
    int64_t readers = 0;
    sb_err err = sb_db_int(db, &readers, "SELECT EXISTS (SELECT 1 FROM channels WHERE kind = ?)",
                           "s", SB_CONNECTION_KIND);
    if (!err)
        *ret = readers != 0;
    return err;
}

static sb_err bump(struct sb_db *db, int64_t item_id)
{
    /* the counter is the table's highest seq (writes are serialized: a later commit always
     * takes a higher number) */
    return sb_db_exec(db,
                      "INSERT INTO catalogue_changes (item_id, seq)"
                      " SELECT ?, COALESCE(MAX(seq), 0) + 1 FROM catalogue_changes WHERE true"
                      " ON CONFLICT (item_id) DO UPDATE SET seq = excluded.seq",
                      "i", item_id);
}

sb_err sb_store_catalogue_touch(struct sb_db *db, int64_t item_id)
{
    return sb_store_catalogue_touch_many(db, &item_id, 1);
}

sb_err sb_store_catalogue_touch_many(struct sb_db *db, const int64_t *item_ids, size_t n)
{
    bool read = false;
    sb_err err = n ? feed_read(db, &read) : SB_OK;
    /* one row per item, each its own number, in the order given (seq is unique) */
    for (size_t i = 0; !err && read && i < n; i++)
        err = bump(db, item_ids[i]);
    return err;
}

/* One channel location: its id and the outlets mapped to it. */
struct location {
    const char *id;
    int64_t *outlets;
    size_t n;
};

/* What judging an item for one channel needs, read once per call. */
struct ctx {
    struct sb_channel_record *rec;
    struct sb_publish_filters filters;
    unsigned required; /* bits of sb_export_requirements */
    struct location *locations;
    size_t n_locations;
    int64_t *outlets; /* every outlet the channel stocks from: its locations' and links' */
    size_t n_outlets;
    int64_t now;
};

static bool has(const int64_t *ids, size_t n, int64_t id)
{
    for (size_t i = 0; i < n; i++)
        if (ids[i] == id)
            return true;
    return false;
}

static sb_err ctx_load(struct sb_db *db, int64_t channel_id, int64_t now, struct sb_arena *a,
                       struct ctx *c)
{
    memset(c, 0, sizeof(*c));
    sb_err err = sb_store_channel_record(db, channel_id, a, &c->rec);
    if (err == SB_ENOT_FOUND)
        return sb_fail(err, NULL, "no channel %lld", (long long)channel_id);
    if (err)
        return err;
    struct sb_channel_record *r = c->rec;
    c->now = now;
    c->filters = (struct sb_publish_filters){ .on_hand = r->settings.publish_on_hand,
                                              .on_order = r->settings.publish_on_order,
                                              .reorder = r->settings.publish_reorder };
    /* I8: every requirement is on unless a setting of its name turns it off */
    for (size_t i = 0; i < sb_export_n_requirements; i++)
        if (!json_is_false(json_object_get(r->settings_json, sb_export_requirements[i].setting)))
            c->required |= 1u << i;
    size_t cap = r->n_locations + r->n_outlets;
    c->locations = sb_arena_alloc(a, (r->n_locations ? r->n_locations : 1) * sizeof(*c->locations));
    c->outlets = sb_arena_alloc(a, (cap ? cap : 1) * sizeof(*c->outlets));
    if (!c->locations || !c->outlets)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    /* the record's locations are sorted by location id, then outlet */
    for (size_t i = 0; i < r->n_locations; i++) {
        const struct sb_channel_location *l = &r->locations[i];
        struct location *last = c->n_locations ? &c->locations[c->n_locations - 1] : NULL;
        if (!last || strcmp(last->id, l->location_id) != 0) {
            last = &c->locations[c->n_locations++];
            *last = (struct location){ .id = l->location_id, .outlets = c->outlets + c->n_outlets };
        }
        /* outlets of one location are contiguous in c->outlets (appended in order) */
        if (!has(last->outlets, last->n, l->outlet_id)) {
            last->outlets[last->n++] = l->outlet_id;
            c->n_outlets++;
        }
    }
    for (size_t i = 0; i < r->n_outlets; i++)
        if (!has(c->outlets, c->n_outlets, r->outlet_ids[i]))
            c->outlets[c->n_outlets++] = r->outlet_ids[i];
    return SB_OK;
}

/* An item's record, as the catalogue reads it. */
struct item {
    int64_t id;
    const char *sku, *name;
    struct sb_catalogue_fields f;
    bool active;
};

#define ITEM_COLS "id, sku, name, upc, ean, manufacturer_sku, default_cost, msrp, active"

static bool item_read(struct sb_q *q, struct sb_arena *a, struct item *it)
{
    const char *upc = sb_q_text(q, 3), *ean = sb_q_text(q, 4), *msku = sb_q_text(q, 5);
    *it = (struct item){ .id = sb_q_int(q, 0),
                         .sku = sb_arena_strdup(a, sb_q_text(q, 1)),
                         .name = sb_arena_strdup(a, sb_q_text(q, 2)),
                         .f = { .upc = upc ? sb_arena_strdup(a, upc) : NULL,
                                .ean = ean ? sb_arena_strdup(a, ean) : NULL,
                                .manufacturer_sku = msku ? sb_arena_strdup(a, msku) : NULL,
                                .default_cost = sb_q_int(q, 6),
                                .msrp = sb_q_int(q, 7) },
                         .active = sb_q_int(q, 8) != 0 };
    return it->sku && it->name && (!upc || it->f.upc) && (!ean || it->f.ean) &&
           (!msku || it->f.manufacturer_sku);
}

static json_t *time_or_null(int64_t t)
{
    if (!t)
        return json_null();
    char buf[SB_TIME_LEN];
    sb_time_format(t, buf, sizeof(buf));
    return json_string(buf);
}

/* An incomplete entry: the item and the requirements it misses (bits of missing, or the
 * price when why is given). */
static json_t *incomplete_json(const struct item *it, unsigned missing, const char *why)
{
    json_t *list = json_array();
    char reason[400];
    size_t n = 0;
    reason[0] = '\0';
    for (size_t i = 0; list && i < sb_export_n_requirements; i++) {
        if (!(missing & (1u << i)))
            continue;
        const struct sb_catalogue_requirement *r = &sb_export_requirements[i];
        json_t *fields = json_array();
        for (size_t k = 0; fields && k < r->n_any_of; k++)
            json_array_append_new(fields, json_string(sb_catalogue_field_name(r->any_of[k])));
        json_array_append_new(list, json_pack("{s:o*,s:s}", "fields", fields, "reason", r->reason));
        n += (size_t)snprintf(reason + n, sizeof(reason) - n, "%s%s", n ? "; " : "", r->reason);
        if (n >= sizeof(reason))
            n = sizeof(reason) - 1;
    }
    if (list && why) {
        json_array_append_new(list, json_pack("{s:[s],s:s}", "fields", "price", "reason", why));
        (void)snprintf(reason + n, sizeof(reason) - n, "%s%s", n ? "; " : "", why);
    }
    return json_pack("{s:I,s:s,s:s,s:o*,s:s}", "id", (json_int_t)it->id, "sku", it->sku, "name",
                     it->name, "missing", list, "reason", reason);
}

enum verdict {
    LISTED,
    INCOMPLETE,
    UNPUBLISHED,
};

/* Judges one item for the channel: *ret the entry for the list of the verdict (NULL for
 * UNPUBLISHED). */
static sb_err entry(struct sb_db *db, const struct ctx *c, const struct item *it,
                    struct sb_arena *a, enum verdict *ret_v, json_t **ret)
{
    *ret = NULL;
    *ret_v = UNPUBLISHED;
    if (!it->active)
        return SB_OK;
    struct sb_outlet_stock *rows;
    size_t n;
    sb_err err = sb_store_outlet_stock(db, it->id, a, &rows, &n);
    if (err)
        return err;
    if (sb_unpublished_reason(&c->filters, rows, n, c->outlets, c->n_outlets)) /* I7 */
        return SB_OK;
    const struct sb_channel_settings *s = &c->rec->settings;
    int64_t regular = 0, sale = 0;
    const char *why = NULL;
    if (s->use_pos_pricing &&
        (err = sb_store_sync_price(db, s, it->id, c->now, &regular, &sale, &why))) /* PR1-PR3 */
        return err;
    unsigned missing = sb_catalogue_missing(&it->f, c->required); /* I8 */
    if (missing || why) {
        *ret_v = INCOMPLETE;
        *ret = incomplete_json(it, missing, why);
        return *ret ? SB_OK : sb_fail(SB_ENOMEM, NULL, NULL);
    }
    json_t *o =
        json_pack("{s:I,s:s,s:s}", "id", (json_int_t)it->id, "sku", it->sku, "name", it->name);
    json_t *stock = json_array();
    for (size_t i = 0; o && i < sb_export_n_mapping; i++) {
        const char *v = sb_catalogue_code(&it->f, sb_export_mapping[i].field);
        json_object_set_new(o, sb_export_mapping[i].channel_name, v ? json_string(v) : json_null());
    }
    if (o) {
        /* 0 is "not given" (I8) */
        json_object_set_new(o, "default_cost",
                            it->f.default_cost ? json_integer(it->f.default_cost) : json_null());
        json_object_set_new(o, "msrp", it->f.msrp ? json_integer(it->f.msrp) : json_null());
    }
    for (size_t i = 0; stock && i < c->n_locations; i++) /* I2, I6 */
        json_array_append_new(
            stock, json_pack("{s:s,s:I}", "location_id", c->locations[i].id, "available",
                             (json_int_t)sb_available_sum(rows, n, c->locations[i].outlets,
                                                          c->locations[i].n)));
    json_t *price = json_null();
    if (s->use_pos_pricing)
        price = sale
                    ? json_pack("{s:I,s:I,s:o,s:o}", "regular", (json_int_t)regular, "sale",
                                (json_int_t)sale, "sale_starts_at", time_or_null(s->sale_starts_at),
                                "sale_ends_at", time_or_null(s->sale_ends_at))
                    : json_pack("{s:I,s:n,s:n,s:n}", "regular", (json_int_t)regular, "sale",
                                "sale_starts_at", "sale_ends_at");
    if (!o || !stock || !price || json_object_set_new(o, "stock", stock) ||
        json_object_set_new(o, "price", price)) {
        json_decref(o);
        return sb_fail(SB_ENOMEM, NULL, NULL);
    }
    *ret_v = LISTED;
    *ret = o;
    return SB_OK;
}

/* What the catalogue depends on besides the items: FNV-1a over the channel's settings,
 * locations, outlets and currency, and whether its sale is on now. */
static uint64_t fingerprint(const struct ctx *c)
{
    uint64_t h = 1469598103934665603ULL;
#define MIX(p, len)                                           \
    do {                                                      \
        const unsigned char *b_ = (const unsigned char *)(p); \
        for (size_t k_ = 0; k_ < (len); k_++)                 \
            h = (h ^ b_[k_]) * 1099511628211ULL;              \
    } while (0)
    const struct sb_channel_record *r = c->rec;
    char *settings = json_dumps(r->settings_json, JSON_SORT_KEYS | JSON_COMPACT);
    if (settings)
        MIX(settings, strlen(settings) + 1);
    free(settings);
    for (size_t i = 0; i < r->n_locations; i++) {
        MIX(r->locations[i].location_id, strlen(r->locations[i].location_id) + 1);
        MIX(&r->locations[i].outlet_id, sizeof(int64_t));
    }
    MIX("|", 1);
    for (size_t i = 0; i < r->n_outlets; i++)
        MIX(&r->outlet_ids[i], sizeof(int64_t));
    MIX(r->currency, strlen(r->currency) + 1);
    unsigned char sale = r->settings.use_pos_pricing && sb_sync_sale_on(&r->settings, c->now);
    MIX(&sale, 1);
    MIX(&r->id, sizeof(int64_t));
#undef MIX
    return h;
}

static json_t *feed_cursor(int64_t seq, uint64_t fp)
{
    char buf[SB_CATALOGUE_CURSOR_LEN];
    sb_catalogue_feed_cursor_format(seq, fp, buf, sizeof(buf));
    return json_string(buf);
}

static sb_err check_limit(int64_t limit)
{
    if (limit < 1 || limit > SB_CATALOGUE_LIMIT_MAX)
        return sb_fail(SB_EINVALID_QUERY, "limit", "limit must be 1 to %d", SB_CATALOGUE_LIMIT_MAX);
    return SB_OK;
}

/* The answer's frame: {"channel_id", "currency", "items": [], "incomplete": []}. */
static json_t *frame(const struct ctx *c)
{
    return json_pack("{s:I,s:s,s:[],s:[]}", "channel_id", (json_int_t)c->rec->id, "currency",
                     c->rec->currency, "items", "incomplete");
}

static void put(json_t *out, enum verdict v, json_t *e)
{
    if (v == LISTED)
        json_array_append_new(json_object_get(out, "items"), e);
    else if (v == INCOMPLETE)
        json_array_append_new(json_object_get(out, "incomplete"), e);
}

static size_t listed(json_t *out)
{
    return json_array_size(json_object_get(out, "items")) +
           json_array_size(json_object_get(out, "incomplete"));
}

static sb_err page(struct sb_db *db, struct sb_arena *a, const char *cursor, int64_t limit,
                   struct ctx *c, json_t *out)
{
    int64_t after = 0, seq = 0;
    sb_err err = sb_catalogue_page_cursor_parse(cursor, &after);
    if (!err)
        err = check_limit(limit);
    /* the feed starts where this read starts: a change during the read comes again */
    if (!err)
        err = sb_db_int(db, &seq, "SELECT COALESCE(MAX(seq), 0) FROM catalogue_changes", NULL);
    if (err)
        return err;
    json_object_set_new(out, "changes_cursor", feed_cursor(seq, fingerprint(c)));
    enum {
        BATCH = 200
    };
    struct item *batch = sb_arena_alloc(a, BATCH * sizeof(*batch));
    if (!batch)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    size_t scanned = 0;
    bool more = false;
    for (;;) {
        struct sb_q q;
        size_t n = 0, i = 0;
        /* read a batch, then judge it: each item runs its own queries */
        if ((err = sb_q_open(&q, db,
                             "SELECT " ITEM_COLS " FROM items WHERE id > ? ORDER BY id LIMIT ?",
                             "ii", after, (int64_t)BATCH)))
            return err;
        while (n < BATCH && sb_q_next(&q))
            if (!item_read(&q, a, &batch[n++]))
                q.err = sb_fail(SB_ENOMEM, NULL, NULL);
        if ((err = sb_q_close(&q)))
            return err;
        for (; i < n && (int64_t)listed(out) < limit && scanned < SB_CATALOGUE_SCAN_MAX; i++) {
            enum verdict v;
            json_t *e;
            if ((err = entry(db, c, &batch[i], a, &v, &e)))
                return err;
            put(out, v, e);
            after = batch[i].id;
            scanned++;
        }
        if (i < n || n < BATCH) { /* stopped inside the batch, or the items ran out */
            more = i < n;
            break;
        }
        if ((int64_t)listed(out) >= limit || scanned >= SB_CATALOGUE_SCAN_MAX) {
            more = true;
            break;
        }
    }
    if (!more) {
        json_object_set_new(out, "next_cursor", json_null());
        return SB_OK;
    }
    char buf[SB_CATALOGUE_CURSOR_LEN];
    sb_catalogue_page_cursor_format(after, buf, sizeof(buf));
    json_object_set_new(out, "next_cursor", json_string(buf));
    return SB_OK;
}

sb_err sb_store_catalogue_page(struct sb_db *db, int64_t channel_id, const char *cursor,
                               int64_t limit, int64_t now, json_t **ret)
{
    struct sb_arena *a = sb_arena_new();
    struct ctx c;
    json_t *out = NULL;
    if (!a)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    sb_err err = ctx_load(db, channel_id, now, a, &c);
    if (!err && !(out = frame(&c)))
        err = sb_fail(SB_ENOMEM, NULL, NULL);
    if (!err)
        err = page(db, a, cursor, limit, &c, out);
    sb_arena_free(a);
    if (err) {
        json_decref(out);
        return err;
    }
    *ret = out;
    return SB_OK;
}

static sb_err changes(struct sb_db *db, struct sb_arena *a, const char *since, int64_t limit,
                      struct ctx *c, json_t *out)
{
    int64_t seq = 0;
    uint64_t fp = 0;
    sb_err err = sb_catalogue_feed_cursor_parse(since, &seq, &fp);
    if (!err)
        err = check_limit(limit);
    if (err)
        return err;
    json_t *removed = json_array();
    if (!removed || json_object_set_new(out, "removed", removed))
        return sb_fail(SB_ENOMEM, NULL, NULL);
    uint64_t now_fp = fingerprint(c);
    if (fp != now_fp) { /* the catalogue as a whole changed: read it again */
        int64_t top;
        if ((err =
                 sb_db_int(db, &top, "SELECT COALESCE(MAX(seq), 0) FROM catalogue_changes", NULL)))
            return err;
        json_object_set_new(out, "reset", json_true());
        json_object_set_new(out, "more", json_false());
        json_object_set_new(out, "next_cursor", feed_cursor(top, now_fp));
        return SB_OK;
    }
    struct sb_q q;
    int64_t *ids = sb_arena_alloc(a, (size_t)limit * sizeof(*ids));
    int64_t *seqs = sb_arena_alloc(a, (size_t)limit * sizeof(*seqs));
    size_t n = 0;
    if (!ids || !seqs)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    if ((err = sb_q_open(&q, db,
                         "SELECT item_id, seq FROM catalogue_changes WHERE seq > ?"
                         " ORDER BY seq LIMIT ?",
                         "ii", seq, limit)))
        return err;
    while ((int64_t)n < limit && sb_q_next(&q)) {
        ids[n] = sb_q_int(&q, 0);
        seqs[n++] = sb_q_int(&q, 1);
    }
    if ((err = sb_q_close(&q)))
        return err;
    for (size_t i = 0; i < n; i++) {
        struct item it;
        bool found = false;
        if ((err = sb_q_open(&q, db, "SELECT " ITEM_COLS " FROM items WHERE id = ?", "i", ids[i])))
            return err;
        if (sb_q_next(&q)) {
            found = true;
            if (!item_read(&q, a, &it))
                q.err = sb_fail(SB_ENOMEM, NULL, NULL);
        }
        if ((err = sb_q_close(&q)))
            return err;
        enum verdict v = UNPUBLISHED;
        json_t *e = NULL;
        if (found && (err = entry(db, c, &it, a, &v, &e)))
            return err;
        if (v == UNPUBLISHED)
            json_array_append_new(
                removed, found ? json_pack("{s:I,s:s}", "id", (json_int_t)ids[i], "sku", it.sku)
                               : json_pack("{s:I,s:n}", "id", (json_int_t)ids[i], "sku"));
        else
            put(out, v, e);
        seq = seqs[i];
    }
    json_object_set_new(out, "reset", json_false());
    json_object_set_new(out, "more", json_boolean((int64_t)n == limit));
    json_object_set_new(out, "next_cursor", feed_cursor(seq, now_fp));
    return SB_OK;
}

sb_err sb_store_catalogue_changes(struct sb_db *db, int64_t channel_id, const char *since,
                                  int64_t limit, int64_t now, json_t **ret)
{
    struct sb_arena *a = sb_arena_new();
    struct ctx c;
    json_t *out = NULL;
    if (!a)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    sb_err err = ctx_load(db, channel_id, now, a, &c);
    if (!err && !(out = frame(&c)))
        err = sb_fail(SB_ENOMEM, NULL, NULL);
    if (!err)
        err = changes(db, a, since, limit, &c, out);
    sb_arena_free(a);
    if (err) {
        json_decref(out);
        return err;
    }
    *ret = out;
    return SB_OK;
}
