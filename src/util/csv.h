/*
 * An RFC 4180 CSV reader over a buffer held in memory: comma-separated
 * fields, quoted fields with "" for a quote and line breaks inside, records
 * ended by CRLF, LF or a lone CR, a UTF-8 byte order mark skipped at the
 * start. Each record comes back as NUL-terminated fields together with the
 * physical line it starts on, so that errors can point at the file.
 *
 * The input is untrusted (an HTTP body): a field, a record and the number of
 * fields in a record are bounded, and NUL bytes and text that is not UTF-8
 * are refused. Structural
 * problems answer SB_EINVALID_CSV with the line in the message and in
 * sb_csv.err_line.
 */
#ifndef SB_CSV_H
#define SB_CSV_H

#include "util/err.h"

#include <stdbool.h>
#include <stddef.h>

#define SB_CSV_FIELD_MAX  8192  /* bytes in one field, after unquoting */
#define SB_CSV_RECORD_MAX 65536 /* bytes in one record, fields together */
#define SB_CSV_FIELDS_MAX 512   /* fields in one record */

struct sb_csv {
    const char *p, *end;
    const char *start;
    size_t line; /* the physical line at p, 1-based */
    size_t err_line;
    /* the current record: field i is buf + off[i], NUL-terminated */
    char *buf;
    size_t len, cap;
    size_t *off;
    char **fields;
    size_t nfields, fields_cap;
    size_t field_max, record_max, fields_max;
};

struct sb_csv_record {
    char *const *fields; /* writable; valid until the next sb_csv_next() or sb_csv_free() */
    size_t n;
    size_t line; /* where the record starts */
};

/* Starts reading data[0..len); the data must outlive the reader. */
void sb_csv_init(struct sb_csv *c, const char *data, size_t len);
/* Reads the next record into *ret. *ret_more is false at the end of the input (then *ret
 * is untouched). A blank line is a record with one empty field. */
sb_err sb_csv_next(struct sb_csv *c, struct sb_csv_record *ret, bool *ret_more);
/* Bytes consumed so far, for progress reports. */
size_t sb_csv_offset(const struct sb_csv *c);
void sb_csv_free(struct sb_csv *c); /* accepts NULL */

#endif
