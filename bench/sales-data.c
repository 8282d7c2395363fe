/*
 * The sales benchmarks' store (bench/sales-data.h), written straight into the database in
 * multi-row inserts, 20,000 rows a transaction, the same on every backend.
 */
#include "sales-data.h"
#include "store/rows.h"
#include "util/timeutil.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

const char *const bench_first_names[20] = { "Ann",  "Bob", "Carla", "Dev",  "Erin", "Femi", "Gus",
                                            "Hana", "Ivo", "Jun",   "Kofi", "Lena", "Mo",   "Nia",
                                            "Omar", "Pia", "Quinn", "Rosa", "Sam",  "Tess" };
const char *const bench_last_names[20] = { "Lee",   "Stone",  "Garcia", "Smith",  "Okafor",
                                           "Ng",    "Muller", "Rossi",  "Khan",   "Silva",
                                           "Brown", "Kim",    "Novak",  "Dubois", "Sato",
                                           "Berg",  "Costa",  "Ivanov", "Moreau", "Walsh" };

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static const struct bench *B;

static void exec(struct sb_db *db, const char *sql)
{
    if (sb_db_exec(db, sql, NULL))
        bench_die(B, sql);
}

/* Rows of one table, SB_ROWS_MAX a statement; fill(i, args) writes row i's values. */
static void insert_rows(struct sb_db *db, const char *head, const char *row, size_t ncols,
                        int64_t n, void (*fill)(int64_t i, struct sb_db_arg *a, char *text))
{
    struct sb_db_arg args[SB_ROWS_MAX * 16];
    static char text[SB_ROWS_MAX][8][48];
    int64_t done = 0;
    while (done < n) {
        if (sb_db_begin(db))
            bench_die(B, "begin");
        for (int64_t in_tx = 0; in_tx < 20000 && done < n;) {
            size_t k = 0;
            for (; k < SB_ROWS_MAX && done + (int64_t)k < n; k++)
                fill(done + (int64_t)k, &args[k * ncols], text[k][0]);
            if (sb_rows_insert(db, head, row, NULL, args, k, NULL, NULL))
                bench_die(B, head);
            done += (int64_t)k;
            in_tx += (int64_t)k;
        }
        if (sb_db_end(db, SB_OK))
            bench_die(B, "commit");
    }
}

/* customer i+1: first name, last name, email */
static void fill_customer(int64_t i, struct sb_db_arg *a, char *text)
{
    char *email = text;
    snprintf(email, 48, "c%lld@shop%lld.example", (long long)i + 1, (long long)(i % 97));
    a[0] = (struct sb_db_arg){ .kind = 's', .s = bench_first_names[i % 20] };
    char *last = text + 48;
    snprintf(last, 48, "%s%lld", bench_last_names[(i / 20) % 20], (long long)(i / 400) % 50);
    a[1] = (struct sb_db_arg){ .kind = 's', .s = last };
    a[2] = (struct sb_db_arg){ .kind = 's', .s = email };
    a[3] = (struct sb_db_arg){ .kind = 's', .s = email };
}

