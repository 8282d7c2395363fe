// Money arrives as integers of minor units with an ISO 4217 currency. Sums are
// made on those integers; only the final figure is turned into text, through a
// decimal string (never a float), so no cent is ever lost to rounding.
const fmtCache = new Map();

function formatter(currency) {
  let f = fmtCache.get(currency);
  if (!f) {
    try {
      f = new Intl.NumberFormat(undefined, { style: 'currency', currency });
    } catch {
      f = new Intl.NumberFormat(undefined, { style: 'currency', currency: 'USD' });
    }
    fmtCache.set(currency, f);
  }
  return f;
}

export function digits(currency) {
  return formatter(currency || 'USD').resolvedOptions().maximumFractionDigits;
}

// "1234", 2 -> "12.34"; "-5", 2 -> "-0.05"
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

// "12.5" -> 1250 (for a currency with 2 decimals); null when not a number.
export function parseMoney(text, currency) {
  const d = digits(currency || 'USD');
  const m = /^\s*(\d+)(?:[.,](\d*))?\s*$/.exec(String(text));
  if (!m) return null;
  const frac = (m[2] || '');
  if (frac.length > d) return null;
  return Number(m[1]) * 10 ** d + Number(frac.padEnd(d, '0') || 0);
}

export function toDecimalInput(minor, currency) {
  return decimalString(minor, digits(currency || 'USD'));
}

const dtf = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const df = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });

export function dateTime(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return isNaN(d) ? iso : dtf.format(d);
}

export function date(iso) {
  if (!iso) return '—';
  const d = new Date(iso.length === 10 ? iso + 'T00:00:00Z' : iso);
  return isNaN(d) ? iso : df.format(d);
}

export function isoDay(d) {
  return d.toISOString().slice(0, 10);
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
