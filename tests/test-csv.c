/*
 * Unit tests of the CSV reader (util/csv.c) and of the item rules that read
 * CSV rows and check identifiers (core/item.c): quoting, line endings,
 * line numbers, the byte order mark, bounds, barcodes and column mapping.
 */
#include "core/item.h"
#include "core/stock.h"
#include "util/csv.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Reads every record of text; fields joined by '|', records by '\n', each prefixed by
 * its line number: "1:a|b\n2:c|d\n". Returns the error of the first failure. */
static sb_err read_all(const char *text, size_t len, char *out, size_t cap)
{
    struct sb_csv c;
    sb_csv_init(&c, text, len);
    size_t n = 0;
    out[0] = '\0';
    sb_err err;
    for (;;) {
        struct sb_csv_record rec;
        bool more;
        err = sb_csv_next(&c, &rec, &more);
        if (err || !more)
            break;
        n += (size_t)snprintf(out + n, cap - n, "%zu:", rec.line);
        for (size_t i = 0; i < rec.n; i++)
            n += (size_t)snprintf(out + n, cap - n, "%s%s", i ? "|" : "", rec.fields[i]);
        n += (size_t)snprintf(out + n, cap - n, "\n");
    }
    sb_csv_free(&c);
    return err;
}

static void expect_csv(const char *text, const char *want)
{
    char out[4096];
    sb_err err = read_all(text, strlen(text), out, sizeof(out));
    cr_expect_eq(err, SB_OK, "%s: %s", text, sb_err_last()->message);
    cr_expect_str_eq(out, want, "input: [%s]", text);
}

static void expect_bad(const char *text, size_t line, const char *message)
{
    char out[4096];
    sb_err err = read_all(text, strlen(text), out, sizeof(out));
    cr_expect_eq(err, SB_EINVALID_CSV, "%s", text);
    cr_expect(strstr(sb_err_last()->message, message) != NULL, "message: %s",
              sb_err_last()->message);
    char want[32];
    snprintf(want, sizeof(want), "line %zu:", line);
    cr_expect(strncmp(sb_err_last()->message, want, strlen(want)) == 0, "want %s, got %s", want,
              sb_err_last()->message);
}

Test(csv, simple_records_lf_and_crlf)
{
    expect_csv("a,b,c\n1,2,3\n", "1:a|b|c\n2:1|2|3\n");
    expect_csv("a,b,c\r\n1,2,3\r\n", "1:a|b|c\n2:1|2|3\n");
    expect_csv("a,b\n1,2", "1:a|b\n2:1|2\n");   /* no final line break */
    expect_csv("a,b\r1,2\r", "1:a|b\n2:1|2\n"); /* a lone CR ends a record too */
    expect_csv("", "");
}

Test(csv, empty_fields_and_blank_lines)
{
    expect_csv("a,,c\n,,\n", "1:a||c\n2:||\n");
    expect_csv("a\n\nb\n", "1:a\n2:\n3:b\n");
    expect_csv("a,\n", "1:a|\n");
}

Test(csv, quoted_fields)
{
    expect_csv("\"a,b\",\"say \"\"hi\"\"\",c\n", "1:a,b|say \"hi\"|c\n");
    expect_csv("\"\",x\n", "1:|x\n");
    expect_csv("\"\"\"\"\n", "1:\"\n");
    /* a quote inside an unquoted field is kept */
    expect_csv("12\" pipe,x\n", "1:12\" pipe|x\n");
}

Test(csv, embedded_newlines_count_physical_lines)
{
    expect_csv("sku,desc\nA,\"two\nlines\"\nB,x\n", "1:sku|desc\n2:A|two\nlines\n4:B|x\n");
    expect_csv("h\r\n\"a\r\nb\"\r\nc\r\n", "1:h\n2:a\r\nb\n4:c\n");
}

Test(csv, bom_is_skipped)
{
    expect_csv("\xEF\xBB\xBFsku,name\nA,B\n", "1:sku|name\n2:A|B\n");
    expect_csv("\xEF\xBB\xBF", "");
}

Test(csv, structural_errors_name_the_line)
{
    expect_bad("a,b\n1,\"open\n2,3\n", 2, "unterminated quoted field");
    expect_bad("a\n\"x\"y\n", 2, "after a closing quote");
    expect_bad("a\nb\nc,\"d\" ,e\n", 3, "after a closing quote");
}

