// The one way the desktop talks to agentdesk over HTTP: POST /graphql with
// JSON and the session token from sessionStorage as a bearer token.
// Errors come back as ApiError with the contract's extensions.code, so the
// screens decide by code and show the server's message.

import { store } from './store';

/** A GraphQL error the server answered with. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly extensions: Record<string, unknown>,
  ) {
    super(message);
  }
}

/** The server could not be reached, or answered with something that is not the API. */
export class TransportError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    readonly requestId?: string,
  ) {
    super(message);
  }
}

export const graphqlPath = '/graphql';

/** gql runs one operation and returns its data, or throws ApiError / TransportError. */
export async function gql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  const token = store.token();
  if (token) headers.Authorization = `Bearer ${token}`;
  let res: Response;
  try {
    res = await fetch(graphqlPath, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  } catch {
    throw new TransportError('network');
  }
  const requestId = res.headers.get('X-Request-Id') ?? undefined;
  let body: { data?: T; errors?: { message: string; extensions?: Record<string, unknown> }[] };
  try {
    body = await res.json();
  } catch {
    throw new TransportError('badAnswer', res.status, requestId);
  }
  const err = body.errors?.[0];
  if (err) {
    const ext = err.extensions ?? {};
    throw new ApiError(err.message, String(ext.code ?? 'INTERNAL'), ext);
  }
  if (body.data === undefined) throw new TransportError('badAnswer', res.status, requestId);
  return body.data;
}

/** probe checks that the server is up and ready before the first screen. */
export async function probe(): Promise<void> {
  let res: Response;
  try {
    res = await fetch('/readyz', { cache: 'no-store' });
  } catch {
    throw new TransportError('network');
  }
  const requestId = res.headers.get('X-Request-Id') ?? undefined;
  if (res.status === 503) throw new TransportError('notReady', res.status, requestId);
  if (!res.ok) throw new TransportError('badAnswer', res.status, requestId);
}

/** codeOf is the contract code of an error, or '' for anything else. */
export function codeOf(e: unknown): string {
  return e instanceof ApiError ? e.code : '';
}
