/*
 * The cursors of an export-model webstore's catalogue (SPEC E7): the page
 * cursor "p1-<last item id>" of GET /api/v1/connection/catalogue and the
 * change feed's "c1-<seq>-<fingerprint, 16 lower-case hex digits>" of
 * GET /api/v1/connection/changes. Text the webstore sends back, so it is read
 * strictly: a cursor is only what sb_catalogue_*_cursor_format wrote
 * (fuzz/fuzz-catalogue-cursor.c holds them to it).
 */
#ifndef SB_CORE_CATALOGUE_CURSOR_H
#define SB_CORE_CATALOGUE_CURSOR_H

#include "util/err.h"

#include <stddef.h>
#include <stdint.h>

#define SB_CATALOGUE_CURSOR_LEN 64 /* a buffer that holds either cursor and its NUL */

/* "p1-<after>" into buf (size >= SB_CATALOGUE_CURSOR_LEN); after >= 0. */
void sb_catalogue_page_cursor_format(int64_t after, char *buf, size_t size);
/* NULL or "": 0 (the start); else SB_EINVALID_QUERY, field "cursor". */
sb_err sb_catalogue_page_cursor_parse(const char *s, int64_t *ret_after);

/* "c1-<seq>-<fp>" into buf (size >= SB_CATALOGUE_CURSOR_LEN); seq >= 0. */
void sb_catalogue_feed_cursor_format(int64_t seq, uint64_t fp, char *buf, size_t size);
/* SB_EINVALID_QUERY, field "since", for anything else (NULL too). */
sb_err sb_catalogue_feed_cursor_parse(const char *s, int64_t *ret_seq, uint64_t *ret_fp);

#endif
