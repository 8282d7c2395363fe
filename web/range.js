// One date-range control for every screen that shows a span of days (issue 16 item 10):
// presets (Today, Yesterday, This week, Last week, This month, Last month, Last 30 days,
// This year) or two days of your choosing, kept in the address so that a reload or a
// shared link shows the same days. Days are business days, "YYYY-MM-DD": "today" is
// today where the user's outlets are (SPEC T1, format.today()), weeks start on Monday.
// A range here names its last day (to, included), as people say it; the API takes the
// first day after it (apiRange()).
import { h } from './dom.js';
import { today as outletToday } from './format.js';

export const PRESETS = [
  ['today', 'Today'],
  ['yesterday', 'Yesterday'],
  ['this-week', 'This week'],
  ['last-week', 'Last week'],
  ['this-month', 'This month'],
  ['last-month', 'Last month'],
  ['last-30-days', 'Last 30 days'],
  ['this-year', 'This year'],
  ['custom', 'Custom'],
];
const KEYS = new Set(PRESETS.map(([k]) => k));
const DAY = /^\d{4}-\d{2}-\d{2}$/;

// Calendar arithmetic on "YYYY-MM-DD" in UTC, so no zone can shift a day.
const parse = (day) => new Date(day + 'T00:00:00Z');
const fmt = (d) => d.toISOString().slice(0, 10);
export function addDays(day, n) {
  const d = parse(day);
  d.setUTCDate(d.getUTCDate() + n);
  return fmt(d);
}
const validDay = (s) => typeof s === 'string' && DAY.test(s) && fmt(parse(s)) === s;

// The days of a preset, with `today` the outlets' today: { from, to } (to included).
export function presetRange(key, today = outletToday()) {
  const d = parse(today);
  const monday = addDays(today, -((d.getUTCDay() + 6) % 7));
  const first = today.slice(0, 8) + '01';
  switch (key) {
    case 'today': return { from: today, to: today };
    case 'yesterday': return { from: addDays(today, -1), to: addDays(today, -1) };
    case 'this-week': return { from: monday, to: today };
    case 'last-week': return { from: addDays(monday, -7), to: addDays(monday, -1) };
    case 'this-month': return { from: first, to: today };
    case 'last-month': {
      const end = addDays(first, -1);
      return { from: end.slice(0, 8) + '01', to: end };
    }
    case 'this-year': return { from: today.slice(0, 5) + '01-01', to: today };
    default: return { from: addDays(today, -29), to: today }; // last 30 days
  }
}

// The range a screen's address names: ?range=<preset>, or ?from=&to= (custom, to
// included); anything else is the fallback preset.
export function readRange(query, fallback = 'last-30-days', today = outletToday()) {
  const key = query.get('range');
  const from = query.get('from'), to = query.get('to');
  if ((key === 'custom' || !key) && validDay(from) && validDay(to) && from <= to)
    return { preset: 'custom', from, to };
  const preset = KEYS.has(key) && key !== 'custom' ? key : fallback;
  return { preset, ...presetRange(preset, today) };
}

// The address parameters for a range: the preset alone, or the two days.
export function rangeParams(r) {
  return r.preset === 'custom' ? { range: 'custom', from: r.from, to: r.to } : { range: r.preset };
}

// The API's form: the first day and the first day after the last ([from, to)).
export function apiRange(r) {
  return { from: r.from, to: addDays(r.to, 1) };
}

// A control: a preset select and the two days (picking days makes it Custom). onChange
// gets the new range when the form is submitted. Ids start with idPrefix (the From and
// To inputs are `${idPrefix}-from` and `${idPrefix}-to`, the select `${idPrefix}-range`).
export function rangeControl(value, onChange, { idPrefix = 'range', extra = [] } = {}) {
  const select = h('select', { id: `${idPrefix}-range` },
    PRESETS.map(([k, text]) => h('option', { value: k, selected: k === value.preset }, text)));
  const from = h('input', { type: 'date', id: `${idPrefix}-from`, value: value.from, required: true });
  const to = h('input', { type: 'date', id: `${idPrefix}-to`, value: value.to, required: true });
  select.addEventListener('change', () => {
    if (select.value === 'custom') { from.focus(); return; }
    const r = presetRange(select.value);
    from.value = r.from;
    to.value = r.to;
    onChange({ preset: select.value, ...r });
  });
  const custom = () => { select.value = 'custom'; };
  from.addEventListener('input', custom);
  to.addEventListener('input', custom);
  const form = h('form', { class: 'filters range' },
    h('div', { class: 'field' }, h('label', { for: select.id }, 'Period'), select),
    h('div', { class: 'field' }, h('label', { for: from.id }, 'From'), from),
    h('div', { class: 'field' }, h('label', { for: to.id }, 'To'), to),
    extra,
    h('button', { type: 'submit' }, 'Show'));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (!validDay(from.value) || !validDay(to.value)) return;
    const [a, b] = from.value <= to.value ? [from.value, to.value] : [to.value, from.value];
    const preset = select.value;
    const same = preset !== 'custom' && (() => { const r = presetRange(preset); return r.from === a && r.to === b; })();
    onChange(same ? { preset, from: a, to: b } : { preset: 'custom', from: a, to: b });
  });
  return form;
}
