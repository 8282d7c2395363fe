/*
 * The export store's site: its creation and release, and the connection as a
 * Site Manager makes it (SPEC E1): POST /api/v1/connection with the POS
 * credentials and the webstore id, the token kept; GET /connection/choices;
 * the site's locations mapped to outlets (as the control API asked, or
 * location i to the i-th outlet), the employee (the one tied to the user it
 * connected as, else the first) and the register (the first of the first
 * mapped outlet); PATCH /connection; then the full catalogue read. A refusal
 * (401, 403, 429) or a retired token is kept in the state with why, never
 * fatal. The state as the control API shows it is built here too.
 */
#include "export.h"

#include "util/timeutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static bool copy_str(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (n >= cap)
        return false;
    memcpy(dst, src, n + 1);
    return true;
}

/* "L1:Main St,L2:Warehouse" into the site's locations. */
static bool parse_locations(struct xp_site *s, const char *spec)
{
    char *copy = strdup(spec), *save = NULL;
    if (!copy)
        return false;
    bool ok = true;
    for (char *t = strtok_r(copy, ",", &save); t && ok; t = strtok_r(NULL, ",", &save)) {
        char *colon = strchr(t, ':');
        if (colon)
            *colon = '\0';
        struct xp_location *l = &s->locations[s->n_locations];
        ok = s->n_locations < XP_MAX_LOC && *t && copy_str(l->id, sizeof(l->id), t) &&
             copy_str(l->name, sizeof(l->name), colon ? colon + 1 : t);
        s->n_locations += ok;
    }
    free(copy);
    return ok && s->n_locations > 0;
}

static sb_err open_log(const char *path, int *fd)
{
    *fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    return *fd < 0
               ? sb_fail(SB_EIO, NULL, "cannot open the traffic log %s: %s", path, strerror(errno))
               : SB_OK;
}

sb_err fs_xp_new(const struct fs_xp_config *cfg, struct xp_site **ret)
{
    if (!cfg->pos_url || !cfg->pos_username || !cfg->pos_password)
        return sb_fail(SB_EINVALID_FIELD, NULL,
                       "--kind export needs --pos-url, --pos-username and --pos-password");
    if (strncmp(cfg->pos_url, "http://", 7) != 0 && strncmp(cfg->pos_url, "https://", 8) != 0)
        return sb_fail(SB_EINVALID_FIELD, NULL, "--pos-url must be an http(s) URL");
    struct xp_site *s = calloc(1, sizeof(*s));
    if (!s)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    pthread_mutex_init(&s->mu, NULL);
    pthread_mutex_init(&s->log_mu, NULL);
    pthread_cond_init(&s->wake, NULL);
    s->log_fd[0] = s->log_fd[1] = -1;
    bool ok = copy_str(s->pos_url, sizeof(s->pos_url), cfg->pos_url) &&
              copy_str(s->username, sizeof(s->username), cfg->pos_username) &&
              copy_str(s->password, sizeof(s->password), cfg->pos_password) &&
              copy_str(s->webstore_id, sizeof(s->webstore_id),
                       cfg->webstore_id ? cfg->webstore_id : "fakestore-site") &&
              copy_str(s->site_name, sizeof(s->site_name), cfg->site_name ? cfg->site_name : "") &&
              copy_str(s->export_status, sizeof(s->export_status),
                       cfg->export_status ? cfg->export_status : "");
    size_t n = strlen(s->pos_url);
    while (n && s->pos_url[n - 1] == '/')
        s->pos_url[--n] = '\0';
    if (!ok || !*s->webstore_id) {
        fs_xp_free(s);
        return sb_fail(SB_EINVALID_FIELD, NULL, "a flag of --kind export is empty or too long");
    }
    if (!parse_locations(s, cfg->locations ? cfg->locations : "L1:Main St")) {
        fs_xp_free(s);
        return sb_fail(SB_EINVALID_FIELD, NULL,
                       "--locations must be ID:NAME,ID:NAME,... (at most %d)", XP_MAX_LOC);
    }
    s->refresh_seconds = cfg->refresh_seconds;
    s->auto_export = cfg->auto_export;
    s->connect = cfg->connect;
    s->next_order = 100001;
    snprintf(s->state, sizeof(s->state), "disconnected");
    snprintf(s->currency, sizeof(s->currency), "USD");
    s->items = json_object();
    s->incomplete = json_object();
    s->products = json_array();
    s->not_ready = json_array();
    if (!s->items || !s->incomplete || !s->products || !s->not_ready) {
        fs_xp_free(s);
        return sb_fail(SB_ENOMEM, NULL, NULL);
    }
    sb_err err = SB_OK;
    if (cfg->traffic_log)
        err = open_log(cfg->traffic_log, &s->log_fd[0]);
    if (!err && cfg->traffic_dir && *cfg->traffic_dir) {
        char path[1024];
        snprintf(path, sizeof(path), "%s/%ld.jsonl", cfg->traffic_dir, (long)getpid());
        err = open_log(path, &s->log_fd[1]);
    }
    if (err) {
        fs_xp_free(s);
        return err;
    }
    *ret = s;
    return SB_OK;
}

