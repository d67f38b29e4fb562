// Sign-in: the e-mail first (signInOptions decides password or SSO), then
// the password; "Forgot password?" sends a six-digit code and sets a new
// password with it. The SSO redirect comes back to /sso/callback.

import type { App } from '../app';
import { codeOf } from '../api';
import { alertBox, busy, field, h } from '../dom';
import * as op from '../operations';
import { store } from '../store';
import { texts } from '../texts';

const t = texts.signIn;

/** frame is the sign-in card every step of this file uses. */
export function frame(title: string, ...children: (Node | null)[]): HTMLElement {
  return h(
    'main',
    { class: 'center' },
    h('section', { class: 'card', 'aria-labelledby': 'card-title' }, h('p', { class: 'brand' }, texts.appName), h('h1', { id: 'card-title', tabindex: '-1' }, title), ...children),
  );
}

export function emailStep(app: App, email = '', notice?: string): void {
  const input = h('input', { type: 'email', name: 'email', autocomplete: 'username', required: true, autofocus: true, value: email });
  const f = field(t.email, input);
  const alert = alertBox();
  const form = h('form', { novalidate: true }, f.wrap, h('button', { type: 'submit', class: 'primary' }, t.submit));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const value = input.value.trim();
    f.setError(value ? null : t.emailRequired);
    alert.show(null);
    if (!value) return input.focus();
    try {
      const options = await busy(form, () => op.signInOptions(value));
      store.setEmail(value);
      if (options.method === 'SSO' && options.ssoAuthorizationUrl && options.state) {
        store.setFlow({ kind: 'sso', state: options.state, slug: app.slug });
        app.progress(t.ssoRedirect);
        location.assign(options.ssoAuthorizationUrl);
        return;
      }
      passwordStep(app, value);
    } catch (e) {
      alert.show(app.message(e));
    }
  });
  const noticeBox = alertBox();
  if (notice) noticeBox.show(notice, 'info');
  app.show(t.title, frame(t.title, noticeBox.el, alert.el, form));
}

function passwordStep(app: App, email: string): void {
  const input = h('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: true, autofocus: true });
  const f = field(t.password, input);
  const alert = alertBox();
  const back = () => emailStep(app, email);
  const form = h(
    'form',
    { novalidate: true },
    // The username field lets password managers pair the password with the account.
    h('input', { type: 'email', name: 'email', autocomplete: 'username', value: email, hidden: true, 'aria-hidden': 'true', tabindex: '-1' }),
    f.wrap,
    h('button', { type: 'submit', class: 'primary' }, t.submit),
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    f.setError(input.value ? null : t.passwordRequired);
    alert.show(null);
    if (!input.value) return input.focus();
    try {
      const token = await busy(form, () => op.signIn(email, input.value));
      await app.signedIn(token, email);
    } catch (e) {
      alert.show(app.message(e));
      if (codeOf(e) === 'INVALID_CREDENTIALS') input.select();
    }
  });
  const screen = frame(
    t.title,
    h(
      'div',
      { class: 'who' },
      h('p', {}, t.signedInAs(email)),
      h('button', { type: 'button', class: 'link', onclick: back, 'aria-describedby': 'back-hint' }, t.changeEmail),
      h('p', { class: 'hint', id: 'back-hint' }, t.changeEmailHint),
    ),
    alert.el,
    form,
    h('button', { type: 'button', class: 'link', onclick: () => forgotStep(app, email) }, t.forgot),
  );
  // Alt+Left (Cmd+Left on a Mac) goes back to change the address, as in the product.
  screen.addEventListener('keydown', (ev) => {
    if (ev.key === 'ArrowLeft' && (ev.altKey || ev.metaKey)) {
      ev.preventDefault();
      back();
    }
  });
  app.show(t.title, screen);
}

const r = texts.reset;

function forgotStep(app: App, email: string): void {
  const input = h('input', { type: 'email', name: 'email', autocomplete: 'username', required: true, autofocus: true, value: email });
  const f = field(t.email, input);
  const alert = alertBox();
  const form = h('form', { novalidate: true }, h('p', {}, r.intro), f.wrap, h('button', { type: 'submit', class: 'primary' }, r.send));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const value = input.value.trim();
    f.setError(value ? null : t.emailRequired);
    if (!value) return input.focus();
    try {
      await busy(form, () => op.requestPasswordReset(value));
      codeStep(app, value);
    } catch (e) {
      alert.show(app.message(e));
    }
  });
  app.show(r.title, frame(r.title, alert.el, form, h('button', { type: 'button', class: 'link', onclick: () => emailStep(app, email) }, r.back)));
}

function codeStep(app: App, email: string): void {
  const code = h('input', {
    type: 'text',
    name: 'code',
    inputmode: 'numeric',
    autocomplete: 'one-time-code',
    pattern: '[0-9]{6}',
    maxlength: '6',
    required: true,
    autofocus: true,
  });
  const pw = h('input', { type: 'password', name: 'new-password', autocomplete: 'new-password', required: true });
  const pw2 = h('input', { type: 'password', name: 'confirm-password', autocomplete: 'new-password', required: true });
  const fc = field(r.code, code, r.codeHint);
  const fp = field(r.newPassword, pw, r.newPasswordHint);
  const fp2 = field(r.confirmPassword, pw2);
  const alert = alertBox();
  const sent = alertBox();
  sent.show(r.sent(email), 'info');
  const form = h('form', { novalidate: true }, fc.wrap, fp.wrap, fp2.wrap, h('button', { type: 'submit', class: 'primary' }, r.submit));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    alert.show(null);
    const digits = code.value.trim();
    fc.setError(/^\d{6}$/.test(digits) ? null : r.codeInvalid);
    fp2.setError(pw.value === pw2.value ? null : r.mismatch);
    fp.setError(null);
    if (!/^\d{6}$/.test(digits)) return code.focus();
    if (pw.value !== pw2.value) return pw2.focus();
    try {
      await busy(form, () => op.resetPassword(email, digits, pw.value));
      emailStep(app, email, t.resetDone);
    } catch (e) {
      const c = codeOf(e);
      if (c === 'INVALID_CODE') fc.setError(app.message(e));
      else if (c === 'WEAK_PASSWORD') fp.setError(app.message(e));
      else alert.show(app.message(e));
      (c === 'WEAK_PASSWORD' ? pw : code).focus();
    }
  });
  app.show(r.title, frame(r.title, sent.el, alert.el, form, h('button', { type: 'button', class: 'link', onclick: () => emailStep(app, email) }, r.back)));
}

/** ssoCallback completes the SSO sign-in the identity provider sent the browser back from. */
export async function ssoCallback(app: App, params: URLSearchParams): Promise<void> {
  const flow = store.flow();
  store.setFlow(null);
  const state = params.get('state') ?? '';
  const code = params.get('code') ?? '';
  if (flow?.slug) app.slug = flow.slug;
  history.replaceState(null, '', `/desktop/${app.slug}`);
  if (!flow || flow.kind !== 'sso' || flow.state !== state || !code) {
    return app.signInPage(t.ssoFailed);
  }
  app.progress();
  try {
    const token = await op.completeSsoSignIn(state, code);
    await app.signedIn(token);
  } catch (e) {
    app.signInPage(app.message(e));
  }
}
