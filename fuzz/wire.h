/*
 * A Shopify on the far side of the wire that answers whatever the fuzz input
 * says, for the harnesses of the adapter's operations (poll, fetch, stock,
 * prices, bulk). The harnesses link with --wrap for sb_http_post_json,
 * sb_http_get_stream and nanosleep (fuzz/meson.build), so the adapter's own
 * code runs end to end - requests built, answers parsed, throttling obeyed -
 * with no network and no waiting.
 *
 * The input is a list of answers, one per call, separated by a line "--":
 *
 *   {"data": {...}}            an HTTP 200 with this body
 *   --
 *   @429 2.0                   a first line "@STATUS [RETRY-AFTER]" sets the status and
 *   {"errors": "..."}          the Retry-After header
 *
 * A call after the last answer fails as a cut connection would (SB_EIO), so every
 * run ends. Each load also hands out a new channel id: the transport's pacing
 * remembers each channel's bucket, and a fresh id keeps one input's run from
 * depending on the inputs before it.
 */
#ifndef SB_FUZZ_WIRE_H
#define SB_FUZZ_WIRE_H

#include "channel/channel.h"
#include "util/http-client.h"

#include <stddef.h>
#include <stdint.h>
#include <time.h>

void fz_wire_load(const uint8_t *data, size_t size);
/* Calls made since the load, and answers left. */
size_t fz_wire_calls(void);
size_t fz_wire_left(void);
/* A Shopify channel whose transport is this fake (a new id per load). */
const struct sb_channel *fz_wire_channel(void);
/* Frees what the last load held. */
void fz_wire_reset(void);

/* The wrapped functions (the linker's --wrap sends the library's calls here). */
sb_err __wrap_sb_http_post_json(const struct sb_http_request *req, struct sb_http_response *ret);
sb_err __wrap_sb_http_get_stream(const char *url,
                                 sb_err (*each)(void *ud, const char *data, size_t len), void *ud,
                                 size_t max_size, long timeout_ms);
int __wrap_nanosleep(const struct timespec *req, struct timespec *rem);

#endif
