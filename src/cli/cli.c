/*
 * Helpers shared by the subcommands.
 */
#include "cli/cli.h"
#include "http/server.h"
#include "sync/pipeline.h"
#include "util/log.h"
#include "util/secretbox.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *sb_cli_db_url(const char *flag)
{
    if (flag)
        return flag;
    const char *env = getenv("STOCKBRIDGE_DB");
    return env && *env ? env : "sqlite:stockbridge.db";
}

int sb_cli_fail(const char *what, sb_err err)
{
    const struct sb_errinfo *info = sb_err_last();
    const char *msg = info->err == err && info->message[0] ? info->message : sb_err_message(err);
    if (info->err == err && info->field[0])
        fprintf(stderr, "stockbridge: %s: %s (%s)\n", what, msg, info->field);
    else
        fprintf(stderr, "stockbridge: %s: %s\n", what, msg);
    return 1;
}

int sb_cli_open(const char *url, struct sb_store **ret)
{
    /* the key that seals channel credentials lives beside the database */
    sb_err err = sb_secretbox_init(url);
    if (err)
        return sb_cli_fail("opening the key file", err);
    err = sb_store_open(url, 16, ret);
    return err ? sb_cli_fail("opening the database", err) : 0;
}

int sb_cli_serve_until_signal(struct sb_store *store, const char *listen, const char *banner_token)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    /* block before the server starts its threads, so they inherit the mask */
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    struct sb_pipeline *pipeline;
    sb_err err = sb_pipeline_start(store, &pipeline);
    if (err)
        return sb_cli_fail("starting the order pipeline", err);
    struct sb_server_config cfg = { .store = store, .pipeline = pipeline };
    if (listen)
        setenv("STOCKBRIDGE_LISTEN", listen, 1);
    else if (!getenv("STOCKBRIDGE_LISTEN"))
        setenv("STOCKBRIDGE_LISTEN", "127.0.0.1:8080", 1);
    struct sb_server *server;
    err = sb_server_start(&cfg, &server);
    if (err) {
        sb_pipeline_stop(pipeline);
        return sb_cli_fail("starting the server", err);
    }
    char port[8];
    snprintf(port, sizeof(port), "%u", (unsigned)sb_server_port(server));
    struct sb_server_config eff = cfg;
    (void)sb_server_config_defaults(&eff);
    printf("stockbridge is serving on http://%s:%s/\n", eff.host, port);
    if (banner_token)
        printf("admin token: %s\n  try: curl -H 'Authorization: Bearer %s' "
               "http://%s:%s/api/v1/outlets\n"
               "the staff web app: http://%s:%s/ (sign in as admin / admin-demo,\n"
               "  maria / maria-demo or tom / tom-demo)\n",
               banner_token, banner_token, eff.host, port, eff.host, port);
    fflush(stdout);
    sb_log(SB_LOG_INFO, "server.start", "host", eff.host, "port", port, NULL);
    int sig = 0;
    sigwait(&set, &sig);
    sb_log(SB_LOG_INFO, "server.stop", "signal", sig == SIGINT ? "INT" : "TERM", NULL);
    sb_server_stop(server);
    sb_pipeline_stop(pipeline);
    return 0;
}