void fs_xp_free(struct xp_site *s)
{
    if (!s)
        return;
    if (s->timer_running) {
        pthread_mutex_lock(&s->mu);
        s->stopping = true;
        pthread_cond_broadcast(&s->wake);
        pthread_mutex_unlock(&s->mu);
        pthread_join(s->timer, NULL);
    }
    for (size_t i = 0; i < s->n_orders; i++)
        xp_order_free(s->orders[i]);
    free(s->orders);
    json_decref(s->items);
    json_decref(s->incomplete);
    json_decref(s->products);
    json_decref(s->not_ready);
    json_decref(s->last_error);
    json_decref(s->choices);
    json_decref(s->mapping);
    json_decref(s->patched);
    free(s->feed_cursor);
    free(s->feed_etag);
    for (int i = 0; i < 2; i++)
        if (s->log_fd[i] >= 0)
            close(s->log_fd[i]);
    pthread_cond_destroy(&s->wake);
    pthread_mutex_destroy(&s->log_mu);
    pthread_mutex_destroy(&s->mu);
    free(s);
}

sb_err fs_xp_add_product(struct xp_site *s, const char *sku, const char *name, int64_t price)
{
    pthread_mutex_lock(&s->mu);
    json_t *p = json_pack("{s:s,s:s,s:I}", "sku", sku, "name", name ? name : sku, "price",
                          (json_int_t)price);
    int bad = !p || json_array_append_new(s->products, p);
    pthread_mutex_unlock(&s->mu);
    return bad ? sb_fail(SB_ENOMEM, NULL, NULL) : SB_OK;
}

size_t fs_xp_product_count(struct xp_site *s)
{
    pthread_mutex_lock(&s->mu);
    size_t n = json_array_size(s->products);
    pthread_mutex_unlock(&s->mu);
    return n;
}

/* ---------------------------------------------------------------- the state */

bool xp_is_retired(const struct xp_reply *rep)
{
    return rep->status == 401 && strcmp(xp_error_code(rep), "connection_retired") == 0;
}

void xp_note_error(struct xp_site *s, const struct xp_reply *rep, const char *during)
{
    json_t *e = json_pack("{s:I,s:s,s:s,s:s}", "status", (json_int_t)rep->status, "code",
                          rep->status ? xp_error_code(rep) : "network", "message",
                          xp_error_message(rep), "during", during);
    if (e && rep->retry_after[0])
        json_object_set_new(e, "retry_after", json_string(rep->retry_after));
    if (e && rep->status == 422 && json_object_get(json_object_get(rep->body, "error"), "field"))
        json_object_set(e, "field", json_object_get(json_object_get(rep->body, "error"), "field"));
    json_decref(s->last_error);
    s->last_error = e;
}

