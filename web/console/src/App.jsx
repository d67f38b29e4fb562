import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { GraphiQL, HISTORY_PLUGIN } from 'graphiql';
import { explorerPlugin } from '@graphiql/plugin-explorer';
import { getIntrospectionQuery } from 'graphql';
import { ADMIN_ROLES, createFetcher, errorCodes, postGraphQL } from './api.js';
import { clearSSO, loadSession, readSSO, saveSession } from './session.js';
import { SignInPanel } from './SignInPanel.jsx';

const explorer = explorerPlugin();
// The documentation explorer and the query builder need the schema, which
// only admins get; everyone has the history.
const ADMIN_PLUGINS = [HISTORY_PLUGIN, explorer];
const PLUGINS = [HISTORY_PLUGIN];

const ME = `query ConsoleMe { me { id email name role } }`;
const END_SESSION = `mutation ConsoleSignOut { endSession }`;
const COMPLETE_SSO = `mutation ConsoleCompleteSso($state: String!, $code: String!) {
  completeSsoSignIn(state: $state, code: $code) { token expiresAt user { id email name role } }
}`;

const NEEDS_ADMIN = 'The documentation explorer and completion need an admin sign-in.';

// The examples are the README's operations, served by agentdesk from the
// README embedded in the binary, so they cannot drift from the documented
// (and schema-checked) ones.
async function loadExamples() {
  try {
    const res = await fetch('/console/examples.json', { credentials: 'same-origin' });
    if (!res.ok) {
      return [];
    }
    const list = await res.json();
    return list.map((ex) => ({ query: ex.query, variables: ex.variables || null }));
  } catch {
    return [];
  }
}

function roleName(role) {
  return (role || '').toLowerCase().replaceAll('_', ' ');
}

// ssoCallback finishes a single sign-on started by this console; a flow
// another agentdesk page of this origin started goes back to that page.
async function ssoCallback() {
  const url = new URL(window.location.href);
  const state = url.searchParams.get('state');
  const code = url.searchParams.get('code');
  const idpError = url.searchParams.get('error_description') || url.searchParams.get('error');
  if (!state && !idpError && url.pathname !== '/sso/callback') {
    return null;
  }
  const flow = readSSO();
  if (flow?.returnTo && flow.returnTo !== '/' && flow.returnTo.startsWith('/') && !flow.returnTo.startsWith('//')) {
    window.location.replace(flow.returnTo + url.search);
    return { redirected: true };
  }
  clearSSO();
  window.history.replaceState(null, '', '/');
  if (idpError) {
    return { error: `Single sign-on did not finish: ${idpError}` };
  }
  if (!state || !code) {
    return { error: 'Single sign-on came back without a code. Sign in again.' };
  }
  const r = await postGraphQL({ query: COMPLETE_SSO, variables: { state, code } });
  if (r?.data?.completeSsoSignIn) {
    return { payload: r.data.completeSsoSignIn };
  }
  return { error: r?.errors?.[0]?.message || 'Single sign-on did not finish. Sign in again.' };
}

