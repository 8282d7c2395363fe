/*
 * An email message as RFC 5322 text, built so that nothing a webstore sends can shape it:
 * every header value has its CR, LF and other control characters replaced by spaces (no
 * header can be added by a customer's name), a value with non-ASCII text is an RFC 2047
 * encoded-word (UTF-8, base64) folded at 76 columns, and the body is plain UTF-8 text
 * whose line ends are CRLF and whose lines are at most 998 bytes.
 */
#ifndef SB_UTIL_MAIL_H
#define SB_UTIL_MAIL_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct sb_mail {
    const char *from;      /* an addr-spec, checked by the caller */
    const char *const *to; /* addr-specs, checked by the caller */
    size_t n_to;
    const char *subject;    /* any text */
    const char *message_id; /* "<...@...>", the same on every try of the same message */
    time_t date;
    const char *body; /* any text; "\n" ends lines */
};

/* The whole message (malloc'd), or NULL when out of memory. */
char *sb_mail_compose(const struct sb_mail *m, size_t *ret_len);

/* A header value made safe and encoded as above (malloc'd): exposed for the tests. */
char *sb_mail_header_value(const char *text, size_t name_len);

#endif
