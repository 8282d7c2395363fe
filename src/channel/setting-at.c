/*
 * A channel's setting as it was at a given time (channel.h,
 * sb_channel_setting_at; SPEC M5): a pick from the settings history the
 * channel was loaded with (store/settings-history.h), today's settings when
 * no history says otherwise.
 */
#include "channel/channel.h"

json_t *sb_channel_setting_at(const struct sb_channel *ch, const char *name, int64_t at)
{
    json_t *in_force = NULL;
    size_t i;
    json_t *row;
    json_array_foreach(ch->settings_history, i, row)
    {
        json_t *since = json_object_get(row, "since");
        json_t *settings = json_object_get(row, "settings");
        if (!json_is_integer(since) || !json_is_object(settings))
            continue;
        /* the first entry also stands for the time before it: what the channel started
         * with */
        if (!in_force || json_integer_value(since) <= at)
            in_force = settings;
        else
            break;
    }
    json_t *v = in_force ? json_object_get(in_force, name) : NULL;
    return v ? v : json_object_get(ch->settings, name);
}
