// desktopEvents over graphql-ws: the server tells this tab at once when its
// session is taken over, ended by an admin or by inactivity, when the
// banners change, and a minute before the inactivity sign-out. Browsers
// cannot set headers on a websocket, so the token goes in the
// connection_init payload.

import { createClient, type Client } from 'graphql-ws';
import { graphqlPath } from './api';
import { desktopEventsDocument } from './operations';

export type DesktopEventType = 'SESSION_TAKEN_OVER' | 'FORCED_SIGN_OUT' | 'BANNERS_CHANGED' | 'INACTIVITY_WARNING';

export interface DesktopEvent {
  type: DesktopEventType;
  at: string;
  message: string | null;
}

/** subscribe listens until the returned function is called. */
export function subscribe(token: string, clientId: string, onEvent: (e: DesktopEvent) => void): () => void {
  const url = `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}${graphqlPath}`;
  const client: Client = createClient({
    url,
    connectionParams: { Authorization: `Bearer ${token}` },
    // Reconnect after network trouble; the session itself lives on the server.
    retryAttempts: Infinity,
    shouldRetry: () => true,
  });
  const stop = client.subscribe<{ desktopEvents: DesktopEvent }>(
    { query: desktopEventsDocument, variables: { clientId } },
    {
      next: (msg) => {
        if (msg.data) onEvent(msg.data.desktopEvents);
      },
      error: () => {},
      complete: () => {},
    },
  );
  return () => {
    stop();
    void client.dispose();
  };
}
