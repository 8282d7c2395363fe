/*
 * Demo store contents: two outlets with a register each, two employees,
 * three users with different outlet access (admin: all; manager: both;
 * staff: Old Town only), two price levels, two payment types, 50 items
 * (imported as CSV, so every identifier passes the same checks as a real
 * import) with stock received into both outlets, a few customers and a
 * few of today's sales, one of them to be shipped and one still unpaid, and a
 * supplier with one purchase order placed for Harbour Street (on order).
 */
#include "cli/demo-data.h"
#include "core/currency.h"
#include "core/item.h"
#include "core/money.h"
#include "core/sale.h"
#include "store/channel-credentials.h"
#include "store/channels.h"
#include "store/customers.h"
#include "store/employees.h"
#include "store/items.h"
#include "store/outlets.h"
#include "store/payment-types.h"
#include "store/price-levels.h"
#include "store/purchase-orders.h"
#include "store/registers.h"
#include "store/sales.h"
#include "store/stock.h"
#include "store/store.h"
#include "store/sessions.h"
#include "store/suppliers.h"
#include "store/users.h"
#include "sync/channel-edit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const products[] = { "Tee",  "Hoodie", "Cap",   "Mug",      "Poster",
                                        "Tote", "Bottle", "Socks", "Notebook", "Stickers" };
static const int64_t base_price[] = { 2400, 5900, 2200, 1400, 1800, 1600, 2800, 1200, 1500, 600 };
static const char *const codes[] = { "TEE",  "HOOD", "CAP",  "MUG",  "POST",
                                     "TOTE", "BOTL", "SOCK", "NOTE", "STIK" };
static const char *const colours[] = { "Red", "Navy", "Sand", "Black", "Green" };
static const char *const colour_codes[] = { "RED", "NVY", "SND", "BLK", "GRN" };

/* The GS1 check digit of the first n digits. */
static char check_digit(const char *d, size_t n)
{
    int sum = 0;
    for (size_t i = 0; i < n; i++) {
        int w = ((n - i) % 2 == 1) ? 3 : 1; /* weight 3 on the digit next to the check */
        sum += (d[i] - '0') * w;
    }
    return (char)('0' + (10 - sum % 10) % 10);
}

size_t sb_demo_catalogue_csv(char *buf, size_t cap)
{
    size_t len = (size_t)snprintf(buf, cap,
                                  "sku,name,upc,ean,manufacturer_sku,default_cost,msrp,tax_class,"
                                  "price:Default,price:Sale\n");
    for (int p = 0; p < 10; p++) {
        for (int c = 0; c < 5; c++) {
            int n = p * 5 + c + 1;
            char upc[13], ean[14], price[32], sale[32], cost[32], msrp[32];
            snprintf(upc, sizeof(upc), "06141410%03d", n);
            upc[11] = check_digit(upc, 11);
            upc[12] = '\0';
            snprintf(ean, sizeof(ean), "400638100%03d", n);
            ean[12] = check_digit(ean, 12);
            ean[13] = '\0';
            int64_t amount = base_price[p] + c * 100;
            int e = sb_currency_exponent(SB_DEMO_CURRENCY);
            sb_money_format(amount, e, price, sizeof(price));
            sb_money_format(amount * 8 / 10, e, sale, sizeof(sale));
            sb_money_format(amount * 45 / 100, e, cost, sizeof(cost));
            sb_money_format(amount + 500, e, msrp, sizeof(msrp));
            len += (size_t)snprintf(buf + len, cap - len,
                                    "%s-%s,%s %s,%s,%s,MFR-%s-%s,%s,%s,standard,%s,%s\n", codes[p],
                                    colour_codes[c], colours[c], products[p], upc, ean, codes[p],
                                    colour_codes[c], cost, msrp, price, sale);
        }
    }
    return len;
}

#define TRY(expr)       \
    do {                \
        err = (expr);   \
        if (err)        \
            return err; \
    } while (0)

