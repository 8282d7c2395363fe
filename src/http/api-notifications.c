/* placeholder: replaced by the resource implementation */
#include "http/api.h"

sb_err sb_api_notifications_list(struct sb_req *r)
{
    (void)r;
    return sb_fail(SB_EINTERNAL, NULL, "not built yet");
}

sb_err sb_api_notifications_read(struct sb_req *r)
{
    (void)r;
    return sb_fail(SB_EINTERNAL, NULL, "not built yet");
}

sb_err sb_api_notifications_read_all(struct sb_req *r)
{
    (void)r;
    return sb_fail(SB_EINTERNAL, NULL, "not built yet");
}

