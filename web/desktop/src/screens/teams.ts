// Microsoft Teams: after the password, when stationLoginOptions asks for it
// (teamsIntegration.prompt), the agent signs in to Teams at the tenant's
// identity provider, which sends the browser back to
// /desktop/teams-callback. Cancelled or failed, the desktop goes on with a
// warning; the agent retries later from the profile settings.

import type { App } from '../app';
import { alertBox, busy, h } from '../dom';
import * as op from '../operations';
import { store } from '../store';
import { texts } from '../texts';
import { frame } from './signin';

const t = texts.teams;

/** teamsStep is the optional step before the station credentials. */
export async function teamsStep(app: App): Promise<void> {
  app.progress();
  let start: { authorizationUrl: string; state: string };
  try {
    // Started on entry: Cancel needs the flow's state to record CANCELLED.
    start = await op.startTeamsAuthentication();
  } catch (e) {
    store.setTeamsStepDone(true);
    store.setNotice({ text: t.failedNotice(app.message(e)), warning: true });
    return app.resume();
  }
  const alert = alertBox();
  const signInButton = h('button', { type: 'button', class: 'primary', autofocus: true }, t.signIn);
  const cancelButton = h('button', { type: 'button' }, t.cancel);
  const actions = h('div', { class: 'actions' }, signInButton, cancelButton);
  signInButton.addEventListener('click', () => redirect(app, start, 'station'));
  cancelButton.addEventListener('click', async () => {
    try {
      await busy(actions, () => op.cancelTeamsAuthentication(start.state));
    } catch {
      // The status stays as it was; the agent goes on either way.
    }
    store.setTeamsStepDone(true);
    store.setNotice({ text: t.skippedNotice, warning: true });
    await app.resume();
  });
  app.show(t.title, frame(t.title, h('p', {}, t.intro), alert.el, actions));
}

/** redirect sends the browser to the identity provider, remembering where to come back to. */
export function redirect(app: App, start: { authorizationUrl: string; state: string }, from: 'station' | 'settings'): void {
  store.setFlow({ kind: 'teams', state: start.state, slug: app.slug, from });
  app.progress();
  location.assign(start.authorizationUrl);
}

/** retry starts the Teams sign-in again (profile settings, "Try again"). */
export async function retry(app: App): Promise<void> {
  try {
    redirect(app, await op.startTeamsAuthentication(), 'settings');
  } catch (e) {
    store.setNotice({ text: t.failedNotice(app.message(e)), warning: true });
    await app.resume();
  }
}

/**
 * completeTeamsCallback finishes the flow at /desktop/teams-callback: a
 * code completes it (SUCCEEDED, or FAILED with the server's reason); the
 * provider's error=access_denied means the agent cancelled there.
 */
export async function completeTeamsCallback(app: App, params: URLSearchParams): Promise<void> {
  const flow = store.flow();
  store.setFlow(null);
  if (flow?.slug) app.slug = flow.slug;
  history.replaceState(null, '', `/desktop/${app.slug}`);
  store.setTeamsStepDone(true);
  const state = params.get('state') ?? '';
  if (!flow || flow.kind !== 'teams' || flow.state !== state) {
    store.setNotice({ text: t.skippedNotice, warning: true });
    return app.resume();
  }
  app.progress();
  const from = flow.from ?? 'station';
  try {
    if (params.get('error') === 'access_denied') {
      await op.cancelTeamsAuthentication(state);
      store.setNotice({ text: t.skippedNotice, warning: true });
    } else {
      // No code (the provider's other errors) completes as FAILED, with the server's reason.
      await op.completeTeamsAuthentication(state, params.get('code') ?? '');
      store.setNotice({ text: t.succeeded });
    }
  } catch (e) {
    store.setNotice({ text: t.failedNotice(app.message(e)), warning: true });
  }
  await app.resume({ openSettings: from === 'settings' });
}
