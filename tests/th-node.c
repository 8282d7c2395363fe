/*
 * Test helpers for nodes as separate processes (tests/harness.h): a
 * `stockbridge serve` started on a database URL, and Shopify webhooks signed
 * as a shop signs them, sent to the node a test chooses.
 */
#include "harness.h"

#include <criterion/criterion.h>
#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

void th_node_start(struct th_node *n, const char *db_url, const char *key_file)
{
    int pipefd[2];
    cr_assert_eq(pipe(pipefd), 0);
    pid_t pid = fork();
    cr_assert_neq(pid, -1);
    if (pid == 0) {
        dup2(pipefd[1], STDOUT_FILENO);
        close(pipefd[0]);
        close(pipefd[1]);
        setenv("STOCKBRIDGE_LEASE_SECONDS", "3", 1);
        /* the stock lane's timer on: changes committed by another node are seen by it */
        unsetenv("STOCKBRIDGE_SYNC_PERIOD");
        if (key_file)
            setenv("STOCKBRIDGE_KEY_FILE", key_file, 1);
        execl(getenv("SB_BIN"), "stockbridge", "serve", "--db", db_url, "--listen", "127.0.0.1:0",
              (char *)NULL);
        _exit(127);
    }
    close(pipefd[1]);
    char line[256];
    size_t k = 0;
    while (k + 1 < sizeof(line) && read(pipefd[0], line + k, 1) == 1 && line[k] != '\n')
        k++;
    line[k] = '\0';
    close(pipefd[0]);
    cr_assert_eq(sscanf(line, "stockbridge is serving on http://127.0.0.1:%u/", &n->port), 1,
                 "serve said: %s", line);
    n->pid = pid;
}

void th_node_stop(struct th_node *n, int sig)
{
    if (n->pid <= 0)
        return;
    int status;
    kill(n->pid, sig);
    waitpid(n->pid, &status, 0);
    n->pid = 0;
}

static size_t discard(char *p, size_t s, size_t n, void *ud)
{
    (void)p;
    (void)ud;
    return s * n;
}

long th_shopify_hook(unsigned port, const char *path, const char *secret, const char *topic,
                     const char *event_id, const char *body)
{
    size_t len = strlen(body);
    unsigned char mac[32];
    unsigned int maclen = 0;
    char b64[64], sig[128], event[160], top[128], url[256];
    HMAC(EVP_sha256(), secret, (int)strlen(secret), (const unsigned char *)body, len, mac, &maclen);
    EVP_EncodeBlock((unsigned char *)b64, mac, (int)maclen);
    snprintf(sig, sizeof(sig), "X-Shopify-Hmac-Sha256: %s", b64);
    snprintf(event, sizeof(event), "X-Shopify-Event-Id: %s", event_id);
    snprintf(top, sizeof(top), "X-Shopify-Topic: %s", topic);
    snprintf(url, sizeof(url), "http://127.0.0.1:%u%s", port, path);
    CURL *h = curl_easy_init();
    struct curl_slist *hdr = curl_slist_append(NULL, "Content-Type: application/json");
    hdr = curl_slist_append(hdr, top);
    hdr = curl_slist_append(hdr, sig);
    hdr = curl_slist_append(hdr, event);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)len);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
    long status = 0;
    if (curl_easy_perform(h) == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(hdr);
    curl_easy_cleanup(h);
    return status;
}

void th_shopify_order_json(char *buf, size_t cap, int id, const char *email, int minute, bool paid)
{
    int len =
        snprintf(buf, cap,
                 "{\"id\":%d,\"name\":\"#%d\",\"email\":\"%s\","
                 "\"created_at\":\"2026-11-22T10:00:00Z\","
                 "\"updated_at\":\"2026-11-22T10:%02d:00Z\",\"currency\":\"USD\","
                 "\"financial_status\":\"%s\",\"gateway\":\"shopify_payments\","
                 "\"subtotal_price\":\"20.00\",\"total_discounts\":\"0.00\","
                 "\"total_tax\":\"0.00\",\"total_price\":\"20.00\","
                 "\"total_outstanding\":\"%s\","
                 "\"shipping_address\":{\"name\":\"C %d\",\"address1\":\"1 St\"},"
                 "\"line_items\":[{\"id\":%d00,\"sku\":\"TEE\",\"title\":\"Tee\","
                 "\"quantity\":1,\"price\":\"20.00\",\"requires_shipping\":true}]}",
                 id, id, email, minute, paid ? "paid" : "pending", paid ? "0.00" : "20.00", id, id);
    cr_assert(len > 0 && (size_t)len < cap, "order %d does not fit", id);
}
