// End-to-end test of the console in headless Chromium against a real
// agentdesk: run by TestConsoleInBrowser (console_browser_test.go), which
// starts the server with the demo tenant and passes everything in the
// environment. Fails on any request to another host, any page error and any
// Content-Security-Policy violation; keeps a screenshot of every step.
import { chromium } from 'playwright-core';
import path from 'node:path';

const env = (name) => {
  const v = process.env[name];
  if (!v) {
    throw new Error(`${name} is not set: run this through go test ./web/console/ -run TestConsoleInBrowser`);
  }
  return v;
};
const base = new URL(env('AGENTDESK_URL'));
const artefacts = env('ARTEFACTS');
const admin = { email: env('ADMIN_EMAIL'), password: env('ADMIN_PASSWORD') };
const agent = { email: env('AGENT_EMAIL'), password: env('AGENT_PASSWORD') };
const NEEDS_ADMIN = 'The documentation explorer and completion need an admin sign-in.';

const problems = [];
const fail = (msg) => {
  throw new Error(msg);
};

// sameOrigin: this server's host, or a URL that fetches nothing (data:, blob:).
function sameOrigin(raw) {
  const u = new URL(raw);
  if (u.protocol === 'data:' || u.protocol === 'blob:') {
    return true;
  }
  return u.host === base.host && ['http:', 'https:', 'ws:', 'wss:'].includes(u.protocol);
}

