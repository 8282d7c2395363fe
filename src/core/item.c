/*
 * Item rules: identifier formats (SKU, UPC-A and EAN-13 with their check
 * digits), required fields, money bounds, prices; and the reading of CSV
 * rows into items, shared by the HTTP import and the command line.
 */
#include "core/item.h"
#include "core/money.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* GTIN check digit (UPC-A and EAN-13 alike): from the right, excluding the check digit,
 * weights alternate 3, 1, 3, ...; the check digit brings the sum to a multiple of 10. */
static bool gtin_valid(const char *s, size_t want)
{
    if (!s || strlen(s) != want)
        return false;
    for (size_t i = 0; i < want; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    int sum = 0;
    for (size_t i = 0; i + 1 < want; i++) {
        size_t from_right = want - 1 - i; /* 1 for the digit beside the check digit */
        sum += (s[i] - '0') * (from_right % 2 ? 3 : 1);
    }
    return (10 - sum % 10) % 10 == s[want - 1] - '0';
}

bool sb_upc_valid(const char *s)
{
    return gtin_valid(s, 12);
}

bool sb_ean_valid(const char *s)
{
    return gtin_valid(s, 13);
}

static bool has_control(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return true;
    return false;
}

static bool blank(const char *s)
{
    for (; *s; s++)
        if (*s != ' ' && *s != '\t')
            return false;
    return true;
}

bool sb_sku_valid(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > SB_ITEM_SKU_MAX)
        return false;
    for (; *s; s++)
        if ((unsigned char)*s <= 0x20 || *s == 0x7f)
            return false;
    return true;
}

static sb_err text(const struct sb_opt_str *f, const char *field, bool nullable, size_t max)
{
    if (!f->set)
        return SB_OK;
    if (!f->v)
        return nullable ? SB_OK : sb_fail(SB_EINVALID_FIELD, field, "%s must not be null", field);
    if (strlen(f->v) > max)
        return sb_fail(SB_EINVALID_FIELD, field, "%s is longer than %zu bytes", field, max);
    return SB_OK;
}

static sb_err line_text(const struct sb_opt_str *f, const char *field, bool nullable, size_t max)
{
    sb_err err = text(f, field, nullable, max);
    if (err || !f->set || !f->v)
        return err;
    if (blank(f->v))
        return sb_fail(SB_EINVALID_FIELD, field, "%s must not be empty", field);
    if (has_control(f->v))
        return sb_fail(SB_EINVALID_FIELD, field, "%s must not contain control characters", field);
    return SB_OK;
}

static sb_err money(bool set, int64_t v, const char *field)
{
    if (set && (v < 0 || v > SB_MONEY_MAX))
        return sb_fail(SB_EINVALID_FIELD, field, "%s must be a non-negative amount in minor units",
                       field);
    return SB_OK;
}

sb_err sb_item_validate(const struct sb_item *it, bool create)
{
    if (create && !it->sku.set)
        return sb_fail(SB_EMISSING_FIELD, "sku", "sku is required");
    if (create && !it->name.set)
        return sb_fail(SB_EMISSING_FIELD, "name", "name is required");
    if (it->sku.set && !sb_sku_valid(it->sku.v))
        return sb_fail(SB_EINVALID_FIELD, "sku",
                       "sku must be 1 to %d characters without spaces or control characters",
                       SB_ITEM_SKU_MAX);
    sb_err err = line_text(&it->name, "name", false, SB_ITEM_NAME_MAX);
    if (!err && it->upc.set && it->upc.v && !sb_upc_valid(it->upc.v))
        err = sb_fail(SB_EINVALID_FIELD, "upc",
                      "upc must be 12 digits ending in a valid UPC-A check digit");
    if (!err && it->ean.set && it->ean.v && !sb_ean_valid(it->ean.v))
        err = sb_fail(SB_EINVALID_FIELD, "ean",
                      "ean must be 13 digits ending in a valid EAN-13 check digit");
    if (!err)
        err = line_text(&it->manufacturer_sku, "manufacturer_sku", true, SB_ITEM_CODE_MAX);
    if (!err)
        err = text(&it->description, "description", true, SB_ITEM_TEXT_MAX);
    if (!err)
        err = line_text(&it->tax_class, "tax_class", false, SB_ITEM_CODE_MAX);
    if (!err)
        err = money(it->default_cost_set, it->default_cost, "default_cost");
    if (!err)
        err = money(it->msrp_set, it->msrp, "msrp");
    for (size_t i = 0; !err && i < it->n_prices; i++) {
        char field[48];
        if (it->prices[i].price_level_id <= 0) {
            snprintf(field, sizeof(field), "prices[%zu].price_level_id", i);
            return sb_fail(SB_EINVALID_FIELD, field, "%s must be a price level id", field);
        }
        for (size_t j = 0; j < i; j++) {
            if (it->prices[j].price_level_id == it->prices[i].price_level_id) {
                snprintf(field, sizeof(field), "prices[%zu].price_level_id", i);
                return sb_fail(SB_EINVALID_FIELD, field, "price level %lld is listed twice",
                               (long long)it->prices[i].price_level_id);
            }
        }
        snprintf(field, sizeof(field), "prices[%zu].amount", i);
        err = money(true, it->prices[i].amount, field);
    }
    return err;
}

