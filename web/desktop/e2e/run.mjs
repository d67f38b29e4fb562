// The desktop's end-to-end scenarios in headless Chromium (playwright-core,
// Debian's /usr/bin/chromium, no browser download). Started by
// browser_test.go, which runs agentdesk, an SMTP server and an OpenID
// provider on loopback and passes their URLs in the environment:
//
//   AGENTDESK_URL, AGENTDESK_ADMIN_EMAIL, AGENTDESK_ADMIN_PASSWORD,
//   CONTROL_URL (mail, clock, sweep, next SSO user), OIDC_ISSUER,
//   OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, CHROMIUM, ARTIFACTS, E2E_ONLY.
//
// Elements are found by role and label, as an agent (or a screen reader)
// finds them. Every request the browser makes must go to agentdesk or the
// local provider: any other host fails the scenario. Screenshots of every
// screen go to ARTIFACTS.

import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync, crc32 } from 'node:zlib';
import { chromium } from 'playwright-core';

const env = process.env;
const BASE = env.AGENTDESK_URL;
const CONTROL = env.CONTROL_URL;
const ARTIFACTS = env.ARTIFACTS || 'test-artefacts';
mkdirSync(ARTIFACTS, { recursive: true });
const allowedOrigins = new Set([new URL(BASE).origin, new URL(env.OIDC_ISSUER).origin]);
const PASSWORD = 'a long agent passphrase 7';
const TIMEOUT = 10_000;

// ---------- The API, as an admin or integration would call it ----------

async function gql(token, query, variables = {}) {
  const res = await fetch(`${BASE}/graphql`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = await res.json();
  if (body.errors?.length) throw new Error(`${query.slice(0, 60)}…: ${JSON.stringify(body.errors)}`);
  return body.data;
}

async function control(method, path) {
  const res = await fetch(`${CONTROL}${path}`, { method });
  const text = await res.text();
  if (!res.ok) throw new Error(`control ${path}: ${res.status} ${text}`);
  return text;
}

/** A small gradient PNG, made here, as the activity page's artwork. */
function artworkPNG(w = 96, h = 64) {
  const raw = Buffer.alloc((w * 3 + 1) * h);
  for (let y = 0; y < h; y++) {
    raw[y * (w * 3 + 1)] = 0;
    for (let x = 0; x < w; x++) {
      const o = y * (w * 3 + 1) + 1 + x * 3;
      raw[o] = 200 + Math.round((55 * x) / w);
      raw[o + 1] = 220 + Math.round((35 * y) / h);
      raw[o + 2] = 255;
    }
  }
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(td) >>> 0);
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

async function uploadArtwork(token, tenantId) {
  const form = new FormData();
  form.append('operations', JSON.stringify({ query: 'mutation($t: ID!, $f: Upload!){ uploadActivityPageArtwork(tenantId: $t, file: $f){ artworkUrl } }', variables: { t: tenantId, f: null } }));
  form.append('map', JSON.stringify({ 0: ['variables.f'] }));
  form.append('0', new Blob([artworkPNG()], { type: 'image/png' }), 'artwork.png');
  const res = await fetch(`${BASE}/graphql`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'X-Requested-With': 'e2e' }, body: form });
  const body = await res.json();
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data.uploadActivityPageArtwork.artworkUrl;
}