static sb_err seed(struct sb_db *db, void *ctx)
{
    sb_err err;
    int64_t n = 0;
    TRY(sb_store_outlet_count(db, &n));
    if (n > 0)
        return sb_fail(SB_ECONFLICT, NULL, "the database already holds a store");

    int64_t harbour, oldtown, reg1, reg2, alex, sam, cash, card, uid;
    struct sb_outlet o1 = { .name = { "Harbour Street", true },
                            .currency = { SB_DEMO_CURRENCY, true },
                            .timezone = { "America/New_York", true },
                            .address = { "12 Harbour Street, Portland ME", true } };
    struct sb_outlet o2 = { .name = { "Old Town", true },
                            .currency = { SB_DEMO_CURRENCY, true },
                            .timezone = { "America/New_York", true },
                            .address = { "3 Mill Lane, Portland ME", true } };
    TRY(sb_store_outlet_create(db, &o1, &harbour));
    TRY(sb_store_outlet_create(db, &o2, &oldtown));
    struct sb_register r1 = { .outlet_id = harbour,
                              .outlet_set = true,
                              .name = { "Front counter", true } };
    struct sb_register r2 = { .outlet_id = oldtown,
                              .outlet_set = true,
                              .name = { "Front counter", true } };
    TRY(sb_store_register_create(db, &r1, &reg1));
    TRY(sb_store_register_create(db, &r2, &reg2));
    struct sb_employee e1 = { .name = { "Alex Rivera", true },
                              .code = { "A1", true },
                              .email = { "alex@example.com", true } };
    struct sb_employee e2 = { .name = { "Sam Chen", true },
                              .code = { "S2", true },
                              .email = { "sam@example.com", true } };
    TRY(sb_store_employee_create(db, &e1, &alex));
    TRY(sb_store_employee_create(db, &e2, &sam));

    struct sb_user admin = { .username = { "admin", true },
                             .name = { "Store owner", true },
                             .role = { "admin", true } };
    if (sb_store_user_find(db, "admin", &uid) == SB_ENOT_FOUND) /* kept if it exists */
        TRY(sb_store_user_create(db, &admin, &uid));
    /* the web app's sign-in: demo passwords, shown by `stockbridge demo` */
    TRY(sb_store_user_set_password(db, uid, SB_DEMO_ADMIN_PASSWORD));
    struct sb_user maria = { .username = { "maria", true },
                             .name = { "Maria (manager)", true },
                             .role = { "manager", true },
                             .employee_id = alex,
                             .outlet_ids = { harbour, oldtown },
                             .n_outlets = 2,
                             .outlets_set = true };
    TRY(sb_store_user_create(db, &maria, &uid));
    TRY(sb_store_user_set_password(db, uid, "maria-demo"));
    struct sb_user tom = { .username = { "tom", true },
                           .name = { "Tom (staff, Old Town)", true },
                           .role = { "staff", true },
                           .employee_id = sam,
                           .outlet_ids = { oldtown },
                           .n_outlets = 1,
                           .outlets_set = true };
    TRY(sb_store_user_create(db, &tom, &uid));
    TRY(sb_store_user_set_password(db, uid, "tom-demo"));

    int64_t level;
    TRY(sb_store_price_level_create(db, "Default", &level));
    TRY(sb_store_price_level_create(db, "Sale", &level));
    TRY(sb_store_payment_type_ensure(db, "Cash", false, &cash));
    TRY(sb_store_payment_type_ensure(db, "Card", true, &card));

    static char csv[16384];
    size_t len = sb_demo_catalogue_csv(csv, sizeof(csv));
    struct sb_item_import imp = { 0 };
    err = sb_store_items_import(db, csv, len, &imp);
    json_decref(imp.details);
    if (err)
        return err;

    for (int64_t item = 1; item <= SB_DEMO_ITEMS; item++) {
        struct sb_stock_move m = { .item_id = item,
                                   .reason = SB_STOCK_RECEIPT,
                                   .reference = "receipt:DEMO-OPENING" };
        m.outlet_id = harbour;
        m.quantity = (item * 7) % 23 + 4;
        TRY(sb_store_stock_move(db, &m, NULL, NULL));
        m.outlet_id = oldtown;
        m.quantity = (item * 5) % 17 + 2;
        TRY(sb_store_stock_move(db, &m, NULL, NULL));
    }

    int64_t jo, priya, lee;
    TRY(sb_customer_match_or_create(db, "jo.bloggs@example.com", "Jo", "Bloggs", &jo));
    TRY(sb_customer_match_or_create(db, "priya@example.com", "Priya", "Natarajan", &priya));
    TRY(sb_customer_match_or_create(db, "lee@example.com", "Lee", "Martin", &lee));

    /* A few of today's sales. Prices come from the Default level. */
    struct sb_sale_line l1[] = { { .item_id = 1, .quantity = 2 },
                                 { .item_id = 16, .quantity = 1 } };
    struct sb_sale_payment p1 = { .payment_type_id = card, .amount = 2400 * 2 + 1400 };
    struct sb_sale_input s1 = { .outlet_id = harbour,
                                .register_id = reg1,
                                .employee_id = alex,
                                .customer_id = jo,
                                .lines = l1,
                                .n_lines = 2,
                                .payments = &p1,
                                .n_payments = 1 };
    int64_t sale;
    TRY(sb_store_sale_create(db, &s1, &sale));

    struct sb_sale_line l2[] = { { .item_id = 6, .quantity = 1, .line_discount = 590 } };
    struct sb_sale_tax t2 = { .name = "Maine sales tax", .rate = "5.5", .amount = 292 };
    struct sb_sale_payment p2 = { .payment_type_id = cash, .amount = 5900 - 590 + 292 };
    struct sb_sale_input s2 = { .outlet_id = oldtown,
                                .register_id = reg2,
                                .employee_id = sam,
                                .customer_id = priya,
                                .lines = l2,
                                .n_lines = 1,
                                .taxes = &t2,
                                .n_taxes = 1,
                                .payments = &p2,
                                .n_payments = 1,
                                .note = "10% staff-friend discount" };
    TRY(sb_store_sale_create(db, &s2, &sale));

    /* ordered at the counter, to be shipped: shows on the Shipping list */
    struct sb_sale_line l3[] = { { .item_id = 21, .quantity = 1 },
                                 { .item_id = 31, .quantity = 3 } };
    struct sb_address to = { .name = "Lee Martin",
                             .line1 = "88 Ocean Ave",
                             .city = "Kennebunk",
                             .region = "ME",
                             .postcode = "04043",
                             .country = "US",
                             .email = "lee@example.com" };
    struct sb_sale_payment p3 = { .payment_type_id = card, .amount = 1800 + 2800 * 3 };
    struct sb_sale_input s3 = { .outlet_id = harbour,
                                .register_id = reg1,
                                .employee_id = alex,
                                .customer_id = lee,
                                .lines = l3,
                                .n_lines = 2,
                                .payments = &p3,
                                .n_payments = 1,
                                .ship_to = &to,
                                .ship_method = "USPS Ground",
                                .ship_note = "Leave with the neighbour if out" };
    TRY(sb_store_sale_create(db, &s3, &sale));

    /* a layaway: half paid, balance due */
    struct sb_sale_line l4[] = { { .item_id = 7, .quantity = 1 } };
    struct sb_sale_payment p4 = { .payment_type_id = cash, .amount = 3000 };
    struct sb_sale_input s4 = { .outlet_id = oldtown,
                                .register_id = reg2,
                                .employee_id = sam,
                                .lines = l4,
                                .n_lines = 1,
                                .payments = &p4,
                                .n_payments = 1,
                                .note = "Layaway: balance on pick-up" };
    TRY(sb_store_sale_create(db, &s4, &sale));

    /* issue 16 item 1: a supplier, and hoodies and mugs on order for Harbour Street */
    struct sb_supplier sup = { .name = { "Portland Print Co.", true },
                               .email = { "orders@portlandprint.example", true },
                               .phone = { "207-555-0142", true } };
    int64_t supplier, po;
    TRY(sb_store_supplier_create(db, &sup, &supplier));
    struct sb_po_line_input pl[] = { { .item_id = 6, .quantity = 12 },
                                     { .item_id = 16, .quantity = 24 } };
    struct sb_po_input pin = { .supplier_id = supplier,
                               .outlet_id = harbour,
                               .expected_on = { "2026-12-15", true },
                               .note = { "Winter restock", true },
                               .lines = pl,
                               .n_lines = 2,
                               .lines_set = true };
    TRY(sb_store_po_create(db, &pin, &po));
    struct sb_scope everyone = { .role = SB_ROLE_ADMIN, .all_outlets = true };
    TRY(sb_store_po_order(db, &everyone, po));
    return SB_OK;
}

