/*
 * The table of channel kinds and what holds each kind together
 * (channel/kinds.c): every built-in kind passes sb_channel_kind_check, and a
 * kind whose capability bits and operations (or settings, status table,
 * state) disagree is refused - by the check, and by sb_pipeline_start, which
 * `stockbridge serve` runs. Also the described fields (util/fields.h) the
 * kinds' credentials and settings are made of, and what GET
 * /api/v1/channel-kinds says of Shopify.
 */
#include "channel/channel.h"
#include "channel/shopify/shopify.h"
#include "core/channel-settings.h"
#include "fault-channel.h"
#include "sync/pipeline.h"
#include "util/fields.h"

#include <criterion/criterion.h>
#include <string.h>

/* ---------------------------------------------------------------- the table */

Test(channel_kinds, every_kind_in_the_table_holds_to_its_bits)
{
    cr_expect_eq(sb_channel_kinds_check(), SB_OK, "%s", sb_err_last()->message);
    cr_expect_eq(sb_channel_ops_for("shopify"), &sb_channel_shopify);
    cr_expect_eq(sb_channel_ops_for("magento2"), &sb_channel_magento2);
    cr_expect_eq(sb_channel_ops_for("ecwid"), &sb_channel_ecwid);
    cr_expect_eq(sb_channel_ops_for("ecom"), &sb_channel_ecom);
    cr_expect_null(sb_channel_ops_for("bigcommerce"));
    cr_expect_null(sb_channel_ops_for(NULL));
}

/* The fault kind in every shape the tests give it is a whole kind too. */
Test(channel_kinds, the_test_kind_holds_to_its_bits_in_every_shape)
{
    fault_channel_install();
    cr_expect_eq(sb_channel_ops_for(FC_KIND), fault_channel_ops());
    const unsigned shapes[] = { FC_CAPS,
                                FC_CAPS & ~SB_CH_CANCEL,
                                FC_CAPS | FC_HOOKS,
                                FC_CAPS | SB_CH_STATUS_IN,
                                FC_CAPS | SB_CH_RESERVE,
                                SB_CH_WEBHOOKS | SB_CH_EXPORT };
    for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
        fault_channel_shape(shapes[i], FC_PUSH_BATCH);
        cr_expect_eq(sb_channel_kinds_check(), SB_OK, "shape %zu: %s", i, sb_err_last()->message);
    }
    sb_channel_register(NULL);
}

/* A copy of Shopify's row to break, one way per test. */
static struct sb_channel_ops broken;

static void expect_refused(const char *why_contains)
{
    cr_expect_eq(sb_channel_kind_check(&broken), SB_EINTERNAL, "accepted: %s", why_contains);
    cr_expect(strstr(sb_err_last()->message, why_contains) != NULL, "\"%s\" does not say %s",
              sb_err_last()->message, why_contains);
    broken = sb_channel_shopify;
}

Test(channel_kinds, a_bit_without_its_operation_or_an_operation_without_its_bit_is_refused)
{
    broken = sb_channel_shopify;
    cr_expect_eq(sb_channel_kind_check(&broken), SB_OK);
    broken.push_cancel = NULL; /* SB_CH_CANCEL promises it */
    expect_refused("push_cancel");
    broken.caps &= ~(unsigned)SB_CH_FULFILL; /* push_fulfillment without its bit */
    expect_refused("push_fulfillment");
    broken.caps |= SB_CH_AFTER_DOWNLOAD;
    expect_refused("after_download");
    broken.caps |= SB_CH_EXPORT;
    expect_refused("list_exported");
    broken.read_stock_all = NULL; /* SB_CH_STOCK_ALL */
    expect_refused("read_stock_all");
    broken.caps &= ~(unsigned)(SB_CH_STOCK | SB_CH_PRICES | SB_CH_STOCK_ALL);
    expect_refused("find_items"); /* still has find_items, push_stock, ... */
    broken.push_batch = 0;
    expect_refused("push_batch");
    broken.decide = NULL;
    expect_refused("decide");
    broken.base_url = NULL;
    expect_refused("base_url");
    broken.caps |= 1u << 30;
    expect_refused("bit 30");
}

