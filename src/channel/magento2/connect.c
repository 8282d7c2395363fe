/*
 * Connecting a Magento 2 store (SB_CH_CONNECT): the credentials checked with
 * one read that needs them, GET /V1/inventory/sources, whose answer is also
 * what staff link to outlets (MSI sources are the channel's locations: a
 * location id is a source_code). The report says how requests authenticate
 * (bearer or OAuth 1.0a), lists the sources, and on a 401 says which way of
 * authenticating Magento refused and what to change. Kept in the channel's
 * state for connection().
 */
#include "channel/magento2/magento2.h"

#include "util/timeutil.h"

#include <string.h>

#define MAX_SOURCES 1000

static sb_err connect_in(const struct sb_channel *ch, struct sb_arena *a, json_t *report)
{
    const char *q = sb_m2_search(a, NULL, 0, NULL, 0, sb_m2_page_size(ch), 1);
    struct sb_m2_reply r;
    if (!q)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    sb_err err = sb_m2_call(ch, "GET", "/V1/inventory/sources", q, NULL, a, &r);
    if (err)
        return err;
    json_t *body = r.body;
    if (r.status < 200 || r.status > 299) {
        err = sb_m2_status_err(&r, "listing the MSI sources");
        json_decref(body);
        return err;
    }
    json_t *items = json_object_get(body, "items"), *sources = json_array();
    if (!json_is_array(items) || !sources) {
        json_decref(body);
        json_decref(sources);
        return sb_fail(SB_EIO, NULL, "Magento's answer listing the MSI sources has no items");
    }
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it)
    {
        const char *code = json_string_value(json_object_get(it, "source_code"));
        const char *name = json_string_value(json_object_get(it, "name"));
        json_t *enabled = json_object_get(it, "enabled");
        if (!code || i >= MAX_SOURCES)
            continue;
        json_array_append_new(
            sources, json_pack("{s:s, s:s?, s:b}", "source_code", code, "name", name, "enabled",
                               json_is_true(enabled) ||
                                   (json_is_integer(enabled) && json_integer_value(enabled) != 0)));
    }
    json_object_set_new(report, "sources", sources);
    json_decref(body);
    return SB_OK;
}

sb_err sb_m2_connect(const struct sb_channel *ch, json_t **ret_report)
{
    struct sb_arena *a = sb_arena_new();
    char at[SB_TIME_LEN];
    sb_time_format(sb_time_now(), at, sizeof(at));
    json_t *report =
        json_pack("{s:s, s:s}", "checked_at", at, "auth", sb_m2_auth_name(sb_m2_auth_mode(ch)));
    if (!a || !report) {
        sb_arena_free(a);
        json_decref(report);
        return sb_fail(SB_ENOMEM, NULL, NULL);
    }
    sb_err err = connect_in(ch, a, report);
    sb_arena_free(a);
    json_object_set_new(report, "ok", json_boolean(!err));
    if (err) /* what went wrong, in words staff can act on (sb_m2_status_err's) */
        json_object_set_new(report, "error", json_string(sb_err_last()->message));
    struct sb_m2_state *s = ch->state;
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

json_t *sb_m2_connection(const struct sb_channel *ch, struct sb_arena *a, const char **ret_notice)
{
    struct sb_m2_state *s = ch->state;
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