export function App() {
  const [session, setSession] = useState(loadSession);
  const [notice, setNotice] = useState('');
  const [schema, setSchema] = useState(null);
  const [schemaNote, setSchemaNote] = useState(NEEDS_ADMIN);
  const [examples, setExamples] = useState(null);
  // A new GraphiQL for every sign-in and sign-out, so nothing one session
  // saw (responses, the schema) stays on screen for the next.
  const [generation, setGeneration] = useState(0);
  const sessionRef = useRef(session);
  sessionRef.current = session;

  const endLocally = useCallback((message) => {
    saveSession(null);
    setGeneration((g) => g + 1);
    setSession(null);
    setSchema(null);
    setNotice(message);
  }, []);

  const onUnauthenticated = useCallback(() => {
    if (sessionRef.current) {
      endLocally('Your session has ended. Sign in again.');
    }
  }, [endLocally]);

  const onSignedIn = useCallback((payload) => {
    const s = { token: payload.token, expiresAt: payload.expiresAt, user: payload.user };
    saveSession(s);
    setGeneration((g) => g + 1);
    setNotice('');
    setSession(s);
  }, []);

  useEffect(() => {
    loadExamples().then(setExamples);
    ssoCallback().then((r) => {
      if (r?.payload) {
        onSignedIn(r.payload);
      } else if (r?.error) {
        setNotice(r.error);
      }
    });
  }, [onSignedIn]);

  // A session kept from before a reload may have ended meanwhile.
  const token = session?.token;
  useEffect(() => {
    if (!token) {
      return;
    }
    postGraphQL({ query: ME }, { token }).then((r) => {
      if (errorCodes(r).includes('UNAUTHENTICATED') || (r?.data && !r.data.me)) {
        onUnauthenticated();
      }
    });
  }, [token, onUnauthenticated]);

  // Introspection only for admins: agentdesk refuses it to everyone else
  // (UNAUTHENTICATED anonymous, FORBIDDEN otherwise), so the console does
  // not ask and says what is needed instead.
  const role = session?.user?.role;
  useEffect(() => {
    setSchema(null);
    if (!token || !ADMIN_ROLES.includes(role)) {
      setSchemaNote(NEEDS_ADMIN);
      return undefined;
    }
    setSchemaNote('Loading the schema…');
    let cancelled = false;
    postGraphQL({ query: getIntrospectionQuery(), operationName: 'IntrospectionQuery' }, { token })
      .then((r) => {
        if (cancelled) {
          return;
        }
        if (r?.data?.__schema) {
          setSchema(r.data);
          setSchemaNote('');
        } else if (errorCodes(r).includes('UNAUTHENTICATED')) {
          onUnauthenticated();
        } else {
          setSchemaNote(NEEDS_ADMIN);
        }
      })
      .catch(() => !cancelled && setSchemaNote('The schema could not be loaded; operations still run.'));
    return () => {
      cancelled = true;
    };
  }, [token, role, onUnauthenticated]);

  const fetcher = useMemo(() => createFetcher({ token, onUnauthenticated }), [token, onUnauthenticated]);
  useEffect(() => () => fetcher.dispose(), [fetcher]);

  const signOut = async () => {
    try {
      await postGraphQL({ query: END_SESSION }, { token });
    } finally {
      endLocally('You are signed out.');
    }
  };

  return (
    <div className="console">
      <header className="console-header">
        <h1>agentdesk console</h1>
        {session && (
          <div className="console-session">
            <span>
              Signed in as <strong>{session.user.name || session.user.email}</strong> ({session.user.email},{' '}
              {roleName(session.user.role)})
            </span>
            <button type="button" onClick={signOut}>
              Sign out
            </button>
          </div>
        )}
      </header>
      {!session && <SignInPanel notice={notice} onSignedIn={onSignedIn} />}
      {session && schemaNote && (
        <p className="console-note" role="status">
          {schemaNote}{' '}
          {!ADMIN_ROLES.includes(role) && 'Operations still run with this sign-in.'}
        </p>
      )}
      {!session && (
        <p className="console-note" role="status">
          {NEEDS_ADMIN}
        </p>
      )}
      <main className="console-main">
        {examples && (
          <GraphiQL
            key={`${generation}-${schema ? 'schema' : 'none'}`}
            fetcher={fetcher}
            schema={schema}
            storage={window.sessionStorage}
            plugins={schema ? ADMIN_PLUGINS : PLUGINS}
            referencePlugin={schema ? undefined : null}
            defaultTabs={examples.length ? examples : undefined}
            shouldPersistHeaders={false}
            showPersistHeadersSettings={false}
          >
            <GraphiQL.Logo>agentdesk</GraphiQL.Logo>
          </GraphiQL>
        )}
      </main>
    </div>
  );
}