sb_err sb_price_level_validate(const char *name)
{
    struct sb_opt_str n = { name, true };
    return line_text(&n, "name", false, SB_PRICE_LEVEL_MAX);
}

/* ---- CSV ---- */

static const struct {
    const char *name;
    enum sb_item_col kind;
} columns[] = {
    { "sku", SB_ICOL_SKU },
    { "name", SB_ICOL_NAME },
    { "upc", SB_ICOL_UPC },
    { "ean", SB_ICOL_EAN },
    { "manufacturer_sku", SB_ICOL_MANUFACTURER_SKU },
    { "description", SB_ICOL_DESCRIPTION },
    { "default_cost", SB_ICOL_DEFAULT_COST },
    { "msrp", SB_ICOL_MSRP },
    { "tax_class", SB_ICOL_TAX_CLASS },
    { "track_stock", SB_ICOL_TRACK_STOCK },
    { "active", SB_ICOL_ACTIVE },
};

/* s cut to at most max bytes (and cap - 1) without splitting a UTF-8 sequence, so that
 * messages and field names quoting input stay valid UTF-8 for JSON. */
static const char *clip(const char *s, size_t max, char *buf, size_t cap)
{
    size_t len = strlen(s), n = len < max ? len : max;
    if (n > cap - 1)
        n = cap - 1;
    if (n < len)
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    memcpy(buf, s, n);
    buf[n] = '\0';
    return buf;
}

/* Trims spaces and tabs on both sides, in place. */
static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        s[--n] = '\0';
    return s;
}

static const struct sb_price_level_ref *find_level(const struct sb_price_level_ref *levels,
                                                   size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(levels[i].name, name) == 0)
            return &levels[i];
    /* level names are matched case-insensitively too, as column names are */
    for (size_t i = 0; i < n; i++)
        if (strcasecmp(levels[i].name, name) == 0)
            return &levels[i];
    return NULL;
}

static sb_err header_col(struct sb_item_csv_col *col, char *name,
                         const struct sb_price_level_ref *levels, size_t n_levels, size_t *prices)
{
    char field[64], quoted[96];
    *col = (struct sb_item_csv_col){ .kind = SB_ICOL_IGNORE };
    if (!*name)
        return SB_OK;
    for (size_t k = 0; k < sizeof(columns) / sizeof(columns[0]); k++) {
        if (strcasecmp(name, columns[k].name) == 0) {
            col->kind = columns[k].kind;
            snprintf(col->name, sizeof(col->name), "%s", columns[k].name);
            return SB_OK;
        }
    }
    clip(name, sizeof(field) - 1, field, sizeof(field));
    if (strncasecmp(name, "on_hand:", 8) == 0) {
        col->kind = SB_ICOL_STOCK;
        clip(name, sizeof(col->name) - 1, col->name, sizeof(col->name));
        return SB_OK;
    }
    if (strncasecmp(name, "price:", 6) != 0)
        return sb_fail(SB_EINVALID_CSV, field, "unknown column \"%s\"",
                       clip(name, 80, quoted, sizeof(quoted)));
    const char *level = trim(name + 6);
    const struct sb_price_level_ref *l = find_level(levels, n_levels, level);
    if (!l)
        return sb_fail(SB_EINVALID_CSV, field, "no price level is named \"%s\"",
                       clip(level, 80, quoted, sizeof(quoted)));
    if (*prices == SB_ITEM_MAX_PRICES)
        return sb_fail(SB_EINVALID_CSV, field, "more than %d price columns", SB_ITEM_MAX_PRICES);
    (*prices)++;
    col->kind = SB_ICOL_PRICE;
    col->price_level_id = l->id;
    char full[8 + SB_PRICE_LEVEL_MAX * 2];
    snprintf(full, sizeof(full), "price:%s", l->name);
    clip(full, sizeof(col->name) - 1, col->name, sizeof(col->name));
    return SB_OK;
}

sb_err sb_item_csv_header(struct sb_item_csv_map *map, char *const *fields, size_t n,
                          const struct sb_price_level_ref *levels, size_t n_levels)
{
    if (n > map->cap)
        return sb_fail(SB_EINVALID_CSV, NULL, "the header has more than %zu columns", map->cap);
    size_t prices = 0;
    bool have_sku = false;
    map->n = 0;
    for (size_t i = 0; i < n; i++) {
        char *name = trim(fields[i]);
        struct sb_item_csv_col *col = &map->cols[i];
        sb_err err = header_col(col, name, levels, n_levels, &prices);
        if (err)
            return err;
        bool once = col->kind != SB_ICOL_IGNORE && col->kind != SB_ICOL_STOCK;
        for (size_t j = 0; j < i && once; j++) {
            const struct sb_item_csv_col *o = &map->cols[j];
            if (o->kind == col->kind &&
                (col->kind != SB_ICOL_PRICE || o->price_level_id == col->price_level_id))
                return sb_fail(SB_EINVALID_CSV, col->name, "column \"%s\" appears twice",
                               col->name);
        }
        have_sku |= col->kind == SB_ICOL_SKU;
        map->n++;
    }
    if (!have_sku)
        return sb_fail(SB_EINVALID_CSV, "sku", "the header has no sku column");
    return SB_OK;
}

