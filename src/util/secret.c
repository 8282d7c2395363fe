/*
 * Token generation and hashing with libsodium.
 */
#include "util/secret.h"

#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <string.h>

static atomic_uint_fast64_t verifications;
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;
static char dummy_hash[SB_PASSWORD_HASH_LEN];

sb_err sb_secret_init(void)
{
    return sodium_init() < 0 ? sb_fail(SB_EINTERNAL, NULL, "libsodium failed to start") : SB_OK;
}

void sb_token_generate(char out[SB_TOKEN_LEN])
{
    unsigned char raw[32];
    randombytes_buf(raw, sizeof(raw));
    memcpy(out, "sb_", 3);
    sodium_bin2base64(out + 3, SB_TOKEN_LEN - 3, raw, sizeof(raw),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof(raw));
}

void sb_token_hash(const char *token, char out[SB_TOKEN_HASH_LEN])
{
    unsigned char h[32];
    crypto_generichash(h, sizeof(h), (const unsigned char *)token, strlen(token), NULL, 0);
    sodium_bin2hex(out, SB_TOKEN_HASH_LEN, h, sizeof(h));
}

sb_err sb_password_hash(const char *password, char out[SB_PASSWORD_HASH_LEN])
{
    size_t n = strlen(password);
    if (n < SB_PASSWORD_MIN || n > SB_PASSWORD_MAX)
        return sb_fail(SB_EINVALID_FIELD, "password", "a password has %d to %d characters",
                       SB_PASSWORD_MIN, SB_PASSWORD_MAX);
    if (crypto_pwhash_str(out, password, n, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return sb_fail(SB_ENOMEM, NULL, "out of memory hashing a password");
    return SB_OK;
}

bool sb_password_verify(const char *hash, const char *password)
{
    if (!hash || !password)
        return false;
    atomic_fetch_add_explicit(&verifications, 1, memory_order_relaxed);
    return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

/* A hash of 32 random bytes, made as every user's is: no password matches it. */
static void make_dummy(void)
{
    unsigned char raw[32];
    char pw[2 * sizeof(raw) + 1];
    randombytes_buf(raw, sizeof(raw));
    sodium_bin2hex(pw, sizeof(pw), raw, sizeof(raw));
    if (crypto_pwhash_str(dummy_hash, pw, strlen(pw), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        dummy_hash[0] = '\0'; /* out of memory: verifying then fails at once */
    sodium_memzero(pw, sizeof(pw));
    sodium_memzero(raw, sizeof(raw));
}

const char *sb_password_dummy_hash(void)
{
    pthread_once(&dummy_once, make_dummy);
    return dummy_hash;
}

void sb_password_verify_dummy(const char *password)
{
    (void)sb_password_verify(sb_password_dummy_hash(), password);
}

uint64_t sb_password_verifications(void)
{
    return atomic_load_explicit(&verifications, memory_order_relaxed);
}
