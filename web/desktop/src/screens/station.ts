// Station credentials, exactly as stationLoginOptions says: the allowed
// station types (Dial Number chosen by default), the dial number in
// international format (country + national number) or as one E.164/IDD
// string, read-only when locked to the default, checked inline with
// validateDialNumber; the extension; Desktop (Chrome only); the team; and
// "Remember my sign-in details".

import type { App } from '../app';
import { ApiError, codeOf } from '../api';
import { alertBox, busy, debounce, field, h, noticeBox, searchableSelect } from '../dom';
import * as op from '../operations';
import { store } from '../store';
import { texts } from '../texts';
import { frame } from './signin';

const t = texts.station;

export function stationStep(app: App, options: op.StationLoginOptions, user: op.Me): void {
  const remembered = options.rememberedStation;
  const locked = options.dialNumberLocked;
  const allowed = (['DIAL_NUMBER', 'EXTENSION', 'DESKTOP'] as op.StationType[]).filter((s) => options.stationTypes.includes(s));
  const initialType =
    remembered && allowed.includes(remembered.stationType) ? remembered.stationType : (options.defaultStationType ?? allowed[0]);

  // Station type radios.
  const radios = allowed.map((type) =>
    h('input', { type: 'radio', name: 'stationType', value: type, id: `station-${type}`, checked: type === initialType }),
  );
  const typeGroup = h(
    'fieldset',
    { class: 'radios' },
    h('legend', {}, t.stationType),
    ...allowed.map((type, i) => h('div', { class: 'radio' }, radios[i], h('label', { for: `station-${type}` }, t.types[type]))),
  );
  const stationType = () => (radios.find((r) => r.checked)?.value ?? initialType) as op.StationType;

  // Dial number: international format (country + national number) or one field.
  const country = options.defaultCountry;
  let intlDefault = remembered?.stationType === 'DIAL_NUMBER' ? remembered.internationalFormat : options.internationalFormat;
  let number = remembered?.dialNumber ?? '';
  const prefix = `+${country.callingCode}`;
  if (!remembered?.dialNumber && options.defaultDialNumber) {
    // The default is E.164; in international format show its national part when it is of the default country.
    if (intlDefault && options.defaultDialNumber.startsWith(prefix)) number = options.defaultDialNumber.slice(prefix.length);
    else {
      number = options.defaultDialNumber;
      intlDefault = false;
    }
  }
  if (locked) {
    // Read-only: the default number as the server stores it.
    intlDefault = false;
    number = options.defaultDialNumber ?? '';
  }
  const intl = h('input', { type: 'checkbox', id: 'intl', name: 'internationalFormat', checked: intlDefault, disabled: locked });
  const intlRow = h('div', { class: 'check' }, intl, h('label', { for: 'intl' }, t.international));
  const countries = searchableSelect({
    name: 'country',
    searchLabel: t.countrySearch,
    selectLabel: t.country,
    emptyLabel: t.noCountry,
    selected: remembered?.country ?? country.isoCode,
    load: async (filter) => (await op.countries(filter)).map((c) => ({ value: c.isoCode, label: `${c.name} (+${c.callingCode})` })),
  });
  const numberInput = h('input', { type: 'tel', name: 'dialNumber', autocomplete: 'tel', maxlength: '43', value: number, readonly: locked });
  const numberField = field(t.phoneNational, numberInput, t.phoneNationalHint);
  const numberLabel = numberField.wrap.querySelector('label')!;
  const numberHint = numberField.wrap.querySelector('.hint')!;
  const lockedNote = locked ? h('p', { class: 'hint' }, t.locked) : null;
  const dialPanel = h('div', { class: 'panel' }, intlRow, countries.wrap, numberField.wrap, lockedNote);

  // Extension.
  const extInput = h('input', {
    type: 'text',
    name: 'extension',
    inputmode: 'numeric',
    maxlength: '10',
    value: remembered?.extension ?? options.defaultExtension ?? '',
    readonly: locked,
  });
  const extField = field(t.extension, extInput, t.extensionHint);
  const extPanel = h('div', { class: 'panel' }, extField.wrap, locked ? h('p', { class: 'hint' }, t.locked) : null);

  // Desktop (WebRTC).
  const desktopError = alertBox();
  const desktopPanel = h('div', { class: 'panel' }, h('p', {}, t.desktopInfo(options.supportedDesktopBrowsers)), desktopError.el);

  // Team.
  const teams = searchableSelect({
    name: 'team',
    searchLabel: t.teamSearch,
    selectLabel: t.team,
    emptyLabel: t.noTeam,
    selected: remembered?.team?.id,
    load: async (filter) =>
      (filter ? await op.teams(filter) : options.teams).map((team) => ({ value: team.id, label: team.name })),
  });

  // Role, for a supervisor who is also an agent.
  const roleSelect = h('select', { name: 'role' }, ...options.roles.map((r) => h('option', { value: r }, t.roles[r] ?? r)));
  const roleField = options.roles.length > 1 ? field(t.role, roleSelect) : null;

  const remember = h('input', { type: 'checkbox', id: 'remember', name: 'rememberMe', checked: !!remembered });
  const alert = alertBox();
  const form = h(
    'form',
    { novalidate: true },
    typeGroup,
    dialPanel,
    extPanel,
    desktopPanel,
    teams.wrap,
    roleField?.wrap,
    h('div', { class: 'check' }, remember, h('label', { for: 'remember' }, t.remember)),
    options.teams.length ? null : h('p', { class: 'alert alert-error' }, t.noTeams),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, t.submit), h('button', { type: 'button', onclick: () => app.leave() }, t.signOut)),
  );

  const layout = () => {
    const type = stationType();
    dialPanel.hidden = type !== 'DIAL_NUMBER';
    extPanel.hidden = type !== 'EXTENSION';
    desktopPanel.hidden = type !== 'DESKTOP';
    countries.wrap.hidden = !intl.checked;
    numberLabel.textContent = intl.checked ? t.phoneNational : t.dialNumber;
    numberHint.textContent = intl.checked ? t.phoneNationalHint : t.dialNumberHint;
  };
  const dialInput = (): op.StationLoginInput['dialNumber'] => numberInput.value.trim();

  // Inline validation with the server's rules and message.
  let checkSeq = 0;
  const check = async (): Promise<boolean> => {
    const value = dialInput();
    const mine = ++checkSeq;
    if (!value) {
      numberField.setError(null);
      return false;
    }
    try {
      const res = await op.validateDialNumber({
        dialNumber: value!,
        internationalFormat: intl.checked,
        country: intl.checked ? countries.select.value : undefined,
      });
      if (mine === checkSeq) numberField.setError(res.valid ? null : (res.reason ?? ''));
      return res.valid;
    } catch (e) {
      if (mine === checkSeq) numberField.setError(app.message(e));
      return false;
    }
  };
  const checkSoon = debounce(() => void check(), 400);
  numberInput.addEventListener('input', checkSoon);
  numberInput.addEventListener('blur', () => void check());
  countries.select.addEventListener('change', () => numberInput.value && checkSoon());
  intl.addEventListener('change', () => {
    layout();
    if (numberInput.value) checkSoon();
  });
  radios.forEach((r) => r.addEventListener('change', layout));

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    checkSeq++; // a check still under way (blur) must not clear the answer below
    alert.show(null);
    desktopError.show(null);
    numberField.setError(null);
    extField.setError(null);
    teams.field.setError(null);
    const type = stationType();
    const input: op.StationLoginInput = {
      clientId: app.clientId,
      stationType: type,
      teamId: teams.select.value,
      rememberMe: remember.checked,
      role: roleField ? roleSelect.value : undefined,
    };
    if (type === 'DIAL_NUMBER') {
      input.dialNumber = dialInput();
      input.internationalFormat = intl.checked;
      if (intl.checked) input.country = countries.select.value;
    }
    if (type === 'EXTENSION') input.extension = extInput.value.trim();
    try {
      const result = await busy(form, () => op.stationLogin(input));
      store.setNotice(null);
      await app.activities(result.session, {
        saved: remember.checked ? { ok: result.credentialsSaved, reason: result.credentialsNotSavedReason } : undefined,
      });
    } catch (e) {
      showError(e);
    }
  });

  const showError = (e: unknown) => {
    const message = app.message(e);
    const fieldName = e instanceof ApiError ? String(e.extensions.field ?? '') : '';
    switch (codeOf(e)) {
      case 'SESSION_ACTIVE_ELSEWHERE':
      case 'SESSION_TAKEN_OVER':
      case 'UNAUTHENTICATED':
        return void app.handleSessionError(e);
      case 'INVALID_DIAL_NUMBER':
      case 'DIAL_NUMBER_LOCKED':
      case 'DIAL_NUMBER_IN_USE':
        if (stationType() === 'EXTENSION') return focusError(extField, message);
        return focusError(numberField, message);
      case 'BROWSER_NOT_SUPPORTED':
        desktopError.show(message);
        return radios.find((r) => r.checked)?.focus();
      case 'TEAM_NOT_ASSIGNED':
        return focusError(teams.field, message);
      case 'VALIDATION_ERROR':
        if (fieldName.toLowerCase().includes('extension')) return focusError(extField, message);
        if (fieldName.toLowerCase().includes('dialnumber')) return focusError(numberField, message);
        if (fieldName.toLowerCase().includes('team')) return focusError(teams.field, message);
    }
    alert.show(message);
  };

  layout();
  const notice = noticeBox(store.takeNotice(), texts.teams.warningIcon);
  app.show(t.title, frame(t.title, h('p', { class: 'who' }, user.name), notice, alert.el, form));
  void countries.ready.then(() => {
    if (numberInput.value && !locked) void check();
  });
}

function focusError(f: { setError(m: string | null): void; input: HTMLElement }, message: string): void {
  f.setError(message);
  f.input.focus();
}