/* W2, SB_CH_CONNECT: the data flags hold to the bits too */
Test(channel_kinds, w2_a_kind_that_fulfils_on_the_channel_takes_no_fulfillments)
{
    broken = sb_channel_shopify;
    broken.channel_fulfills = true; /* and SB_CH_FULFILL */
    expect_refused("fulfils on the channel");
    broken = sb_channel_magento2;
    broken.caps &= ~(unsigned)SB_CH_CONNECT;
    broken.connect = NULL;
    broken.connection = NULL;
    cr_expect_eq(sb_channel_kind_check(&broken), SB_OK, "%s", sb_err_last()->message);
    broken.connect_on_save = true;
    expect_refused("connect_on_save");
    /* a status row for no kind of order */
    static const struct sb_status_map odd[] = {
        { "x", SB_POS_PAID, SB_STATUS_IN, (enum sb_status_when)7 }, { 0 }
    };
    broken = sb_channel_magento2;
    broken.statuses = odd;
    expect_refused("status x");
}

Test(channel_kinds, state_settings_and_status_table_must_match_the_bits)
{
    broken = sb_channel_shopify;
    broken.close = NULL;
    expect_refused("state_size, open and close");
    broken.state_size = 0;
    expect_refused("state_size, open and close");
    /* a refund bit needs push_refund and its setting */
    broken.caps |= SB_CH_REFUND;
    expect_refused("push_refund");
    /* a status bit needs a table with rows in its direction */
    static const struct sb_status_map in_only[] = {
        { "canceled", SB_POS_CANCELLED, SB_STATUS_IN, SB_WHEN_ANY }, { 0 }
    };
    broken.caps |= SB_CH_STATUS_IN | SB_CH_STATUS_OUT;
    broken.statuses = in_only;
    expect_refused("status table rows out");
    broken.statuses = in_only; /* a table without the bit */
    expect_refused("status table");
    /* M6: orders as customer orders need import_as offering sale and order (invoice
     * optional, nothing else), and the two bools reserve_order_inventory and
     * create_order_deposits */
    broken.caps |= SB_CH_RESERVE;
    expect_refused(SB_CHANNEL_IMPORT_AS);
    static const char *const sale_only[] = { "sale", NULL };
    static const char *const old_name[] = { "sale", "reservation", NULL };
    static const char *const with_invoice[] = { "sale", "order", "invoice", NULL };
#define IMPORT_AS(choices_)                                                        \
    {                                                                              \
        .name = SB_CHANNEL_IMPORT_AS, .type = SB_FIELD_CHOICE, .dflt = "\"sale\"", \
        .choices = choices_, .label = "Download orders as"                         \
    }
#define RESERVE_BOOLS                                                              \
    { .name = SB_CHANNEL_RESERVE_STOCK,                                            \
      .type = SB_FIELD_BOOL,                                                       \
      .dflt = "true",                                                              \
      .label = "Reserve" },                                                        \
    {                                                                              \
        .name = SB_CHANNEL_ORDER_DEPOSITS, .type = SB_FIELD_BOOL, .dflt = "false", \
        .label = "Deposits"                                                        \
    }
    static const struct sb_field import_only[] = { IMPORT_AS(with_invoice), { 0 } };
    static const struct sb_field no_deposits[] = {
        IMPORT_AS(with_invoice),
        { .name = SB_CHANNEL_RESERVE_STOCK, .type = SB_FIELD_BOOL, .dflt = "true", .label = "R" },
        { 0 },
    };
    static const struct sb_field import_sale_only[] = { IMPORT_AS(sale_only),
                                                        RESERVE_BOOLS,
                                                        { 0 } };
    static const struct sb_field import_old_name[] = { IMPORT_AS(old_name), RESERVE_BOOLS, { 0 } };
    static const struct sb_field whole[] = { IMPORT_AS(with_invoice), RESERVE_BOOLS, { 0 } };
#undef IMPORT_AS
#undef RESERVE_BOOLS
    broken.caps |= SB_CH_RESERVE;
    broken.settings = import_only;
    expect_refused(SB_CHANNEL_RESERVE_STOCK);
    broken.caps |= SB_CH_RESERVE;
    broken.settings = no_deposits;
    expect_refused(SB_CHANNEL_ORDER_DEPOSITS);
    broken.caps |= SB_CH_RESERVE;
    broken.settings = import_sale_only;
    expect_refused("sale and order");
    broken.caps |= SB_CH_RESERVE;
    broken.settings = import_old_name;
    expect_refused("sale and order");
    /* the settings without the bit are refused too */
    broken.caps &= ~(unsigned)SB_CH_RESERVE;
    broken.settings = whole;
    expect_refused(SB_CHANNEL_IMPORT_AS);
}