/** The fixture: tenants, profiles, teams, agents, a banner, artwork and an INTEGRATION token. */
async function setup() {
  const root = (await gql(null, 'mutation($e:String!,$p:String!){ signIn(email:$e,password:$p){ token } }', { e: env.AGENTDESK_ADMIN_EMAIL, p: env.AGENTDESK_ADMIN_PASSWORD })).signIn.token;
  const tenant = async (slug, extra = {}) =>
    (
      await gql(root, 'mutation($in: CreateTenantInput!){ createTenant(input:$in){ id } }', {
        in: { name: `Tenant ${slug}`, slug, emailDomains: [`${slug}.test`], stationTypes: ['DIAL_NUMBER', 'EXTENSION', 'DESKTOP'], webRtcEnabled: true, defaultCountry: 'US', ...extra },
      })
    ).createTenant.id;
  const profile = async (tenantId, name, validation) =>
    (
      await gql(root, 'mutation($in: CreateAgentProfileInput!){ createAgentProfile(input:$in){ id } }', {
        in: { tenantId, name, loginVoiceOptions: ['DIAL_NUMBER', 'EXTENSION', 'DESKTOP'], dialNumberValidation: validation },
      })
    ).createAgentProfile.id;
  const team = async (tenantId, name) => (await gql(root, 'mutation($in: CreateTeamInput!){ createTeam(input:$in){ id } }', { in: { tenantId, name, type: 'AGENT' } })).createTeam.id;
  const user = async (tenantId, email, profileId, teamIds, extra = {}) =>
    (
      await gql(root, 'mutation($in: CreateUserInput!){ createUser(input:$in){ id } }', {
        in: { tenantId, email, name: email.split('@')[0].replace(/^./, (c) => c.toUpperCase()) + ' Agent', role: 'AGENT', password: PASSWORD, contactCenterEnabled: true, agentProfileId: profileId, teamIds, ...extra },
      })
    ).createUser.id;

  const oidc = { issuerUrl: env.OIDC_ISSUER, clientId: env.OIDC_CLIENT_ID, clientSecret: env.OIDC_CLIENT_SECRET };
  const acme = await tenant('acme', { rememberStationCredentials: false });
  const teamsco = await tenant('teamsco', { teamsIntegration: { enabled: true, ...oidc } });
  const ssoco = await tenant('ssoco', { ssoMode: 'AZURE_SSO', sso: oidc });

  const anyFormat = await profile(acme, 'Any format', 'ANY_FORMAT');
  const lockedProfile = await profile(acme, 'Locked', 'PROVISIONED_VALUE');
  const support = await team(acme, 'Support');
  const sales = await team(acme, 'Sales');
  for (const name of ['ada', 'cy', 'dee', 'eve', 'fay', 'ivy']) await user(acme, `${name}@acme.test`, anyFormat, [support, sales]);
  await user(acme, 'bob@acme.test', lockedProfile, [support], { defaultDialNumber: '+16502530001' });

  const teamsProfile = await profile(teamsco, 'Any format', 'ANY_FORMAT');
  await user(teamsco, 'gus@teamsco.test', teamsProfile, [await team(teamsco, 'Teams users')]);
  const ssoProfile = await profile(ssoco, 'Any format', 'ANY_FORMAT');
  await user(ssoco, 'hal@ssoco.test', ssoProfile, [await team(ssoco, 'SSO team')], { password: undefined });

  await gql(root, 'mutation($in: CreateBannerInput!){ createBanner(input:$in){ id } }', { in: { tenantId: acme, message: 'Some features are unavailable: call recording is down.', severity: 'WARNING' } });
  const artworkUrl = await uploadArtwork(root, acme);
  const integration = (await gql(root, 'mutation($in: CreateApiTokenInput!){ createApiToken(input:$in){ token } }', { in: { tenantId: acme, name: 'media platform', role: 'INTEGRATION' } })).createApiToken.token;
  return { root, acme, integration, artworkUrl };
}

// ---------- The browser ----------

let browser;
let fx;
/** The contexts the running scenario opened (all are checked). */
let opened = [];
const failures = [];

/** A fresh browser context whose every request is checked against the allowed origins. */
async function context(name, options = {}) {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 860 }, ...options });
  ctx.setDefaultTimeout(TIMEOUT);
  ctx.violations = [];
  await ctx.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('data:') || allowedOrigins.has(new URL(url).origin)) return route.continue();
    ctx.violations.push(url);
    return route.abort('blockedbyclient');
  });
  ctx.on('page', (page) => watch(ctx, page));
  ctx.name = name;
  opened.push(ctx);
  return ctx;
}

function watch(ctx, page) {
  page.on('websocket', (ws) => {
    const u = new URL(ws.url());
    if (!allowedOrigins.has(`http://${u.host}`)) ctx.violations.push(ws.url());
  });
  page.on('console', (msg) => {
    if (/Content Security Policy|Refused to/i.test(msg.text())) ctx.violations.push(`CSP: ${msg.text()}`);
  });
  page.on('pageerror', (err) => ctx.violations.push(`page error: ${err.message}`));
}