Test(csv, nul_bytes_are_refused)
{
    char out[256];
    static const char text[] = "a,b\nc,d\0e\n";
    cr_expect_eq(read_all(text, sizeof(text) - 1, out, sizeof(out)), SB_EINVALID_CSV);
    cr_expect(strstr(sb_err_last()->message, "NUL") != NULL);
    static const char quoted[] = "a\n\"x\0\"\n";
    cr_expect_eq(read_all(quoted, sizeof(quoted) - 1, out, sizeof(out)), SB_EINVALID_CSV);
}

Test(csv, text_must_be_utf8)
{
    expect_csv("sku,name\nA,M\xc3\xbcsli \xe2\x82\xac \xf0\x9f\x98\x80\n",
               "1:sku|name\n2:A|M\xc3\xbcsli \xe2\x82\xac \xf0\x9f\x98\x80\n");
    expect_bad("sku,name\nA,caf\xe9\n", 2, "not valid UTF-8");   /* Windows-1252 */
    expect_bad("sku\n\"x\ny\xc0\xaf\"\n", 2, "not valid UTF-8"); /* overlong */
    expect_bad("sku\nb\nc\xed\xa0\x80\n", 3, "not valid UTF-8"); /* a surrogate */
    expect_bad("sku\n\xf4\x90\x80\x80\n", 2, "not valid UTF-8"); /* above U+10FFFF */
    expect_bad("sku\nab\xe2\x82\n", 2, "not valid UTF-8");       /* cut short */
}

Test(csv, fields_and_records_are_bounded)
{
    size_t n = SB_CSV_FIELD_MAX + 10;
    char *big = malloc(n + 16);
    memcpy(big, "a\n", 2);
    memset(big + 2, 'x', n);
    memcpy(big + 2 + n, "\n", 2);
    char out[64];
    cr_expect_eq(read_all(big, strlen(big), out, sizeof(out)), SB_EINVALID_CSV);
    cr_expect(strstr(sb_err_last()->message, "line 2: field is too long") != NULL, "%s",
              sb_err_last()->message);
    /* the same inside quotes */
    big[2] = '"';
    big[2 + n - 1] = '"';
    cr_expect_eq(read_all(big, strlen(big), out, sizeof(out)), SB_EINVALID_CSV);
    free(big);

    /* many fields of legal size, too long together */
    size_t fields = SB_CSV_RECORD_MAX / 1000 + 2, len = 0;
    char *wide = malloc(fields * 1001 + 8);
    for (size_t i = 0; i < fields; i++) {
        memset(wide + len, 'y', 1000);
        len += 1000;
        wide[len++] = ',';
    }
    wide[len - 1] = '\n';
    wide[len] = '\0';
    cr_expect_eq(read_all(wide, len, out, sizeof(out)), SB_EINVALID_CSV);
    cr_expect(strstr(sb_err_last()->message, "record is too long") != NULL, "%s",
              sb_err_last()->message);
    free(wide);

    /* too many fields */
    char *commas = malloc(SB_CSV_FIELDS_MAX + 8);
    memset(commas, ',', SB_CSV_FIELDS_MAX + 1);
    commas[SB_CSV_FIELDS_MAX + 1] = '\0';
    cr_expect_eq(read_all(commas, strlen(commas), out, sizeof(out)), SB_EINVALID_CSV);
    cr_expect(strstr(sb_err_last()->message, "too many fields") != NULL);
    free(commas);
}

Test(csv, offset_tracks_progress)
{
    const char *text = "a,b\n1,2\n";
    struct sb_csv c;
    sb_csv_init(&c, text, strlen(text));
    struct sb_csv_record rec;
    bool more;
    cr_assert_eq(sb_csv_next(&c, &rec, &more), SB_OK);
    cr_expect_eq(sb_csv_offset(&c), 4);
    cr_assert_eq(sb_csv_next(&c, &rec, &more), SB_OK);
    cr_expect_eq(sb_csv_offset(&c), 8);
    cr_assert_eq(sb_csv_next(&c, &rec, &more), SB_OK);
    cr_expect_not(more);
    sb_csv_free(&c);
    sb_csv_free(NULL);
}

/* ---- item rules ---- */

Test(item, upc_check_digit)
{
    cr_expect(sb_upc_valid("012345678905"));
    cr_expect(sb_upc_valid("036000291452"));
    cr_expect_not(sb_upc_valid("012345678906")); /* wrong check digit */
    cr_expect_not(sb_upc_valid("01234567890"));  /* 11 digits */
    cr_expect_not(sb_upc_valid("0123456789050"));
    cr_expect_not(sb_upc_valid("01234567890a"));
    cr_expect_not(sb_upc_valid(""));
    cr_expect_not(sb_upc_valid(NULL));
}