Test(channel_kinds, descriptions_must_hold_together)
{
    static const struct sb_field bad_default[] = {
        { .name = "mode", .type = SB_FIELD_INT, .min = 1, .max = 3, .dflt = "7", .label = "M" },
        { 0 },
    };
    static const struct sb_field common_name[] = {
        { .name = "stock_sync", .type = SB_FIELD_BOOL, .dflt = "true", .label = "S" },
        { 0 },
    };
    static const struct sb_field twice[] = {
        { .name = "shop_domain", .type = SB_FIELD_HOST, .required = true, .label = "A" },
        { .name = "shop_domain", .type = SB_FIELD_TEXT, .label = "B" },
        { 0 },
    };
    broken = sb_channel_shopify;
    broken.settings = bad_default;
    expect_refused("default of setting mode");
    broken.settings = common_name;
    expect_refused("common setting");
    broken.credentials = twice;
    expect_refused("described twice");
    broken.credentials = NULL;
    expect_refused("credentials");
}

/* `stockbridge serve` starts the pipeline first: a broken kind keeps it from starting. */
Test(channel_kinds, the_pipeline_refuses_to_start_with_a_broken_kind)
{
    broken = sb_channel_shopify;
    broken.kind = "broken";
    broken.push_cancel = NULL;
    sb_channel_register(&broken);
    struct sb_pipeline *p = NULL;
    cr_expect_eq(sb_pipeline_start(NULL, &p), SB_EINTERNAL);
    cr_expect_null(p);
    cr_expect(strstr(sb_err_last()->message, "broken") != NULL, "%s", sb_err_last()->message);
    sb_channel_register(NULL);
}

/* ---------------------------------------------------------------- described fields */

static sb_err check(const struct sb_field *f, const char *json, char *out, size_t cap)
{
    json_t *v = json_loads(json, JSON_DECODE_ANY, NULL), *kept = NULL;
    cr_assert_not_null(v, "%s", json);
    sb_err err = sb_field_check(f, v, "x", &kept);
    char *text = kept ? json_dumps(kept, JSON_ENCODE_ANY) : NULL;
    snprintf(out, cap, "%s", text ? text : "(absent)");
    free(text);
    json_decref(kept);
    json_decref(v);
    return err;
}

Test(channel_kinds, fields_are_checked_by_their_description)
{
    char out[128];
    const struct sb_field boolean = { .name = "b", .type = SB_FIELD_BOOL };
    cr_expect_eq(check(&boolean, "true", out, sizeof(out)), SB_OK);
    cr_expect_eq(check(&boolean, "null", out, sizeof(out)), SB_EINVALID_FIELD);
    cr_expect_eq(check(&boolean, "1", out, sizeof(out)), SB_EINVALID_FIELD);
    const struct sb_field num = { .name = "n", .type = SB_FIELD_INT, .min = 60, .max = 86400 };
    cr_expect_eq(check(&num, "60", out, sizeof(out)), SB_OK);
    cr_expect_eq(check(&num, "59", out, sizeof(out)), SB_EINVALID_FIELD);
    cr_expect_eq(check(&num, "300.5", out, sizeof(out)), SB_EINVALID_FIELD);
    const struct sb_field ref = { .name = "r", .type = SB_FIELD_REF, .refers = "price-levels" };
    cr_expect_eq(check(&ref, "null", out, sizeof(out)), SB_OK);
    cr_expect_str_eq(out, "null");
    cr_expect_eq(check(&ref, "0", out, sizeof(out)), SB_EINVALID_FIELD);
    const struct sb_field time = { .name = "t", .type = SB_FIELD_TIME };
    cr_expect_eq(check(&time, "\"2026-11-27T00:00:00Z\"", out, sizeof(out)), SB_OK);
    cr_expect_str_eq(out, "\"2026-11-27T00:00:00Z\"");
    cr_expect_eq(check(&time, "\"tomorrow\"", out, sizeof(out)), SB_EINVALID_FIELD);
    const struct sb_field host = { .name = "h", .type = SB_FIELD_HOST, .required = true };
    cr_expect_eq(check(&host, "\"a.myshopify.com\"", out, sizeof(out)), SB_OK);
    cr_expect_eq(check(&host, "\"a..myshopify.com\"", out, sizeof(out)), SB_EINVALID_FIELD);
    cr_expect_eq(check(&host, "null", out, sizeof(out)), SB_EINVALID_FIELD, "required");
    const struct sb_field url = { .name = "u", .type = SB_FIELD_URL };
    cr_expect_eq(check(&url, "\"http://127.0.0.1:8123/\"", out, sizeof(out)), SB_OK);
    cr_expect_eq(check(&url, "\"http://127.0.0.1:99999\"", out, sizeof(out)), SB_EINVALID_FIELD);
    cr_expect_eq(check(&url, "null", out, sizeof(out)), SB_OK, "optional: absent");
    cr_expect_str_eq(out, "(absent)");
    const struct sb_field text = { .name = "s", .type = SB_FIELD_TEXT, .max = 4 };
    cr_expect_eq(check(&text, "\"abcd\"", out, sizeof(out)), SB_OK);
    cr_expect_eq(check(&text, "\"abcde\"", out, sizeof(out)), SB_EINVALID_FIELD);
    cr_expect_eq(check(&text, "\"\"", out, sizeof(out)), SB_EINVALID_FIELD);
    cr_expect_eq(check(&text, "\"a\\nb\"", out, sizeof(out)), SB_EINVALID_FIELD);
    static const char *const choices[] = { "sale", "order", NULL };
    const struct sb_field choice = { .name = "c", .type = SB_FIELD_CHOICE, .choices = choices };
    cr_expect_eq(check(&choice, "\"order\"", out, sizeof(out)), SB_OK);
    cr_expect_eq(check(&choice, "\"invoice\"", out, sizeof(out)), SB_EINVALID_FIELD);
    cr_expect_str_eq(sb_err_last()->field, "x");
}

