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
