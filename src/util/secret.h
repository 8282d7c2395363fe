/*
 * API tokens: 32 random bytes, shown once as "sb_" + base64url, stored only
 * as a BLAKE2b hash (libsodium's crypto_generichash). A random 256-bit token
 * needs no slow password hash; the hash only keeps a leaked database from
 * yielding usable tokens.
 */
#ifndef SB_SECRET_H
#define SB_SECRET_H

#include "util/err.h"

#include <stddef.h>

#define SB_TOKEN_LEN      64 /* room for "sb_" + 43 base64url chars + NUL */
#define SB_TOKEN_HASH_LEN 65 /* 32 bytes as hex + NUL */

sb_err sb_secret_init(void);
void sb_token_generate(char out[SB_TOKEN_LEN]);
void sb_token_hash(const char *token, char out[SB_TOKEN_HASH_LEN]);

#endif