/* The common settings' defaults as data are the typed defaults the engine runs with. */
Test(channel_kinds, n3_s3_s4_i4_i7_pr1_the_common_defaults_come_from_the_descriptions)
{
    struct sb_channel_settings s;
    sb_channel_settings_defaults(&s);
    cr_expect(s.download_orders && s.notifications && s.auto_fulfillment && s.stock_sync &&
              s.publish_on_hand);
    cr_expect(!s.take_fulfillments && !s.use_pos_pricing && !s.publish_on_order &&
              !s.publish_reorder);
    cr_expect_eq(s.poll_interval_seconds, SB_POLL_INTERVAL_DEFAULT);
    cr_expect_eq(s.regular_price_level_id, 0);
    cr_expect_eq(s.sale_starts_at, 0);
    cr_expect_eq(sb_channel_settings_check(&s), SB_OK);
}

Test(channel_kinds, shopify_is_described_as_data)
{
    json_t *k = sb_channel_kind_describe(&sb_channel_shopify);
    cr_assert_not_null(k);
    cr_expect_str_eq(json_string_value(json_object_get(k, "kind")), "shopify");
    char *caps = json_dumps(json_object_get(k, "capabilities"), JSON_COMPACT);
    cr_expect_str_eq(caps, "[\"webhooks\",\"poll\",\"locations\",\"fulfill\",\"cancel\","
                           "\"stock\",\"prices\",\"fetch\",\"stock_all\",\"connect\"]");
    free(caps);
    json_t *cred = json_object_get(k, "credentials");
    cr_assert_eq(json_array_size(cred), 4);
    json_t *token = json_array_get(cred, 1);
    cr_expect_str_eq(json_string_value(json_object_get(token, "name")), "access_token");
    cr_expect(json_is_true(json_object_get(token, "secret")));
    cr_expect(json_is_true(json_object_get(token, "required")));
    json_t *base = json_array_get(cred, 3);
    cr_expect_str_eq(json_string_value(json_object_get(base, "type")), "url");
    cr_expect(json_is_false(json_object_get(base, "required")));
    /* the common settings, then Shopify's one: the public base URL its webhooks are
     * subscribed to (WIRE.md: webhooks are subscribed by the app) */
    json_t *settings = json_object_get(k, "settings");
    size_t n = 0;
    while (sb_channel_common_settings[n].name)
        n++;
    cr_expect_eq(json_array_size(settings), n + 1);
    json_t *wh = json_array_get(settings, n);
    cr_expect_str_eq(json_string_value(json_object_get(wh, "name")), "webhook_base_url");
    cr_expect_str_eq(json_string_value(json_object_get(wh, "type")), "url");
    json_t *poll = json_array_get(settings, 8);
    cr_expect_str_eq(json_string_value(json_object_get(poll, "name")), "poll_interval_seconds");
    cr_expect_eq(json_integer_value(json_object_get(poll, "default")), 300);
    cr_expect_eq(json_integer_value(json_object_get(poll, "min")), 60);
    cr_expect_eq(json_integer_value(json_object_get(poll, "max")), 86400);
    cr_expect_eq(json_array_size(json_object_get(k, "statuses")), 0);
    json_decref(k);
    /* the base URL is the adapter's: base_url, else the shop's own, without a trailing / */
    struct sb_arena *a = sb_arena_new();
    json_t *c = json_pack("{s:s}", "shop_domain", "acme.myshopify.com");
    cr_expect_str_eq(sb_channel_shopify.base_url(c, a), "https://acme.myshopify.com");
    json_object_set_new(c, "base_url", json_string("http://127.0.0.1:8123//"));
    cr_expect_str_eq(sb_channel_shopify.base_url(c, a), "http://127.0.0.1:8123");
    json_decref(c);
    c = json_object();
    cr_expect_null(sb_channel_shopify.base_url(c, a));
    json_decref(c);
    sb_arena_free(a);
}

