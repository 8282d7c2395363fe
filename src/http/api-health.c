/*
 * /healthz (the database answers), /metrics (Prometheus text) and
 * /api/v1/me (who the token belongs to, with their outlets).
 */
#include "http/api.h"
#include "http/server.h"

#include <string.h>

sb_err sb_api_healthz(struct sb_req *r)
{
    int64_t one;
    sb_err err = sb_db_int(r->db, &one, "SELECT 1", NULL);
    if (err)
        return err;
    return sb_reply(r, 200,
                    json_pack("{s:s,s:i}", "status", "ok", "schema_version",
                              sb_store_schema_version(sb_server_store(r->server))));
}

sb_err sb_api_metrics(struct sb_req *r)
{
    size_t len;
    char *text = sb_server_metrics_text(r->server, r->arena, &len);
    return sb_reply_raw(r, 200, "text/plain; version=0.0.4", text, len);
}

sb_err sb_api_me(struct sb_req *r)
{
    json_t *me, *outlets;
    sb_err err = sb_db_json_one(r->db, &me,
                                "SELECT id, username, name, email, role, employee_id FROM users"
                                " WHERE id = ?",
                                "i", r->scope.user_id);
    if (err)
        return err;
    err = sb_db_json_all(r->db, &outlets,
                         "SELECT id, name FROM outlets WHERE " SB_SQL_SCOPE("id") " ORDER BY id",
                         "bi", r->scope.all_outlets, r->scope.user_id);
    if (err) {
        json_decref(me);
        return err;
    }
    json_object_set_new(me, "outlets", outlets);
    return sb_reply(r, 200, me);
}
