/*
 * A channel's links (channel-links.h): read into the arena for the run-time
 * channel, as JSON for the API, checked and written for a create or change.
 */
#include "store/channel-links.h"

#include <stdio.h>
#include <string.h>

static sb_err exists(struct sb_db *db, const char *sql, int64_t id, bool *ret)
{
    int64_t n = 0;
    sb_err err = sb_db_int(db, &n, sql, "i", id);
    *ret = n > 0;
    return err;
}

sb_err sb_store_links_check_outlets(struct sb_db *db, const struct sb_channel_input *in)
{
    char field[48];
    for (size_t i = 0; i < in->n_outlets; i++) {
        snprintf(field, sizeof(field), "outlets[%zu]", i);
        for (size_t k = 0; k < i; k++)
            if (in->outlet_ids[k] == in->outlet_ids[i])
                return sb_fail(SB_EINVALID_FIELD, field, "outlet %lld is listed twice",
                               (long long)in->outlet_ids[i]);
        bool ok;
        sb_err err =
            exists(db, "SELECT COUNT(*) FROM outlets WHERE id = ?", in->outlet_ids[i], &ok);
        if (err)
            return err;
        if (!ok)
            return sb_fail(SB_EUNKNOWN_REFERENCE, field, "no outlet %lld",
                           (long long)in->outlet_ids[i]);
    }
    return SB_OK;
}

sb_err sb_store_links_write(struct sb_db *db, int64_t id, const struct sb_channel_input *in)
{
    sb_err err = SB_OK;
    if (in->outlets_set) {
        err = sb_db_exec(db, "DELETE FROM channel_outlets WHERE channel_id = ?", "i", id);
        for (size_t i = 0; !err && i < in->n_outlets; i++)
            err = sb_db_exec(
                db,
                "INSERT INTO channel_outlets (channel_id, outlet_id, priority) VALUES (?, ?, ?)",
                "iii", id, in->outlet_ids[i], (int64_t)(i + 1));
    }
    if (!err && in->locations_set) {
        err = sb_db_exec(db, "DELETE FROM channel_locations WHERE channel_id = ?", "i", id);
        for (size_t i = 0; !err && i < in->n_locations; i++)
            err = sb_db_exec(db,
                             "INSERT INTO channel_locations (channel_id, location_id, outlet_id,"
                             " name) VALUES (?, ?, ?, ?)",
                             "isis", id, in->locations[i].location_id, in->locations[i].outlet_id,
                             in->locations[i].name);
    }
    if (!err && in->methods_set) {
        err = sb_db_exec(db, "DELETE FROM channel_methods WHERE channel_id = ?", "i", id);
        for (size_t i = 0; !err && i < in->n_methods; i++)
            err = sb_db_exec(db,
                             "INSERT INTO channel_methods (channel_id, method, outlet_id, pickup)"
                             " VALUES (?, ?, ?, ?)",
                             "isib", id, in->methods[i].method, in->methods[i].outlet_id,
                             (int)in->methods[i].pickup);
    }
    return err;
}

/* Room for one more element in an arena array, doubling it when full (the old block
 * stays in the arena until it is freed). NULL when out of memory. */
static void *grow(struct sb_arena *a, void *arr, size_t n, size_t *cap, size_t size)
{
    if (arr && n < *cap)
        return arr;
    size_t ncap = *cap ? *cap * 2 : 8;
    void *p = sb_arena_alloc(a, ncap * size);
    if (p && arr)
        memcpy(p, arr, n * size);
    if (p)
        *cap = ncap;
    return p;
}

