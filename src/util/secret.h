/*
 * API tokens: 32 random bytes, shown once as "sb_" + base64url, stored only
 * as a BLAKE2b hash (libsodium's crypto_generichash). A random 256-bit token
 * needs no slow password hash; the hash only keeps a leaked database from
 * yielding usable tokens. Staff passwords (the web app's sign-in) are the
 * other kind: argon2id, slow on purpose.
 */
#ifndef SB_SECRET_H
#define SB_SECRET_H

#include "util/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SB_TOKEN_LEN      64 /* room for "sb_" + 43 base64url chars + NUL */
#define SB_TOKEN_HASH_LEN 65 /* 32 bytes as hex + NUL */

sb_err sb_secret_init(void);
void sb_token_generate(char out[SB_TOKEN_LEN]);
void sb_token_hash(const char *token, char out[SB_TOKEN_HASH_LEN]);

/* Passwords: argon2id (libsodium crypto_pwhash_str, interactive limits), the salt and
 * parameters inside the text. */
#define SB_PASSWORD_HASH_LEN 128 /* crypto_pwhash_STRBYTES */
#define SB_PASSWORD_MIN      8
#define SB_PASSWORD_MAX      256
sb_err sb_password_hash(const char *password, char out[SB_PASSWORD_HASH_LEN]);
bool sb_password_verify(const char *hash, const char *password);
/* Verifies the password against a hash no password matches, made once with the same
 * parameters as every user's: a sign-in for a user who does not exist, is inactive or has
 * no password costs what a wrong password costs (SEC4). */
void sb_password_verify_dummy(const char *password);
/* That hash (made on first use: sign-in asks for it before it looks the name up). */
const char *sb_password_dummy_hash(void);
/* How many argon2id verifications this process has run: the tests' witness that every
 * sign-in does the same hashing work. */
uint64_t sb_password_verifications(void);

#endif
