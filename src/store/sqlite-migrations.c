/*
 * SQLite schema, as numbered migrations: migration N is applied once, in a
 * transaction, and recorded in schema_migrations. Never edit a released
 * migration; append a new one.
 *
 * Conventions the rest of the code relies on: BOOLEAN columns hold 0/1 and
 * are read back as JSON booleans; times are ISO 8601 UTC text; money is an
 * INTEGER count of minor units in the record's currency; the stock ledger is
 * append-only (triggers refuse UPDATE and DELETE).
 */
#include "store/sqlite-migrations.h"

/* Migration 4's stock triggers' body: queue the item for every enabled channel with stock
 * sync on that the outlet stocks (linked outlets and location links alike); a parked row
 * gets a fresh start, a backing-off one keeps its wait. */
#define STOCK_SYNC_QUEUE                                                                      \
    "  INSERT INTO sync_queue (channel_id, kind, item_id, queued_at)"                         \
    "  SELECT channel_id, 'stock', NEW.item_id, strftime('%Y-%m-%dT%H:%M:%SZ', 'now') FROM (" \
    "    SELECT channel_id FROM channel_outlets WHERE outlet_id = NEW.outlet_id"              \
    "    UNION SELECT channel_id FROM channel_locations WHERE outlet_id = NEW.outlet_id) l"   \
    "  JOIN channels c ON c.id = l.channel_id"                                                \
    "  WHERE c.enabled AND json_extract(c.settings, '$.stock_sync')"                          \
    "  ON CONFLICT (channel_id, kind, item_id) DO UPDATE SET seq = seq + 1,"                  \
    "    attempts = CASE WHEN status = 'parked' THEN 0 ELSE attempts END,"                    \
    "    next_attempt_at = CASE WHEN status = 'parked' THEN NULL ELSE next_attempt_at END,"   \
    "    status = 'pending';"