/* The outlets (priority order), locations and methods, one statement each. */
sb_err sb_store_links_load(struct sb_db *db, int64_t id, struct sb_arena *a, int64_t **ret_outlets,
                           size_t *ret_n_outlets, struct sb_channel_location **ret_locations,
                           size_t *ret_n_locations, struct sb_channel_method **ret_methods,
                           size_t *ret_n_methods)
{
    int64_t *outlets = NULL;
    struct sb_channel_location *locs = NULL;
    struct sb_channel_method *meths = NULL;
    size_t no = 0, nl = 0, nm = 0, cap = 0;
    struct sb_q q;
    sb_err err = sb_q_open(&q, db,
                           "SELECT outlet_id FROM channel_outlets WHERE channel_id = ?"
                           " ORDER BY priority",
                           "i", id);
    while (!err && sb_q_next(&q)) {
        if (!(outlets = grow(a, outlets, no, &cap, sizeof(*outlets))))
            q.err = sb_fail(SB_ENOMEM, NULL, NULL);
        else
            outlets[no++] = sb_q_int(&q, 0);
    }
    if (!err)
        err = sb_q_close(&q);

    cap = 0;
    if (!err)
        err = sb_q_open(&q, db,
                        "SELECT location_id, outlet_id, name FROM channel_locations"
                        " WHERE channel_id = ? ORDER BY location_id, outlet_id",
                        "i", id);
    while (!err && sb_q_next(&q)) {
        if (!(locs = grow(a, locs, nl, &cap, sizeof(*locs)))) {
            q.err = sb_fail(SB_ENOMEM, NULL, NULL);
            continue;
        }
        locs[nl].location_id = sb_arena_strdup(a, sb_q_text(&q, 0));
        locs[nl].outlet_id = sb_q_int(&q, 1);
        locs[nl].name = sb_q_null(&q, 2) ? NULL : sb_arena_strdup(a, sb_q_text(&q, 2));
        if (!locs[nl++].location_id)
            q.err = sb_fail(SB_ENOMEM, NULL, NULL);
    }
    if (!err)
        err = sb_q_close(&q);

    cap = 0;
    if (!err)
        err = sb_q_open(&q, db,
                        "SELECT method, outlet_id, pickup FROM channel_methods"
                        " WHERE channel_id = ? ORDER BY method",
                        "i", id);
    while (!err && sb_q_next(&q)) {
        if (!(meths = grow(a, meths, nm, &cap, sizeof(*meths)))) {
            q.err = sb_fail(SB_ENOMEM, NULL, NULL);
            continue;
        }
        meths[nm].method = sb_arena_strdup(a, sb_q_text(&q, 0));
        meths[nm].outlet_id = sb_q_int(&q, 1);
        meths[nm].pickup = sb_q_int(&q, 2) != 0;
        if (!meths[nm++].method)
            q.err = sb_fail(SB_ENOMEM, NULL, NULL);
    }
    if (!err)
        err = sb_q_close(&q);
    if (err)
        return err;
    *ret_outlets = outlets;
    *ret_n_outlets = no;
    *ret_locations = locs;
    *ret_n_locations = nl;
    *ret_methods = meths;
    *ret_n_methods = nm;
    return SB_OK;
}

sb_err sb_store_links_json(struct sb_db *db, int64_t id, json_t **ret_outlets,
                           json_t **ret_locations, json_t **ret_methods)
{
    json_t *outlets = NULL, *locations = NULL, *methods = NULL;
    sb_err err = sb_db_json_all(db, &outlets,
                                "SELECT outlet_id, priority FROM channel_outlets"
                                " WHERE channel_id = ? ORDER BY priority",
                                "i", id);
    if (!err)
        err = sb_db_json_all(db, &locations,
                             "SELECT location_id, outlet_id, name FROM channel_locations"
                             " WHERE channel_id = ? ORDER BY location_id, outlet_id",
                             "i", id);
    if (!err)
        err = sb_db_json_all(db, &methods,
                             "SELECT method, outlet_id, pickup FROM channel_methods"
                             " WHERE channel_id = ? ORDER BY method",
                             "i", id);
    if (err) {
        json_decref(outlets);
        json_decref(locations);
        json_decref(methods);
        return err;
    }
    *ret_outlets = outlets;
    *ret_locations = locations;
    *ret_methods = methods;
    return SB_OK;
}
