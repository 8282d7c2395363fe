/*
 * Token generation and hashing with libsodium.
 */
#include "util/secret.h"

#include <sodium.h>
#include <string.h>

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
    return hash && password && crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}