let scenario = '';
let shot = 0;
/** screenshot keeps the screen as <scenario>-<nn>-<name>.png, in the order taken. */
async function screenshot(page, name) {
  shot++;
  await page.screenshot({ path: join(ARTIFACTS, `${scenario}-${String(shot).padStart(2, '0')}-${name}.png`), fullPage: true });
}

const heading = (page, name) => page.getByRole('heading', { name, level: 1 });
const button = (page, name) => page.getByRole('button', { name, exact: true });

async function open(page) {
  await page.goto(`${BASE}/desktop/acme`);
}

/** signIn walks e-mail and password and stops at the next screen. */
async function signIn(page, email, password = PASSWORD) {
  await heading(page, 'Sign in').waitFor();
  await page.getByLabel('E-mail address').fill(email);
  await button(page, 'Sign in').click();
  await page.getByLabel('Password').fill(password);
  await button(page, 'Sign in').click();
}

/** stationLogin fills a national US number and the team and submits. */
async function stationLogin(page, { number = '6502530000', team = 'Support' } = {}) {
  await heading(page, 'Station credentials').waitFor();
  await page.getByLabel('Phone number').fill(number);
  await page.getByLabel('Team', { exact: true }).selectOption({ label: team });
  await button(page, 'Submit').click();
  await heading(page, 'Activities').waitFor();
}

/** tabTo presses Tab until the focused element has the accessible name, as a keyboard user does. */
async function tabTo(page, name, max = 25) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const el = document.activeElement;
      return (el?.getAttribute('aria-label') || el?.labels?.[0]?.textContent || el?.textContent || '').trim();
    });
    if (focused === name) return;
  }
  throw new Error(`Tab never reached "${name}"`);
}

/** focusRing is the focused element's outline, which must be visible. */
const focusRing = (page) => page.evaluate(() => {
  const st = getComputedStyle(document.activeElement);
  return `${st.outlineStyle} ${st.outlineWidth}`;
});

async function sessionOf(email) {
  const data = await gql(fx.root, 'query($t: ID!){ desktopSessions(tenantId: $t){ edges { node { id user { email } } } } }', { t: fx.acme });
  const s = data.desktopSessions.edges.map((e) => e.node).find((n) => n.user.email === email);
  assert.ok(s, `no active desktop session of ${email}`);
  return s.id;
}

// ---------- The scenarios ----------