Test(item, ean_check_digit)
{
    cr_expect(sb_ean_valid("4006381333931"));
    cr_expect(sb_ean_valid("5901234123457"));
    cr_expect(sb_ean_valid("0012345678905")); /* a UPC-A with a leading zero */
    cr_expect_not(sb_ean_valid("4006381333932"));
    cr_expect_not(sb_ean_valid("400638133393"));
    cr_expect_not(sb_ean_valid("400638133393X"));
}

Test(item, sku_rules)
{
    cr_expect(sb_sku_valid("TEE-01/blue"));
    cr_expect(sb_sku_valid("Ü-1"));
    cr_expect_not(sb_sku_valid(""));
    cr_expect_not(sb_sku_valid("A B"));
    cr_expect_not(sb_sku_valid("A\tB"));
    cr_expect_not(sb_sku_valid("A\x7f"));
    char long_sku[SB_ITEM_SKU_MAX + 2];
    memset(long_sku, 'x', sizeof(long_sku) - 1);
    long_sku[sizeof(long_sku) - 1] = '\0';
    cr_expect_not(sb_sku_valid(long_sku));
    long_sku[SB_ITEM_SKU_MAX] = '\0';
    cr_expect(sb_sku_valid(long_sku));
}

Test(item, validate_names_the_field)
{
    struct sb_item it = { 0 };
    cr_expect_eq(sb_item_validate(&it, true), SB_EMISSING_FIELD);
    cr_expect_str_eq(sb_err_last()->field, "sku");
    it.sku = (struct sb_opt_str){ "A", true };
    cr_expect_eq(sb_item_validate(&it, true), SB_EMISSING_FIELD);
    cr_expect_str_eq(sb_err_last()->field, "name");
    cr_expect_eq(sb_item_validate(&it, false), SB_OK); /* an update needs no name */
    it.name = (struct sb_opt_str){ "  ", true };
    cr_expect_eq(sb_item_validate(&it, true), SB_EINVALID_FIELD);
    cr_expect_str_eq(sb_err_last()->field, "name");
    it.name = (struct sb_opt_str){ "Tee", true };
    it.upc = (struct sb_opt_str){ "012345678906", true };
    cr_expect_eq(sb_item_validate(&it, true), SB_EINVALID_FIELD);
    cr_expect_str_eq(sb_err_last()->field, "upc");
    it.upc = (struct sb_opt_str){ NULL, true }; /* null clears */
    it.ean = (struct sb_opt_str){ "12345", true };
    cr_expect_eq(sb_item_validate(&it, true), SB_EINVALID_FIELD);
    cr_expect_str_eq(sb_err_last()->field, "ean");
    it.ean.set = false;
    it.msrp_set = true;
    it.msrp = -1;
    cr_expect_eq(sb_item_validate(&it, true), SB_EINVALID_FIELD);
    cr_expect_str_eq(sb_err_last()->field, "msrp");
    it.msrp = 0;
    it.prices_set = true;
    it.n_prices = 2;
    it.prices[0] = (struct sb_item_price){ 1, 100 };
    it.prices[1] = (struct sb_item_price){ 1, 200 };
    cr_expect_eq(sb_item_validate(&it, true), SB_EINVALID_FIELD);
    cr_expect_str_eq(sb_err_last()->field, "prices[1].price_level_id");
    it.prices[1] = (struct sb_item_price){ 2, -5 };
    cr_expect_eq(sb_item_validate(&it, true), SB_EINVALID_FIELD);
    cr_expect_str_eq(sb_err_last()->field, "prices[1].amount");
    it.prices[1].amount = 5;
    cr_expect_eq(sb_item_validate(&it, true), SB_OK);
}

static const struct sb_price_level_ref levels[] = { { 1, "Default" }, { 2, "Sale" } };

/* Splits a header line on commas into writable storage. */
static size_t split(char *line, char **fields, size_t cap)
{
    size_t n = 0;
    fields[n++] = line;
    for (char *p = line; *p && n < cap; p++) {
        if (*p == ',') {
            *p = '\0';
            fields[n++] = p + 1;
        }
    }
    return n;
}

static sb_err header(const char *text, struct sb_item_csv_map *map)
{
    static char buf[512];
    char *fields[32];
    snprintf(buf, sizeof(buf), "%s", text);
    size_t n = split(buf, fields, 32);
    return sb_item_csv_header(map, fields, n, levels, 2);
}

