/* placeholder: replaced by the resource implementation */
#include "http/api.h"

sb_err sb_api_sales_list(struct sb_req *r)
{
    (void)r;
    return sb_fail(SB_EINTERNAL, NULL, "not built yet");
}

sb_err sb_api_sales_create(struct sb_req *r)
{
    (void)r;
    return sb_fail(SB_EINTERNAL, NULL, "not built yet");
}

sb_err sb_api_sales_get(struct sb_req *r)
{
    (void)r;
    return sb_fail(SB_EINTERNAL, NULL, "not built yet");
}

sb_err sb_api_sales_pay(struct sb_req *r)
{
    (void)r;
    return sb_fail(SB_EINTERNAL, NULL, "not built yet");
}

sb_err sb_api_sales_void(struct sb_req *r)
{
    (void)r;
    return sb_fail(SB_EINTERNAL, NULL, "not built yet");
}

sb_err sb_api_sales_return(struct sb_req *r)
{
    (void)r;
    return sb_fail(SB_EINTERNAL, NULL, "not built yet");
}