/* sale i+1: every 3rd a web order (#W<n>, channel id <n>), 7 in 10 with a customer */
static void fill_sale(int64_t i, struct sb_db_arg *a, char *text)
{
    int64_t id = i + 1;
    uint64_t r = next_rand();
    bool web = id % 3 == 0;
    char *created = text, *day = text + 48, *num = text + 96, *ext = text + 144;
    sb_time_format(BENCH_FIRST_SALE_AT + id * BENCH_SALE_EVERY, created,
                   48); /* from 2025-01-01, a sale every 30 s */
    snprintf(day, 48, "%.10s", created);
    snprintf(num, 48, "#W%lld", (long long)id);
    snprintf(ext, 48, "%lld", (long long)(7000000000 + id));
    int64_t total = 500 + (int64_t)(r % 49500);
    const char *status = r % 100 < 95 ? "completed" : r % 100 < 98 ? "open" : "voided";
    int n = 0;
    a[n++] = (struct sb_db_arg){ .kind = 'i', .i = id };
    a[n++] = (struct sb_db_arg){ .kind = 'i', .i = 1 + (int64_t)((r >> 8) % BENCH_OUTLETS) };
    a[n++] = (struct sb_db_arg){
        .kind = 'n', .i = (r >> 16) % 10 < 7 ? 1 + (int64_t)((r >> 20) % BENCH_CUSTOMERS) : 0
    };
    a[n++] = (struct sb_db_arg){ .kind = 's', .s = status };
    a[n++] = (struct sb_db_arg){ .kind = 'i', .i = total };
    a[n++] = (struct sb_db_arg){ .kind = 'i', .i = strcmp(status, "open") ? total : 0 };
    a[n++] = (struct sb_db_arg){ .kind = 'i', .i = strcmp(status, "open") ? 0 : total };
    a[n++] = (struct sb_db_arg){ .kind = 's', .s = web ? "channel" : "pos" };
    a[n++] = (struct sb_db_arg){ .kind = 'n', .i = web ? 1 : 0 };
    a[n++] = (struct sb_db_arg){ .kind = 's', .s = web ? ext : NULL };
    a[n++] = (struct sb_db_arg){ .kind = 's', .s = web ? num : NULL };
    a[n++] = (struct sb_db_arg){ .kind = 's', .s = created };
    a[n++] = (struct sb_db_arg){ .kind = 's', .s = created };
    a[n++] = (struct sb_db_arg){ .kind = 's', .s = day };
}

/* line i: two a sale, of SKU-001..SKU-200 */
static void fill_line(int64_t i, struct sb_db_arg *a, char *text)
{
    uint64_t r = next_rand();
    int64_t item = 1 + (int64_t)(r % BENCH_ITEMS);
    snprintf(text, 48, "SKU-%03lld", (long long)item);
    a[0] = (struct sb_db_arg){ .kind = 'i', .i = i / 2 + 1 };
    a[1] = (struct sb_db_arg){ .kind = 'i', .i = i % 2 + 1 };
    a[2] = (struct sb_db_arg){ .kind = 'i', .i = item };
    a[3] = (struct sb_db_arg){ .kind = 's', .s = text };
    a[4] = (struct sb_db_arg){ .kind = 'i', .i = 1 + (int64_t)((r >> 24) % BENCH_OUTLETS) };
    int64_t price = 100 + (int64_t)((r >> 32) % 9900);
    a[5] = (struct sb_db_arg){ .kind = 'i', .i = price };
    a[6] = (struct sb_db_arg){ .kind = 'i', .i = price };
}

static void fill_item(int64_t i, struct sb_db_arg *a, char *text)
{
    snprintf(text, 48, "SKU-%03lld", (long long)i + 1);
    a[0] = (struct sb_db_arg){ .kind = 'i', .i = i + 1 };
    a[1] = (struct sb_db_arg){ .kind = 's', .s = text };
}

static int64_t n_sales;

/* sale i+1's payment: its total, by cash, card or gift card */
static void fill_payment(int64_t i, struct sb_db_arg *a, char *text)
{
    int64_t id = i + 1;
    sb_time_format(BENCH_FIRST_SALE_AT + id * BENCH_SALE_EVERY, text, 48);
    a[0] = (struct sb_db_arg){ .kind = 'i', .i = id };
    a[1] = (struct sb_db_arg){ .kind = 'i', .i = 1 + id % 3 };
    a[2] = (struct sb_db_arg){ .kind = 'i', .i = 100 + id % 49000 };
    a[3] = (struct sb_db_arg){ .kind = 's', .s = text };
}

/* return i+1: of sale 50 i + 1, its first line (line id 2 (sale - 1) + 1), in cash */
static void fill_return(int64_t i, struct sb_db_arg *a, char *text)
{
    int64_t sale = i * BENCH_RETURN_EVERY + 1;
    sb_time_format(BENCH_FIRST_SALE_AT + sale * BENCH_SALE_EVERY + 86400, text, 48);
    a[0] = (struct sb_db_arg){ .kind = 'i', .i = i + 1 };
    a[1] = (struct sb_db_arg){ .kind = 'i', .i = sale };
    a[2] = (struct sb_db_arg){ .kind = 's', .s = text };
}

