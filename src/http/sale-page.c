/*
 * A page of the sales list as the API answers it (SPEC T2), shared by
 * GET /api/v1/sales and GET /api/v1/customers/{id}/sales: the search
 * parameters (q, sort, count) and the page with its count.
 */
#include "http/sale-page.h"
#include "http/server.h"

#include <string.h>

/* T2: ?q= (a sale's number, an order number, a SKU, a customer's email or name) and
 * ?sort= (id, -id: newest first, total, -total: largest first). */
sb_err sb_req_sale_search(struct sb_req *r, struct sb_sale_filter *f, bool *ret_count)
{
    const char *q = sb_req_query(r, "q");
    if (q && strlen(q) > SB_SALE_Q_MAX)
        return sb_fail(SB_EINVALID_QUERY, "q", "q is longer than %d characters", SB_SALE_Q_MAX);
    f->q = q;
    const char *sort = sb_req_query(r, "sort");
    static const struct {
        const char *name;
        enum sb_sale_sort sort;
    } sorts[] = { { "id", SB_SALE_SORT_ID },
                  { "-id", SB_SALE_SORT_NEWEST },
                  { "total", SB_SALE_SORT_TOTAL_ASC },
                  { "-total", SB_SALE_SORT_TOTAL_DESC } };
    sb_err err = sb_req_query_bool(r, "count", ret_count, NULL);
    if (err || !sort)
        return err;
    for (size_t i = 0; i < sizeof(sorts) / sizeof(sorts[0]); i++)
        if (strcmp(sort, sorts[i].name) == 0) {
            f->sort = sorts[i].sort;
            return SB_OK;
        }
    return sb_fail(SB_EINVALID_QUERY, "sort",
                   "sort must be id, -id (newest first), total or -total");
}

sb_err sb_reply_sale_page(struct sb_req *r, const struct sb_sale_filter *f,
                          const struct sb_page *page, bool count)
{
    json_t *rows;
    sb_err err = sb_store_sale_list(r->db, &r->scope, f, page->after, page->limit, &rows);
    if (err)
        return err;
    json_t *body = sb_page_json(rows, page);
    if (count) {
        /* where the page is in the list: "51-100 of 1,234" (or "of 10,000 or more") */
        int64_t n = 0;
        err = sb_store_sale_count(r->db, &r->scope, f, &n);
        if (err) {
            json_decref(body);
            return err;
        }
        json_object_set_new(body, "total",
                            json_integer(n > SB_SALE_COUNT_CAP ? SB_SALE_COUNT_CAP : n));
        json_object_set_new(body, "total_capped", json_boolean(n > SB_SALE_COUNT_CAP));
    }
    return sb_reply(r, 200, body);
}
