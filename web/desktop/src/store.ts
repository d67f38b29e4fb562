// What the desktop keeps in sessionStorage: per tab, gone when the tab
// closes, kept across reloads (so a reloaded tab restores its session).

const keys = {
  token: 'agentdesk.token',
  clientId: 'agentdesk.clientId',
  slug: 'agentdesk.slug',
  email: 'agentdesk.email',
  flow: 'agentdesk.flow',
  teamsStepDone: 'agentdesk.teamsStepDone',
  notice: 'agentdesk.notice',
};

export interface Notice {
  text: string;
  warning?: boolean;
}

/** A redirect the desktop started and completes when the browser comes back. */
export interface PendingFlow {
  kind: 'sso' | 'teams';
  state: string;
  slug: string;
  /** For Teams: where to go back to. */
  from?: 'station' | 'settings';
}

function get(k: string): string | null {
  return sessionStorage.getItem(k);
}
function set(k: string, v: string | null): void {
  if (v === null) sessionStorage.removeItem(k);
  else sessionStorage.setItem(k, v);
}

export const store = {
  token: () => get(keys.token),
  setToken: (t: string | null) => set(keys.token, t),
  /** clientId names this tab to the server; made up once per tab. */
  clientId(): string {
    let id = get(keys.clientId);
    if (!id) {
      id = crypto.randomUUID();
      set(keys.clientId, id);
    }
    return id;
  },
  slug: () => get(keys.slug),
  setSlug: (s: string) => set(keys.slug, s),
  email: () => get(keys.email),
  setEmail: (e: string | null) => set(keys.email, e),
  flow(): PendingFlow | null {
    const raw = get(keys.flow);
    return raw ? (JSON.parse(raw) as PendingFlow) : null;
  },
  setFlow: (f: PendingFlow | null) => set(keys.flow, f ? JSON.stringify(f) : null),
  teamsStepDone: () => get(keys.teamsStepDone) === '1',
  setTeamsStepDone: (done: boolean) => set(keys.teamsStepDone, done ? '1' : null),
  /** A notice for the next screen (it survives a redirect); warning ones carry the warning icon. */
  notice(): Notice | null {
    const raw = get(keys.notice);
    return raw ? (JSON.parse(raw) as Notice) : null;
  },
  setNotice: (n: Notice | null) => set(keys.notice, n ? JSON.stringify(n) : null),
  /** takeNotice returns the notice once. */
  takeNotice(): Notice | null {
    const n = store.notice();
    set(keys.notice, null);
    return n;
  },
  /** forget drops everything of the signed-in agent (not the tab's clientId). */
  forget(): void {
    for (const k of [keys.token, keys.email, keys.flow, keys.teamsStepDone]) set(k, null);
  },
};
