/*
 * Time zones by IANA name ("America/New_York"), read from the system's tz
 * database (TZif files under $TZDIR, by default /usr/share/zoneinfo, kept up
 * to date by Debian's tzdata package). Thread-safe: nothing here touches TZ,
 * tzset() or any other process-wide state; a zone is read once and then
 * shared, unchanged, by every thread.
 *
 * Why not ICU's calendar: Debian 12's libicu72 carries its own frozen copy of
 * the tz rules (2022e), which predates e.g. Mexico's end of daylight saving
 * time (2022f); the system's files are the ones that get updated.
 */
#ifndef SB_ZONE_H
#define SB_ZONE_H

#include <stdbool.h>
#include <stdint.h>

#define SB_ZONE_NAME_MAX 64
#define SB_DAY_LEN       11 /* "2026-03-08" + NUL */

/* True when name is a zone of the tz database: "UTC", "Europe/Paris",
 * "America/Argentina/Buenos_Aires" or a link such as "US/Eastern". Names are
 * case-sensitive, as in the database; "posix/..." and "right/..." variants and
 * anything that is not a TZif file there are refused. */
bool sb_zone_valid(const char *name);

/* The zone's offset from UTC, in seconds (east positive), at instant t (seconds since
 * the epoch); false when the zone is not valid. */
bool sb_zone_offset(const char *zone, int64_t t, int32_t *ret);

/* The calendar day at instant t in zone, as "YYYY-MM-DD"; false when the zone is not
 * valid. */
bool sb_zone_day(const char *zone, int64_t t, char out[SB_DAY_LEN]);

#endif
