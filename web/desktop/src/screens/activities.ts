// The activities page: the tenant's artwork as background (blank when
// none), banners at the top, the agent's state (Available / Idle with an
// idle code), the profile menu (profile settings, Sign out). desktopEvents
// keep it live: taken over, forced sign-out, banner changes and the
// inactivity warning a minute before the sign-out.

import type { App } from '../app';
import { codeOf } from '../api';
import { alertBox, busy, field, h, noticeBox, warningIcon } from '../dom';
import { subscribe, type DesktopEvent } from '../events';
import * as op from '../operations';
import { store } from '../store';
import { texts } from '../texts';
import { takenOverPage } from './elsewhere';
import { retry } from './teams';

const t = texts.activities;

/** What the step before may hand to the page. */
export interface ActivitiesExtras {
  /** Whether "Remember my sign-in details" could save them. */
  saved?: { ok: boolean; reason: string | null };
  /** Open the profile settings at once (back from a Teams retry). */
  openSettings?: boolean;
}

export function activitiesPage(
  app: App,
  props: { session: op.DesktopSession; user: op.Me; options: op.StationLoginOptions } & ActivitiesExtras,
): void {
  let session = props.session;
  const alert = alertBox();

  // Banners, replaced whenever the server says they changed.
  const bannerList = h('div', { class: 'banners' });
  const showBanners = (list: op.Banner[]) =>
    bannerList.replaceChildren(
      ...list.map((b) =>
        h('p', { class: `banner banner-${b.severity.toLowerCase()}` }, b.severity === 'WARNING' ? warningIcon(texts.teams.warningIcon) : null, h('span', {}, b.message)),
      ),
    );
  showBanners(props.options.banners);
  const bannerRegion = h('section', { 'aria-label': t.banners, 'aria-live': 'polite' }, bannerList);

  // State: Available, or Idle with an idle code.
  const stateSelect = h('select', { name: 'state' }, h('option', { value: 'AVAILABLE' }, t.available), h('option', { value: 'IDLE' }, t.idle));
  const codeSelect = h(
    'select',
    { name: 'idleCode' },
    h('option', { value: '' }, t.noIdleCode),
    ...Object.entries(t.idleCodes).map(([code, label]) => h('option', { value: code }, label)),
  );
  const stateField = field(t.state, stateSelect);
  const codeField = field(t.idleCode, codeSelect);
  const stateBox = h('div', { class: 'state' }, stateField.wrap, codeField.wrap);
  const showState = () => {
    stateSelect.value = session.state;
    codeSelect.value = session.idleCode in t.idleCodes ? session.idleCode : '';
    codeField.wrap.hidden = session.state !== 'IDLE';
    stateBox.dataset.state = session.state;
  };
  const changeState = async () => {
    alert.show(null);
    const state = stateSelect.value as 'AVAILABLE' | 'IDLE';
    try {
      session = await busy(stateBox, () => op.setAgentState(app.clientId, state, state === 'IDLE' && codeSelect.value ? codeSelect.value : undefined));
    } catch (e) {
      if (isSessionGone(e)) return void app.handleSessionError(e);
      alert.show(app.message(e));
    }
    showState();
    renderSession();
  };
  stateSelect.addEventListener('change', changeState);
  codeSelect.addEventListener('change', changeState);

  // The session's station, team and interactions.
  const sessionInfo = h('dl', { class: 'details' });
  const renderSession = () => {
    const station = session.dialNumber ?? session.extension ?? '';
    const active = session.interactions.filter((i) => i.active).length;
    sessionInfo.replaceChildren(
      h('dt', {}, t.station),
      h('dd', {}, `${texts.station.types[session.stationType]}${station ? ` ${station}` : ''}`),
      h('dt', {}, t.team),
      h('dd', {}, session.team?.name ?? '—'),
      h('dd', { class: 'wide' }, t.interactions(active)),
    );
  };

  // Profile menu: settings and Sign out.
  const menuButton = h('button', { type: 'button', class: 'profile', 'aria-haspopup': 'menu', 'aria-expanded': 'false', 'aria-controls': 'profile-menu', 'aria-label': t.profileMenu(props.user.name) }, props.user.name);
  const settingsItem = h('button', { type: 'button', role: 'menuitem', tabindex: '-1' }, t.settings);
  const signOutItem = h('button', { type: 'button', role: 'menuitem', tabindex: '-1' }, t.signOut);
  const menu = h('div', { id: 'profile-menu', role: 'menu', class: 'menu', hidden: true, 'aria-label': t.profile }, settingsItem, signOutItem);
  const items = [settingsItem, signOutItem];
  const openMenu = (open: boolean, focusItem = 0) => {
    menu.hidden = !open;
    menuButton.setAttribute('aria-expanded', String(open));
    if (open) items[focusItem].focus();
  };
  menuButton.addEventListener('click', () => openMenu(menu.hidden === true));
  menuButton.addEventListener('keydown', (ev) => {
    if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
      ev.preventDefault();
      openMenu(true, ev.key === 'ArrowUp' ? items.length - 1 : 0);
    }
  });
  menu.addEventListener('keydown', (ev) => {
    const i = items.indexOf(document.activeElement as HTMLButtonElement);
    if (ev.key === 'Escape' || ev.key === 'Tab') {
      openMenu(false);
      if (ev.key === 'Escape') menuButton.focus();
    } else if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
      ev.preventDefault();
      items[(i + (ev.key === 'ArrowDown' ? 1 : items.length - 1)) % items.length].focus();
    }
  });
  settingsItem.addEventListener('click', () => {
    openMenu(false);
    openSettings();
  });
  signOutItem.addEventListener('click', async () => {
    openMenu(false);
    alert.show(null);
    try {
      await op.signOut(app.clientId);
      store.setToken(null);
      app.signInPage(texts.signIn.signedOut);
    } catch (e) {
      if (isSessionGone(e)) return void app.handleSessionError(e);
      // AGENT_NOT_IDLE, ACTIVE_INTERACTION, MONITORING_IN_PROGRESS: the server says why.
      alert.show(app.message(e));
      menuButton.focus();
    }
  });

  // Profile settings: Collaboration tools – Microsoft Teams.
  const s = texts.settings;
  const dialog = h('dialog', { 'aria-labelledby': 'settings-title', class: 'dialog' });
  const openSettings = async () => {
    const user = (await op.me().catch(() => null)) ?? props.user;
    const status = user.teamsAuthStatus;
    const ok = status === 'SUCCEEDED';
    const tryAgain = h('button', { type: 'button', class: 'primary', onclick: () => retry(app) }, s.tryAgain);
    dialog.replaceChildren(
      h('h2', { id: 'settings-title' }, s.title),
      h(
        'section',
        { 'aria-labelledby': 'teams-settings' },
        h('h3', { id: 'teams-settings' }, s.collaboration),
        h('p', { class: ok ? 'status' : 'status status-warning' }, ok ? null : warningIcon(texts.teams.warningIcon), `${s.status}: ${s.statuses[status]}`),
        ok ? null : tryAgain,
      ),
      h('div', { class: 'actions' }, h('button', { type: 'button', onclick: () => dialog.close() }, s.close)),
    );
    dialog.showModal();
    (ok ? dialog.querySelector<HTMLButtonElement>('.actions button') : tryAgain)?.focus();
  };
  dialog.addEventListener('close', () => menuButton.focus());

  // The inactivity warning: a countdown, and a desktop call that keeps the session.
  const inactivity = h('dialog', { 'aria-labelledby': 'inactivity-title', role: 'alertdialog', class: 'dialog' });
  let countdown: number | undefined;
  const warnInactivity = (e: DesktopEvent) => {
    let left = 60 - Math.max(0, Math.round((Date.now() - Date.parse(e.at)) / 1000));
    if (!(left > 0 && left <= 60)) left = 60;
    const body = h('p', {}, texts.inactivity.body(left));
    const stay = h('button', { type: 'button', class: 'primary' }, texts.inactivity.stay);
    stay.addEventListener('click', async () => {
      clearInterval(countdown);
      inactivity.close();
      try {
        await op.desktopSession(app.clientId);
      } catch (err) {
        void app.handleSessionError(err);
      }
    });
    inactivity.replaceChildren(h('h2', { id: 'inactivity-title' }, texts.inactivity.title), body, h('div', { class: 'actions' }, stay));
    clearInterval(countdown);
    countdown = window.setInterval(() => {
      left = Math.max(0, left - 1);
      body.textContent = texts.inactivity.body(left);
    }, 1000);
    if (!inactivity.open) inactivity.showModal();
    stay.focus();
  };

  const onEvent = (e: DesktopEvent) => {
    switch (e.type) {
      case 'SESSION_TAKEN_OVER':
        return takenOverPage(app);
      case 'FORCED_SIGN_OUT':
        return void app.leave(texts.signIn.endedWithReason(e.message ?? ''));
      case 'BANNERS_CHANGED':
        return void op.banners().then(showBanners, () => {});
      case 'INACTIVITY_WARNING':
        return warnInactivity(e);
    }
  };
  const stop = subscribe(store.token() ?? '', app.clientId, onEvent);

  // Notices: remembered details, and whatever the step before left (Teams).
  const saved = props.saved;
  const savedNotice = saved ? noticeBox(saved.ok ? { text: t.saved } : { text: t.notSaved(saved.reason ?? ''), warning: true }, texts.teams.warningIcon) : null;
  const carried = noticeBox(store.takeNotice(), texts.teams.warningIcon);

  const main = h(
    'main',
    { class: 'activities' },
    h('h1', { tabindex: '-1' }, t.title),
    savedNotice,
    carried,
    alert.el,
    h('section', { class: 'card session', 'aria-label': t.station }, sessionInfo),
  );
  const artwork = props.options.activityPage.artworkUrl;
  if (artwork) {
    // Set through CSSOM, which the strict CSP allows (style attributes in markup it would not).
    main.style.backgroundImage = `url(${JSON.stringify(artwork)})`;
    main.classList.add('with-artwork');
  }
  const header = h('header', { class: 'topbar' }, h('span', { class: 'brand' }, texts.appName), stateBox, h('div', { class: 'menu-wrap' }, menuButton, menu));
  showState();
  renderSession();
  app.show(t.title, h('div', { class: 'page' }, bannerRegion, header, main, dialog, inactivity), () => {
    stop();
    clearInterval(countdown);
  });
  if (props.openSettings) void openSettings();
}

function isSessionGone(e: unknown): boolean {
  return ['SESSION_TAKEN_OVER', 'SESSION_EXPIRED', 'NO_DESKTOP_SESSION', 'UNAUTHENTICATED', 'SESSION_ACTIVE_ELSEWHERE'].includes(codeOf(e));
}
