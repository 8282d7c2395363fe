/*
 * stockbridge demo [--dir DIR] [--listen HOST:PORT] [--no-serve]: creates
 * DIR/stockbridge.db with the demo store on first use, makes a fresh admin
 * token (also written to DIR/admin-token), and serves the API. DIR is made
 * 0700 and every file in it 0600: the store holds (demo) customers, the
 * token is an admin's (SEC5). Beside it, five fakestores play the demo's
 * webstores: Shopify, Magento 2, Ecwid, the native eCom store, and an
 * export-model site that connects to this server itself (SPEC E1).
 */
#include "cli/cli.h"
#include "cli/demo-data.h"
#include "store/outlets.h"
#include "util/secret.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* Opens a file of the demo's for writing, readable by its owner only, whatever its mode was. */
static FILE *create_private(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return NULL;
    FILE *f = fchmod(fd, 0600) == 0 ? fdopen(fd, "w") : NULL;
    if (!f)
        close(fd);
    return f;
}

/* The stockbridge-fakestore beside this program, into self (PATH_MAX); false when unknown. */
static bool fakestore_path(char *self)
{
    ssize_t n = readlink("/proc/self/exe", self, PATH_MAX - 32);
    if (n <= 0)
        return false;
    self[n] = '\0';
    char *slash = strrchr(self, '/');
    if (!slash)
        return false;
    snprintf(slash + 1, PATH_MAX - (size_t)(slash + 1 - self), "stockbridge-fakestore");
    return true;
}

/* Starts stockbridge-fakestore (beside this program) playing the demo's Shopify shop:
 * it places orders a few times a minute and sends them to this server's webhook URL. */
static pid_t start_fakestore(const char *dir, const char *fake_listen, const char *listen,
                             int64_t channel_id, const char *token, const char *secret,
                             const char *per_minute)
{
    char self[PATH_MAX], catalogue[PATH_MAX], hook[256];
    if (!fakestore_path(self))
        return -1;
    snprintf(catalogue, sizeof(catalogue), "%s/catalogue.csv", dir);
    static char csv[16384];
    size_t len = sb_demo_catalogue_csv(csv, sizeof(csv));
    FILE *f = create_private(catalogue);
    if (!f || fwrite(csv, 1, len, f) != len) {
        if (f)
            fclose(f);
        return -1;
    }
    fclose(f);
    snprintf(hook, sizeof(hook), "http://%s/webhooks/%lld", listen, (long long)channel_id);
    pid_t pid = fork();
    if (pid == 0) {
        execl(self, "stockbridge-fakestore", "--listen", fake_listen, "--token", token, "--secret",
              secret, "--webhook-url", hook, "--skus", catalogue, "--orders-per-minute", per_minute,
              "--currency", SB_DEMO_CURRENCY, (char *)NULL);
        _exit(127);
    }
    return pid;
}

/* Starts a second stockbridge-fakestore playing the demo's Magento 2 store (--kind magento2)
 * on the same catalogue: it places orders in a mix of states (pending, pending payment,
 * processing and invoiced; simple, configurable and bundle items), which the server's
 * poller brings down by its download mode or shows waiting with why. */
static pid_t start_magento(const char *dir, const char *listen, const char *token,
                           const char *per_minute)
{
    char self[PATH_MAX], catalogue[PATH_MAX];
    if (!fakestore_path(self))
        return -1;
    snprintf(catalogue, sizeof(catalogue), "%s/catalogue.csv", dir); /* start_fakestore's */
    pid_t pid = fork();
    if (pid == 0) {
        execl(self, "stockbridge-fakestore", "--kind", "magento2", "--listen", listen, "--token",
              token, "--skus", catalogue, "--orders-per-minute", per_minute, "--currency",
              SB_DEMO_CURRENCY, (char *)NULL);
        _exit(127);
    }
    return pid;
}

/* Starts a stockbridge-fakestore --kind ecwid playing one of the demo's Ecwid-wire stores
 * (the Ecwid store, or the native eCom store, which runs on Ecwid) on the same catalogue: it
 * places orders (three in four PAID, the rest awaiting payment, one in five for pickup) and
 * sends signed webhooks to this server's /webhooks/{channel}. */
