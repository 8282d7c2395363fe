// Money arrives as integers of minor units with an ISO 4217 currency, and
// times as UTC instants. Sums are made on those integers; only the final
// figure is turned into text, through a decimal string (never a float), so
// no minor unit is ever lost to rounding.
//
// How many decimals a currency has is ISO 4217's exponent (JPY 0, USD 2,
// KWD 3), which the server sends with each outlet (currency_exponent); the
// browser's own figure (CLDR's, through Intl) is used only for a currency no
// outlet has, and it differs from ISO's for a few (IQD: 0 in CLDR, 3 in ISO).
// Times and days are shown in the outlet's time zone (SPEC T1), whatever the
// browser's zone; records of no outlet use the zone of the user's first one.

const outletInfo = new Map(); // outlet id -> { timezone, currency, currency_exponent }
const exponents = new Map(); // currency -> ISO 4217 exponent
let homeZone; // undefined: the browser's
const fmtCache = new Map();
const dtfCache = new Map();

// The signed-in user's outlets (GET /api/v1/me: id, name, currency, currency_exponent,
// timezone): the zones and exponents everything below uses.
export function setOutlets(list) {
  outletInfo.clear();
  exponents.clear();
  fmtCache.clear();
  dtfCache.clear();
  homeZone = undefined;
  for (const o of list || []) {
    outletInfo.set(Number(o.id), o);
    if (o.currency && Number.isInteger(o.currency_exponent)) exponents.set(o.currency, o.currency_exponent);
    if (!homeZone && o.timezone) homeZone = o.timezone;
  }
}

export function digits(currency) {
  const cur = currency || 'USD';
  if (exponents.has(cur)) return exponents.get(cur);
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency: cur }).resolvedOptions().maximumFractionDigits;
  } catch {
    return 2;
  }
}

function formatter(currency) {
  const d = digits(currency);
  const key = `${currency}/${d}`;
  let f = fmtCache.get(key);
  if (!f) {
    const opts = { minimumFractionDigits: d, maximumFractionDigits: d };
    try {
      f = new Intl.NumberFormat(undefined, { style: 'currency', currency, ...opts });
    } catch {
      f = new Intl.NumberFormat(undefined, opts); // not a code Intl knows: the number alone
    }
    fmtCache.set(key, f);
  }
  return f;
}

// "1234", 2 -> "12.34"; "-5", 2 -> "-0.05"; "1000", 0 -> "1000"
function decimalString(minor, d) {
  const neg = minor < 0;
  let s = String(neg ? -minor : minor);
  if (d > 0) {
    s = s.padStart(d + 1, '0');
    s = s.slice(0, -d) + '.' + s.slice(-d);
  }
  return (neg ? '-' : '') + s;
}

export function money(minor, currency) {
  if (minor === null || minor === undefined) return '—';
  const cur = currency || 'USD';
  return formatter(cur).format(decimalString(minor, digits(cur)));
}

// What staff type, in the currency's decimals: "12.5" -> 1250 for USD, "1000" -> 1000 for
// JPY, "1.234" -> 1234 for KWD; more decimals than the currency has (other than zeros),
// or anything that is not a plain amount, is null.
export function parseMoney(text, currency) {
  const d = digits(currency || 'USD');
  const m = /^\s*(\d{1,15})(?:[.,](\d*))?\s*$/.exec(String(text));
  if (!m) return null;
  const frac = m[2] || '';
  if (frac.length > d && !/^0*$/.test(frac.slice(d))) return null;
  const v = Number(m[1]) * 10 ** d + Number(frac.slice(0, d).padEnd(d, '0') || 0);
  return Number.isSafeInteger(v) ? v : null;
}

export function toDecimalInput(minor, currency) {
  return decimalString(minor, digits(currency || 'USD'));
}

// The zone an outlet's times are shown in.
export function zoneOf(outletId) {
  const o = outletId === undefined || outletId === null ? null : outletInfo.get(Number(outletId));
  return (o && o.timezone) || homeZone;
}

function dateTimeFormat(zone) {
  const key = zone || '';
  let f = dtfCache.get(key);
  if (!f) {
    const opts = { year: 'numeric', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit', timeZoneName: 'short' };
    try {
      f = new Intl.DateTimeFormat(undefined, { ...opts, timeZone: zone });
    } catch {
      f = new Intl.DateTimeFormat(undefined, opts); // a zone the browser does not know
    }
    dtfCache.set(key, f);
  }
  return f;
}

// An instant, in the outlet's time zone with the zone's name: "Mar 7, 2026, 11:30 PM EST".
export function dateTime(iso, outletId) {
  if (!iso) return '—';
  const d = new Date(iso);
  return isNaN(d) ? iso : dateTimeFormat(zoneOf(outletId)).format(d);
}

const dayFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeZone: 'UTC' });

// A business day "2026-03-07" is a calendar day: shown as such, never shifted by a zone.
export function date(day) {
  if (!day) return '—';
  const d = new Date(String(day).slice(0, 10) + 'T00:00:00Z');
  return isNaN(d) ? day : dayFormat.format(d);
}

// A Date's calendar day "YYYY-MM-DD" in UTC (for stepping through calendar days).
export function isoDay(d) {
  return d.toISOString().slice(0, 10);
}

// The calendar day of an instant in a zone (undefined: the browser's).
export function dayIn(instant, zone) {
  let parts;
  try {
    parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(instant);
  } catch {
    parts = new Intl.DateTimeFormat('en-US', { year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(instant);
  }
  const get = (type) => parts.find((p) => p.type === type).value;
  return `${get('year')}-${get('month')}-${get('day')}`;
}

// Today in the user's outlet that is furthest ahead (as the server's reports count it).
export function today(now = new Date()) {
  const zones = [...outletInfo.values()].map((o) => o.timezone).filter(Boolean);
  if (!zones.length) return dayIn(now, undefined);
  return zones.map((z) => dayIn(now, z)).sort().pop();
}

const LABELS = {
  new: 'New', in_progress: 'In progress', packed: 'Packed', shipped: 'Shipped',
  picked_up: 'Picked up', cancelled: 'Cancelled', open: 'Open', completed: 'Completed',
  voided: 'Voided', downloaded: 'Downloaded', waiting: 'Waiting', skipped: 'Skipped',
  shipping: 'Shipping', pickup: 'Pickup',
};

export function label(status) {
  return LABELS[status] || (status ? String(status).replace(/_/g, ' ') : '—');
}

// Who a sale, order or fulfillment is for, the same way on every screen
// (issue 16, item 10): the customer's name, else the ship-to's name or the
// email; a sale with no customer at all is a walk-in.
export function customerLabel(r) {
  if (!r) return 'Walk-in';
  const name = r.customer_name || r.name || r.email || r.customer_email;
  if (name) return name;
  return r.customer_id || r.channel_id || r.external_number ? 'No name given' : 'Walk-in';
}