Test(item, csv_header_mapping)
{
    struct sb_item_csv_col cols[32];
    struct sb_item_csv_map map = { .cols = cols, .cap = 32 };
    cr_assert_eq(header("Name, SKU ,price:sale,PRICE: Default,track_stock,", &map), SB_OK);
    cr_expect_eq(map.n, 6);
    cr_expect_eq(cols[0].kind, SB_ICOL_NAME);
    cr_expect_eq(cols[1].kind, SB_ICOL_SKU);
    cr_expect_eq(cols[2].kind, SB_ICOL_PRICE);
    cr_expect_eq(cols[2].price_level_id, 2);
    cr_expect_str_eq(cols[2].name, "price:Sale");
    cr_expect_eq(cols[3].price_level_id, 1);
    cr_expect_eq(cols[5].kind, SB_ICOL_IGNORE);

    cr_expect_eq(header("sku,colour", &map), SB_EINVALID_CSV);
    cr_expect_str_eq(sb_err_last()->field, "colour");
    cr_expect_eq(header("sku,price:Wholesale", &map), SB_EINVALID_CSV);
    cr_expect_str_eq(sb_err_last()->field, "price:Wholesale");
    cr_expect_eq(header("sku,name,Name", &map), SB_EINVALID_CSV);
    cr_expect(strstr(sb_err_last()->message, "twice") != NULL);
    cr_expect_eq(header("sku,price:Sale,price:sale", &map), SB_EINVALID_CSV);
    cr_expect_eq(header("name,upc", &map), SB_EINVALID_CSV);
    cr_expect_str_eq(sb_err_last()->field, "sku");
    /* a long name of two-byte letters is clipped at a letter, not inside one */
    char longname[200] = "sku,";
    for (size_t i = 0; i < 40; i++)
        memcpy(longname + 4 + 2 * i, "\xc3\xbc", 3);
    cr_expect_eq(header(longname, &map), SB_EINVALID_CSV);
    cr_expect_eq(strlen(sb_err_last()->field), 62);
    cr_expect(strstr(sb_err_last()->message, "unknown column") != NULL);
}

static sb_err row(const struct sb_item_csv_map *map, const char *text, struct sb_item *it)
{
    static char buf[512];
    char *fields[32];
    snprintf(buf, sizeof(buf), "%s", text);
    size_t n = split(buf, fields, 32);
    return sb_item_csv_row(map, fields, n, it);
}

Test(item, csv_row_cells)
{
    struct sb_item_csv_col cols[32];
    struct sb_item_csv_map map = { .cols = cols, .cap = 32, .exponent = 2 };
    cr_assert_eq(header("sku,name,default_cost,msrp,track_stock,price:Sale,upc,", &map), SB_OK);
    struct sb_item it;
    cr_assert_eq(row(&map, " A-1 ,Mug,12.5,3,No,0.99,,", &it), SB_OK);
    cr_expect_str_eq(it.sku.v, "A-1");
    cr_expect_str_eq(it.name.v, "Mug");
    cr_expect(it.default_cost_set);
    cr_expect_eq(it.default_cost, 1250);
    cr_expect_eq(it.msrp, 300);
    cr_expect(it.track_stock_set);
    cr_expect_not(it.track_stock);
    cr_expect_eq(it.n_prices, 1);
    cr_expect_eq(it.prices[0].price_level_id, 2);
    cr_expect_eq(it.prices[0].amount, 99);
    cr_expect_not(it.upc.set); /* empty cells are not given */

    cr_assert_eq(row(&map, "A", &it), SB_OK); /* missing trailing cells are empty */
    cr_expect_not(it.name.set);
    cr_expect_not(it.prices_set);

    cr_expect_eq(row(&map, "A,Mug,12.345", &it), SB_EINVALID_FIELD);
    cr_expect_str_eq(sb_err_last()->field, "default_cost");
    cr_expect_eq(row(&map, "A,Mug,1,-2", &it), SB_EINVALID_FIELD);
    cr_expect_str_eq(sb_err_last()->field, "msrp");
    cr_expect_eq(row(&map, "A,Mug,1,2,maybe", &it), SB_EINVALID_FIELD);
    cr_expect_str_eq(sb_err_last()->field, "track_stock");
    cr_expect_eq(row(&map,
                     "A,Mug,1,2,\xc3\xbc\xc3\xbc\xc3\xbc\xc3\xbc\xc3\xbc\xc3\xbc\xc3\xbc"
                     "\xc3\xbc\xc3\xbc\xc3\xbc\xc3\xbc\xc3\xbc\xc3\xbc\xc3\xbc\xc3\xbc"
                     "\xc3\xbc\xc3\xbc\xc3\xbc\xc3\xbc\xc3\xbc\xc3\xbcx",
                     &it),
                 SB_EINVALID_FIELD);
    const char *m = strchr(sb_err_last()->message, '"');
    cr_assert_not_null(m);
    cr_expect_eq(strlen(m), 42, "%s", m); /* 20 two-byte letters between the quotes */
    cr_expect_eq(row(&map, "A,Mug,1,2,yes,$3", &it), SB_EINVALID_FIELD);
    cr_expect_str_eq(sb_err_last()->field, "price:Sale");
    cr_expect_eq(row(&map, "A,,,,,,,x", &it), SB_EINVALID_FIELD); /* under an unnamed column */
    cr_expect_str_eq(sb_err_last()->field, "");
    cr_expect_eq(row(&map, "A,,,,,,,,extra", &it), SB_EINVALID_FIELD);
    cr_expect(strstr(sb_err_last()->message, "column 9") != NULL);
    cr_expect_eq(row(&map, "A,,,,,,,,   ", &it), SB_OK); /* blank extras are harmless */
}

