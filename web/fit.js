// Tables that fit the screen (issue 16, item 9): a table wider than its place
// (a tablet at 768 px, a narrow window) is shown as one card per row, each
// cell under its column's name, so that no action needs scrolling sideways.
// It goes back to a table once the place is wide enough again. Rows added
// later (Load more) are labelled as they come.
const natural = new WeakMap(); // wrapper → the table's width before stacking

function labelCells(table) {
  const heads = [...table.querySelectorAll('thead th')].map((th) => th.textContent.trim());
  for (const tr of table.querySelectorAll('tbody tr, tfoot tr')) {
    let col = 0;
    for (const td of tr.children) {
      const span = Number(td.getAttribute('colspan') || 1);
      if (span === 1 && heads[col] && !td.hasAttribute('data-label')) td.setAttribute('data-label', heads[col]);
      col += span;
    }
  }
}

function refit(wrap) {
  const table = wrap.querySelector('table');
  if (!table || !wrap.isConnected) return;
  labelCells(table);
  if (wrap.classList.contains('stacked')) {
    if (wrap.clientWidth < (natural.get(wrap) || Infinity)) return;
    wrap.classList.remove('stacked');
  }
  if (table.scrollWidth > wrap.clientWidth + 1) {
    natural.set(wrap, table.scrollWidth);
    wrap.classList.add('stacked');
  }
}

const resized = typeof ResizeObserver === 'function'
  ? new ResizeObserver((entries) => { for (const e of entries) refit(e.target); }) : null;

export function fitTable(wrap) {
  if (!wrap || wrap.dataset.fit) return;
  wrap.dataset.fit = 'true';
  if (resized) resized.observe(wrap);
  new MutationObserver(() => refit(wrap)).observe(wrap, { childList: true, subtree: true });
  refit(wrap);
}

// Every table of a screen, the ones added later included.
export function fitTables(root) {
  for (const w of root.querySelectorAll('.table-wrap')) fitTable(w);
  new MutationObserver(() => {
    for (const w of root.querySelectorAll('.table-wrap:not([data-fit])')) fitTable(w);
  }).observe(root, { childList: true, subtree: true });
}
