/* placeholder: replaced by the resource implementation */
#include "http/api.h"

sb_err sb_api_stock_list(struct sb_req *r)
{
    (void)r;
    return sb_fail(SB_EINTERNAL, NULL, "not built yet");
}

sb_err sb_api_stock_adjust(struct sb_req *r)
{
    (void)r;
    return sb_fail(SB_EINTERNAL, NULL, "not built yet");
}

sb_err sb_api_stock_receive(struct sb_req *r)
{
    (void)r;
    return sb_fail(SB_EINTERNAL, NULL, "not built yet");
}

sb_err sb_api_stock_ledger(struct sb_req *r)
{
    (void)r;
    return sb_fail(SB_EINTERNAL, NULL, "not built yet");
}

sb_err sb_api_stock_levels(struct sb_req *r)
{
    (void)r;
    return sb_fail(SB_EINTERNAL, NULL, "not built yet");
}