sb_err sb_demo_seed(struct sb_db *db)
{
    return sb_store_transaction(db, seed, NULL);
}

/* The id of the first row of a list ({"id": ...} objects), 0 when it is empty; frees it. */
static int64_t first_id(json_t *rows)
{
    int64_t id = json_integer_value(json_object_get(json_array_get(rows, 0), "id"));
    json_decref(rows);
    return id;
}

/* The first channel of that name (0: none). */
/* The channel's stored credentials key (and key2, when given) read back into token and
 * secret (64 bytes each): what its demo store is started with. */
static sb_err read_back(struct sb_db *db, int64_t id, const char *key, char *token,
                        const char *key2, char *secret)
{
    json_t *cred = NULL;
    sb_err err = sb_store_channel_credentials(db, id, &cred);
    if (!err) {
        snprintf(token, 64, "%s", json_string_value(json_object_get(cred, key)));
        if (key2)
            snprintf(secret, 64, "%s", json_string_value(json_object_get(cred, key2)));
    }
    json_decref(cred);
    return err;
}

/* What every demo channel is linked to: both outlets (the first the default), the first
 * outlet's first register and the first employee. */
struct demo_links {
    int64_t outlets[2];
    size_t n;
    int64_t reg, emp;
};

static sb_err demo_links(struct sb_db *db, struct demo_links *l)
{
    static const struct sb_scope all = { .role = SB_ROLE_ADMIN, .all_outlets = true };
    *l = (struct demo_links){ 0 };
    json_t *rows = NULL;
    sb_err err = sb_store_outlet_list(db, &all, 0, 2, &rows);
    for (; !err && l->n < 2 && l->n < json_array_size(rows); l->n++)
        l->outlets[l->n] = json_integer_value(json_object_get(json_array_get(rows, l->n), "id"));
    json_decref(rows);
    if (!err && l->outlets[0] && !sb_store_register_list(db, &all, l->outlets[0], 0, 1, &rows))
        l->reg = first_id(rows);
    if (!err && !sb_store_employee_list(db, false, false, 0, 1, &rows))
        l->emp = first_id(rows);
    return err;
}

