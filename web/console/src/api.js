// How the console talks to agentdesk: JSON over POST /graphql with the
// session token, and graphql-ws on the same path for subscriptions (the
// token goes in connection_init: browsers cannot set websocket headers).
import { createClient } from 'graphql-ws';
import { getOperationAST, parse } from 'graphql';

export const GRAPHQL_PATH = '/graphql';

export const ADMIN_ROLES = ['PLATFORM_ADMIN', 'TENANT_ADMIN'];

function hasHeader(headers, name) {
  return Object.keys(headers).some((k) => k.toLowerCase() === name);
}

function bearer(token) {
  return `Bearer ${token}`;
}

// postGraphQL runs one operation and returns the GraphQL answer (data and
// errors); a transport failure without a JSON body becomes an error entry
// so callers handle one shape.
export async function postGraphQL(params, { token, headers = {}, signal } = {}) {
  const h = { 'Content-Type': 'application/json', Accept: 'application/json', ...headers };
  if (token && !hasHeader(h, 'authorization')) {
    h.Authorization = bearer(token);
  }
  const res = await fetch(GRAPHQL_PATH, {
    method: 'POST',
    headers: h,
    body: JSON.stringify({
      query: params.query,
      variables: params.variables ?? undefined,
      operationName: params.operationName ?? undefined,
    }),
    credentials: 'same-origin',
    signal,
  });
  const text = await res.text();
  try {
    return JSON.parse(text);
  } catch {
    return { errors: [{ message: `agentdesk answered HTTP ${res.status} without a GraphQL body.` }] };
  }
}

// errorCodes lists the extensions.code of every error in an answer.
export function errorCodes(result) {
  return (result?.errors ?? []).map((e) => e?.extensions?.code).filter(Boolean);
}

function operationType(query, operationName) {
  try {
    return getOperationAST(parse(query), operationName || undefined)?.operation ?? null;
  } catch {
    return null; // the server reports syntax errors with their position
  }
}

// createFetcher builds GraphiQL's fetcher for one session. onUnauthenticated
// runs when agentdesk says the token is no longer good, so the sign-in panel
// can come back.
export function createFetcher({ token, onUnauthenticated }) {
  const wsURL = new URL(GRAPHQL_PATH, window.location.href);
  wsURL.protocol = wsURL.protocol === 'https:' ? 'wss:' : 'ws:';
  let ws = null;
  const wsClient = () => {
    ws ??= createClient({
      url: wsURL.href,
      lazy: true,
      retryAttempts: 0,
      connectionParams: token ? { Authorization: bearer(token) } : {},
      on: {
        closed: (event) => {
          if (typeof event?.reason === 'string' && event.reason.includes('UNAUTHENTICATED')) {
            onUnauthenticated();
          }
        },
      },
    });
    return ws;
  };
  const watch = (result) => {
    if (errorCodes(result).includes('UNAUTHENTICATED')) {
      onUnauthenticated();
    }
    return result;
  };

  const fetcher = (params, opts = {}) => {
    if (operationType(params.query, params.operationName) === 'subscription') {
      return subscribe(wsClient(), params, watch);
    }
    return postGraphQL(params, { token, headers: opts.headers ?? {} }).then(watch);
  };
  fetcher.dispose = () => ws?.dispose();
  return fetcher;
}

// subscribe turns a graphql-ws subscription into the async iterator GraphiQL
// shows result by result.
async function* subscribe(client, params, watch) {
  const results = client.iterate({
    query: params.query,
    variables: params.variables ?? undefined,
    operationName: params.operationName ?? undefined,
  });
  try {
    for await (const result of results) {
      yield watch(result);
    }
  } catch (err) {
    // graphql-ws throws a CloseEvent or the server's error list.
    if (Array.isArray(err)) {
      yield watch({ errors: err });
    } else {
      const reason = err?.reason || err?.message || 'the subscription connection closed';
      yield watch({ errors: [{ message: reason, extensions: reason.includes('UNAUTHENTICATED') ? { code: 'UNAUTHENTICATED' } : {} }] });
    }
  } finally {
    await results.return?.();
  }
}