void xp_note_retired(struct xp_site *s, const struct xp_reply *rep, const char *during)
{
    snprintf(s->state, sizeof(s->state), "retired");
    snprintf(s->retired_reason, sizeof(s->retired_reason), "retired mid-%s: %s", during,
             xp_error_message(rep));
    s->token[0] = '\0';
    s->ready = false;
    xp_note_error(s, rep, during);
}

bool xp_token(struct xp_site *s, char *out, size_t cap)
{
    pthread_mutex_lock(&s->mu);
    bool ok = strcmp(s->state, "connected") == 0 && s->token[0];
    if (ok)
        snprintf(out, cap, "%s", s->token);
    pthread_mutex_unlock(&s->mu);
    return ok;
}

json_t *xp_state_json(struct xp_site *s)
{
    json_t *locs = json_array(), *orders = json_array();
    for (size_t i = 0; i < s->n_locations; i++)
        json_array_append_new(locs, json_pack("{s:s,s:s}", "location_id", s->locations[i].id,
                                              "name", s->locations[i].name));
    for (size_t i = 0; i < s->n_orders; i++)
        json_array_append_new(orders, xp_order_json(s, s->orders[i]));
    json_t *conn =
        json_pack("{s:s,s:s,s:s?,s:I,s:b,s:O,s:O?,s:O?,s:I,s:s}", "state", s->state, "webstore_id",
                  s->webstore_id, "retired_reason", s->retired_reason[0] ? s->retired_reason : NULL,
                  "channel_id", (json_int_t)s->channel_id, "ready", s->ready, "not_ready_reasons",
                  s->not_ready, "last_error", s->last_error, "choices", s->choices, "connects",
                  (json_int_t)s->connects, "username", s->username);
    if (conn && s->patched) {
        json_object_set(conn, "locations", json_object_get(s->patched, "locations"));
        json_object_set(conn, "employee_id", json_object_get(s->patched, "employee_id"));
        json_object_set(conn, "register_id", json_object_get(s->patched, "register_id"));
        json_object_set(conn, "settings", json_object_get(s->patched, "settings"));
    }
    return json_pack("{s:o,s:o,s:o,s:o,s:b,s:s,s:I}", "connection", conn, "locations", locs,
                     "catalogue", xp_catalogue_json(s), "orders", orders, "auto_export",
                     s->auto_export, "export_status",
                     s->export_status[0] ? s->export_status : "No Change", "refresh_seconds",
                     (json_int_t)s->refresh_seconds);
}

/* ---------------------------------------------------------------- connecting */

/* The employee tied to the user it connected as, else the first. */
static json_t *pick_employee(const json_t *choices, const char *username)
{
    json_t *list = json_object_get(choices, "employees"), *e;
    size_t i;
    json_array_foreach(list, i, e)
    {
        const char *u = json_string_value(json_object_get(e, "username"));
        if (u && strcmp(u, username) == 0)
            return json_object_get(e, "id");
    }
    return json_object_get(json_array_get(list, 0), "id");
}

/* The PATCH body: the control API's mapping where it gave one, else the defaults. */
static json_t *mapping_body(struct xp_site *s, const json_t *choices, const json_t *asked)
{
    json_t *outlets = json_object_get(choices, "outlets");
    json_t *body = json_object();
    json_t *locs = json_object_get(asked, "locations");
    if (locs) {
        json_object_set(body, "locations", locs);
    } else if (json_array_size(outlets)) {
        locs = json_array();
        for (size_t i = 0; i < s->n_locations; i++) {
            json_t *o = json_array_get(outlets, i % json_array_size(outlets));
            json_array_append_new(
                locs, json_pack("{s:s,s:O,s:s}", "location_id", s->locations[i].id, "outlet_id",
                                json_object_get(o, "id"), "name", s->locations[i].name));
        }
        json_object_set_new(body, "locations", locs);
    }
    json_t *v = json_object_get(asked, "employee_id");
    if (!v)
        v = pick_employee(choices, s->username);
    if (v)
        json_object_set(body, "employee_id", v);
    v = json_object_get(asked, "register_id");
    if (!v) {
        /* the first register of the first mapped outlet */
        json_int_t first = json_integer_value(
            json_object_get(json_array_get(json_object_get(body, "locations"), 0), "outlet_id"));
        json_t *o;
        size_t i;
        json_array_foreach(outlets, i, o)
        {
            if (json_integer_value(json_object_get(o, "id")) == first) {
                v = json_object_get(json_array_get(json_object_get(o, "registers"), 0), "id");
                break;
            }
        }
    }
    if (v)
        json_object_set(body, "register_id", v);
    if (json_object_get(asked, "settings"))
        json_object_set(body, "settings", json_object_get(asked, "settings"));
    return body;
}

