// Sign in with a username and password; the server sets the session cookie.
import { h, append } from '../dom.js';
import * as api from '../api.js';
import { errorBox } from '../ui.js';

export default function signin(ctx) {
  const user = h('input', { id: 'username', name: 'username', autocomplete: 'username', required: true, autocapitalize: 'none', spellcheck: 'false' });
  const pass = h('input', { id: 'password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const err = errorBox();
  err.id = 'signin-error';
  const submit = h('button', { type: 'submit' }, 'Sign in');
  const form = h('form', { class: 'signin', 'aria-describedby': 'signin-error' },
    h('h1', { tabindex: '-1' }, 'Sign in'),
    h('div', { class: 'field' }, h('label', { for: 'username' }, 'Username'), user),
    h('div', { class: 'field' }, h('label', { for: 'password' }, 'Password'), pass),
    err, submit);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    submit.disabled = true;
    err.show(null);
    try {
      const body = await api.post('/session', { username: user.value.trim(), password: pass.value });
      ctx.onSignedIn(body, ctx.query.get('next'));
    } catch (e2) {
      if (e2.code === 'invalid_credentials') e2.message = 'That username and password do not match. Try again.';
      else if (e2.code === 'too_many_attempts') {
        const secs = Number(e2.retryAfter);
        e2.message = 'Too many failed sign-ins from here.' +
          (secs > 0 ? ` Try again in ${Math.ceil(secs / 60)} minute${secs > 60 ? 's' : ''}.` : ' Try again later.');
      }
      err.show(e2);
      pass.value = '';
      pass.focus();
    } finally {
      submit.disabled = false;
    }
  });
  append(ctx.root, h('section', { class: 'signin-wrap', 'aria-labelledby': 'signin-title' }, form));
  form.querySelector('h1').id = 'signin-title';
  user.focus();
}
