// A tiny DOM builder: h('button', {type: 'submit', onclick}, 'Save').
// Text children are always text nodes (never parsed as HTML), so data from the
// API cannot inject markup.
const PROPS = new Set(['value', 'checked', 'disabled', 'selected', 'hidden']);
const SVG_NS = 'http://www.w3.org/2000/svg';

function build(el, attrs, kids) {
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === null || v === undefined || v === false) continue;
      if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
      else if (PROPS.has(k)) el[k] = v;
      else el.setAttribute(k === 'className' ? 'class' : k, v === true ? '' : String(v));
    }
  }
  append(el, ...kids);
  return el;
}

export function append(el, ...kids) {
  for (const kid of kids.flat(Infinity)) {
    if (kid === null || kid === undefined || kid === false) continue;
    el.append(kid instanceof Node ? kid : document.createTextNode(String(kid)));
  }
  return el;
}

export const h = (tag, attrs, ...kids) => build(document.createElement(tag), attrs, kids);
export const svg = (tag, attrs, ...kids) => build(document.createElementNS(SVG_NS, tag), attrs, kids);

export function replace(el, ...kids) {
  el.replaceChildren();
  return append(el, ...kids);
}

// A labelled form field: the label wraps nothing, it points at the control by id.
let nextId = 1;
export function field(label, control, hint) {
  if (!control.id) control.id = 'f' + nextId++;
  return h('div', { class: 'field' }, h('label', { for: control.id }, label), control,
    hint ? h('small', { class: 'hint' }, hint) : null);
}

export function select(options, attrs = {}) {
  return h('select', attrs, options.map(([value, text]) =>
    h('option', { value: String(value), selected: String(attrs.value ?? '') === String(value) }, text)));
}
