/*
 * Sealing and opening channel credentials (channel-credentials.h).
 */
#include "store/channel-credentials.h"

#include "util/secretbox.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

sb_err sb_store_credentials_seal(json_t *cred, char **ret_sealed)
{
    if (!json_is_object(cred))
        return sb_fail(SB_EINVALID_FIELD, "credentials", "credentials must be an object");
    char *plain = json_dumps(cred, JSON_COMPACT | JSON_SORT_KEYS);
    if (!plain)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    sb_err err = sb_secret_seal(plain, ret_sealed);
    sodium_memzero(plain, strlen(plain));
    free(plain);
    return err;
}

/* Opens sealed credentials into a JSON object, wiping the plain text after use. */
static sb_err open_sealed(const char *sealed, json_t **ret)
{
    char *plain = NULL;
    sb_err err = sb_secret_open(sealed, &plain);
    if (err)
        return err;
    json_t *o = json_loads(plain, 0, NULL);
    sodium_memzero(plain, strlen(plain));
    free(plain);
    if (!json_is_object(o)) {
        json_decref(o);
        return sb_fail(SB_EINTERNAL, NULL, "the channel's credentials are damaged");
    }
    *ret = o;
    return SB_OK;
}

sb_err sb_store_channel_credentials(struct sb_db *db, int64_t id, json_t **ret)
{
    struct sb_q q;
    sb_err err = sb_q_open(&q, db, "SELECT credentials FROM channels WHERE id = ?", "i", id);
    if (err)
        return err;
    char *sealed = NULL;
    bool found = sb_q_next(&q);
    if (found && !sb_q_null(&q, 0) && !(sealed = strdup(sb_q_text(&q, 0))))
        q.err = sb_fail(SB_ENOMEM, NULL, NULL);
    err = sb_q_close(&q);
    if (!err && !found)
        err = sb_fail(SB_ENOT_FOUND, NULL, "no channel %lld", (long long)id);
    json_t *o = NULL;
    if (!err && sealed)
        err = open_sealed(sealed, &o);
    else if (!err && !(o = json_object()))
        err = sb_fail(SB_ENOMEM, NULL, NULL);
    if (sealed) {
        sodium_memzero(sealed, strlen(sealed));
        free(sealed);
    }
    if (!err)
        *ret = o;
    return err;
}
