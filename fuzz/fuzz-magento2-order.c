/*
 * Magento 2 orders and their credit memos (channel/magento2/order.c): the
 * JSON of GET /V1/orders/{id} read into struct sb_order, then the order's
 * credit memos (items of GET /V1/creditmemos) attached as its refunds. The
 * input is the order, a line "--", then the memos list (may be empty). An
 * order that parses must satisfy fz_check_order; every refund line must name
 * one of the order's lines; a refusal must be an error the pipeline can
 * record as the reason (O10): a 4xx kind with a UTF-8 message.
 */
#include "fuzz.h"

#include "channel/magento2/magento2.h"
#include "check-order.h"

static bool refused_well(sb_err err)
{
    return err == SB_EINVALID_JSON || err == SB_EINVALID_FIELD || err == SB_EMISSING_FIELD ||
           err == SB_ETOO_LARGE;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *first;
    size_t first_len;
    if (!fz_next(&data, &size, "\n--\n", &first, &first_len)) {
        first = data;
        first_len = size;
        size = 0;
    }
    struct sb_arena *a = sb_arena_new();
    json_t *order = json_loadb((const char *)first, first_len, 0, NULL);
    json_t *memos = size ? json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL) : NULL;
    if (!a || !order)
        goto done;
    struct sb_order *o = NULL;
    sb_err err = sb_m2_parse_order(order, a, &o);
    fz_check_error(err);
    if (err) {
        FZ_CHECK(refused_well(err), "parse failed with %s", sb_err_code(err));
        goto done;
    }
    fz_check_order(o);
    err = sb_m2_attach_memos(o, order, memos, size % 2, a);
    fz_check_error(err);
    if (err) {
        FZ_CHECK(refused_well(err), "memos failed with %s", sb_err_code(err));
        goto done;
    }
    for (size_t r = 0; r < o->n_refunds; r++) {
        FZ_CHECK(o->refunds[r].external_id, "a refund without id");
        for (size_t l = 0; l < o->refunds[r].n_lines; l++) {
            const struct sb_order_refund_line *rl = &o->refunds[r].lines[l];
            bool found = false;
            for (size_t k = 0; k < o->n_lines && !found; k++)
                found = strcmp(o->lines[k].external_id, rl->line_external_id) == 0;
            FZ_CHECK(found, "refund line %s names no line", rl->line_external_id);
            FZ_CHECK(rl->quantity > 0, "refund line with quantity %lld", (long long)rl->quantity);
        }
    }
done:
    json_decref(order);
    json_decref(memos);
    sb_arena_free(a);
    return 0;
}