/* Fails the connection attempt with the answer (with the lock taken here). */
static bool failed(struct xp_site *s, struct xp_reply *rep, const char *during)
{
    pthread_mutex_lock(&s->mu);
    if (xp_is_retired(rep)) {
        xp_note_retired(s, rep, during);
    } else {
        snprintf(s->state, sizeof(s->state), "failed");
        xp_note_error(s, rep, during);
    }
    pthread_mutex_unlock(&s->mu);
    xp_reply_free(rep);
    return false;
}

bool xp_connect(struct xp_site *s)
{
    pthread_mutex_lock(&s->mu);
    snprintf(s->state, sizeof(s->state), "connecting");
    json_t *body = json_pack("{s:s,s:s,s:s}", "username", s->username, "password", s->password,
                             "webstore_id", s->webstore_id);
    if (body && s->site_name[0])
        json_object_set_new(body, "name", json_string(s->site_name));
    json_t *asked = json_incref(s->mapping);
    pthread_mutex_unlock(&s->mu);
    struct xp_reply rep;
    xp_call(s, "POST", "/api/v1/connection", NULL, body, NULL, NULL, &rep);
    json_decref(body);
    const char *token = json_string_value(json_object_get(rep.body, "token"));
    if (rep.status != 201 || !token) {
        json_decref(asked);
        return failed(s, &rep, "connect");
    }
    char tok[128];
    snprintf(tok, sizeof(tok), "%s", token);
    pthread_mutex_lock(&s->mu);
    snprintf(s->token, sizeof(s->token), "%s", tok);
    s->channel_id = json_integer_value(json_object_get(rep.body, "channel_id"));
    s->retired_reason[0] = '\0';
    s->connects++;
    json_decref(s->last_error);
    s->last_error = NULL;
    pthread_mutex_unlock(&s->mu);
    xp_reply_free(&rep);

    xp_call(s, "GET", "/api/v1/connection/choices", NULL, NULL, tok, NULL, &rep);
    if (rep.status != 200) {
        json_decref(asked);
        return failed(s, &rep, "connect");
    }
    json_t *choices = json_incref(rep.body);
    xp_reply_free(&rep);
    body = mapping_body(s, choices, asked);
    json_decref(asked);
    xp_call(s, "PATCH", "/api/v1/connection", NULL, body, tok, NULL, &rep);
    json_decref(body);
    pthread_mutex_lock(&s->mu);
    json_decref(s->choices);
    s->choices = choices;
    pthread_mutex_unlock(&s->mu);
    if (rep.status != 200)
        return failed(s, &rep, "connect");
    pthread_mutex_lock(&s->mu);
    snprintf(s->state, sizeof(s->state), "connected");
    json_decref(s->patched);
    s->patched = json_incref(rep.body);
    s->ready = json_is_true(json_object_get(rep.body, "ready"));
    json_t *reasons = json_object_get(rep.body, "not_ready_reasons");
    json_decref(s->not_ready);
    s->not_ready = reasons ? json_incref(reasons) : json_array();
    /* a new connection reads the catalogue from the start */
    free(s->feed_cursor);
    free(s->feed_etag);
    s->feed_cursor = s->feed_etag = NULL;
    bool ready = s->ready;
    pthread_mutex_unlock(&s->mu);
    xp_reply_free(&rep);
    if (ready)
        xp_catalogue_read(s);
    return true;
}
