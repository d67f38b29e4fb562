// Start-up: the too-small-window message, progress while the server is
// probed, then the screen the URL asks for — /desktop/{tenantSlug} (sign-in
// or the restored session), /sso/callback or /desktop/teams-callback.

import './style.css';
import { probe, TransportError } from './api';
import { App } from './app';
import { h } from './dom';
import { store } from './store';
import { texts } from './texts';
import { ssoCallback } from './screens/signin';
import { unreachablePage } from './screens/unreachable';

/** The message shown instead of the layout in a window under 500 × 500 (CSS decides when). */
function tooSmallMessage(): HTMLElement {
  return h('div', { class: 'too-small', role: 'alert' }, h('h1', {}, texts.tooSmall.title), h('p', {}, texts.tooSmall.body));
}

/**
 * consoleStartedSso says whether the SSO flow coming back to /sso/callback was
 * started by the admin console of this origin (it keeps { state, returnTo }
 * under 'agentdesk.sso' in this tab), which completes it at '/' itself.
 */
function consoleStartedSso(params: URLSearchParams): boolean {
  try {
    const flow = JSON.parse(sessionStorage.getItem('agentdesk.sso') ?? 'null');
    return flow?.returnTo === '/' && flow?.state === params.get('state');
  } catch {
    return false;
  }
}

async function start(): Promise<void> {
  const root = document.getElementById('app')!;
  document.body.prepend(tooSmallMessage());
  document.documentElement.lang = document.documentElement.lang || 'en';

  const path = location.pathname;
  const params = new URLSearchParams(location.search);
  const fromPath = /^\/desktop\/([a-z0-9-]{2,40})$/.exec(path)?.[1];
  const isTeamsCallback = path === '/desktop/teams-callback';
  const isSsoCallback = path === '/sso/callback';
  if (isSsoCallback && consoleStartedSso(params)) {
    location.replace('/' + location.search);
    return;
  }
  const slug = (!isTeamsCallback && fromPath) || store.slug() || '';
  if (slug) store.setSlug(slug);
  const app = new App(root, slug);

  app.progress(texts.loading);
  try {
    await probe();
  } catch (e) {
    return unreachablePage(app, e as TransportError);
  }
  if (isSsoCallback) return ssoCallback(app, params);
  if (isTeamsCallback) return app.teamsCallback(params);
  if (store.token()) return app.resume();
  app.signInPage();
}

void start();
