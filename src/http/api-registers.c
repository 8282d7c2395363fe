/* placeholder: replaced by the resource implementation */
#include "http/api.h"

sb_err sb_api_registers_list(struct sb_req *r)
{
    (void)r;
    return sb_fail(SB_EINTERNAL, NULL, "not built yet");
}

sb_err sb_api_registers_create(struct sb_req *r)
{
    (void)r;
    return sb_fail(SB_EINTERNAL, NULL, "not built yet");
}

sb_err sb_api_registers_get(struct sb_req *r)
{
    (void)r;
    return sb_fail(SB_EINTERNAL, NULL, "not built yet");
}

sb_err sb_api_registers_update(struct sb_req *r)
{
    (void)r;
    return sb_fail(SB_EINTERNAL, NULL, "not built yet");
}

