// The server cannot be reached (or is not ready): what happened, with the
// details an administrator needs, and a way to try again.

import type { App } from '../app';
import type { TransportError } from '../api';
import { h } from '../dom';
import { texts } from '../texts';
import { frame } from './signin';

const t = texts.unreachable;

export function unreachablePage(app: App, e: TransportError, retry: () => void = () => location.reload()): void {
  const problems: Record<string, string> = { network: t.networkFailure, badAnswer: t.badAnswer, notReady: t.notReady };
  const rows: [string, string][] = [
    [t.server, location.origin],
    [t.problem, problems[e.message] ?? e.message],
    [t.status, e.status ? String(e.status) : '—'],
    [t.requestId, e.requestId ?? '—'],
    [t.time, new Date().toISOString()],
    [t.browser, navigator.userAgent],
  ];
  const details = h('dl', { class: 'details' }, ...rows.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
  app.show(
    t.title,
    frame(t.title, h('p', { role: 'alert' }, t.body), details, h('div', { class: 'actions' }, h('button', { type: 'button', class: 'primary', onclick: retry, autofocus: true }, t.retry))),
  );
}
