// Small bar charts drawn as inline SVG. Values are integers (minor units);
// the caller gives the formatter for axis and bar labels. Each chart has a
// title and description for screen readers; the screen also offers the
// figures as a table.
import { svg } from './dom.js';

export const COLOURS = ['#1f5f8b', '#d1495b', '#66a182', '#edae49', '#8e6c8a', '#00798c', '#6b705c', '#c05299'];

// The next "round" number at or above n (1, 2, 2.5, 5 × a power of ten), so
// that a quarter of it is a readable axis step.
function niceCeil(n) {
  const mag = 10 ** Math.floor(Math.log10(n));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * mag >= n) return m * mag;
  return 10 * mag;
}

// Grouped vertical bars: groups [{label, values: [n per series]}], series [{name, colour?}].
// Over many groups (a year by week) only every n-th label is drawn, so that none overlap
// (labelWidth: the room one label needs, in the chart's units).
export function groupedBars({ title, desc, groups, series, format, height = 260, labelWidth = 56 }) {
  const left = 80, bottom = 40, top = 12, right = 10;
  const bw = Math.max(6, Math.min(28, Math.floor(600 / Math.max(1, groups.length * series.length))));
  const gw = bw * series.length + 10;
  const width = Math.max(420, left + right + gw * groups.length);
  const max = niceCeil(Math.max(1, ...groups.flatMap((g) => g.values)));
  const plotH = height - top - bottom;
  const y = (v) => top + plotH - Math.round((v / max) * plotH);
  const ticks = [0, 1, 2, 3, 4].map((i) => Math.round((max * i) / 4));
  const every = Math.max(1, Math.ceil(labelWidth / gw));
  const colour = (si) => series[si].colour || COLOURS[si % COLOURS.length];
  return svg('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': title, class: 'bars', preserveAspectRatio: 'xMinYMin meet' },
    svg('title', null, title), svg('desc', null, desc || ''),
    ticks.map((t) => [
      svg('line', { x1: left, x2: width - right, y1: y(t), y2: y(t), stroke: '#d0d7de' }),
      svg('text', { x: left - 6, y: y(t) + 4, 'text-anchor': 'end' }, format(t)),
    ]),
    groups.map((g, gi) => {
      const x0 = left + gi * gw + 5;
      return [
        g.values.map((v, si) => v ? svg('rect', {
          x: x0 + si * bw, y: y(v), width: bw - 2, height: Math.max(1, top + plotH - y(v)), fill: colour(si),
        }, svg('title', null, `${g.label}, ${series[si].name}: ${format(v)}`)) : null),
        gi % every === 0 ? svg('text', { x: x0 + (bw * series.length) / 2, y: height - bottom + 16, 'text-anchor': 'middle' }, g.label) : null,
      ];
    }),
    svg('line', { x1: left, x2: width - right, y1: top + plotH, y2: top + plotH, stroke: '#57606a' }));
}

// Horizontal bars: rows [{label, value}].
export function hBars({ title, desc, rows, format }) {
  const left = 140, right = 130, rowH = 34, top = 6;
  const width = 640;
  const height = top * 2 + rowH * Math.max(1, rows.length);
  const max = Math.max(1, ...rows.map((r) => r.value));
  const plotW = width - left - right;
  return svg('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': title, class: 'bars' },
    svg('title', null, title), svg('desc', null, desc || ''),
    rows.map((r, i) => {
      const w = Math.max(r.value > 0 ? 2 : 0, Math.round((Math.max(0, r.value) / max) * plotW));
      const yy = top + i * rowH;
      return [
        svg('text', { x: left - 8, y: yy + rowH / 2 + 4, 'text-anchor': 'end' }, r.label),
        svg('rect', { x: left, y: yy + 5, width: w, height: rowH - 10, fill: COLOURS[i % COLOURS.length] },
          svg('title', null, `${r.label}: ${format(r.value)}`)),
        svg('text', { x: left + w + 6, y: yy + rowH / 2 + 4 }, format(r.value)),
      ];
    }));
}