static void fill_return_line(int64_t i, struct sb_db_arg *a, char *text)
{
    (void)text;
    a[0] = (struct sb_db_arg){ .kind = 'i', .i = i + 1 };
    a[1] = (struct sb_db_arg){ .kind = 'i', .i = 2 * (i * BENCH_RETURN_EVERY) + 1 };
}

static void seed_money(struct sb_db *db)
{
    int64_t n_returns = (n_sales + BENCH_RETURN_EVERY - 1) / BENCH_RETURN_EVERY;
    exec(db, "INSERT INTO payment_types (id, name, name_norm, created_at, updated_at) VALUES"
             " (1, 'Cash', 'cash', 'x', 'x'), (2, 'Card', 'card', 'x', 'x'),"
             " (3, 'Gift card', 'gift card', 'x', 'x')");
    insert_rows(db, "INSERT INTO payments (sale_id, payment_type_id, amount, created_at)",
                "(?, ?, ?, ?)", 4, n_sales, fill_payment);
    insert_rows(db, "INSERT INTO returns (id, sale_id, refund_total, payment_type_id, created_at)",
                "(?, ?, 500, 1, ?)", 3, n_returns, fill_return);
    insert_rows(db, "INSERT INTO return_lines (return_id, sale_line_id, quantity, amount, restock)",
                "(?, ?, 1, 500, false)", 2, n_returns, fill_return_line);
    exec(db, "UPDATE sale_lines SET returned_quantity = 1"
             " WHERE id IN (SELECT sale_line_id FROM return_lines)");
    exec(db, "UPDATE sales SET refunded_total = 500 WHERE id IN (SELECT sale_id FROM returns)");
}

void bench_sales_seed(const struct bench *b, struct sb_db *db, int64_t n, bool money)
{
    B = b;
    n_sales = n;
    double t0 = bench_now_ms();
    exec(db, "INSERT INTO outlets (id, name, currency, created_at, updated_at) VALUES"
             " (1, 'Harbour', 'USD', 'x', 'x'), (2, 'Old Town', 'USD', 'x', 'x'),"
             " (3, 'Station', 'USD', 'x', 'x'), (4, 'Airport', 'USD', 'x', 'x')");
    exec(db, "INSERT INTO channels (id, kind, name, created_at, updated_at)"
             " VALUES (1, 'shopify', 'Web', 'x', 'x')");
    insert_rows(db, "INSERT INTO items (id, sku, name, track_stock, created_at, updated_at)",
                "(?, ?, 'Item', false, 'x', 'x')", 2, BENCH_ITEMS, fill_item);
    insert_rows(db,
                "INSERT INTO customers (first_name, last_name, email, email_norm, created_at,"
                " updated_at)",
                "(?, ?, ?, ?, 'x', 'x')", 4, BENCH_CUSTOMERS, fill_customer);
    insert_rows(db,
                "INSERT INTO sales (id, outlet_id, customer_id, status, currency, subtotal,"
                " discount_total, tax_total, adjustment_total, total, paid_total, balance_due,"
                " source, channel_id, external_id, external_number, created_at, updated_at,"
                " business_day)",
                "(?, ?, ?, ?, 'USD', 0, 0, 0, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", 14, n_sales,
                fill_sale);
    insert_rows(db,
                "INSERT INTO sale_lines (sale_id, line_no, item_id, sku, description, quantity,"
                " outlet_id, unit_price, line_total)",
                "(?, ?, ?, ?, 'Item', 1, ?, ?, ?)", 7, 2 * n_sales, fill_line);
    if (money)
        seed_money(db);
    printf("  seeded %lld sales, %lld lines, %d customers%s in %.1f s\n", (long long)n_sales,
           (long long)(2 * n_sales), BENCH_CUSTOMERS,
           money ? ", a payment a sale and a return every 50" : "", (bench_now_ms() - t0) / 1e3);
}