static const char *const migrations[] = {
    /* 1: the POS system of record */
    "CREATE TABLE settings ("
    "  key TEXT PRIMARY KEY,"
    "  value TEXT NOT NULL);"

    "CREATE TABLE outlets ("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL UNIQUE,"
    "  currency TEXT NOT NULL CHECK (length(currency) = 3),"
    "  timezone TEXT NOT NULL DEFAULT 'UTC',"
    "  address TEXT,"
    "  phone TEXT,"
    "  email TEXT,"
    "  created_at TEXT NOT NULL,"
    "  updated_at TEXT NOT NULL);"

    "CREATE TABLE registers ("
    "  id INTEGER PRIMARY KEY,"
    "  outlet_id INTEGER NOT NULL REFERENCES outlets(id),"
    "  name TEXT NOT NULL,"
    "  created_at TEXT NOT NULL,"
    "  updated_at TEXT NOT NULL,"
    "  UNIQUE (outlet_id, name));"

    "CREATE TABLE employees ("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL,"
    "  email TEXT,"
    "  code TEXT UNIQUE,"
    "  active BOOLEAN NOT NULL DEFAULT 1,"
    "  created_at TEXT NOT NULL,"
    "  updated_at TEXT NOT NULL);"

    "CREATE TABLE users ("
    "  id INTEGER PRIMARY KEY,"
    "  username TEXT NOT NULL UNIQUE,"
    "  name TEXT,"
    "  email TEXT,"
    "  role TEXT NOT NULL CHECK (role IN ('admin', 'manager', 'staff')),"
    "  employee_id INTEGER REFERENCES employees(id),"
    "  password_hash TEXT,"
    "  active BOOLEAN NOT NULL DEFAULT 1,"
    "  created_at TEXT NOT NULL,"
    "  updated_at TEXT NOT NULL);"

    "CREATE TABLE user_outlets ("
    "  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  outlet_id INTEGER NOT NULL REFERENCES outlets(id),"
    "  PRIMARY KEY (user_id, outlet_id));"

    "CREATE TABLE api_tokens ("
    "  id INTEGER PRIMARY KEY,"
    "  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  name TEXT,"
    "  token_hash TEXT NOT NULL UNIQUE,"
    "  revoked BOOLEAN NOT NULL DEFAULT 0,"
    "  created_at TEXT NOT NULL);"

    "CREATE TABLE price_levels ("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL UNIQUE,"
    "  created_at TEXT NOT NULL,"
    "  updated_at TEXT NOT NULL);"

    "CREATE TABLE items ("
    "  id INTEGER PRIMARY KEY,"
    "  sku TEXT NOT NULL UNIQUE,"
    "  upc TEXT,"
    "  ean TEXT,"
    "  manufacturer_sku TEXT,"
    "  name TEXT NOT NULL,"
    "  description TEXT,"
    "  default_cost INTEGER NOT NULL DEFAULT 0 CHECK (default_cost >= 0),"
    "  msrp INTEGER NOT NULL DEFAULT 0 CHECK (msrp >= 0),"
    "  tax_class TEXT NOT NULL DEFAULT 'standard',"
    "  track_stock BOOLEAN NOT NULL DEFAULT 1,"
    "  active BOOLEAN NOT NULL DEFAULT 1,"
    "  created_at TEXT NOT NULL,"
    "  updated_at TEXT NOT NULL);"
    "CREATE INDEX items_upc ON items(upc);"
    "CREATE INDEX items_ean ON items(ean);"
    "CREATE INDEX items_manufacturer_sku ON items(manufacturer_sku);"

    "CREATE TABLE item_prices ("
    "  item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,"
    "  price_level_id INTEGER NOT NULL REFERENCES price_levels(id),"
    "  amount INTEGER NOT NULL CHECK (amount >= 0),"
    "  PRIMARY KEY (item_id, price_level_id));"

    "CREATE TABLE stock ("
    "  item_id INTEGER NOT NULL REFERENCES items(id),"
    "  outlet_id INTEGER NOT NULL REFERENCES outlets(id),"
    "  on_hand INTEGER NOT NULL DEFAULT 0,"
    "  reserved INTEGER NOT NULL DEFAULT 0,"
    "  on_order INTEGER NOT NULL DEFAULT 0 CHECK (on_order >= 0),"
    "  reorder_point INTEGER NOT NULL DEFAULT 0 CHECK (reorder_point >= 0),"
    "  max_level INTEGER NOT NULL DEFAULT 0 CHECK (max_level >= 0),"
    "  updated_at TEXT NOT NULL,"
    "  PRIMARY KEY (item_id, outlet_id));"
    "CREATE INDEX stock_outlet ON stock(outlet_id);"

    "CREATE TABLE stock_ledger ("
    "  id INTEGER PRIMARY KEY,"
    "  item_id INTEGER NOT NULL REFERENCES items(id),"
    "  outlet_id INTEGER NOT NULL REFERENCES outlets(id),"
    "  reason TEXT NOT NULL CHECK (reason IN ('sale', 'void', 'return', 'receipt', 'count',"
    "    'adjustment', 'reservation', 'release')),"
    "  on_hand_delta INTEGER NOT NULL,"
    "  reserved_delta INTEGER NOT NULL,"
    "  on_hand_after INTEGER NOT NULL,"
    "  reserved_after INTEGER NOT NULL,"
    "  reference TEXT,"
    "  sale_id INTEGER,"
    "  user_id INTEGER,"
    "  note TEXT,"
    "  created_at TEXT NOT NULL);"
    "CREATE INDEX stock_ledger_item ON stock_ledger(item_id, outlet_id, id);"
    "CREATE TRIGGER stock_ledger_no_update BEFORE UPDATE ON stock_ledger"
    "  BEGIN SELECT RAISE(ABORT, 'the stock ledger is append-only'); END;"
    "CREATE TRIGGER stock_ledger_no_delete BEFORE DELETE ON stock_ledger"
    "  BEGIN SELECT RAISE(ABORT, 'the stock ledger is append-only'); END;"

    "CREATE TABLE customers ("
    "  id INTEGER PRIMARY KEY,"
    "  first_name TEXT NOT NULL DEFAULT '',"
    "  last_name TEXT NOT NULL DEFAULT '',"
    "  email TEXT,"
    "  email_norm TEXT UNIQUE,"
    "  phone TEXT,"
    "  company TEXT,"
    "  note TEXT,"
    "  created_at TEXT NOT NULL,"
    "  updated_at TEXT NOT NULL);"

    "CREATE TABLE customer_addresses ("
    "  id INTEGER PRIMARY KEY,"
    "  customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,"
    "  kind TEXT NOT NULL DEFAULT 'shipping' CHECK (kind IN ('shipping', 'billing')),"
    "  name TEXT, company TEXT, line1 TEXT, line2 TEXT, city TEXT, region TEXT,"
    "  postcode TEXT, country TEXT, phone TEXT);"
    "CREATE INDEX customer_addresses_customer ON customer_addresses(customer_id);"

    "CREATE TABLE payment_types ("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL,"
    "  name_norm TEXT NOT NULL UNIQUE,"
    "  integrated BOOLEAN NOT NULL DEFAULT 0,"
    "  created_at TEXT NOT NULL,"
    "  updated_at TEXT NOT NULL);"

    /* Webstores arrive with the order pipeline; sales already name their source. */
    "CREATE TABLE channels ("
    "  id INTEGER PRIMARY KEY,"
    "  kind TEXT NOT NULL,"
    "  name TEXT NOT NULL,"
    "  created_at TEXT NOT NULL,"
    "  updated_at TEXT NOT NULL);"

    "CREATE TABLE sales ("
    "  id INTEGER PRIMARY KEY,"
    "  outlet_id INTEGER NOT NULL REFERENCES outlets(id),"
    "  register_id INTEGER REFERENCES registers(id),"
    "  employee_id INTEGER REFERENCES employees(id),"
    "  customer_id INTEGER REFERENCES customers(id),"
    "  user_id INTEGER REFERENCES users(id),"
    "  status TEXT NOT NULL CHECK (status IN ('open', 'completed', 'voided')),"
    "  currency TEXT NOT NULL,"
    "  subtotal INTEGER NOT NULL,"
    "  discount_total INTEGER NOT NULL,"
    "  tax_total INTEGER NOT NULL,"
    "  adjustment_total INTEGER NOT NULL,"
    "  total INTEGER NOT NULL,"
    "  paid_total INTEGER NOT NULL,"
    "  balance_due INTEGER NOT NULL,"
    "  refunded_total INTEGER NOT NULL DEFAULT 0,"
    "  note TEXT,"
    "  source TEXT NOT NULL DEFAULT 'pos' CHECK (source IN ('pos', 'channel')),"
    "  channel_id INTEGER REFERENCES channels(id),"
    "  external_id TEXT,"
    "  external_number TEXT,"
    "  needs_review BOOLEAN NOT NULL DEFAULT 0,"
    "  review_reason TEXT,"
    "  created_at TEXT NOT NULL,"
    "  updated_at TEXT NOT NULL,"
    "  completed_at TEXT,"
    "  voided_at TEXT,"
    "  UNIQUE (channel_id, external_id));"
    "CREATE INDEX sales_created ON sales(created_at);"
    "CREATE INDEX sales_outlet_created ON sales(outlet_id, created_at);"
    "CREATE INDEX sales_customer ON sales(customer_id);"

    "CREATE TABLE sale_lines ("
    "  id INTEGER PRIMARY KEY,"
    "  sale_id INTEGER NOT NULL REFERENCES sales(id),"
    "  line_no INTEGER NOT NULL,"
    "  item_id INTEGER REFERENCES items(id),"
    "  sku TEXT,"
    "  description TEXT NOT NULL,"
    "  quantity INTEGER NOT NULL CHECK (quantity > 0),"
    "  unit_price INTEGER NOT NULL CHECK (unit_price >= 0),"
    "  line_discount INTEGER NOT NULL DEFAULT 0 CHECK (line_discount >= 0),"
    "  tax_total INTEGER NOT NULL DEFAULT 0,"
    "  line_total INTEGER NOT NULL,"
    "  outlet_id INTEGER REFERENCES outlets(id),"
    "  returned_quantity INTEGER NOT NULL DEFAULT 0 CHECK (returned_quantity >= 0),"
    "  external_line_id TEXT,"
    "  UNIQUE (sale_id, line_no));"

    "CREATE TABLE sale_taxes ("
    "  id INTEGER PRIMARY KEY,"
    "  sale_id INTEGER NOT NULL REFERENCES sales(id),"
    "  sale_line_id INTEGER REFERENCES sale_lines(id),"
    "  name TEXT NOT NULL,"
    "  rate TEXT,"
    "  amount INTEGER NOT NULL);"
    "CREATE INDEX sale_taxes_sale ON sale_taxes(sale_id);"

    "CREATE TABLE sale_discounts ("
    "  id INTEGER PRIMARY KEY,"
    "  sale_id INTEGER NOT NULL REFERENCES sales(id),"
    "  name TEXT NOT NULL,"
    "  code TEXT,"
    "  amount INTEGER NOT NULL CHECK (amount >= 0));"
    "CREATE INDEX sale_discounts_sale ON sale_discounts(sale_id);"

    "CREATE TABLE sale_adjustments ("
    "  id INTEGER PRIMARY KEY,"
    "  sale_id INTEGER NOT NULL REFERENCES sales(id),"
    "  reason TEXT NOT NULL,"
    "  amount INTEGER NOT NULL);"
    "CREATE INDEX sale_adjustments_sale ON sale_adjustments(sale_id);"

    "CREATE TABLE payments ("
    "  id INTEGER PRIMARY KEY,"
    "  sale_id INTEGER NOT NULL REFERENCES sales(id),"
    "  payment_type_id INTEGER NOT NULL REFERENCES payment_types(id),"
    "  amount INTEGER NOT NULL CHECK (amount > 0),"
    "  reference TEXT,"
    "  external_id TEXT,"
    "  user_id INTEGER REFERENCES users(id),"
    "  created_at TEXT NOT NULL,"
    "  UNIQUE (sale_id, external_id));"
    "CREATE INDEX payments_sale ON payments(sale_id);"

    "CREATE TABLE returns ("
    "  id INTEGER PRIMARY KEY,"
    "  sale_id INTEGER NOT NULL REFERENCES sales(id),"
    "  reason TEXT,"
    "  refund_total INTEGER NOT NULL CHECK (refund_total >= 0),"
    "  payment_type_id INTEGER REFERENCES payment_types(id),"
    "  external_id TEXT,"
    "  user_id INTEGER REFERENCES users(id),"
    "  created_at TEXT NOT NULL,"
    "  UNIQUE (sale_id, external_id));"
    "CREATE INDEX returns_sale ON returns(sale_id);"

    "CREATE TABLE return_lines ("
    "  id INTEGER PRIMARY KEY,"
    "  return_id INTEGER NOT NULL REFERENCES returns(id),"
    "  sale_line_id INTEGER NOT NULL REFERENCES sale_lines(id),"
    "  quantity INTEGER NOT NULL CHECK (quantity > 0),"
    "  amount INTEGER NOT NULL CHECK (amount >= 0),"
    "  restock BOOLEAN NOT NULL);"
    "CREATE INDEX return_lines_return ON return_lines(return_id);"

    "CREATE TABLE shipments ("
    "  id INTEGER PRIMARY KEY,"
    "  sale_id INTEGER NOT NULL UNIQUE REFERENCES sales(id),"
    "  name TEXT, company TEXT, line1 TEXT, line2 TEXT, city TEXT, region TEXT,"
    "  postcode TEXT, country TEXT, phone TEXT, email TEXT,"
    "  method TEXT,"
    "  note TEXT,"
    "  shipped BOOLEAN NOT NULL DEFAULT 0,"
    "  tracking_number TEXT,"
    "  carrier TEXT,"
    "  shipped_at TEXT,"
    "  created_at TEXT NOT NULL,"
    "  updated_at TEXT NOT NULL);"
    "CREATE INDEX shipments_shipped ON shipments(shipped, created_at);"

    "CREATE TABLE fulfillments ("
    "  id INTEGER PRIMARY KEY,"
    "  sale_id INTEGER NOT NULL REFERENCES sales(id),"
    "  outlet_id INTEGER NOT NULL REFERENCES outlets(id),"
    "  kind TEXT NOT NULL CHECK (kind IN ('shipping', 'pickup')),"
    "  status TEXT NOT NULL CHECK (status IN ('new', 'in_progress', 'packed', 'shipped',"
    "    'picked_up', 'cancelled')),"
    "  is_split BOOLEAN NOT NULL DEFAULT 0,"
    "  is_backorder BOOLEAN NOT NULL DEFAULT 0,"
    "  created_at TEXT NOT NULL,"
    "  updated_at TEXT NOT NULL,"
    "  UNIQUE (sale_id, outlet_id));"
    "CREATE INDEX fulfillments_outlet_status ON fulfillments(outlet_id, status);"

    "CREATE TABLE fulfillment_lines ("
    "  fulfillment_id INTEGER NOT NULL REFERENCES fulfillments(id),"
    "  sale_line_id INTEGER NOT NULL REFERENCES sale_lines(id),"
    "  quantity INTEGER NOT NULL CHECK (quantity > 0),"
    "  backorder_quantity INTEGER NOT NULL DEFAULT 0 CHECK (backorder_quantity >= 0),"
    "  PRIMARY KEY (fulfillment_id, sale_line_id));"

    "CREATE TABLE fulfillment_events ("
    "  id INTEGER PRIMARY KEY,"
    "  fulfillment_id INTEGER NOT NULL REFERENCES fulfillments(id),"
    "  from_status TEXT,"
    "  to_status TEXT NOT NULL,"
    "  user_id INTEGER REFERENCES users(id),"
    "  created_at TEXT NOT NULL);"
    "CREATE INDEX fulfillment_events_f ON fulfillment_events(fulfillment_id);"

    "CREATE TABLE notifications ("
    "  id INTEGER PRIMARY KEY,"
    "  outlet_id INTEGER NOT NULL REFERENCES outlets(id),"
    "  kind TEXT NOT NULL,"
    "  title TEXT NOT NULL,"
    "  body TEXT,"
    "  sale_id INTEGER REFERENCES sales(id),"
    "  fulfillment_id INTEGER REFERENCES fulfillments(id),"
    "  item_id INTEGER REFERENCES items(id),"
    "  created_at TEXT NOT NULL);"
    "CREATE INDEX notifications_outlet ON notifications(outlet_id, id);"

    "CREATE TABLE notification_reads ("
    "  notification_id INTEGER NOT NULL REFERENCES notifications(id),"
    "  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  read_at TEXT NOT NULL,"
    "  PRIMARY KEY (notification_id, user_id));",

    /* 2: webstores — channel records, their outlets and locations, the raw
     * events received, every web order seen with its state, the sync log and
     * the outbox of calls to make to channels. */
    "ALTER TABLE channels ADD COLUMN enabled BOOLEAN NOT NULL DEFAULT 1;"
    "ALTER TABLE channels ADD COLUMN settings TEXT NOT NULL DEFAULT '{}';"
    "ALTER TABLE channels ADD COLUMN credentials TEXT;"
    "ALTER TABLE channels ADD COLUMN default_outlet_id INTEGER REFERENCES outlets(id);"
    "ALTER TABLE channels ADD COLUMN register_id INTEGER REFERENCES registers(id);"
    "ALTER TABLE channels ADD COLUMN employee_id INTEGER REFERENCES employees(id);"
    "ALTER TABLE channels ADD COLUMN poll_cursor TEXT;"
    "ALTER TABLE channels ADD COLUMN last_poll_at TEXT;"

    "CREATE TABLE channel_outlets ("
    "  channel_id INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,"
    "  outlet_id INTEGER NOT NULL REFERENCES outlets(id),"
    "  priority INTEGER NOT NULL,"
    "  PRIMARY KEY (channel_id, outlet_id),"
    "  UNIQUE (channel_id, priority));"

    "CREATE TABLE channel_locations ("
    "  channel_id INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,"
    "  location_id TEXT NOT NULL,"
    "  outlet_id INTEGER NOT NULL REFERENCES outlets(id),"
    "  name TEXT,"
    "  PRIMARY KEY (channel_id, location_id, outlet_id));"

    /* A1: a shipping method (or pickup point) tied to an outlet. */
    "CREATE TABLE channel_methods ("
    "  channel_id INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,"
    "  method TEXT NOT NULL,"
    "  outlet_id INTEGER NOT NULL REFERENCES outlets(id),"
    "  pickup BOOLEAN NOT NULL DEFAULT 0,"
    "  PRIMARY KEY (channel_id, method));"

    /* Every event received, recorded before it is acknowledged; the unique key
     * is the de-duplication (O2). */
    "CREATE TABLE channel_events ("
    "  id INTEGER PRIMARY KEY,"
    "  channel_id INTEGER NOT NULL REFERENCES channels(id),"
    "  event_id TEXT NOT NULL,"
    "  topic TEXT NOT NULL,"
    "  order_ref TEXT,"
    "  body TEXT NOT NULL,"
    "  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'failed')),"
    "  attempts INTEGER NOT NULL DEFAULT 0,"
    "  next_attempt_at TEXT,"
    "  error TEXT,"
    "  received_at TEXT NOT NULL,"
    "  processed_at TEXT,"
    "  UNIQUE (channel_id, event_id));"
    "CREATE INDEX channel_events_pending ON channel_events(status, id);"

    /* Every web order the engine has seen: its state and why (O10), and the
     * newest version applied (O3). */
    "CREATE TABLE channel_orders ("
    "  id INTEGER PRIMARY KEY,"
    "  channel_id INTEGER NOT NULL REFERENCES channels(id),"
    "  external_id TEXT NOT NULL,"
    "  number TEXT,"
    "  state TEXT NOT NULL CHECK (state IN ('downloaded', 'waiting', 'skipped')),"
    "  reason TEXT,"
    "  version TEXT NOT NULL,"
    "  financial_status TEXT,"
    "  fulfillment_status TEXT,"
    "  cancelled BOOLEAN NOT NULL DEFAULT 0,"
    "  sale_id INTEGER REFERENCES sales(id),"
    "  total INTEGER,"
    "  currency TEXT,"
    "  first_seen_at TEXT NOT NULL,"
    "  updated_at TEXT NOT NULL,"
    "  UNIQUE (channel_id, external_id));"
    "CREATE INDEX channel_orders_state ON channel_orders(channel_id, state, id);"

    "CREATE TABLE channel_log ("
    "  id INTEGER PRIMARY KEY,"
    "  channel_id INTEGER NOT NULL REFERENCES channels(id),"
    "  level TEXT NOT NULL CHECK (level IN ('info', 'warn', 'error')),"
    "  event TEXT NOT NULL,"
    "  external_id TEXT,"
    "  message TEXT NOT NULL,"
    "  created_at TEXT NOT NULL);"
    "CREATE INDEX channel_log_channel ON channel_log(channel_id, id);"

    /* Calls to make to a channel, written in the transaction of the change that
     * needs them (transactional outbox); the dispatcher sends, retries with
     * backoff, and parks what keeps failing. */
    "CREATE TABLE outbox ("
    "  id INTEGER PRIMARY KEY,"
    "  channel_id INTEGER NOT NULL REFERENCES channels(id),"
    "  kind TEXT NOT NULL,"
    "  ref TEXT NOT NULL,"
    "  payload TEXT NOT NULL DEFAULT '{}',"
    "  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'parked')),"
    "  attempts INTEGER NOT NULL DEFAULT 0,"
    "  next_attempt_at TEXT NOT NULL,"
    "  last_error TEXT,"
    "  created_at TEXT NOT NULL,"
    "  done_at TEXT);"
    "CREATE INDEX outbox_due ON outbox(status, next_attempt_at);",

    /* 3: a channel's revision, bumped by every change to its record or links, so a
     * process may keep the channel in memory and check in one lookup that it is
     * still current. */
    "ALTER TABLE channels ADD COLUMN revision INTEGER NOT NULL DEFAULT 1;",

    /* 4: stock and prices to the channels (I1-I9, PR1-PR4). */
    /* How each channel knows each item, found by SKU: external_item_id NULL when the
     * channel has no such SKU (the item is then excluded, with that reason). */
    "CREATE TABLE channel_items ("
    "  channel_id INTEGER NOT NULL REFERENCES channels(id),"
    "  item_id INTEGER NOT NULL REFERENCES items(id),"
    "  sku TEXT NOT NULL,"
    "  external_item_id TEXT,"
    "  external_variant_id TEXT,"
    "  external_product_id TEXT,"
    "  location_id TEXT,"
    "  checked_at TEXT NOT NULL,"
    "  PRIMARY KEY (channel_id, item_id));"

    /* The transactional outbox of stock and prices, coalesced: one row per channel, kind
     * and item, written by the triggers below in the transaction of the change. seq counts
     * the changes: the dispatcher sends the item's value as it is when it sends, and
     * deletes the row only if seq did not move meanwhile. */
    "CREATE TABLE sync_queue ("
    "  channel_id INTEGER NOT NULL REFERENCES channels(id),"
    "  kind TEXT NOT NULL CHECK (kind IN ('stock', 'price')),"
    "  item_id INTEGER NOT NULL REFERENCES items(id),"
    "  seq INTEGER NOT NULL DEFAULT 1,"
    "  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'parked')),"
    "  attempts INTEGER NOT NULL DEFAULT 0,"
    "  next_attempt_at TEXT,"
    "  last_error TEXT,"
    "  queued_at TEXT NOT NULL,"
    "  PRIMARY KEY (channel_id, kind, item_id));"
    "CREATE INDEX sync_queue_due ON sync_queue(channel_id, status, next_attempt_at);"

    /* Per channel: the last push and reconciliation, for sync-status. */
    "CREATE TABLE channel_sync ("
    "  channel_id INTEGER PRIMARY KEY REFERENCES channels(id),"
    "  last_push_at TEXT,"
    "  pushed_total INTEGER NOT NULL DEFAULT 0,"
    "  last_error TEXT,"
    "  last_error_at TEXT,"
    "  last_reconcile_at TEXT,"
    "  last_reconcile TEXT,"
    "  sale_state INTEGER NOT NULL DEFAULT 0);" /* PR3: 0 no sale now, 1 sale on */

    /* Every change to an outlet's stock queues the item for each enabled channel with
     * stock sync on that the outlet stocks (linked outlets and location links alike). */
    "CREATE TRIGGER stock_sync_insert AFTER INSERT ON stock BEGIN" STOCK_SYNC_QUEUE "END;"
    "CREATE TRIGGER stock_sync_update AFTER UPDATE OF on_hand, reserved, on_order,"
    "  reorder_point, max_level ON stock BEGIN" STOCK_SYNC_QUEUE "END;"
    /* A price change queues the item for every channel (those without POS pricing drop
     * it); a new SKU means finding the item on the channels again. */
    "CREATE TRIGGER price_sync_insert AFTER INSERT ON item_prices BEGIN"
    "  INSERT INTO sync_queue (channel_id, kind, item_id, queued_at)"
    "  SELECT id, 'price', NEW.item_id, strftime('%Y-%m-%dT%H:%M:%SZ', 'now') FROM channels"
    "  WHERE true"
    "  ON CONFLICT (channel_id, kind, item_id) DO UPDATE SET seq = seq + 1, status = 'pending';"
    "END;"
    "CREATE TRIGGER price_sync_update AFTER UPDATE OF amount ON item_prices BEGIN"
    "  INSERT INTO sync_queue (channel_id, kind, item_id, queued_at)"
    "  SELECT id, 'price', NEW.item_id, strftime('%Y-%m-%dT%H:%M:%SZ', 'now') FROM channels"
    "  WHERE true"
    "  ON CONFLICT (channel_id, kind, item_id) DO UPDATE SET seq = seq + 1, status = 'pending';"
    "END;"
    "CREATE TRIGGER item_sku_sync AFTER UPDATE OF sku ON items BEGIN"
    "  DELETE FROM channel_items WHERE item_id = NEW.id;"
    "  INSERT INTO sync_queue (channel_id, kind, item_id, queued_at)"
    "  SELECT id, 'stock', NEW.id, strftime('%Y-%m-%dT%H:%M:%SZ', 'now') FROM channels"
    "  WHERE true"
    "  ON CONFLICT (channel_id, kind, item_id) DO UPDATE SET seq = seq + 1, status = 'pending';"
    "END;",

    /* 5: the web app's sign-in (users.password_hash holds argon2id): sessions (the cookie's token
     * only as a hash, with its CSRF token) and failed sign-ins (rate limit). */
    "CREATE TABLE sessions ("
    "  token_hash TEXT PRIMARY KEY,"
    "  user_id INTEGER NOT NULL REFERENCES users(id),"
    "  csrf_token TEXT NOT NULL,"
    "  created_at TEXT NOT NULL,"
    "  expires_at TEXT NOT NULL);"
    "CREATE INDEX sessions_user ON sessions(user_id);"
    "CREATE TABLE sign_in_failures ("
    "  id INTEGER PRIMARY KEY,"
    "  username TEXT NOT NULL,"
    "  at TEXT NOT NULL);"
    "CREATE INDEX sign_in_failures_user ON sign_in_failures(username, at);",

    /* 6: a channel's polls (I9): consecutive failures, when the next try is due (backed off
     * with jitter), the last error and the last poll that worked, for sync-status and
     * /metrics. */
    "ALTER TABLE channel_sync ADD COLUMN poll_failures INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE channel_sync ADD COLUMN poll_retry_at TEXT;"
    "ALTER TABLE channel_sync ADD COLUMN poll_error TEXT;"
    "ALTER TABLE channel_sync ADD COLUMN poll_error_at TEXT;"
    "ALTER TABLE channel_sync ADD COLUMN poll_ok_at TEXT;"
    /* O3: a digest of what the last applied version said of the details staff may also
     * edit (ship-to, notes, customer): a newer version changes them in the POS only when
     * the channel changed them. */
    "ALTER TABLE channel_orders ADD COLUMN details TEXT;",

    /* 7: (SPEC T1): each sale's business day, the calendar day of its creation in
     * its outlet's time zone, written with the sale; existing sales get theirs from
     * sb_local_date(), the backend's reading of the tz database. Reports group by it and
     * "today" compares it with each outlet's own today. */
    "ALTER TABLE sales ADD COLUMN business_day TEXT;"
    "UPDATE sales SET business_day = sb_local_date(created_at,"
    "  (SELECT timezone FROM outlets o WHERE o.id = sales.outlet_id));"
    "CREATE INDEX sales_business_day ON sales(business_day, outlet_id);",

    /* 8 (SEC3): API tokens that expire when asked (NULL: never) and are revoked for good, with
     * when. */
    "ALTER TABLE api_tokens ADD COLUMN expires_at TEXT;"
    "ALTER TABLE api_tokens ADD COLUMN revoked_at TEXT;"
    "UPDATE api_tokens SET revoked_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE revoked;"
    "CREATE INDEX api_tokens_user ON api_tokens(user_id);",

    /* 9 (SEC4): failed sign-ins as one counter per (client address, user name) and per address
     * (username ''), in fixed windows, pruned by age and capped in number (store/sessions.c);
     * the unbounded row-per-failure table goes. */
    "DROP TABLE sign_in_failures;"
    "CREATE TABLE sign_in_throttle ("
    "  address TEXT NOT NULL,"
    "  username TEXT NOT NULL,"
    "  failures INTEGER NOT NULL,"
    "  window_start TEXT NOT NULL,"
    "  last_at TEXT NOT NULL,"
    "  PRIMARY KEY (address, username));"
    "CREATE INDEX sign_in_throttle_last ON sign_in_throttle(last_at);",

    /* 10: what queues stock, prices and SKUs for the channels is C in the store now
     * (store/stock-queue.c: every writer calls it in its own transaction), so another
     * backend needs only its schema: migration 4's triggers go. */
    "DROP TRIGGER stock_sync_insert;"
    "DROP TRIGGER stock_sync_update;"
    "DROP TRIGGER price_sync_insert;"
    "DROP TRIGGER price_sync_update;"
    "DROP TRIGGER item_sku_sync;",

    /* 11 (M5): a channel's settings over time, so that an order is judged by the settings
     * in force when it was created (store/settings-history.c); today's settings start it. */
    "CREATE TABLE channel_settings_history ("
    "  id INTEGER PRIMARY KEY,"
    "  channel_id INTEGER NOT NULL REFERENCES channels(id),"
    "  since TEXT NOT NULL,"
    "  settings TEXT NOT NULL);"
    "CREATE INDEX channel_settings_history_channel ON channel_settings_history(channel_id, id);"
    "INSERT INTO channel_settings_history (channel_id, since, settings)"
    "  SELECT id, created_at, settings FROM channels;",

    /* 12 (M9, O10): each web order's raw status as the channel names it, shown with its
     * state and read by the stock sync for what the channel still holds itself
     * (store/channel-held.c). */
    "ALTER TABLE channel_orders ADD COLUMN channel_status TEXT;",

    /* 13 (M6): customer orders and invoices: a sale record's document kind; an order (kind
     * 'order', open) reserves its lines' stock (sale_lines.reserved: what each line holds
     * now, released when the order is turned into a sale or cancelled) and takes deposits
     * (payments.kind 'deposit'); began_as_order keeps an order's history once it has become a
     * sale, so the orders list can show completed ones. */
    "ALTER TABLE sales ADD COLUMN kind TEXT NOT NULL DEFAULT 'sale'"
    "  CHECK (kind IN ('sale', 'order', 'invoice'));"
    "ALTER TABLE sales ADD COLUMN began_as_order BOOLEAN NOT NULL DEFAULT 0;"
    "CREATE INDEX sales_orders ON sales(began_as_order, status) WHERE began_as_order;"
    "ALTER TABLE sale_lines ADD COLUMN reserved INTEGER NOT NULL DEFAULT 0"
    "  CHECK (reserved >= 0);"
    "ALTER TABLE payments ADD COLUMN kind TEXT NOT NULL DEFAULT 'payment'"
    "  CHECK (kind IN ('payment', 'deposit'));",

    /* E1: the export-model connection. A connection token is an API token bound to its
     * export channel (channel_id set; user_id is who connected, for the record); a retired
     * one keeps why (retired_reason), which its webstore is told (store/connections.c). */
    "ALTER TABLE api_tokens ADD COLUMN channel_id INTEGER REFERENCES channels(id);"
    "ALTER TABLE api_tokens ADD COLUMN retired_reason TEXT;"
    "CREATE INDEX api_tokens_channel ON api_tokens(channel_id, id) WHERE channel_id IS NOT NULL;",

    /* 15 (E7): the catalogue's change feed (store/catalogue.h): per item, the sequence
     * number of its latest stock, price or record change, from a counter that only grows
     * (the table's highest seq, plus one); written in the transaction of every such write.
     * Items changed before it have no row: a reader starts from a full read. */
    "CREATE TABLE catalogue_changes ("
    "  item_id INTEGER PRIMARY KEY REFERENCES items(id),"
    "  seq INTEGER NOT NULL UNIQUE);",

    /* E9: a sale's history (store/sale-reopen.c): who changed what on it and when. kind
     * 'change' is one field (outlet_id, register_id or customer_id) from old_id to new_id
     * (NULL: none); 'note' is a note staff added; 'reviewed' is the review flag cleared
     * (E8), with the reason it had in reason. Appended only. */
    "CREATE TABLE sale_events ("
    "  id INTEGER PRIMARY KEY,"
    "  sale_id INTEGER NOT NULL REFERENCES sales(id),"
    "  kind TEXT NOT NULL CHECK (kind IN ('change', 'note', 'reviewed')),"
    "  field TEXT CHECK (field IN ('outlet_id', 'register_id', 'customer_id')),"
    "  old_id INTEGER,"
    "  new_id INTEGER,"
    "  note TEXT,"
    "  reason TEXT,"
    "  user_id INTEGER REFERENCES users(id),"
    "  created_at TEXT NOT NULL);"
    "CREATE INDEX sale_events_sale ON sale_events(sale_id, id);",

    /* Several nodes on one database (issue 15): the leases that share the background work
     * out (store/leases.h, sync/leases.h). The same DDL runs on PostgreSQL verbatim. */
    "CREATE TABLE leases ("
    "  name TEXT PRIMARY KEY,"
    "  holder TEXT NOT NULL,"
    "  expires_at TEXT NOT NULL,"
    "  taken_at TEXT NOT NULL);"
    /* ... and the rate buckets every node spends from (store/rate-buckets.h: the connection
     * API's limit per export channel) */
    "CREATE TABLE rate_buckets ("
    "  name TEXT PRIMARY KEY,"
    "  milli BIGINT NOT NULL,"
    "  at BIGINT NOT NULL);",

    /* Finding any sale (SPEC T2, issue 16): the indexes the sales search's terms and sorts
     * use on a million sales (store/sale-search.c; bench/bench-search measures them). */
    "CREATE INDEX sales_external_number ON sales(external_number);"
    "CREATE INDEX sales_outlet_id ON sales(outlet_id, id);"
    "CREATE INDEX sales_outlet_status ON sales(outlet_id, status, id);"
    "CREATE INDEX sales_channel_id ON sales(channel_id, id);"
    "CREATE INDEX sales_status_id ON sales(status, id);"
    "CREATE INDEX sales_total ON sales(total, id);"
    "CREATE INDEX sale_lines_sku ON sale_lines(sku, sale_id);"
    "CREATE INDEX customers_full_name ON customers(lower(first_name || ' ' || last_name));"
    "CREATE INDEX customers_last_name ON customers(lower(last_name));",

    /* T2 on a channel's orders (store/channel-orders.c): found by their number. */
    "CREATE INDEX channel_orders_number ON channel_orders(channel_id, number);",
    /* Purchase orders (issue 16 item 1; store/purchase-orders.c): suppliers, and orders to
     * them delivered to one outlet. status: draft (edited freely) -> ordered (its open
     * quantities are added to stock.on_order at its outlet) -> partial -> received, or
     * cancelled (what was still open leaves on_order). A line's received never exceeds what
     * was ordered; unit_cost is in minor units of the order's currency. Each delivery is a
     * purchase_order_receipts row; a delivery retried with the same reference is received
     * once (UNIQUE). number is set from the id in the creating transaction. */
    "CREATE TABLE suppliers ("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL,"
    "  name_norm TEXT NOT NULL UNIQUE,"
    "  email TEXT,"
    "  phone TEXT,"
    "  note TEXT,"
    "  created_at TEXT NOT NULL,"
    "  updated_at TEXT NOT NULL);"
    "CREATE TABLE purchase_orders ("
    "  id INTEGER PRIMARY KEY,"
    "  number TEXT UNIQUE,"
    "  supplier_id INTEGER NOT NULL REFERENCES suppliers(id),"
    "  outlet_id INTEGER NOT NULL REFERENCES outlets(id),"
    "  status TEXT NOT NULL DEFAULT 'draft'"
    "    CHECK (status IN ('draft', 'ordered', 'partial', 'received', 'cancelled')),"
    "  currency TEXT NOT NULL,"
    "  expected_on TEXT,"
    "  note TEXT,"
    "  user_id INTEGER REFERENCES users(id),"
    "  ordered_at TEXT,"
    "  closed_at TEXT,"
    "  created_at TEXT NOT NULL,"
    "  updated_at TEXT NOT NULL);"
    "CREATE INDEX purchase_orders_status ON purchase_orders(status, id);"
    "CREATE INDEX purchase_orders_supplier ON purchase_orders(supplier_id, id);"
    "CREATE INDEX purchase_orders_outlet ON purchase_orders(outlet_id, id);"
    "CREATE TABLE purchase_order_lines ("
    "  id INTEGER PRIMARY KEY,"
    "  purchase_order_id INTEGER NOT NULL REFERENCES purchase_orders(id),"
    "  item_id INTEGER NOT NULL REFERENCES items(id),"
    "  quantity INTEGER NOT NULL CHECK (quantity > 0),"
    "  received INTEGER NOT NULL DEFAULT 0 CHECK (received >= 0 AND received <= quantity),"
    "  unit_cost INTEGER NOT NULL CHECK (unit_cost >= 0),"
    "  UNIQUE (purchase_order_id, item_id));"
    "CREATE TABLE purchase_order_receipts ("
    "  id INTEGER PRIMARY KEY,"
    "  purchase_order_id INTEGER NOT NULL REFERENCES purchase_orders(id),"
    "  reference TEXT,"
    "  user_id INTEGER REFERENCES users(id),"
    "  created_at TEXT NOT NULL,"
    "  UNIQUE (purchase_order_id, reference));",
    /* Packing (issue 16 item 3): a sale line that is the order's shipping charge is never an
     * item to pack (store/shipments.c, the pick list and packing slips); lines written before
     * this were made by the order pipeline as "Shipping: <title>" with no item and no
     * channel line. Shipped orders are found by tracking number, ship-to name and email,
     * city and postcode from their start, by index on a million (SH1, store/shipments.c). */
    "ALTER TABLE sale_lines ADD COLUMN is_shipping BOOLEAN NOT NULL DEFAULT 0;"
    "UPDATE sale_lines SET is_shipping = 1 WHERE item_id IS NULL"
    "  AND external_line_id IS NULL AND description LIKE 'Shipping: %'"
    "  AND sale_id IN (SELECT id FROM sales WHERE source = 'channel');"
    "CREATE INDEX shipments_tracking ON shipments(lower(tracking_number));"
    "CREATE INDEX shipments_name ON shipments(lower(name));"
    "CREATE INDEX shipments_email ON shipments(lower(email));"
    "CREATE INDEX shipments_city ON shipments(lower(city));"
    "CREATE INDEX shipments_postcode ON shipments(lower(postcode));",
    /* N4 (issue 16 item 8): a web order's email to staff is queued once per order, whatever
     * replays its import (store/outbox-email.c) */
    "CREATE UNIQUE INDEX outbox_email_once ON outbox(channel_id, ref) WHERE kind = 'email';",
    /* Items and stock (issue 16 item 1): the item list's sorts and search (store/item-search.c;
     * bench/bench-items measures them on 100,000 items), the low-stock view (stock rows with a
     * reorder point), and transfers between outlets in the ledger (reasons transfer_out and
     * transfer_in, store/stock-transfer.c). */
    "CREATE INDEX items_name ON items(lower(name), id);"
    "CREATE INDEX items_active_name ON items(active, lower(name), id);"
    "CREATE INDEX stock_reorder ON stock(reorder_point, item_id, outlet_id, on_hand, reserved);"
    /* What each channel was last sent for each item (the item page, issue 16 item 1), written
     * by the stock lane when a channel takes a figure (sync/stock-push.c) */
    "CREATE TABLE channel_sent ("
    "  channel_id INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,"
    "  item_id INTEGER NOT NULL REFERENCES items(id),"
    "  quantity INTEGER,"
    "  stock_sent_at TEXT,"
    "  price INTEGER,"
    "  sale_price INTEGER,"
    "  price_sent_at TEXT,"
    "  PRIMARY KEY (channel_id, item_id));"
    /* SQLite cannot change a CHECK: the ledger is copied into a table with the new one */
    "CREATE TABLE stock_ledger_new ("
    "  id INTEGER PRIMARY KEY,"
    "  item_id INTEGER NOT NULL REFERENCES items(id),"
    "  outlet_id INTEGER NOT NULL REFERENCES outlets(id),"
    "  reason TEXT NOT NULL CHECK (reason IN ('sale', 'void', 'return', 'receipt', 'count',"
    "    'adjustment', 'reservation', 'release', 'transfer_out', 'transfer_in')),"
    "  on_hand_delta INTEGER NOT NULL,"
    "  reserved_delta INTEGER NOT NULL,"
    "  on_hand_after INTEGER NOT NULL,"
    "  reserved_after INTEGER NOT NULL,"
    "  reference TEXT,"
    "  sale_id INTEGER,"
    "  user_id INTEGER,"
    "  note TEXT,"
    "  created_at TEXT NOT NULL);"
    "INSERT INTO stock_ledger_new SELECT id, item_id, outlet_id, reason, on_hand_delta,"
    "  reserved_delta, on_hand_after, reserved_after, reference, sale_id, user_id, note,"
    "  created_at FROM stock_ledger;"
    "DROP TABLE stock_ledger;"
    "ALTER TABLE stock_ledger_new RENAME TO stock_ledger;"
    "CREATE INDEX stock_ledger_item ON stock_ledger(item_id, outlet_id, id);"
    "CREATE TRIGGER stock_ledger_no_update BEFORE UPDATE ON stock_ledger"
    "  BEGIN SELECT RAISE(ABORT, 'the stock ledger is append-only'); END;"
    "CREATE TRIGGER stock_ledger_no_delete BEFORE DELETE ON stock_ledger"
    "  BEGIN SELECT RAISE(ABORT, 'the stock ledger is append-only'); END;",
    /* Reports (issue 16 item 6, store/report-periods.c; bench/bench-reports measures them):
     * indexes that hold every column the reports read of a range of business days, so that
     * a month of a million sales is read from them alone (sales by day and by customer, the
     * lines by item, the payments by type) - 5 to 6 times faster than through the table -
     * and what was refunded of a sale line, for the top items net of returns. */
    "CREATE INDEX sales_report ON sales(business_day, outlet_id, status, kind, currency, total,"
    "  refunded_total, customer_id);"
    "CREATE INDEX sale_lines_report ON sale_lines(sale_id, item_id, quantity, returned_quantity,"
    "  line_total);"
    "CREATE INDEX payments_report ON payments(sale_id, payment_type_id, amount);"
    "CREATE INDEX return_lines_sale_line ON return_lines(sale_line_id);",

    /* The top items' per-day summary (issue 16 item 6; store/report-periods.c): per business
     * day, outlet, source, channel (0: none), currency and item, what the lines of sales that
     * count (not voided, not an open customer order) add up to, net of what was refunded of
     * them, kept by triggers on every write of sales, sale lines and return lines, so that a
     * year of a million sales is read from a few thousand rows. lines counts the lines behind
     * a row (an item whose lines all went has 0). stockbridge check compares it with the
     * lines themselves (store/check.c). */
    "CREATE TABLE report_item_days (  business_day TEXT NOT NULL, outlet_id INTEGER NOT NULL, "
    "source TEXT NOT NULL,  channel_id INTEGER NOT NULL, currency TEXT NOT NULL, item_id "
    "INTEGER NOT NULL,  lines INTEGER NOT NULL, quantity BIGINT NOT NULL, revenue BIGINT NOT "
    "NULL,  PRIMARY KEY (business_day, outlet_id, source, channel_id, currency, item_id));"
    "INSERT INTO report_item_days (business_day, outlet_id, source, channel_id, currency, "
    "item_id, lines, quantity, revenue) SELECT COALESCE(s.business_day, ''), s.outlet_id, "
    "s.source, COALESCE(s.channel_id, 0), s.currency, sl.item_id, COUNT(*), SUM(sl.quantity - "
    "sl.returned_quantity), SUM(sl.line_total - CASE WHEN sl.returned_quantity > 0 THEN "
    "COALESCE((SELECT SUM(rl.amount) FROM return_lines rl WHERE rl.sale_line_id = sl.id), 0) "
    "ELSE 0 END) FROM sales s, sale_lines sl WHERE sl.sale_id = s.id AND sl.item_id IS NOT "
    "NULL AND s.status <> 'voided' AND s.kind <> 'order' GROUP BY COALESCE(s.business_day, "
    "''), s.outlet_id, s.source, COALESCE(s.channel_id, 0), s.currency, sl.item_id;"
    "CREATE TRIGGER report_line_insert AFTER INSERT ON sale_lines BEGIN INSERT INTO "
    "report_item_days (business_day, outlet_id, source, channel_id, currency, item_id, lines, "
    "quantity, revenue) SELECT COALESCE(s.business_day, ''), s.outlet_id, s.source, "
    "COALESCE(s.channel_id, 0), s.currency, NEW.item_id, 1, (NEW.quantity - "
    "NEW.returned_quantity), (NEW.line_total - CASE WHEN NEW.returned_quantity > 0 THEN "
    "COALESCE((SELECT SUM(rl.amount) FROM return_lines rl WHERE rl.sale_line_id = NEW.id), 0) "
    "ELSE 0 END) FROM sales s WHERE s.id = NEW.sale_id AND s.status <> 'voided' AND s.kind <> "
    "'order' AND NEW.item_id IS NOT NULL ON CONFLICT (business_day, outlet_id, source, "
    "channel_id, currency, item_id) DO UPDATE SET lines = report_item_days.lines + "
    "excluded.lines, quantity = report_item_days.quantity + excluded.quantity, revenue = "
    "report_item_days.revenue + excluded.revenue; END;"
    "CREATE TRIGGER report_line_delete AFTER DELETE ON sale_lines BEGIN INSERT INTO "
    "report_item_days (business_day, outlet_id, source, channel_id, currency, item_id, lines, "
    "quantity, revenue) SELECT COALESCE(s.business_day, ''), s.outlet_id, s.source, "
    "COALESCE(s.channel_id, 0), s.currency, OLD.item_id, -1, -(OLD.quantity - "
    "OLD.returned_quantity), -(OLD.line_total - CASE WHEN OLD.returned_quantity > 0 THEN "
    "COALESCE((SELECT SUM(rl.amount) FROM return_lines rl WHERE rl.sale_line_id = OLD.id), 0) "
    "ELSE 0 END) FROM sales s WHERE s.id = OLD.sale_id AND s.status <> 'voided' AND s.kind <> "
    "'order' AND OLD.item_id IS NOT NULL ON CONFLICT (business_day, outlet_id, source, "
    "channel_id, currency, item_id) DO UPDATE SET lines = report_item_days.lines + "
    "excluded.lines, quantity = report_item_days.quantity + excluded.quantity, revenue = "
    "report_item_days.revenue + excluded.revenue; END;"
    "CREATE TRIGGER report_line_update AFTER UPDATE OF item_id, quantity, returned_quantity, "
    "line_total ON sale_lines BEGIN INSERT INTO report_item_days (business_day, outlet_id, "
    "source, channel_id, currency, item_id, lines, quantity, revenue) SELECT "
    "COALESCE(s.business_day, ''), s.outlet_id, s.source, COALESCE(s.channel_id, 0), "
    "s.currency, OLD.item_id, -1, -(OLD.quantity - OLD.returned_quantity), -(OLD.line_total - "
    "CASE WHEN OLD.returned_quantity > 0 THEN COALESCE((SELECT SUM(rl.amount) FROM "
    "return_lines rl WHERE rl.sale_line_id = OLD.id), 0) ELSE 0 END) FROM sales s WHERE s.id "
    "= OLD.sale_id AND s.status <> 'voided' AND s.kind <> 'order' AND OLD.item_id IS NOT NULL "
    "ON CONFLICT (business_day, outlet_id, source, channel_id, currency, item_id) DO UPDATE "
    "SET lines = report_item_days.lines + excluded.lines, quantity = "
    "report_item_days.quantity + excluded.quantity, revenue = report_item_days.revenue + "
    "excluded.revenue; INSERT INTO report_item_days (business_day, outlet_id, source, "
    "channel_id, currency, item_id, lines, quantity, revenue) SELECT COALESCE(s.business_day, "
    "''), s.outlet_id, s.source, COALESCE(s.channel_id, 0), s.currency, NEW.item_id, 1, "
    "(NEW.quantity - NEW.returned_quantity), (NEW.line_total - CASE WHEN "
    "NEW.returned_quantity > 0 THEN COALESCE((SELECT SUM(rl.amount) FROM return_lines rl "
    "WHERE rl.sale_line_id = NEW.id), 0) ELSE 0 END) FROM sales s WHERE s.id = NEW.sale_id "
    "AND s.status <> 'voided' AND s.kind <> 'order' AND NEW.item_id IS NOT NULL ON CONFLICT "
    "(business_day, outlet_id, source, channel_id, currency, item_id) DO UPDATE SET lines = "
    "report_item_days.lines + excluded.lines, quantity = report_item_days.quantity + "
    "excluded.quantity, revenue = report_item_days.revenue + excluded.revenue; END;"
    "CREATE TRIGGER report_sale_update AFTER UPDATE OF status, kind, outlet_id, business_day, "
    "source, channel_id, currency ON sales BEGIN INSERT INTO report_item_days (business_day, "
    "outlet_id, source, channel_id, currency, item_id, lines, quantity, revenue) SELECT "
    "COALESCE(OLD.business_day, ''), OLD.outlet_id, OLD.source, COALESCE(OLD.channel_id, 0), "
    "OLD.currency, sl.item_id, -COUNT(*), -SUM(sl.quantity - sl.returned_quantity), "
    "-SUM(sl.line_total - CASE WHEN sl.returned_quantity > 0 THEN COALESCE((SELECT "
    "SUM(rl.amount) FROM return_lines rl WHERE rl.sale_line_id = sl.id), 0) ELSE 0 END) FROM "
    "sale_lines sl WHERE sl.sale_id = OLD.id AND sl.item_id IS NOT NULL AND OLD.status <> "
    "'voided' AND OLD.kind <> 'order' GROUP BY sl.item_id ON CONFLICT (business_day, "
    "outlet_id, source, channel_id, currency, item_id) DO UPDATE SET lines = "
    "report_item_days.lines + excluded.lines, quantity = report_item_days.quantity + "
    "excluded.quantity, revenue = report_item_days.revenue + excluded.revenue; INSERT INTO "
    "report_item_days (business_day, outlet_id, source, channel_id, currency, item_id, lines, "
    "quantity, revenue) SELECT COALESCE(NEW.business_day, ''), NEW.outlet_id, NEW.source, "
    "COALESCE(NEW.channel_id, 0), NEW.currency, sl.item_id, COUNT(*), SUM(sl.quantity - "
    "sl.returned_quantity), SUM(sl.line_total - CASE WHEN sl.returned_quantity > 0 THEN "
    "COALESCE((SELECT SUM(rl.amount) FROM return_lines rl WHERE rl.sale_line_id = sl.id), 0) "
    "ELSE 0 END) FROM sale_lines sl WHERE sl.sale_id = NEW.id AND sl.item_id IS NOT NULL AND "
    "NEW.status <> 'voided' AND NEW.kind <> 'order' GROUP BY sl.item_id ON CONFLICT "
    "(business_day, outlet_id, source, channel_id, currency, item_id) DO UPDATE SET lines = "
    "report_item_days.lines + excluded.lines, quantity = report_item_days.quantity + "
    "excluded.quantity, revenue = report_item_days.revenue + excluded.revenue; END;"
    "CREATE TRIGGER report_return_line AFTER INSERT ON return_lines BEGIN INSERT INTO "
    "report_item_days (business_day, outlet_id, source, channel_id, currency, item_id, lines, "
    "quantity, revenue) SELECT COALESCE(s.business_day, ''), s.outlet_id, s.source, "
    "COALESCE(s.channel_id, 0), s.currency, sl.item_id, 0, 0, -NEW.amount FROM sale_lines sl, "
    "sales s WHERE sl.id = NEW.sale_line_id AND s.id = sl.sale_id AND sl.item_id IS NOT NULL "
    "AND sl.returned_quantity > 0 AND s.status <> 'voided' AND s.kind <> 'order' ON CONFLICT "
    "(business_day, outlet_id, source, channel_id, currency, item_id) DO UPDATE SET lines = "
    "report_item_days.lines + excluded.lines, quantity = report_item_days.quantity + "
    "excluded.quantity, revenue = report_item_days.revenue + excluded.revenue; END;",
};

const char *const *sb_sqlite_migrations(size_t *ret_count)
{
    *ret_count = sizeof(migrations) / sizeof(migrations[0]);
    return migrations;
}