static pid_t start_ecwid(const char *dir, const char *fake_listen, const char *listen,
                         int64_t channel_id, const char *store_id, const char *prefix,
                         const char *token, const char *secret, const char *per_minute)
{
    char self[PATH_MAX], catalogue[PATH_MAX], hook[256];
    if (!fakestore_path(self))
        return -1;
    snprintf(catalogue, sizeof(catalogue), "%s/catalogue.csv", dir); /* start_fakestore's */
    snprintf(hook, sizeof(hook), "http://%s/webhooks/%lld", listen, (long long)channel_id);
    pid_t pid = fork();
    if (pid == 0) {
        execl(self, "stockbridge-fakestore", "--kind", "ecwid", "--listen", fake_listen,
              "--store-id", store_id, "--order-prefix", prefix, "--token", token, "--secret",
              secret, "--webhook-url", hook, "--skus", catalogue, "--orders-per-minute", per_minute,
              "--currency", SB_DEMO_CURRENCY, (char *)NULL);
        _exit(127);
    }
    return pid;
}

/* Starts a stockbridge-fakestore --kind export: an export-model webstore's Site Manager that
 * connects to this server (listen) with the demo admin's credentials, again with backoff
 * until the server answers, completes the connection (L1 -> the first outlet, L2 -> the
 * second), follows the change feed every minute and places orders from the catalogue,
 * exported as soon as they are paid and fulfilled (SPEC E1-E7). */
static pid_t start_export(const char *dir, const char *fake_listen, const char *listen,
                          const char *per_minute)
{
    char self[PATH_MAX], catalogue[PATH_MAX], pos[256];
    if (!fakestore_path(self))
        return -1;
    snprintf(catalogue, sizeof(catalogue), "%s/catalogue.csv", dir); /* start_fakestore's */
    snprintf(pos, sizeof(pos), "http://%s", listen);
    pid_t pid = fork();
    if (pid == 0) {
        execl(self, "stockbridge-fakestore", "--kind", "export", "--listen", fake_listen,
              "--pos-url", pos, "--pos-username", "admin", "--pos-password", SB_DEMO_ADMIN_PASSWORD,
              "--webstore-id", "demo-site", "--site-name", "Demo export webstore", "--locations",
              "L1:Main St,L2:Warehouse", "--connect", "retry", "--auto-export", "on",
              "--export-status", "Exported", "--skus", catalogue, "--orders-per-minute", per_minute,
              "--currency", SB_DEMO_CURRENCY, (char *)NULL);
        _exit(127);
    }
    return pid;
}

/* Waits (at most about 5 s) until a fakestore just started accepts connections on listen
 * (an IPv4 "HOST:PORT"), so that the server's first poll, stock read and connection check
 * find it up rather than failing once and retrying. False when it never did. */
static bool wait_listening(const char *listen, pid_t pid)
{
    char host[64];
    const char *colon = strrchr(listen, ':');
    if (!colon || (size_t)(colon - listen) >= sizeof(host))
        return false;
    memcpy(host, listen, (size_t)(colon - listen));
    host[colon - listen] = '\0';
    char *end;
    long port = strtol(colon + 1, &end, 10);
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    if (*end || port <= 0 || port > 65535 || inet_pton(AF_INET, host, &sa.sin_addr) != 1)
        return false;
    for (int i = 0; i < 100; i++) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
            return false;
        int rc = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
        close(fd);
        if (rc == 0)
            return true;
        siginfo_t si = { 0 }; /* exited (its port taken, say)? left for stop() to reap */
        if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == pid)
            return false;
        nanosleep(&(struct timespec){ .tv_nsec = 50 * 1000 * 1000 }, NULL);
    }
    return false;
}

/* Stops a fakestore the demo started (pid <= 0: none). */
static void stop(pid_t pid)
{
    if (pid > 0) {
        kill(pid, SIGTERM);
        waitpid(pid, NULL, 0);
    }
}