static bool parse_flag(const char *s, bool *ret)
{
    static const char *const yes[] = { "true", "1", "yes" }, *const no[] = { "false", "0", "no" };
    for (size_t i = 0; i < 3; i++) {
        if (strcasecmp(s, yes[i]) == 0) {
            *ret = true;
            return true;
        }
        if (strcasecmp(s, no[i]) == 0) {
            *ret = false;
            return true;
        }
    }
    return false;
}

static sb_err cell_money(const char *cell, const char *col, int exponent, int64_t *ret)
{
    char quoted[48], example[16];
    if (!sb_money_parse(cell, exponent, ret) || *ret < 0) {
        int64_t unit = 1; /* the example: 12.50 in the currency's own decimals */
        for (int i = 0; i < exponent; i++)
            unit *= 10;
        sb_money_format(12 * unit + unit / 2, exponent, example, sizeof(example));
        return sb_fail(SB_EINVALID_FIELD, col,
                       "%s must be a non-negative amount with at most %d decimals, such as %s, "
                       "not \"%s\"",
                       col, exponent, example, clip(cell, 40, quoted, sizeof(quoted)));
    }
    return SB_OK;
}

static sb_err row_cell(const struct sb_item_csv_map *map, const struct sb_item_csv_col *col,
                       char *cell, struct sb_item *it)
{
    struct sb_opt_str v = { cell, true };
    char quoted[48];
    switch (col->kind) {
    case SB_ICOL_SKU:
        it->sku = v;
        return SB_OK;
    case SB_ICOL_NAME:
        it->name = v;
        return SB_OK;
    case SB_ICOL_UPC:
        it->upc = v;
        return SB_OK;
    case SB_ICOL_EAN:
        it->ean = v;
        return SB_OK;
    case SB_ICOL_MANUFACTURER_SKU:
        it->manufacturer_sku = v;
        return SB_OK;
    case SB_ICOL_DESCRIPTION:
        it->description = v;
        return SB_OK;
    case SB_ICOL_TAX_CLASS:
        it->tax_class = v;
        return SB_OK;
    case SB_ICOL_DEFAULT_COST:
        it->default_cost_set = true;
        return cell_money(cell, col->name, map->exponent, &it->default_cost);
    case SB_ICOL_MSRP:
        it->msrp_set = true;
        return cell_money(cell, col->name, map->exponent, &it->msrp);
    case SB_ICOL_TRACK_STOCK:
    case SB_ICOL_ACTIVE: {
        bool *dst = col->kind == SB_ICOL_ACTIVE ? &it->active : &it->track_stock;
        if (!parse_flag(cell, dst))
            return sb_fail(SB_EINVALID_FIELD, col->name,
                           "%s must be true, false, yes, no, 1 or 0, not \"%s\"", col->name,
                           clip(cell, 40, quoted, sizeof(quoted)));
        if (col->kind == SB_ICOL_ACTIVE)
            it->active_set = true;
        else
            it->track_stock_set = true;
        return SB_OK;
    }
    case SB_ICOL_PRICE: {
        struct sb_item_price *p = &it->prices[it->n_prices];
        p->price_level_id = col->price_level_id;
        sb_err err = cell_money(cell, col->name, map->exponent, &p->amount);
        if (!err) {
            it->n_prices++;
            it->prices_set = true;
        }
        return err;
    }
    case SB_ICOL_STOCK:
        return SB_OK;
    case SB_ICOL_IGNORE:
        break;
    }
    return sb_fail(SB_EINVALID_FIELD, NULL, "a value (\"%s\") is in a column without a name",
                   clip(cell, 40, quoted, sizeof(quoted)));
}

sb_err sb_item_csv_row(const struct sb_item_csv_map *map, char *const *fields, size_t n,
                       struct sb_item *ret)
{
    memset(ret, 0, sizeof(*ret));
    for (size_t i = 0; i < n; i++) {
        char *cell = trim(fields[i]);
        if (!*cell)
            continue;
        if (i >= map->n)
            return sb_fail(SB_EINVALID_FIELD, NULL,
                           "the row has a value in column %zu, but the header has %zu columns",
                           i + 1, map->n);
        sb_err err = row_cell(map, &map->cols[i], cell, ret);
        if (err)
            return err;
    }
    return SB_OK;
}

bool sb_item_csv_blank(char *const *fields, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!blank(fields[i]))
            return false;
    return true;
}
