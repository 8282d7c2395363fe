/*
 * Which Magento orders come down (SPEC M1-M5) and why the others wait (O10).
 * The download mode is the one in force when the order was created (M5), read
 * from the channel's settings history; when it differs from today's mode the
 * reason says so, for staff who changed the mode since. The engine itself
 * holds back cancelled orders (M2) and channels that download nothing (M1).
 *
 * auto_invoice (M3): pending, pending_payment or processing, not invoiced,
 * payment authorized or captured (or an online method, which Magento only
 * accepts once it has authorized) -> download; the engine then invoices it
 * (after_download). wait_for_invoice (M4): total_invoiced present and
 * non-zero -> download. Every reason is a static string.
 */
#include "channel/magento2/magento2.h"

#include <string.h>

enum reason {
    R_CANCELLED,
    R_COMPLETE,
    R_CLOSED,
    R_HELD,
    R_REVIEW,
    R_INVOICED,
    R_NOT_PAID,
    R_NOT_INVOICED,
    R_NEW,
    R_FRAUD,
    R_OTHER,
    R_DOWNLOAD,
};

/* each reason as is, and with the mode at the order's creation when today's differs */
#define R(text)                                           \
    {                                                     \
        text, text " (created under auto-invoice mode)",  \
            text " (created under wait-for-invoice mode)" \
    }
static const char *const reasons[][3] = {
    [R_CANCELLED] = R("cancelled before download"),
    [R_COMPLETE] = R("complete"),
    [R_CLOSED] = R("closed"),
    [R_HELD] = R("held"),
    [R_REVIEW] = R("payment under review"),
    [R_INVOICED] = R("already invoiced on Magento (auto-invoice mode)"),
    [R_NOT_PAID] = R("not paid"),
    [R_NOT_INVOICED] = R("not invoiced"),
    [R_NEW] = R("status new is not downloaded"),
    [R_FRAUD] = R("status fraud is not downloaded"),
    [R_OTHER] = R("its status is not one auto-invoice downloads"),
    [R_DOWNLOAD] = R("downloaded"),
};
#undef R

static bool is(const char *s, const char *t)
{
    return s && strcmp(s, t) == 0;
}

/* M3: authorized or captured, by Magento's figures or an online method. */
static bool paid_or_authorized(const struct sb_order *o)
{
    if (o->financial != SB_FIN_PENDING && o->financial != SB_FIN_VOIDED && o->total_price > 0)
        return true;
    bool integrated = false;
    (void)sb_m2_payment_type_name(o->gateway, &integrated);
    return o->gateway && integrated;
}

static enum reason auto_invoice(const struct sb_order *o, enum sb_decision *ret)
{
    const char *s = o->channel_status;
    *ret = SB_DECIDE_WAIT;
    if (o->cancelled || is(s, "canceled")) {
        *ret = SB_DECIDE_SKIP;
        return R_CANCELLED;
    }
    if (is(s, "complete") || is(s, "closed")) {
        *ret = SB_DECIDE_SKIP;
        return is(s, "complete") ? R_COMPLETE : R_CLOSED;
    }
    if (is(s, "holded"))
        return R_HELD;
    if (is(s, "payment_review"))
        return R_REVIEW;
    if (is(s, "new"))
        return R_NEW;
    if (is(s, "fraud"))
        return R_FRAUD;
    if (!is(s, "pending") && !is(s, "pending_payment") && !is(s, "processing"))
        return R_OTHER;
    if (o->total_invoiced > 0) {
        *ret = SB_DECIDE_SKIP;
        return R_INVOICED;
    }
    if (!paid_or_authorized(o))
        return R_NOT_PAID;
    *ret = SB_DECIDE_DOWNLOAD;
    return R_DOWNLOAD;
}

enum sb_decision sb_m2_decide_modes(const struct sb_order *o, const char *mode_then,
                                    const char *mode_now, const char **ret_reason)
{
    bool then_auto = is(mode_then, "auto_invoice"), now_auto = is(mode_now, "auto_invoice");
    enum sb_decision d = SB_DECIDE_WAIT;
    enum reason r;
    if (then_auto) {
        r = auto_invoice(o, &d);
    } else if (o->cancelled) {
        d = SB_DECIDE_SKIP;
        r = R_CANCELLED;
    } else if (o->total_invoiced > 0) {
        d = SB_DECIDE_DOWNLOAD;
        r = R_DOWNLOAD;
    } else {
        r = R_NOT_INVOICED;
    }
    if (ret_reason)
        *ret_reason = d == SB_DECIDE_DOWNLOAD ? NULL
                                              : reasons[r][then_auto == now_auto ? 0
                                                           : then_auto           ? 1
                                                                                 : 2];
    return d;
}

enum sb_decision sb_m2_decide(const struct sb_channel *ch, const struct sb_order *o,
                              const char **ret_reason)
{
    return sb_m2_decide_modes(
        o, json_string_value(sb_channel_setting_at(ch, "download_mode", o->created_at)),
        json_string_value(json_object_get(ch->settings, "download_mode")), ret_reason);
}
