/*
 * A page of the sales list as the API answers it (SPEC T2): the search
 * parameters a list of sales takes and the page it answers.
 */
#ifndef SB_HTTP_SALE_PAGE_H
#define SB_HTTP_SALE_PAGE_H

#include "http/request.h"
#include "store/sales.h"

#include <stdbool.h>

/* ?q= (a sale's number, an order number, a SKU, a customer's email or name), ?sort= (id,
 * -id: newest first, total, -total: largest first) and ?count=true into f and
 * *ret_count; 400 invalid_query naming the parameter when one is wrong. */
sb_err sb_req_sale_search(struct sb_req *r, struct sb_sale_filter *f, bool *ret_count);

/* 200 with the page of sales f matches (the caller's scope), after page->after, and with
 * count its total (capped at SB_SALE_COUNT_CAP, total_capped past it). */
sb_err sb_reply_sale_page(struct sb_req *r, const struct sb_sale_filter *f,
                          const struct sb_page *page, bool count);

#endif
