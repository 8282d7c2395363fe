// Keyboard shortcuts for the frequent actions (issue 16, item 9), listed on a
// help overlay that "?" (or the Shortcuts button) opens:
//   /      the screen's search box      n   a new sale (Sell)
//   j, k   next, previous row of a list  Enter  opens the row (its link has the focus)
//   [, ]   previous, next record on a page opened from a list
//   ?      this list                      Esc   closes it
// Keys typed into a field are the field's, and a key with Ctrl, Alt or Cmd is
// the browser's.
import { h } from './dom.js';

const SHORTCUTS = [
  ['/', 'Go to the search box of the screen'],
  ['n', 'New sale (Sell)'],
  ['j', 'Next row of the list'],
  ['k', 'Previous row of the list'],
  ['Enter', 'Open the row'],
  ['[', 'Previous record (on a page opened from a list)'],
  [']', 'Next record (on a page opened from a list)'],
  ['?', 'Show these shortcuts'],
  ['Esc', 'Close this list, the bell or a dialog'],
];

let dialog = null;

function help() {
  if (!dialog) {
    dialog = h('dialog', { id: 'shortcuts', 'aria-labelledby': 'shortcuts-title' },
      h('div', { class: 'dialog-head' }, h('h2', { id: 'shortcuts-title' }, 'Keyboard shortcuts')),
      h('table', { class: 'shortcuts' },
        h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Key'), h('th', { scope: 'col' }, 'Does'))),
        h('tbody', null, SHORTCUTS.map(([k, what]) => h('tr', null, h('td', null, h('kbd', null, k)), h('td', null, what))))),
      h('div', { class: 'dialog-actions' },
        h('button', { type: 'button', onclick: () => dialog.close() }, 'Close')));
    document.body.append(dialog);
  }
  if (!dialog.open) dialog.showModal();
}

function typing(el) {
  return el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
}

// The rows of the screen's main list, and the one holding the focus (-1: none).
function rows() {
  const list = [...document.querySelectorAll('#main table tbody tr')].filter((tr) => tr.querySelector('a[href]'));
  const at = list.findIndex((tr) => tr.contains(document.activeElement));
  return [list, at];
}

function move(by) {
  const [list, at] = rows();
  if (!list.length) return;
  const next = at < 0 ? (by > 0 ? 0 : list.length - 1) : Math.min(list.length - 1, Math.max(0, at + by));
  const link = list[next].querySelector('a[href]');
  link.focus();
  list[next].scrollIntoView({ block: 'nearest' });
}

export function startKeys(navigate, signedIn) {
  document.addEventListener('keydown', (e) => {
    if (!signedIn() || e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
    if (typing(document.activeElement) || (dialog && dialog.open && e.key !== '?')) return;
    if (document.querySelector('dialog[open]:not(#shortcuts)')) return; // another dialog is the user's
    switch (e.key) {
    case '/': {
      const box = document.querySelector('#main input[type=search]');
      if (!box) return;
      box.focus();
      box.select();
      break;
    }
    case 'n': navigate('/sell'); break;
    case 'j': move(1); break;
    case 'k': move(-1); break;
    case '[': case ']': {
      const link = document.getElementById(e.key === '[' ? 'seq-prev' : 'seq-next');
      if (!link) return;
      link.click();
      break;
    }
    case '?': help(); break;
    default: return;
    }
    e.preventDefault();
  });
}

export function openShortcuts() { help(); }
