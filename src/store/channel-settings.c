/*
 * Settings storage (channel-settings.h): the common settings between their
 * typed struct and JSON, by the rows of core/channel-settings.c, and the
 * stored object merged name by name.
 */
#include "store/channel-settings.h"

#include "util/timeutil.h"

#include <stdbool.h>
#include <string.h>

/* Sets the i-th common setting from v when its description takes v; false otherwise. */
static bool set_typed(struct sb_channel_settings *s, size_t i, json_t *v)
{
    const struct sb_field *f = &sb_channel_common_settings[i];
    char *p = (char *)s + sb_channel_setting_offset(i);
    int64_t t = 0;
    switch (f->type) {
    case SB_FIELD_BOOL:
        if (!json_is_boolean(v))
            return false;
        *(bool *)p = json_is_true(v);
        return true;
    case SB_FIELD_INT:
        if (!json_is_integer(v) || json_integer_value(v) < f->min || json_integer_value(v) > f->max)
            return false;
        *(int64_t *)p = json_integer_value(v);
        return true;
    case SB_FIELD_REF:
        if (json_is_null(v))
            *(int64_t *)p = 0;
        else if (json_is_integer(v) && json_integer_value(v) > 0)
            *(int64_t *)p = json_integer_value(v);
        else
            return false;
        return true;
    case SB_FIELD_TIME:
        if (json_is_null(v))
            *(int64_t *)p = 0;
        else if (json_is_string(v) && sb_time_parse(json_string_value(v), &t) && t > 0)
            *(int64_t *)p = t;
        else
            return false;
        return true;
    case SB_FIELD_TEXT: /* checked against the description on the way in (channel-edit.c) */
        if (json_is_null(v))
            *p = '\0';
        else if (json_is_string(v) && json_string_length(v) <= (size_t)f->max &&
                 strlen(json_string_value(v)) == json_string_length(v))
            memcpy(p, json_string_value(v), json_string_length(v) + 1);
        else
            return false;
        return true;
    default: /* the common settings have no other types */
        return false;
    }
}

static bool is_common(const char *name)
{
    return sb_field_find(sb_channel_common_settings, name) != NULL;
}

void sb_store_settings_typed(json_t *obj, struct sb_channel_settings *ret)
{
    sb_channel_settings_defaults(ret);
    for (size_t i = 0; json_is_object(obj) && sb_channel_common_settings[i].name; i++) {
        json_t *v = json_object_get(obj, sb_channel_common_settings[i].name);
        if (v)
            (void)set_typed(ret, i, v);
    }
}

json_t *sb_store_settings_json(const struct sb_channel_settings *s)
{
    json_t *o = json_object();
    for (size_t i = 0; o && sb_channel_common_settings[i].name; i++) {
        const struct sb_field *f = &sb_channel_common_settings[i];
        const char *p = (const char *)s + sb_channel_setting_offset(i);
        json_t *v = NULL;
        switch (f->type) {
        case SB_FIELD_BOOL:
            v = json_boolean(*(const bool *)p);
            break;
        case SB_FIELD_INT:
            v = json_integer(*(const int64_t *)p);
            break;
        case SB_FIELD_REF:
            v = *(const int64_t *)p ? json_integer(*(const int64_t *)p) : json_null();
            break;
        case SB_FIELD_TIME: {
            char t[SB_TIME_LEN];
            sb_time_format(*(const int64_t *)p, t, sizeof(t));
            v = *(const int64_t *)p ? json_string(t) : json_null();
            break;
        }
        case SB_FIELD_TEXT:
            v = *p ? json_string(p) : json_null();
            break;
        default:
            v = json_null();
            break;
        }
        if (json_object_set_new(o, f->name, v)) {
            json_decref(o);
            return NULL;
        }
    }
    return o;
}

/* Every member of from that is not a common setting, copied into to. */
static sb_err copy_kind_settings(json_t *to, json_t *from)
{
    const char *key;
    json_t *v;
    json_object_foreach(from, key, v)
    {
        if (is_common(key))
            continue;
        if (json_is_null(v))
            (void)json_object_del(to, key); /* its default applies again */
        else if (json_object_set(to, key, v))
            return sb_fail(SB_ENOMEM, NULL, NULL);
    }
    return SB_OK;
}

sb_err sb_store_settings_read(const char *text, struct sb_channel_settings *ret_typed,
                              json_t **ret_all)
{
    json_t *obj = text ? json_loads(text, 0, NULL) : NULL;
    sb_store_settings_typed(obj, ret_typed);
    sb_err err = SB_OK;
    if (ret_all) {
        json_t *all = sb_store_settings_json(ret_typed);
        err = all ? SB_OK : sb_fail(SB_ENOMEM, NULL, NULL);
        if (!err && json_is_object(obj))
            err = copy_kind_settings(all, obj);
        if (err)
            json_decref(all);
        else
            *ret_all = all;
    }
    json_decref(obj);
    return err;
}

sb_err sb_store_settings_merge(json_t *all, struct sb_channel_settings *typed, json_t *given)
{
    if (!json_is_object(given))
        return SB_OK;
    for (size_t i = 0; sb_channel_common_settings[i].name; i++) {
        json_t *v = json_object_get(given, sb_channel_common_settings[i].name);
        if (v)
            (void)set_typed(typed, i, v);
    }
    json_t *common = sb_store_settings_json(typed);
    if (!common || json_object_update(all, common)) {
        json_decref(common);
        return sb_fail(SB_ENOMEM, NULL, NULL);
    }
    json_decref(common);
    return copy_kind_settings(all, given);
}
