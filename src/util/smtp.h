/*
 * Sending one message over SMTP with libcurl (smtp:// or smtps://, STARTTLS when the URL
 * asks for it with smtp+... is not needed: curl's CURLOPT_USE_SSL follows the URL's
 * scheme). A refusal the server means for good (a 5xx reply) is SB_EINVALID_FIELD, which
 * the outbox parks at once; anything else (no connection, a 4xx, a timeout) is SB_EIO,
 * which it retries with backoff.
 */
#ifndef SB_UTIL_SMTP_H
#define SB_UTIL_SMTP_H

#include "util/err.h"

#include <stddef.h>

sb_err sb_smtp_send(const char *url, const char *from, const char *const *to, size_t n_to,
                    const char *message, size_t len);

#endif
