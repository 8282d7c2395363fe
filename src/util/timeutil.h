/*
 * Times are UTC. Stored and sent as ISO 8601 "YYYY-MM-DDTHH:MM:SSZ", which
 * sorts as text; held in memory as seconds since the epoch.
 */
#ifndef SB_TIMEUTIL_H
#define SB_TIMEUTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#define SB_TIME_LEN 21 /* "2026-11-22T14:01:44Z" + NUL */
/* The instants the text form can hold: years 0000 to 9999. */
#define SB_TIME_MIN (-62167219200LL) /* 0000-01-01T00:00:00Z */
#define SB_TIME_MAX 253402300799LL   /* 9999-12-31T23:59:59Z */

int64_t sb_time_now(void);
/*
 * For tests only: from now on sb_time_now() answers `now`, stopped there until
 * the next call (0 goes back to the real clock). The e2e tests run the server
 * in their own process, so they can put "now" at a chosen instant (just
 * before a New York midnight) without waiting for the wall clock - and
 * without the wall clock moving it a second on between two lines of a test.
 */
void sb_time_set_for_tests(int64_t now);
/* Monotonic clock in nanoseconds, for durations. */
uint64_t sb_clock_ns(void);
/* Always the 20 characters of "YYYY-MM-DDTHH:MM:SSZ" (given cap >= SB_TIME_LEN), which
 * sb_time_parse reads back; t outside SB_TIME_MIN..SB_TIME_MAX is clamped to them. */
void sb_time_format(int64_t t, char *buf, size_t cap);
/*
 * Parses "YYYY-MM-DD", "YYYY-MM-DDTHH:MM:SS", with an optional fraction and
 * "Z" or "+HH:MM"/"-HH:MM" offset (no offset means UTC). Returns false on
 * anything else, and for an instant (offset applied) outside SB_TIME_MIN..SB_TIME_MAX.
 */
bool sb_time_parse(const char *s, int64_t *ret_t);

#endif
