/*
 * Tracking links for the common carriers: a carrier's name as a clerk or a
 * webstore writes it ("UPS", "Royal Mail", "fedex") and a tracking number
 * give the carrier's public tracking page. An unknown carrier has no link;
 * the number is still shown, as written.
 */
#ifndef SB_CORE_CARRIER_H
#define SB_CORE_CARRIER_H

#include <stdbool.h>
#include <stddef.h>

/* The longest tracking number a link is made for (the shipment keeps up to 200 bytes). */
#define SB_CARRIER_NUMBER_MAX 200
/* Room for any link: the longest pattern plus a number escaped in full. */
#define SB_CARRIER_URL_MAX (128 + 3 * SB_CARRIER_NUMBER_MAX)

/* The carrier's canonical name ("Royal Mail") for a name written any way ("royal-mail",
 * "ROYALMAIL"), or NULL when it is not one of the carriers known here. */
const char *sb_carrier_canonical(const char *carrier);

/* Writes the tracking page of `number` at `carrier` into buf (NUL-terminated) and returns
 * true; false, with buf empty, for an unknown carrier, a missing or blank number, one
 * longer than SB_CARRIER_NUMBER_MAX, or a buf too small. White space inside the number is
 * dropped ("1Z 999 AA1" is "1Z999AA1"); any other byte but letters, digits and '-' is
 * percent-escaped, so the link cannot be turned into another. */
bool sb_carrier_tracking_url(const char *carrier, const char *number, char *buf, size_t cap);

#endif