async function gql(query, variables, token) {
  const res = await fetch(new URL('/graphql', base), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = await res.json();
  if (body.errors) {
    fail(`${query}: ${JSON.stringify(body.errors)}`);
  }
  return body.data;
}

let step = 0;
async function shot(page, name) {
  step += 1;
  const file = path.join(artefacts, `${String(step).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file });
  console.log(`step ${step}: ${name} (${file})`);
}

// The response pane's text (Monaco renders lines as spans).
async function responseText(page) {
  return page.locator('.graphiql-response').innerText();
}

// typeOperation puts text into the operation editor of the active tab, as
// typing it would (insertText: Monaco's bracket auto-closing stays out of it).
async function typeOperation(page, text) {
  const editor = page.locator('.graphiql-query-editor .monaco-editor').first();
  await editor.click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(text);
}

async function signIn(page, who) {
  const email = page.getByLabel('E-mail');
  await email.fill(who.email);
  await page.getByRole('button', { name: 'Continue' }).click();
  const password = page.getByLabel('Password');
  await password.waitFor();
  // Keyboard only: the field has focus, Enter submits.
  await page.keyboard.type(who.password);
  await page.keyboard.press('Enter');
  await page.getByText('Signed in as').waitFor();
}

const browser = await chromium.launch({
  executablePath: env('CHROMIUM'),
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});
try {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  context.on('request', (req) => {
    if (!sameOrigin(req.url())) {
      problems.push(`request to another host: ${req.url()}`);
    }
  });
  const page = await context.newPage();
  page.on('websocket', (ws) => {
    if (!sameOrigin(ws.url())) {
      problems.push(`websocket to another host: ${ws.url()}`);
    }
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') {
      const text = msg.text();
      if (/Content.Security.Policy|Refused to/i.test(text)) {
        problems.push(`CSP violation: ${text}`);
      } else {
        console.log(`browser console error: ${text}`);
      }
    }
  });

  // 1. The page loads, with the sign-in panel and the plain note.
  const res = await page.goto(new URL('/', base).href, { waitUntil: 'networkidle' });
  if (!res.ok()) {
    fail(`GET / answered ${res.status()}`);
  }
  await page.getByLabel('E-mail').waitFor();
  await page.locator('.graphiql-query-editor .monaco-editor').first().waitFor();
  await page.getByText(NEEDS_ADMIN).waitFor();
  const tabs = await page.locator('.graphiql-tab').allInnerTexts();
  if (!tabs.some((t) => t.includes('SignIn')) || !tabs.some((t) => t.includes('ApplyTenant'))) {
    fail(`the README's examples are not among the tabs: ${JSON.stringify(tabs)}`);
  }
  await shot(page, 'loaded');

  // 2. The platform admin signs in through the panel.
  await signIn(page, admin);
  await page.locator('.console-session').getByText(admin.email).waitFor();
  const token = await page.evaluate(() => JSON.parse(sessionStorage.getItem('agentdesk.console.session')).token);
  const local = await page.evaluate(() => JSON.stringify(Object.entries(localStorage)));
  if (!token || local.includes(token)) {
    fail('the session token must live in sessionStorage, never in localStorage');
  }
  // Introspection ran: the note is gone.
  await page.getByText(NEEDS_ADMIN).waitFor({ state: 'detached' });
  await shot(page, 'admin-signed-in');

  // 3. An operation typed into a new tab runs with the session.
  await page.getByRole('button', { name: 'New tab' }).click();
  await typeOperation(page, '{ tenants(first: 5) { totalCount } }');
  await page.getByRole('button', { name: /Execute query/ }).click();
  await page.locator('.graphiql-response').getByText('totalCount').waitFor();
  const text = await responseText(page);
  const m = /"totalCount":\s*(\d+)/.exec(text.replace(/\s+/g, ' '));
  if (!m || Number(m[1]) < 1) {
    fail(`tenants answered no count: ${text}`);
  }
  await shot(page, 'tenants-result');

  // 4. The documentation explorer lists Query.
  await page.getByRole('button', { name: /Documentation Explorer/ }).first().click();
  const docs = page.locator('.graphiql-doc-explorer');
  await docs.getByText('Query', { exact: true }).first().waitFor();
  await shot(page, 'docs-explorer');

  // 5. Sign out: endSession, then the panel is back.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByText('You are signed out.').waitFor();
  await page.getByLabel('E-mail').waitFor();
  const revoked = await fetch(new URL('/graphql', base), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: '{ me { email } }' }),
  }).then((r) => r.json());
  if (!revoked.errors?.some((e) => e.extensions?.code === 'UNAUTHENTICATED') && revoked.data?.me) {
    fail(`the signed-out token still works: ${JSON.stringify(revoked)}`);
  }
  await shot(page, 'signed-out');

  // 6. An agent signs in: the console says an admin sign-in is needed, no error.
  await signIn(page, agent);
  await page.getByText(NEEDS_ADMIN).waitFor();
  if (await page.locator('.graphiql-doc-explorer').getByText('Query', { exact: true }).count()) {
    fail('the documentation explorer shows the schema to an agent');
  }
  await shot(page, 'agent-needs-admin');

  // 7. A desktopEvents subscription over graphql-ws: an admin's new banner
  // reaches it as BANNERS_CHANGED.
  await page.getByRole('button', { name: 'New tab' }).click();
  await typeOperation(page, 'subscription Events { desktopEvents(clientId: "console-e2e") { type message } }');
  await page.getByRole('button', { name: /Execute query/ }).click();
  await page.getByRole('button', { name: /Stop query/ }).waitFor();
  const adminToken = (await gql('mutation($e: String!, $p: String!) { signIn(email: $e, password: $p) { token } }', { e: admin.email, p: admin.password })).signIn.token;
  const tenants = await gql('{ tenants(first: 100) { edges { node { id slug } } } }', undefined, adminToken);
  const demo = tenants.tenants.edges.map((e) => e.node).find((t) => t.slug === 'demo');
  // The subscription may still be connecting: send banners until one arrives.
  const deadline = Date.now() + 20000;
  let seen = false;
  while (!seen && Date.now() < deadline) {
    await gql('mutation($t: ID!) { createBanner(input: { tenantId: $t, message: "Console test banner", severity: INFO }) { id } }', { t: demo.id }, adminToken);
    seen = await page
      .locator('.graphiql-response')
      .getByText('BANNERS_CHANGED')
      .first()
      .waitFor({ timeout: 2000 })
      .then(() => true, () => false);
  }
  if (!seen) {
    fail(`no BANNERS_CHANGED in the subscription's answer: ${await responseText(page)}`);
  }
  await shot(page, 'subscription-event');
  await page.getByRole('button', { name: /Stop query/ }).click();

  // 8. A revoked token brings the panel back (UNAUTHENTICATED).
  const agentToken = await page.evaluate(() => JSON.parse(sessionStorage.getItem('agentdesk.console.session')).token);
  await gql('mutation { endSession }', undefined, agentToken);
  await page.getByRole('button', { name: 'New tab' }).click();
  await typeOperation(page, '{ me { email } }');
  await page.getByRole('button', { name: /Execute query/ }).click();
  await page.getByText('Your session has ended. Sign in again.').waitFor();
  await page.getByLabel('E-mail').waitFor();
  await shot(page, 'session-ended');

  // Keyboard: Tab reaches the e-mail field, and focus is visible there.
  await page.getByLabel('E-mail').focus();
  const outline = await page.getByLabel('E-mail').evaluate((el) => getComputedStyle(el).outlineStyle);
  if (outline === 'none') {
    fail('the focused e-mail field shows no focus outline');
  }

  if (problems.length) {
    fail(`\n  ${problems.join('\n  ')}`);
  }
  console.log(`console e2e: ${step} steps passed, no request left ${base.host}`);
} finally {
  await browser.close();
}
