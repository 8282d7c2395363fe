/*
 * The store's profile (GET /profile): the connection test both Ecwid kinds
 * make when a channel is saved (connect), and the store's currency, which
 * Ecwid's orders do not name (their floats are rounded to it, O4). The
 * currency read is kept in the per-channel state, so a process asks once.
 */
#include "channel/ecwid/ecwid.h"

#include "util/timeutil.h"

#include <string.h>

const char *sb_ec_profile_currency_of(json_t *profile)
{
    const char *c =
        json_string_value(json_object_get(json_object_get(profile, "formatsAndUnits"), "currency"));
    if (!c || strlen(c) != 3)
        return NULL;
    for (int i = 0; i < 3; i++)
        if (c[i] < 'A' || c[i] > 'Z')
            return NULL;
    return c;
}

static void keep_currency(const struct sb_channel *ch, const char *currency)
{
    struct sb_ec_state *s = ch->state;
    if (!s || !currency)
        return;
    pthread_mutex_lock(&s->lock);
    memcpy(s->currency, currency, 4);
    pthread_mutex_unlock(&s->lock);
}

/* GET /profile, checked; *ret_profile in the arena. */
static sb_err read_profile(const struct sb_channel *ch, struct sb_arena *a, json_t **ret_profile)
{
    struct sb_ec_reply r;
    sb_err err = sb_ec_call(ch, "GET", "/profile", NULL, NULL, a, &r);
    if (err)
        return err;
    if (r.status != 200)
        return sb_ec_status_err(&r, "reading the store's profile");
    if (!json_is_object(r.body))
        return sb_fail(SB_EIO, NULL, "Ecwid's profile is not a JSON object");
    *ret_profile = r.body;
    keep_currency(ch, sb_ec_profile_currency_of(r.body));
    return SB_OK;
}

sb_err sb_ec_profile_currency(const struct sb_channel *ch, struct sb_arena *a)
{
    struct sb_ec_state *s = ch->state;
    if (!s || sb_ec_cred(ch, "currency"))
        return SB_OK;
    pthread_mutex_lock(&s->lock);
    bool known = s->currency[0] != 0;
    pthread_mutex_unlock(&s->lock);
    json_t *profile;
    return known ? SB_OK : read_profile(ch, a, &profile);
}

sb_err sb_ec_connect(const struct sb_channel *ch, json_t **ret_report)
{
    struct sb_arena *a = sb_arena_new();
    char at[SB_TIME_LEN];
    sb_time_format(sb_time_now(), at, sizeof(at));
    json_t *report = json_pack("{s:s}", "checked_at", at);
    if (!a || !report) {
        sb_arena_free(a);
        json_decref(report);
        return sb_fail(SB_ENOMEM, NULL, NULL);
    }
    json_t *profile = NULL;
    sb_err err = read_profile(ch, a, &profile);
    if (!err) {
        const char *cur = sb_ec_profile_currency_of(profile);
        json_object_set_new(report, "currency", cur ? json_string(cur) : json_null());
        json_object_set_new(report, "webhooks",
                            json_pack("{s:b,s:s}", "managed", false, "note",
                                      "Ecwid sends the webhooks its app registration names; "
                                      "point them at this channel's webhook URL"));
    }
    sb_arena_free(a);
    json_object_set_new(report, "ok", json_boolean(!err));
    if (err) /* in words staff can act on (sb_ec_status_err's) */
        json_object_set_new(report, "error", json_string(sb_err_last()->message));
    struct sb_ec_state *s = ch->state;
    if (s) {
        pthread_mutex_lock(&s->lock);
        json_decref(s->connection);
        s->connection = json_incref(report);
        pthread_mutex_unlock(&s->lock);
    }
    if (ret_report && !err)
        *ret_report = json_incref(report);
    json_decref(report);
    return err;
}

json_t *sb_ec_connection(const struct sb_channel *ch, struct sb_arena *a, const char **ret_notice)
{
    struct sb_ec_state *s = ch->state;
    (void)a;
    if (ret_notice)
        *ret_notice = NULL;
    if (!s)
        return NULL;
    pthread_mutex_lock(&s->lock);
    json_t *out = s->connection ? json_deep_copy(s->connection) : NULL;
    pthread_mutex_unlock(&s->lock);
    return out;
}
