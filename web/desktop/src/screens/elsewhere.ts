// One desktop per agent: a tab that finds the session held elsewhere
// offers Continue (continueSession moves it here, interactions included);
// the tab it was taken from is told through desktopEvents and may take it
// back the same way.

import type { App } from '../app';
import { alertBox, busy, h } from '../dom';
import * as op from '../operations';
import { texts } from '../texts';
import { frame } from './signin';

function prompt(app: App, title: string, body: string, extra: string | null, continueLabel: string, signOutLabel: string): void {
  const alert = alertBox();
  const cont = h('button', { type: 'button', class: 'primary', autofocus: true }, continueLabel);
  const leave = h('button', { type: 'button', onclick: () => app.leave() }, signOutLabel);
  const actions = h('div', { class: 'actions' }, cont, leave);
  cont.addEventListener('click', async () => {
    try {
      const session = await busy(actions, () => op.continueSession(app.clientId));
      await app.activities(session);
    } catch (e) {
      alert.show(app.message(e));
    }
  });
  app.show(title, frame(title, h('p', {}, body), extra ? h('p', {}, extra) : null, alert.el, actions));
}

export function elsewherePrompt(app: App, activeInteractions: number): void {
  const t = texts.elsewhere;
  prompt(app, t.title, t.body, activeInteractions > 0 ? t.interactions(activeInteractions) : null, t.continue, t.cancel);
}

export function takenOverPage(app: App): void {
  const t = texts.takenOver;
  prompt(app, t.title, t.body, null, t.continue, t.signOut);
}