static sb_err channel_named(struct sb_db *db, const char *name, int64_t *ret_id)
{
    static const struct sb_scope all = { .role = SB_ROLE_ADMIN, .all_outlets = true };
    int64_t after = 0;
    *ret_id = 0;
    for (;;) {
        json_t *page;
        sb_err err = sb_store_channel_names(db, &all, after, 100, &page);
        if (err)
            return err;
        size_t i;
        json_t *c;
        json_array_foreach(page, i, c)
        {
            after = json_integer_value(json_object_get(c, "id"));
            if (!*ret_id && strcmp(json_string_value(json_object_get(c, "name")), name) == 0)
                *ret_id = after;
        }
        size_t n = json_array_size(page);
        json_decref(page);
        if (*ret_id || n < 100)
            return SB_OK;
    }
}

sb_err sb_demo_channel(struct sb_db *db, const char *shop_url, int64_t *ret_id, char token[64],
                       char secret[64])
{
    int64_t id = 0;
    sb_err err = channel_named(db, "Demo webshop", &id);
    if (!err && !id) {
        char t[SB_TOKEN_LEN], w[SB_TOKEN_LEN];
        sb_token_generate(t); /* random text: a stand-in for Shopify's own */
        sb_token_generate(w);
        json_t *creds = json_pack("{s:s,s:s,s:s,s:s}", "shop_domain", "demo.myshopify.com",
                                  "access_token", t, "webhook_secret", w, "base_url", shop_url);
        json_t *settings = json_pack("{s:i}", "poll_interval_seconds", 60);
        struct demo_links l;
        err = demo_links(db, &l);
        int64_t *outlets = l.outlets, reg = l.reg, emp = l.emp;
        size_t n = l.n;
        struct sb_channel_method pickup = { .method = "Pickup at Old Town",
                                            .outlet_id = outlets[1],
                                            .pickup = true };
        struct sb_channel_input in = { .kind = "shopify",
                                       .name = "Demo webshop",
                                       .name_set = true,
                                       .settings = settings,
                                       .credentials = creds,
                                       .credentials_set = true,
                                       .outlet_ids = outlets,
                                       .n_outlets = n,
                                       .outlets_set = true,
                                       .default_outlet_id = outlets[0],
                                       .default_outlet_set = true,
                                       .register_id = reg,
                                       .register_set = reg != 0,
                                       .employee_id = emp,
                                       .employee_set = emp != 0,
                                       .methods = &pickup,
                                       .n_methods = n == 2,
                                       .methods_set = true };
        if (!err && (!creds || !settings))
            err = sb_fail(SB_ENOMEM, NULL, NULL);
        if (!err)
            err = sb_sync_channel_create(db, &in, &id);
        json_decref(creds);
        json_decref(settings);
    }
    if (err)
        return err;
    err = read_back(db, id, "access_token", token, "webhook_secret", secret);
    if (!err)
        *ret_id = id;
    return err;
}