const scenarios = {
  // The guard itself: a request to another host is caught (and blocked).
  async guard() {
    const ctx = await context('guard');
    const page = await ctx.newPage();
    await open(page);
    await heading(page, 'Sign in').waitFor();
    // (The page's CSP already refuses a fetch there; a navigation is up to the guard.)
    await page.goto('http://192.0.2.1/', { timeout: 3000 }).catch(() => {});
    assert.ok(ctx.violations.some((v) => v.startsWith('http://192.0.2.1/')), `the guard missed a request: ${ctx.violations}`);
    ctx.violations.length = 0;
  },

  async tooSmall() {
    const ctx = await context('too small', { viewport: { width: 480, height: 480 } });
    const page = await ctx.newPage();
    await open(page);
    const alert = page.getByRole('alert').filter({ hasText: 'The window is too small' });
    await alert.waitFor();
    assert.equal(await heading(page, 'Sign in').isVisible(), false, 'the sign-in form shows in a 480 × 480 window');
    await screenshot(page, 'too-small-480x480');
    await page.setViewportSize({ width: 800, height: 600 });
    await heading(page, 'Sign in').waitFor();
    assert.equal(await alert.isVisible(), false);
    return ctx;
  },

  async unreachable() {
    const ctx = await context('unreachable');
    const page = await ctx.newPage();
    await page.route('**/readyz', (r) => r.abort('connectionrefused'));
    await open(page);
    await heading(page, 'The Agent Desktop cannot reach its server').waitFor();
    await page.getByText('The server did not answer').waitFor();
    await screenshot(page, 'unreachable');
    await page.unroute('**/readyz');
    await button(page, 'Try again').click();
    await heading(page, 'Sign in').waitFor();
    return ctx;
  },

  async happyPath() {
    const ctx = await context('happy path');
    const page = await ctx.newPage();
    // Hold the first request until the progress screen is seen (and kept).
    let release;
    const held = new Promise((ok) => (release = ok));
    await page.route('**/readyz', async (r) => {
      await held;
      await r.continue();
    });
    await open(page);
    await page.getByRole('progressbar', { name: 'Loading the Agent Desktop…' }).waitFor();
    await screenshot(page, 'first-load-progress');
    release();
    await heading(page, 'Sign in').waitFor();
    await screenshot(page, 'sign-in-email');
    await page.getByLabel('E-mail address').fill('ada@acme.test');
    await button(page, 'Sign in').click();
    await page.getByText('Signing in as ada@acme.test').waitFor();
    await screenshot(page, 'sign-in-password');
    // The way back: Alt+Left returns to the e-mail, kept in the field.
    await page.keyboard.press('Alt+ArrowLeft');
    assert.equal(await page.getByLabel('E-mail address').inputValue(), 'ada@acme.test');
    await button(page, 'Sign in').click();
    await page.getByLabel('Password').fill('not the password');
    await button(page, 'Sign in').click();
    await page.getByRole('alert').filter({ hasText: /./ }).first().waitFor();
    await page.getByLabel('Password').fill(PASSWORD);
    await button(page, 'Sign in').click();

    await heading(page, 'Station credentials').waitFor();
    assert.ok(await page.getByRole('radio', { name: 'Dial Number' }).isChecked(), 'Dial Number is the default');
    assert.ok(await page.getByRole('radio', { name: 'Extension' }).isVisible());
    assert.ok(await page.getByRole('radio', { name: 'Desktop' }).isVisible());
    assert.ok(await page.getByRole('checkbox', { name: 'International dialing format' }).isChecked(), 'international format is the default');
    const country = page.getByLabel('Country code');
    await page.waitForFunction(() => document.querySelector('select[name=country]')?.value === 'US');
    assert.match(await country.locator('option:checked').innerText(), /\(\+1\)/);
    // The country list filters by calling code and by name.
    await page.getByLabel('Search country or calling code').fill('+61');
    await page.waitForFunction(() => document.querySelector('select[name=country]')?.value === 'AU');
    await page.getByLabel('Search country or calling code').fill('germ');
    await page.waitForFunction(() => document.querySelector('select[name=country]')?.value === 'DE');
    await page.getByLabel('Search country or calling code').fill('');
    await country.selectOption('US');
    // Unchecked: one field for E.164 or IDD.
    await page.getByRole('checkbox', { name: 'International dialing format' }).uncheck();
    await page.getByRole('textbox', { name: 'Dial number' }).waitFor();
    assert.equal(await country.isVisible(), false);
    await screenshot(page, 'station-e164');
    await page.getByRole('checkbox', { name: 'International dialing format' }).check();
    await page.getByLabel('Phone number').fill('6502530000');
    // The team drop-down with its search field.
    await page.getByLabel('Search teams').fill('sal');
    await page.waitForFunction(() => document.querySelector('select[name=team]')?.selectedOptions[0]?.textContent === 'Sales');
    await page.getByLabel('Search teams').fill('');
    await page.getByLabel('Team', { exact: true }).selectOption({ label: 'Support' });
    await page.getByRole('checkbox', { name: 'Remember my sign-in details' }).check();
    await screenshot(page, 'station-credentials');
    await button(page, 'Submit').click();

    await heading(page, 'Activities').waitFor();
    // acme does not allow saving station details: the notice says so.
    await page.getByText('Your sign-in details were not saved.').waitFor();
    await page.getByText('Some features are unavailable: call recording is down.').waitFor();
    const bg = await page.locator('main.activities').evaluate((el) => getComputedStyle(el).backgroundImage);
    assert.ok(bg.includes(new URL(fx.artworkUrl, BASE).pathname), `artwork background: ${bg}`);
    await page.getByText('Dial Number +16502530000').waitFor();
    await screenshot(page, 'activities');

    // Available / Idle with an idle code.
    await page.getByLabel('State').selectOption({ label: 'Available' });
    await page.waitForFunction(() => document.querySelector('.state')?.getAttribute('data-state') === 'AVAILABLE');
    assert.equal(await page.getByLabel('Idle reason').isVisible(), false);
    await page.getByLabel('State').selectOption({ label: 'Idle' });
    await page.getByLabel('Idle reason').selectOption({ label: 'Lunch' });
    await page.waitForFunction(() => document.querySelector('.state')?.getAttribute('data-state') === 'IDLE');
    await screenshot(page, 'activities-idle-lunch');

    // A reload restores the session (sessionStorage keeps the token and the tab's id).
    await page.reload();
    await heading(page, 'Activities').waitFor();
    assert.equal(await page.getByLabel('Idle reason').inputValue(), 'LUNCH');

    // A banner change arrives live.
    await gql(fx.root, 'mutation($in: CreateBannerInput!){ createBanner(input:$in){ id } }', { in: { tenantId: fx.acme, message: 'Chat is back.', severity: 'INFO' } });
    await page.getByText('Chat is back.').waitFor();
    await screenshot(page, 'activities-banner-live');

    // Keyboard only: the profile menu opens with the arrow key, Escape closes it.
    await page.getByRole('button', { name: /Profile menu/ }).focus();
    await page.keyboard.press('ArrowDown');
    assert.equal(await page.getByRole('menuitem', { name: 'Profile settings' }).evaluate((el) => el === document.activeElement), true);
    await page.keyboard.press('Escape');
    assert.equal(await page.getByRole('menu').isVisible(), false);

    // An admin's forced sign-out arrives live, with the reason.
    await gql(fx.root, 'mutation($id: ID!){ forceSignOut(sessionId: $id, reason: "Shift ended"){ id } }', { id: await sessionOf('ada@acme.test') });
    await heading(page, 'Sign in').waitFor();
    await page.getByText('You were signed out: Shift ended.').waitFor();
    await screenshot(page, 'forced-sign-out');
    return ctx;
  },

  async lockedNumber() {
    const ctx = await context('locked number');
    const page = await ctx.newPage();
    await open(page);
    await signIn(page, 'bob@acme.test');
    await heading(page, 'Station credentials').waitFor();
    const number = page.getByRole('textbox', { name: 'Dial number' });
    assert.equal(await number.inputValue(), '+16502530001');
    assert.equal(await number.isEditable(), false, 'the locked number is editable');
    assert.equal(await page.getByRole('checkbox', { name: 'International dialing format' }).isEnabled(), false);
    await page.getByText('Your administrator has set this number').first().waitFor();
    await screenshot(page, 'station-locked');
    await button(page, 'Submit').click();
    await heading(page, 'Activities').waitFor();
    await page.getByText('Dial Number +16502530001').waitFor();
    return ctx;
  },

  async invalidNumber() {
    const ctx = await context('invalid number');
    const page = await ctx.newPage();
    await open(page);
    await signIn(page, 'cy@acme.test');
    await heading(page, 'Station credentials').waitFor();
    const number = page.getByLabel('Phone number');
    await number.fill('12');
    // The server's own message (validateDialNumber), inline under the field.
    const want = (
      await gql(null, 'mutation($e:String!,$p:String!){ signIn(email:$e,password:$p){ token } }', { e: 'ivy@acme.test', p: PASSWORD }).then((d) =>
        gql(d.signIn.token, 'query($in: DialNumberInput!){ validateDialNumber(input:$in){ valid reason } }', { in: { dialNumber: '12', internationalFormat: true, country: 'US' } }),
      )
    ).validateDialNumber;
    assert.equal(want.valid, false);
    await page.waitForFunction(() => document.querySelector('input[name=dialNumber]')?.getAttribute('aria-invalid') === 'true');
    const described = await number.getAttribute('aria-describedby');
    const messages = await Promise.all(described.split(' ').map((id) => page.locator(`#${id}`).innerText()));
    assert.ok(messages.includes(want.reason), `inline message ${JSON.stringify(messages)}, want ${want.reason}`);
    await screenshot(page, 'station-invalid-number');
    // Submitting anyway gets the same refusal, at the field.
    await button(page, 'Submit').click();
    await page.getByText(want.reason).first().waitFor();
    await number.fill('6502530002');
    await page.waitForFunction(() => !document.querySelector('input[name=dialNumber]')?.hasAttribute('aria-invalid'));
    return ctx;
  },

  async desktopNeedsChrome() {
    const ctx = await context('desktop in firefox', { userAgent: 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0' });
    const page = await ctx.newPage();
    await open(page);
    await signIn(page, 'cy@acme.test');
    await heading(page, 'Station credentials').waitFor();
    await page.getByRole('radio', { name: 'Desktop' }).check();
    await page.getByText(/works in .*Chrome.* only/).waitFor();
    assert.equal(await page.getByLabel('Phone number').isVisible(), false);
    await page.getByLabel('Team', { exact: true }).selectOption({ label: 'Support' });
    await button(page, 'Submit').click();
    const refusal = page.getByRole('alert').filter({ hasText: /Chrome/ });
    await refusal.waitFor();
    assert.equal(await heading(page, 'Station credentials').isVisible(), true);
    await screenshot(page, 'station-desktop-refused');
    return ctx;
  },

  // Keyboard only, from the e-mail to the activities page and out again.
  async keyboardOnly() {
    const ctx = await context('keyboard only');
    const page = await ctx.newPage();
    await open(page);
    await heading(page, 'Sign in').waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('name')), 'email', 'the e-mail field has the focus');
    await page.keyboard.type('ivy@acme.test');
    await page.keyboard.press('Enter');
    await page.getByLabel('Password').waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('name')), 'password');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    await heading(page, 'Station credentials').waitFor();
    await tabTo(page, 'Phone number');
    assert.match(await focusRing(page), /^solid [1-9]/, 'no visible focus on the phone number');
    await page.keyboard.type('6502530006');
    await tabTo(page, 'Team');
    await page.keyboard.press('ArrowDown'); // the next team: Sales → Support
    await tabTo(page, 'Submit');
    assert.match(await focusRing(page), /^solid [1-9]/, 'no visible focus on Submit');
    await screenshot(page, 'keyboard-focus-submit');
    await page.keyboard.press('Enter');
    await heading(page, 'Activities').waitFor();
    await tabTo(page, 'Profile menu for Ivy Agent');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Sign out');
    await screenshot(page, 'keyboard-profile-menu');
    await page.keyboard.press('Enter');
    await heading(page, 'Sign in').waitFor();
    await page.getByText('You have signed out.').waitFor();
  },

  async takeover() {
    const first = await context('takeover, first tab');
    const a = await first.newPage();
    await open(a);
    await signIn(a, 'dee@acme.test');
    await stationLogin(a, { number: '6502530005' });
    const second = await context('takeover, second browser');
    const b = await second.newPage();
    await open(b);
    await signIn(b, 'dee@acme.test');
    await heading(b, 'You are signed in elsewhere').waitFor();
    await screenshot(b, 'signed-in-elsewhere');
    await button(b, 'Continue').click();
    await heading(b, 'Activities').waitFor();
    // The first tab is told at once, without doing anything.
    await heading(a, 'Your desktop was opened elsewhere').waitFor();
    await screenshot(a, 'taken-over');
    // It can take the session back the same way.
    await button(a, 'Continue here').click();
    await heading(a, 'Activities').waitFor();
    await heading(b, 'Your desktop was opened elsewhere').waitFor();
    await second.close();
    return first;
  },

  async signOutRules() {
    const ctx = await context('sign-out rules');
    const page = await ctx.newPage();
    await open(page);
    await signIn(page, 'eve@acme.test');
    await stationLogin(page, { number: '6502530004' });
    const sessionId = await sessionOf('eve@acme.test');
    const record = (active) =>
      gql(fx.integration, 'mutation($in: RecordInteractionInput!){ recordInteraction(input:$in){ id active } }', { in: { sessionId, interactionId: 'call-1', kind: 'CONVERSATION', active } });
    const signOut = async () => {
      await page.getByRole('button', { name: /Profile menu/ }).click();
      await page.getByRole('menuitem', { name: 'Sign out' }).click();
    };
    // Available: refused with the server's message.
    await page.getByLabel('State').selectOption({ label: 'Available' });
    await page.waitForFunction(() => document.querySelector('.state')?.getAttribute('data-state') === 'AVAILABLE');
    await signOut();
    await page.getByRole('alert').filter({ hasText: /idle/i }).waitFor();
    await screenshot(page, 'sign-out-refused-available');
    // Idle, but in a conversation the media platform reported: refused.
    await page.getByLabel('State').selectOption({ label: 'Idle' });
    await page.waitForFunction(() => document.querySelector('.state')?.getAttribute('data-state') === 'IDLE');
    await record(true);
    await signOut();
    await page.getByRole('alert').filter({ hasText: 'You cannot sign out during an active conversation; end it first.' }).waitFor();
    await screenshot(page, 'sign-out-refused-conversation');
    // The conversation ended: allowed.
    await record(false);
    await signOut();
    await heading(page, 'Sign in').waitFor();
    await page.getByText('You have signed out.').waitFor();
    await screenshot(page, 'signed-out');
    return ctx;
  },

  async forgotPassword() {
    const ctx = await context('forgot password');
    const page = await ctx.newPage();
    await open(page);
    await page.getByLabel('E-mail address').fill('fay@acme.test');
    await button(page, 'Sign in').click();
    await button(page, 'Forgot password?').click();
    await heading(page, 'Reset your password').waitFor();
    await button(page, 'Send code').click();
    await page.getByLabel('Six-digit code').waitFor();
    const mail = await control('GET', `/mail?to=${encodeURIComponent('fay@acme.test')}`);
    const code = /\b(\d{6})\b/.exec(mail)?.[1];
    assert.ok(code, `no six-digit code in the mail:\n${mail}`);
    await page.getByLabel('Six-digit code').fill('000000' === code ? '111111' : '000000');
    await page.getByLabel('New password', { exact: true }).fill('a brand new passphrase 8');
    await page.getByLabel('Repeat the new password').fill('a brand new passphrase 8');
    await button(page, 'Change password').click();
    await page.locator('input[name=code][aria-invalid=true]').waitFor();
    await screenshot(page, 'reset-wrong-code');
    await page.getByLabel('Six-digit code').fill(code);
    await button(page, 'Change password').click();
    await heading(page, 'Sign in').waitFor();
    await page.getByText('Your password was changed.').waitFor();
    await screenshot(page, 'reset-done');
    await signIn(page, 'fay@acme.test', 'a brand new passphrase 8');
    await heading(page, 'Station credentials').waitFor();
    return ctx;
  },

  async teams() {
    const ctx = await context('Microsoft Teams');
    const page = await ctx.newPage();
    await page.goto(`${BASE}/desktop/teamsco`);
    await signIn(page, 'gus@teamsco.test');
    await heading(page, 'Microsoft Teams').waitFor();
    await screenshot(page, 'teams-step');
    await button(page, 'Cancel').click();
    await heading(page, 'Station credentials').waitFor();
    const notice = page.getByRole('status').filter({ hasText: 'You are not signed in to Microsoft Teams' });
    await notice.waitFor();
    await notice.getByRole('img', { name: 'Warning' }).waitFor();
    await screenshot(page, 'teams-cancelled-notice');
    await stationLogin(page, { team: 'Teams users' });
    // Later, from the profile settings: Collaboration tools – Microsoft Teams → Try again.
    await page.getByRole('button', { name: /Profile menu/ }).click();
    await page.getByRole('menuitem', { name: 'Profile settings' }).click();
    const dialog = page.getByRole('dialog', { name: 'Profile settings' });
    await dialog.getByText('Status: Cancelled').waitFor();
    await dialog.getByRole('heading', { name: 'Collaboration tools – Microsoft Teams' }).waitFor();
    await screenshot(page, 'settings-teams-cancelled');
    await dialog.getByRole('button', { name: 'Try again' }).click();
    // The local provider signs in at once and sends the browser back.
    await page.waitForURL(`${BASE}/desktop/teamsco`);
    await page.getByRole('dialog', { name: 'Profile settings' }).getByText('Status: Succeeded').waitFor();
    assert.equal(await page.getByRole('dialog', { name: 'Profile settings' }).getByRole('button', { name: 'Try again' }).count(), 0);
    await screenshot(page, 'settings-teams-succeeded');
    return ctx;
  },

  async sso() {
    const ctx = await context('SSO');
    const page = await ctx.newPage();
    await page.goto(`${BASE}/desktop/ssoco`);
    await control('POST', `/oidc-user?email=${encodeURIComponent('hal@ssoco.test')}`);
    await page.getByLabel('E-mail address').fill('hal@ssoco.test');
    await button(page, 'Sign in').click();
    // Redirected to the provider and back to /sso/callback, which completes the sign-in.
    await heading(page, 'Station credentials').waitFor();
    assert.equal(new URL(page.url()).pathname, '/desktop/ssoco');
    await screenshot(page, 'sso-station');
    return ctx;
  },

  // Last: it moves the server's clock an hour on.
  async inactivity() {
    const ctx = await context('inactivity');
    const page = await ctx.newPage();
    await open(page);
    await signIn(page, 'ivy@acme.test');
    await stationLogin(page, { number: '6502530003' });
    await control('POST', '/clock?advance=59m30s');
    await control('POST', '/sweep');
    const dialog = page.getByRole('alertdialog', { name: 'Are you still there?' });
    await dialog.waitFor();
    await dialog.getByText(/signed out for inactivity in \d+ seconds/).waitFor();
    await screenshot(page, 'inactivity-warning');
    // "Stay signed in" is a desktop call, which restarts the timer: the sweep a minute later keeps the session.
    await dialog.getByRole('button', { name: 'Stay signed in' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.waitForTimeout(300);
    await control('POST', '/clock?advance=2m');
    await control('POST', '/sweep');
    await page.waitForTimeout(1500);
    assert.equal(await heading(page, 'Activities').isVisible(), true, 'signed out although the agent stayed');
    // Then away for good (59.5 minutes after "Stay signed in"): the warning, and a minute later the sign-in page with the reason.
    await control('POST', '/clock?advance=57m30s');
    await control('POST', '/sweep');
    await dialog.waitFor();
    await control('POST', '/clock?advance=2m');
    await control('POST', '/sweep');
    await heading(page, 'Sign in').waitFor();
    await page.getByText('You were signed out: Inactivity Logout.').waitFor();
    await screenshot(page, 'inactivity-signed-out');
    return ctx;
  },
};

async function main() {
  fx = await setup();
  browser = await chromium.launch({
    executablePath: env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const only = (env.E2E_ONLY || '').split(',').filter(Boolean);
  for (const [name, run] of Object.entries(scenarios)) {
    if (only.length && !only.includes(name)) continue;
    const started = Date.now();
    opened = [];
    scenario = name;
    shot = 0;
    try {
      await run();
      const violations = opened.flatMap((c) => c.violations.map((v) => `${c.name}: ${v}`));
      assert.deepEqual(violations, [], `requests to other hosts, CSP reports or page errors in ${name}`);
      console.log(`ok   ${name} (${Date.now() - started} ms)`);
    } catch (err) {
      failures.push(name);
      console.log(`FAIL ${name}: ${err.stack || err}`);
      for (const c of browser.contexts()) for (const p of c.pages()) await screenshot(p, `FAILED-${name}`).catch(() => {});
    } finally {
      for (const c of browser.contexts()) await c.close().catch(() => {});
    }
  }
  await browser.close();
  console.log(failures.length ? `${failures.length} scenario(s) failed: ${failures.join(', ')}` : 'all scenarios passed');
  process.exit(failures.length ? 1 : 0);
}

main().catch((err) => {
  console.log(err.stack || err);
  process.exit(1);
});
