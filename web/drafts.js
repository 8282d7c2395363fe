// Drafts of half-typed forms (issue 16, item 7): a form marked
// data-draft="name" has its fields kept in localStorage as they are typed,
// per signed-in user and per page, and filled back in when the page is shown
// again — after navigating away, a reload, or a session that expired and was
// signed back into. A screen calls clearDraft(form) once the form's work is
// done. Passwords, files and hidden fields are never kept; drafts older than
// a week are dropped.
const PREFIX = 'sb-draft:';
const MAX_AGE_MS = 7 * 24 * 3600 * 1000;
let user = null;

export function setDraftUser(id) {
  user = id === null || id === undefined ? null : String(id);
}

function keyOf(form) {
  const name = form.dataset.draft;
  if (!user || !name) return null;
  return `${PREFIX}${user}:${location.pathname}:${name}`;
}

function kept(el) {
  if (!el.name || el.disabled) return false;
  const type = (el.type || '').toLowerCase();
  return !['password', 'file', 'hidden', 'submit', 'button', 'reset'].includes(type) &&
    el.dataset.noDraft === undefined;
}

function read(key) {
  try {
    const v = JSON.parse(localStorage.getItem(key) || 'null');
    if (!v || typeof v !== 'object' || typeof v.fields !== 'object') return null;
    if (Date.now() - (v.at || 0) > MAX_AGE_MS) { localStorage.removeItem(key); return null; }
    return v.fields;
  } catch {
    return null;
  }
}

export function saveDraft(form) {
  const key = keyOf(form);
  if (!key) return;
  const fields = {};
  let any = false;
  for (const el of form.elements) {
    if (!kept(el)) continue;
    const type = (el.type || '').toLowerCase();
    if (type === 'checkbox' || type === 'radio') {
      if (type === 'radio' && !el.checked) continue;
      fields[el.name] = type === 'checkbox' ? el.checked : el.value;
    } else {
      fields[el.name] = el.value;
    }
    if (fields[el.name] !== '' && fields[el.name] !== false) any = true;
  }
  try {
    if (any) localStorage.setItem(key, JSON.stringify({ at: Date.now(), fields }));
    else localStorage.removeItem(key);
  } catch { /* storage full or off: the form still works */ }
}

// Fills the form from its draft; true when there was one. A field the user
// has already changed is left alone, and so is a select whose kept value is
// no longer one of its options.
export function restoreDraft(form) {
  const key = keyOf(form);
  const fields = key && read(key);
  if (!fields) return false;
  let any = false;
  for (const el of form.elements) {
    if (!kept(el) || !(el.name in fields)) continue;
    const v = fields[el.name];
    const type = (el.type || '').toLowerCase();
    if (type === 'checkbox') { el.checked = !!v; any = true; continue; }
    if (type === 'radio') { el.checked = el.value === v; any = true; continue; }
    if (el.tagName === 'SELECT' && ![...el.options].some((o) => o.value === v)) continue;
    el.value = String(v);
    any = true;
  }
  if (any) {
    form.dataset.restored = 'true';
    form.dispatchEvent(new CustomEvent('sb:draft-restored', { bubbles: true }));
  }
  return any;
}

export function clearDraft(form) {
  const key = keyOf(form);
  if (key) localStorage.removeItem(key);
  delete form.dataset.restored;
}

// Restores every draft form under root and keeps them as they change. Forms
// added later (dialogs) are kept too, through the delegated listener.
export function keepDrafts(root) {
  for (const form of root.querySelectorAll('form[data-draft]')) restoreDraft(form);
}

function onInput(e) {
  const form = e.target && e.target.closest && e.target.closest('form[data-draft]');
  if (form) saveDraft(form);
}

export function startDrafts() {
  document.addEventListener('input', onInput);
  document.addEventListener('change', onInput);
  // drafts past their age are dropped once per page load
  try {
    for (let i = localStorage.length - 1; i >= 0; i--) {
      const k = localStorage.key(i);
      if (k && k.startsWith(PREFIX)) read(k);
    }
  } catch { /* storage off */ }
}
