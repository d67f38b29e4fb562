// The signed-in session lives in sessionStorage: it survives a reload of
// this tab and dies with the tab; never localStorage, which other tabs and
// later visits would read.
const KEY = 'agentdesk.console.session';
const SSO_KEY = 'agentdesk.sso';

export function loadSession() {
  try {
    const s = JSON.parse(window.sessionStorage.getItem(KEY));
    if (s && typeof s.token === 'string' && s.user) {
      return s;
    }
  } catch {
    // nothing stored, or not ours
  }
  return null;
}

export function saveSession(session) {
  if (session) {
    window.sessionStorage.setItem(KEY, JSON.stringify(session));
  } else {
    window.sessionStorage.removeItem(KEY);
  }
}

// An SSO flow leaves this page for the identity provider, which sends the
// browser back to /sso/callback. What started the flow (this console, or
// another agentdesk page of this origin) is remembered here, with the state.
export function rememberSSO(state, returnTo) {
  window.sessionStorage.setItem(SSO_KEY, JSON.stringify({ state, returnTo }));
}

export function readSSO() {
  try {
    const v = JSON.parse(window.sessionStorage.getItem(SSO_KEY));
    return v && typeof v === 'object' ? v : null;
  } catch {
    return null;
  }
}

export function clearSSO() {
  window.sessionStorage.removeItem(SSO_KEY);
}