int cmd_demo(int argc, char **argv)
{
    static const struct option opts[] = { { "dir", required_argument, NULL, 'd' },
                                          { "db", required_argument, NULL, 'b' },
                                          { "listen", required_argument, NULL, 'l' },
                                          { "no-serve", no_argument, NULL, 'n' },
                                          { "fake-listen", required_argument, NULL, 'f' },
                                          { "magento-listen", required_argument, NULL, 'm' },
                                          { "ecwid-listen", required_argument, NULL, 'e' },
                                          { "ecom-listen", required_argument, NULL, 'c' },
                                          { "export-listen", required_argument, NULL, 'X' },
                                          { "orders-per-minute", required_argument, NULL, 'o' },
                                          { "no-fakestore", no_argument, NULL, 'x' },
                                          { "help", no_argument, NULL, 'h' },
                                          { NULL, 0, NULL, 0 } };
    const char *dir = "demo", *listen = NULL, *dburl = NULL;
    const char *fake_listen = "127.0.0.1:8081", *magento_listen = "127.0.0.1:8082";
    const char *ecwid_listen = "127.0.0.1:8083", *ecom_listen = "127.0.0.1:8084";
    const char *export_listen = "127.0.0.1:8085";
    const char *per_minute = "3";
    int serve = 1, fake = 1, c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            dir = optarg;
            break;
        case 'b':
            dburl = optarg;
            break;
        case 'l':
            listen = optarg;
            break;
        case 'n':
            serve = 0;
            break;
        case 'f':
            fake_listen = optarg;
            break;
        case 'm':
            magento_listen = optarg;
            break;
        case 'e':
            ecwid_listen = optarg;
            break;
        case 'c':
            ecom_listen = optarg;
            break;
        case 'X':
            export_listen = optarg;
            break;
        case 'o':
            per_minute = optarg;
            break;
        case 'x':
            fake = 0;
            break;
        case 'h':
            printf("usage: stockbridge demo [--dir DIR] [--db URL] [--listen HOST:PORT] "
                   "[--no-serve]\n"
                   "                        [--fake-listen HOST:PORT] [--magento-listen "
                   "HOST:PORT]\n"
                   "                        [--ecwid-listen HOST:PORT] [--ecom-listen "
                   "HOST:PORT]\n"
                   "                        [--export-listen HOST:PORT]\n"
                   "                        [--orders-per-minute N] [--no-fakestore]\n\n"
                   "Creates a demo store (two outlets, registers, employees, three users, 50\n"
                   "items with prices and stock, customers and a few sales) in\n"
                   "DIR/stockbridge.db (default DIR: demo) unless it exists, prints a fresh\n"
                   "admin token (also saved in DIR/admin-token) and serves the API until\n"
                   "interrupted. --no-serve stops after the token.\n\n"
                   "Beside the server, stockbridge-fakestore plays the demo's Shopify shop on\n"
                   "--fake-listen (default 127.0.0.1:8081) and places --orders-per-minute\n"
                   "(default 3) web orders, sent as signed webhooks to this server: watch them\n"
                   "arrive at /api/v1/channels/1/orders, /api/v1/shipments and\n"
                   "/api/v1/notifications. A second one plays the demo's Magento 2 store on\n"
                   "--magento-listen (default 127.0.0.1:8082), placing orders in several states\n"
                   "that the server polls every minute (auto-invoice): see\n"
                   "/api/v1/channels/2/orders for what came down and what waits, and why.\n"
                   "Two more play an Ecwid store on --ecwid-listen (default 127.0.0.1:8083,\n"
                   "channel 3: only PAID orders come down, at the first outlet's register) and a\n"
                   "native eCom store, which runs on Ecwid, on --ecom-listen (default\n"
                   "127.0.0.1:8084, channel 4: paid and unpaid orders, statuses both ways), each\n"
                   "sending signed webhooks to this server and polled every minute.\n"
                   "A fifth plays an export-model webstore on --export-listen (default\n"
                   "127.0.0.1:8085): it connects to this server as admin (the channel \"Demo\n"
                   "export webstore\", kind export), reads the catalogue and its change feed\n"
                   "and exports its paid orders as completed sales; GET /_fake/state on it\n"
                   "shows its side.\n");
            return 0;
        default:
            return 2;
        }
    }
    char url[1024];
    if (!dburl) {
        if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
            fprintf(stderr, "stockbridge demo: cannot create %s\n", dir);
            return 1;
        }
        snprintf(url, sizeof(url), "sqlite:%s/stockbridge.db", dir);
        dburl = url;
    }
    struct sb_store *store;
    if (sb_cli_open(dburl, &store))
        return 1;
    struct sb_db *db;
    char token[SB_TOKEN_LEN];
    int64_t outlets = 0;
    sb_err err = sb_store_acquire(store, &db);
    if (!err)
        err = sb_store_outlet_count(db, &outlets);
    if (!err && outlets == 0) {
        err = sb_demo_seed(db);
        if (!err)
            printf("created the demo store in %s\n", dburl);
    }
    if (!err)
        err = sb_demo_admin_token(db, token);
    int64_t channel = 0, magento = 0;
    char shop_token[64] = "", shop_secret[64] = "", shop_url[128];
    char m2_token[64] = "", m2_url[128];
    snprintf(shop_url, sizeof(shop_url), "http://%s", fake_listen);
    snprintf(m2_url, sizeof(m2_url), "http://%s", magento_listen);
    /* the Ecwid store and the native eCom store: two stores on Ecwid's wire, told apart by
     * their store ids and order prefixes */
    int64_t ecwid = 0, ecom = 0;
    char ec_token[64] = "", ec_secret[64] = "", ec_url[128];
    char eo_token[64] = "", eo_secret[64] = "", eo_url[128];
    snprintf(ec_url, sizeof(ec_url), "http://%s", ecwid_listen);
    snprintf(eo_url, sizeof(eo_url), "http://%s", ecom_listen);
    const struct sb_demo_ecwid ec = {
        .kind = "ecwid", .name = "Demo Ecwid store", .store_url = ec_url, .store_id = "1003"
    };
    const struct sb_demo_ecwid eo = { .kind = "ecom",
                                      .name = "Demo eCom store",
                                      .store_url = eo_url,
                                      .store_id = "1004",
                                      .statuses = true };
    if (!err && fake)
        err = sb_demo_channel(db, shop_url, &channel, shop_token, shop_secret);
    if (!err && fake)
        err = sb_demo_magento_channel(db, m2_url, &magento, m2_token);
    if (!err && fake)
        err = sb_demo_ecwid_channel(db, &ec, &ecwid, ec_token, ec_secret);
    if (!err && fake)
        err = sb_demo_ecwid_channel(db, &eo, &ecom, eo_token, eo_secret);
    sb_store_release(store, db);
    if (err) {
        sb_store_close(store);
        return sb_cli_fail("demo", err);
    }
    char path[1024];
    snprintf(path, sizeof(path), "%s/admin-token", dir);
    FILE *f = create_private(path);
    if (f) {
        fprintf(f, "%s\n", token);
        fclose(f);
    }
    int rc = 0;
    if (serve) {
        pid_t shop = -1, m2 = -1, ew = -1, em = -1, xp = -1;
        const char *server = listen ? listen : "127.0.0.1:8080";
        if (fake) {
            shop = start_fakestore(dir, fake_listen, server, channel, shop_token, shop_secret,
                                   per_minute);
            if (shop > 0)
                printf("a simulated Shopify shop on http://%s/ places %s orders a minute\n",
                       fake_listen, per_minute);
            else
                fprintf(stderr, "stockbridge demo: could not start stockbridge-fakestore\n");
            m2 = shop > 0 ? start_magento(dir, magento_listen, m2_token, per_minute) : -1;
            if (m2 > 0)
                printf("a simulated Magento 2 store on http://%s/ places %s orders a minute "
                       "(channel %lld, polled every minute)\n",
                       magento_listen, per_minute, (long long)magento);
            ew = shop > 0 ? start_ecwid(dir, ecwid_listen, server, ecwid, ec.store_id, "ECWID-",
                                        ec_token, ec_secret, per_minute)
                          : -1;
            if (ew > 0)
                printf("a simulated Ecwid store on http://%s/ places %s orders a minute "
                       "(channel %lld, store %s)\n",
                       ecwid_listen, per_minute, (long long)ecwid, ec.store_id);
            em = shop > 0 ? start_ecwid(dir, ecom_listen, server, ecom, eo.store_id, "ECOM-",
                                        eo_token, eo_secret, per_minute)
                          : -1;
            if (em > 0)
                printf("a simulated native eCom store on http://%s/ places %s orders a minute "
                       "(channel %lld, store %s)\n",
                       ecom_listen, per_minute, (long long)ecom, eo.store_id);
            xp = shop > 0 ? start_export(dir, export_listen, server, per_minute) : -1;
            if (xp > 0)
                printf("a simulated export-model webstore on http://%s/ connects as admin and "
                       "exports %s orders a minute (see /_fake/state)\n",
                       export_listen, per_minute);
        }
        /* the server's lanes start at once: its first calls find the stores up */
        const char *const fl[] = { fake_listen, magento_listen, ecwid_listen, ecom_listen,
                                   export_listen };
        const pid_t fp[] = { shop, m2, ew, em, xp };
        for (size_t i = 0; i < 5; i++)
            if (fp[i] > 0 && !wait_listening(fl[i], fp[i]))
                fprintf(stderr, "stockbridge demo: no fakestore answers on %s\n", fl[i]);
        rc = sb_cli_serve_until_signal(store, listen, token);
        stop(shop);
        stop(m2);
        stop(ew);
        stop(em);
        stop(xp);
    } else {
        printf("admin token: %s\n", token);
    }
    sb_store_close(store);
    return rc;
}
