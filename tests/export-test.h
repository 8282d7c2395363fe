/*
 * What the export-model suites share (tests/test-export-*.c): a server with the fixture
 * and the admin's password set, a webstore connected by the admin (complete or not), a
 * batch of orders exported, one result of the answer, and the order the suites export.
 */
#ifndef SB_TESTS_EXPORT_TEST_H
#define SB_TESTS_EXPORT_TEST_H

#include "harness.h"

#include <stdbool.h>

/* th_start + th_fixture, and the admin's password "admin-secret" (to connect with). */
void te_start(struct th *t, struct th_fixture *f);
/* A connection made by the admin for webstore: its token into out, its channel id back;
 * complete when `ready` (L1 -> outlet 1, L2 -> outlet 2, employee 1, register 1). */
int64_t te_connect(struct th *t, const char *webstore, bool ready, char out[SB_TOKEN_LEN]);
/* POST /api/v1/connection/orders {"orders": [orders]} with the connection's token. */
struct th_resp te_export(struct th *t, const char *token, const char *orders);
/* The i-th result of a 200 answer (asserts both). */
json_t *te_result(struct th_resp *r, size_t i);
/* On hand of an item at an outlet. */
int64_t te_on_hand(struct th *t, int64_t item, int64_t outlet);

/* A balanced order: 2 TEE at 2000 less 200, 1 MUG by its UPC at 1250 with 100 tax, shipping
 * 500: total 5050 paid by card. */
#define ORDER(id, extra)                                                                        \
    "{\"order_id\":\"" id "\",\"number\":\"W-" id "\",\"created_at\":\"2026-03-01T10:00:00Z\"," \
    "\"currency\":\"USD\",\"email\":\"ann@example.com\",\"first_name\":\"Ann\","                \
    "\"last_name\":\"Lee\",\"lines\":[{\"sku\":\"TEE\",\"title\":\"T-shirt\",\"quantity\":2,"   \
    "\"unit_price\":2000,\"discount\":200},{\"upc\":\"036000291452\",\"title\":\"Mug\","        \
    "\"quantity\":1,\"unit_price\":1250,\"taxes\":[{\"name\":\"VAT\",\"rate\":\"0.08\","        \
    "\"amount\":100}]}],\"shipping\":{\"title\":\"Ground\",\"price\":500},\"total\":5050" extra \
    "}"
#define PAID_BY_CARD ",\"payments\":[{\"method\":\"Card\",\"amount\":5050,\"reference\":\"tx-1\"}]"

#endif
