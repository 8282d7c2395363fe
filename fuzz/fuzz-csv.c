/*
 * The CSV reader (util/csv.c) under POST /api/v1/items/import bodies. Every
 * record must respect the reader's bounds (fields, field and record sizes,
 * UTF-8, no NUL), every call must make progress, line numbers never go
 * back, and the records, written out again as quoted CSV, must read back
 * the same: the reader loses or invents nothing.
 */
#include "fuzz.h"

#include "util/csv.h"

struct out {
    char *buf;
    size_t len, cap;
};

static void put(struct out *o, const char *s, size_t n)
{
    if (o->len + n + 1 > o->cap) {
        size_t cap = o->cap ? o->cap : 256;
        while (cap < o->len + n + 1)
            cap *= 2;
        char *b = realloc(o->buf, cap);
        FZ_CHECK(b, "out of memory");
        o->buf = b;
        o->cap = cap;
    }
    memcpy(o->buf + o->len, s, n);
    o->len += n;
}

/* Reads data whole; with w, writes every record to it as quoted CSV. Returns the number
 * of records, or -1 when the reader refused the data. */
static long read_all(const char *data, size_t size, struct out *w, struct out *fields)
{
    struct sb_csv c;
    struct sb_csv_record rec;
    bool more = true;
    long n = 0;
    size_t last_line = 0, last_offset = 0;
    sb_csv_init(&c, data, size);
    for (;;) {
        sb_err err = sb_csv_next(&c, &rec, &more);
        fz_check_error(err);
        if (err) {
            FZ_CHECK(err == SB_EINVALID_CSV && c.err_line >= 1, "error %d line %zu", err,
                     c.err_line);
            sb_csv_free(&c);
            return -1;
        }
        if (!more)
            break;
        size_t total = 0;
        FZ_CHECK(sb_csv_offset(&c) > last_offset, "no progress at offset %zu", last_offset);
        FZ_CHECK(sb_csv_offset(&c) <= size, "offset %zu past the end %zu", sb_csv_offset(&c), size);
        last_offset = sb_csv_offset(&c);
        FZ_CHECK(rec.n >= 1 && rec.n <= SB_CSV_FIELDS_MAX, "%zu fields", rec.n);
        FZ_CHECK(rec.line >= last_line && rec.line >= 1, "line %zu after %zu", rec.line, last_line);
        last_line = rec.line;
        for (size_t i = 0; i < rec.n; i++) {
            size_t len = strlen(rec.fields[i]);
            FZ_CHECK(len <= SB_CSV_FIELD_MAX, "field of %zu bytes", len);
            FZ_CHECK(fz_utf8(rec.fields[i], len), "field %zu is not UTF-8", i);
            total += len;
            if (w) {
                put(w, i ? ",\"" : "\"", i ? 2 : 1);
                for (const char *s = rec.fields[i]; *s; s++)
                    put(w, *s == '"' ? "\"\"" : s, *s == '"' ? 2 : 1);
                put(w, "\"", 1);
            }
            put(fields, rec.fields[i], len + 1);
        }
        put(fields, "\n", 1);
        FZ_CHECK(total <= SB_CSV_RECORD_MAX, "record of %zu bytes", total);
        if (w)
            put(w, "\r\n", 2);
        n++;
    }
    sb_csv_free(&c);
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct out w = { 0 }, first = { 0 }, second = { 0 };
    long n = read_all((const char *)data, size, &w, &first);
    if (n >= 0) {
        long again = read_all(w.buf ? w.buf : "", w.len, NULL, &second);
        FZ_CHECK(again == n, "%ld records, written out and read again: %ld", n, again);
        FZ_CHECK(first.len == second.len &&
                     (!first.len || !memcmp(first.buf, second.buf, first.len)),
                 "the records differ once written out and read again");
    }
    free(w.buf);
    free(first.buf);
    free(second.buf);
    return 0;
}