/* O4: prices are read in the currency's own decimals: a JPY file has none, a KWD one
 * three; more is refused (a catalogue is exact), zeros beyond them are fine. */
Test(item, o4_csv_prices_in_the_currencys_decimals)
{
    struct sb_item_csv_col cols[32];
    struct sb_item_csv_map map = { .cols = cols, .cap = 32, .exponent = 0 };
    cr_assert_eq(header("sku,default_cost,price:Default", &map), SB_OK);
    struct sb_item it;
    cr_assert_eq(row(&map, "A,800,1000", &it), SB_OK);
    cr_expect_eq(it.default_cost, 800);
    cr_expect_eq(it.prices[0].amount, 1000);
    cr_assert_eq(row(&map, "A,800,1000.00", &it), SB_OK);
    cr_expect_eq(it.prices[0].amount, 1000);
    cr_expect_eq(row(&map, "A,800,12.5", &it), SB_EINVALID_FIELD);
    cr_expect_str_eq(sb_err_last()->field, "price:Default");
    cr_expect(strstr(sb_err_last()->message, "at most 0 decimals, such as 12,") != NULL, "%s",
              sb_err_last()->message);
    map.exponent = 3;
    cr_assert_eq(row(&map, "A,0.5,1.234", &it), SB_OK);
    cr_expect_eq(it.default_cost, 500);
    cr_expect_eq(it.prices[0].amount, 1234);
    cr_expect_eq(row(&map, "A,0.5,1.2345", &it), SB_EINVALID_FIELD);
    cr_expect(strstr(sb_err_last()->message, "such as 12.500") != NULL, "%s",
              sb_err_last()->message);
}

Test(item, csv_blank_rows)
{
    char a[] = "", b[] = "  ", c[] = "x";
    char *blank[] = { a, b };
    char *full[] = { a, c };
    cr_expect(sb_item_csv_blank(blank, 2));
    cr_expect_not(sb_item_csv_blank(full, 2));
}

Test(stock, adjustment_quantity_and_levels)
{
    struct sb_stock_adjustment a = { .is_count = true, .count = 7 };
    int64_t q = 0;
    cr_expect_eq(sb_stock_adjustment_quantity(&a, 10, &q), SB_OK);
    cr_expect_eq(q, -3);
    cr_expect_eq(sb_stock_adjustment_quantity(&a, 7, &q), SB_OK);
    cr_expect_eq(q, 0); /* a count that matches is still recorded */
    a = (struct sb_stock_adjustment){ .delta = -4 };
    cr_expect_eq(sb_stock_adjustment_quantity(&a, 4, &q), SB_OK);
    cr_expect_eq(q, -4);
    cr_expect_eq(sb_stock_adjustment_quantity(&a, 3, &q), SB_EINSUFFICIENT);
    cr_expect_str_eq(sb_err_last()->field, "delta");
    a.delta = 2; /* increases are fine even below zero */
    cr_expect_eq(sb_stock_adjustment_quantity(&a, -5, &q), SB_OK);
    cr_expect_eq(q, 2);

    cr_expect_eq(sb_stock_levels_check(5, 0), SB_OK);
    cr_expect_eq(sb_stock_levels_check(5, 5), SB_OK);
    cr_expect_eq(sb_stock_levels_check(5, 4), SB_EINVALID_FIELD);
    cr_expect_str_eq(sb_err_last()->field, "max_level");
}