sb_err sb_demo_magento_channel(struct sb_db *db, const char *store_url, int64_t *ret_id,
                               char token[64])
{
    int64_t id = 0;
    sb_err err = channel_named(db, "Demo Magento store", &id);
    if (!err && !id) {
        char t[SB_TOKEN_LEN];
        sb_token_generate(t); /* random text: a stand-in for the integration's token */
        json_t *creds = json_pack("{s:s,s:s}", "base_url", store_url, "access_token", t);
        json_t *settings =
            json_pack("{s:i,s:s}", "poll_interval_seconds", 60, "download_mode", "auto_invoice");
        struct demo_links l;
        err = demo_links(db, &l);
        int64_t *outlets = l.outlets, reg = l.reg, emp = l.emp;
        size_t n = l.n;
        struct sb_channel_location source = { .location_id = "default",
                                              .outlet_id = outlets[0],
                                              .name = "Default Source" };
        struct sb_channel_input in = { .kind = "magento2",
                                       .name = "Demo Magento store",
                                       .name_set = true,
                                       .settings = settings,
                                       .credentials = creds,
                                       .credentials_set = true,
                                       .outlet_ids = outlets,
                                       .n_outlets = n,
                                       .outlets_set = true,
                                       .default_outlet_id = outlets[0],
                                       .default_outlet_set = true,
                                       .register_id = reg,
                                       .register_set = reg != 0,
                                       .employee_id = emp,
                                       .employee_set = emp != 0,
                                       .locations = &source,
                                       .n_locations = outlets[0] != 0,
                                       .locations_set = true };
        if (!err && (!creds || !settings))
            err = sb_fail(SB_ENOMEM, NULL, NULL);
        if (!err)
            err = sb_sync_channel_create(db, &in, &id);
        json_decref(creds);
        json_decref(settings);
    }
    if (err)
        return err;
    err = read_back(db, id, "access_token", token, NULL, NULL);
    if (!err)
        *ret_id = id;
    return err;
}

/* An Ecwid-wire channel of the demo (kind "ecwid" or "ecom"): its store the fakestore at
 * store_url (--kind ecwid) under store_id, both outlets linked, the first outlet's register
 * (the outlet Ecwid's orders are taken at, W4), polled every minute. */
sb_err sb_demo_ecwid_channel(struct sb_db *db, const struct sb_demo_ecwid *d, int64_t *ret_id,
                             char token[64], char secret[64])
{
    int64_t id = 0;
    sb_err err = channel_named(db, d->name, &id);
    if (!err && !id) {
        char t[SB_TOKEN_LEN], w[SB_TOKEN_LEN], api_token[SB_TOKEN_LEN + 8], base[160];
        sb_token_generate(t); /* random text: stand-ins for the app's token and secret */
        sb_token_generate(w);
        snprintf(api_token, sizeof(api_token), "secret_%s", t);
        snprintf(base, sizeof(base), "%s/api/v3", d->store_url);
        json_t *creds = json_pack("{s:s,s:s,s:s,s:s}", "store_id", d->store_id, "api_token",
                                  api_token, "client_secret", w, "base_url", base);
        json_t *settings = json_pack("{s:i}", "poll_interval_seconds", 60);
        if (settings && d->statuses) {
            json_object_set_new(settings, "push_statuses", json_true());
            json_object_set_new(settings, "auto_fulfillment", json_false());
        }
        struct demo_links l;
        err = demo_links(db, &l);
        struct sb_channel_input in = { .kind = d->kind,
                                       .name = d->name,
                                       .name_set = true,
                                       .settings = settings,
                                       .credentials = creds,
                                       .credentials_set = true,
                                       .outlet_ids = l.outlets,
                                       .n_outlets = l.n,
                                       .outlets_set = true,
                                       .default_outlet_id = l.outlets[0],
                                       .default_outlet_set = true,
                                       .register_id = l.reg,
                                       .register_set = l.reg != 0,
                                       .employee_id = l.emp,
                                       .employee_set = l.emp != 0 };
        if (!err && (!creds || !settings))
            err = sb_fail(SB_ENOMEM, NULL, NULL);
        if (!err)
            err = sb_sync_channel_create(db, &in, &id);
        json_decref(creds);
        json_decref(settings);
    }
    if (err)
        return err;
    err = read_back(db, id, "api_token", token, "client_secret", secret);
    if (!err)
        *ret_id = id;
    return err;
}

sb_err sb_demo_admin_token(struct sb_db *db, char out[SB_TOKEN_LEN])
{
    int64_t uid;
    sb_err err = sb_store_user_find(db, "admin", &uid);
    return err ? err : sb_store_token_create(db, uid, "demo", out);
}