/* M9: what a channel holds itself is a stock matter: held_statuses without stock is a
 * kind that does not hold together. */
Test(channel_kinds, m9_held_statuses_need_the_stock_bit)
{
    static const char *const held[] = { "processing", NULL };
    broken = sb_channel_shopify;
    broken.held_statuses = held;
    cr_expect_eq(sb_channel_kind_check(&broken), SB_OK, "%s", sb_err_last()->message);
    broken.caps &= ~(unsigned)SB_CH_STOCK;
    broken.push_stock = NULL;
    broken.read_stock = NULL;
    broken.read_stock_all = NULL;
    broken.caps &= ~(unsigned)SB_CH_STOCK_ALL;
    expect_refused("held_statuses");
}

/* M5: a setting is read as it was in force at a time, from the channel's settings history;
 * before the history's first entry the first one stands; without a history, today's. */
Test(channel_kinds, m5_a_setting_is_read_as_it_was_at_a_time)
{
    json_t *today = json_pack("{s:s}", "download_mode", "auto_invoice");
    json_t *history =
        json_pack("[{s:I,s:{s:s}},{s:I,s:{s:s}},{s:I,s:{}}]", "since", (json_int_t)1000, "settings",
                  "download_mode", "wait_for_invoice", "since", (json_int_t)2000, "settings",
                  "download_mode", "auto_invoice", "since", (json_int_t)3000, "settings");
    struct sb_channel ch = { .settings = today, .settings_history = history };
    const struct {
        int64_t at;
        const char *want;
    } cases[] = {
        { 10, "wait_for_invoice" },   { 1000, "wait_for_invoice" },
        { 1999, "wait_for_invoice" }, { 2000, "auto_invoice" },
        { 2999, "auto_invoice" },     { 3000, "auto_invoice" }, /* an entry without it: today's */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        cr_expect_str_eq(
            json_string_value(sb_channel_setting_at(&ch, "download_mode", cases[i].at)),
            cases[i].want, "at %lld", (long long)cases[i].at);
    ch.settings_history = NULL;
    cr_expect_str_eq(json_string_value(sb_channel_setting_at(&ch, "download_mode", 1500)),
                     "auto_invoice");
    cr_expect_null(sb_channel_setting_at(&ch, "no_such_setting", 1500));
    json_decref(today);
    json_decref(history);
}

/* M3: the filter of after_download goes with it: without the bit, the kind is refused. */
static bool wants_nothing(const struct sb_channel *ch, const struct sb_order *o)
{
    (void)ch;
    (void)o;
    return false;
}

Test(channel_kinds, m3_wants_after_download_needs_after_download)
{
    broken = sb_channel_magento2;
    cr_expect_eq(sb_channel_kind_check(&broken), SB_OK, "%s", sb_err_last()->message);
    broken.wants_after_download = wants_nothing;
    broken.caps &= ~(unsigned)SB_CH_AFTER_DOWNLOAD;
    broken.after_download = NULL;
    expect_refused("wants_after_download");
}

/* E1: the export-model webstore calls us; its kind calls nothing, and says so. */
Test(channel_kinds, e1_the_export_kind_is_inbound_and_calls_nothing)
{
    cr_expect_eq(sb_channel_ops_for("export"), &sb_channel_export);
    cr_expect_eq(sb_channel_kind_check(&sb_channel_export), SB_OK, "%s", sb_err_last()->message);
    json_t *k = sb_channel_kind_describe(&sb_channel_export);
    cr_assert_not_null(k);
    char *caps = json_dumps(json_object_get(k, "capabilities"), JSON_COMPACT);
    cr_expect_str_eq(caps, "[\"inbound\"]");
    free(caps);
    json_t *cred = json_object_get(k, "credentials");
    cr_assert_eq(json_array_size(cred), 1);
    cr_expect_str_eq(json_string_value(json_object_get(json_array_get(cred, 0), "name")),
                     "webstore_id");
    json_decref(k);
    cr_expect_null(sb_channel_export.base_url(NULL, NULL));
    bool integrated = false;
    cr_expect_str_eq(sb_channel_export.payment_type(NULL, "Visa", &integrated), "Visa");
    cr_expect(integrated);
    /* an inbound kind with a bit under which the engine would call it is refused */
    broken = sb_channel_shopify;
    broken.caps |= SB_CH_INBOUND;
    expect_refused("inbound");
}
