/*
 * Secrets at rest: channel credentials (access tokens, webhook secrets) are
 * sealed with libsodium's crypto_secretbox (XSalsa20-Poly1305) under one
 * 32-byte key kept in a key file beside the database, never in it: a copied
 * database alone yields no usable credential.
 *
 * The key file is created on first start (32 random bytes, mode 0600) and
 * read on every later one. Its path is $STOCKBRIDGE_KEY_FILE when set, else
 * "<database file>.key" for a "sqlite:PATH" URL, else "stockbridge.key" in
 * the working directory. Losing the key file means re-entering every
 * channel's credentials; back it up with the database, but apart from it.
 *
 * Sealed text is base64 (standard alphabet, padded) of nonce || MAC ||
 * ciphertext, with a fresh random nonce per seal. Neither function ever logs
 * or puts the secret in an error message.
 */
#ifndef SB_SECRETBOX_H
#define SB_SECRETBOX_H

#include "util/err.h"

#include <stddef.h>

/* The key file's path for a database URL (see above). Truncated paths are refused:
 * SB_EIO. */
sb_err sb_secretbox_key_path(const char *db_url, char *buf, size_t cap);

/* Loads the key file, creating it when it does not exist. Refuses (SB_EIO, with the
 * path and the reason in the message) a key file that is not a regular file, is not
 * exactly 32 bytes, or is readable or writable by group or others. May be called
 * again (another database, a test): the new key replaces the old one; on failure the
 * old one stays. Seal and open are thread-safe once it has succeeded. */
sb_err sb_secretbox_init(const char *db_url);

/* Seals a NUL-terminated secret; *ret_text is malloc'd base64 (free() it).
 * SB_EINTERNAL before sb_secretbox_init. */
sb_err sb_secret_seal(const char *plain, char **ret_text);

/* Opens sealed text; *ret_plain is malloc'd and NUL-terminated (wipe it with
 * sodium_memzero before free() when it matters). SB_EINTERNAL when the text is not
 * sealed text, was altered, or was sealed under another key. */
sb_err sb_secret_open(const char *text, char **ret_plain);

#endif
