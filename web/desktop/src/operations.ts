// Every GraphQL operation the desktop sends, in the order an agent meets
// them. This file is the short answer to "which calls does a desktop make":
// see docs of each field in the schema (POST /graphql, introspection for
// admins) and /work/shared/api-contract.md's "Sign-in" and "Station login".

import { gql } from './api';

// ---- Types of the answers (only the fields the desktop asks for) ----

export type StationType = 'DIAL_NUMBER' | 'EXTENSION' | 'DESKTOP';
export type TeamsAuthStatus = 'NOT_STARTED' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';

export interface Country {
  isoCode: string;
  name: string;
  callingCode: number;
}
export interface Team {
  id: string;
  name: string;
}
export interface Banner {
  id: string;
  message: string;
  severity: 'INFO' | 'WARNING';
}
export interface Me {
  id: string;
  name: string;
  email: string;
  teamsAuthStatus: TeamsAuthStatus;
  tenant: { slug: string; name: string } | null;
}
export interface StationLoginOptions {
  stationTypes: StationType[];
  defaultStationType: StationType | null;
  defaultDialNumber: string | null;
  defaultExtension: string | null;
  dialNumberLocked: boolean;
  internationalFormat: boolean;
  defaultCountry: Country;
  teams: Team[];
  rememberedStation: {
    stationType: StationType;
    dialNumber: string | null;
    extension: string | null;
    country: string | null;
    internationalFormat: boolean;
    team: Team | null;
  } | null;
  teamsIntegration: { prompt: boolean; status: TeamsAuthStatus };
  supportedDesktopBrowsers: string[];
  roles: string[];
  activityPage: { artworkUrl: string | null };
  banners: Banner[];
}
export interface DesktopSession {
  id: string;
  stationType: StationType;
  dialNumber: string | null;
  extension: string | null;
  team: Team | null;
  state: 'AVAILABLE' | 'IDLE';
  idleCode: string;
  interactions: { id: string; kind: string; active: boolean }[];
}
export interface StationLoginResult {
  session: DesktopSession;
  credentialsSaved: boolean;
  credentialsNotSavedReason: string | null;
  activityPage: { artworkUrl: string | null };
}

const sessionFields = `id stationType dialNumber extension team { id name } state idleCode interactions { id kind active }`;

// ---- Sign-in (anonymous) ----

export const signInOptions = (email: string) =>
  gql<{ signInOptions: { method: 'PASSWORD' | 'SSO'; ssoAuthorizationUrl: string | null; state: string | null } }>(
    `query SignInOptions($email: String!) { signInOptions(email: $email) { method ssoAuthorizationUrl state } }`,
    { email },
  ).then((d) => d.signInOptions);

export const signIn = (email: string, password: string) =>
  gql<{ signIn: { token: string } }>(
    `mutation SignIn($email: String!, $password: String!) { signIn(email: $email, password: $password) { token } }`,
    { email, password },
  ).then((d) => d.signIn.token);

export const completeSsoSignIn = (state: string, code: string) =>
  gql<{ completeSsoSignIn: { token: string } }>(
    `mutation CompleteSso($state: String!, $code: String!) { completeSsoSignIn(state: $state, code: $code) { token } }`,
    { state, code },
  ).then((d) => d.completeSsoSignIn.token);

export const requestPasswordReset = (email: string) =>
  gql(`mutation RequestReset($email: String!) { requestPasswordReset(email: $email) }`, { email });

export const resetPassword = (email: string, code: string, newPassword: string) =>
  gql(
    `mutation ResetPassword($email: String!, $code: String!, $newPassword: String!) {
      resetPassword(email: $email, code: $code, newPassword: $newPassword) }`,
    { email, code, newPassword },
  );

export const countries = (filter: string) =>
  gql<{ countries: Country[] }>(`query Countries($filter: String) { countries(filter: $filter) { isoCode name callingCode } }`, {
    filter,
  }).then((d) => d.countries);

// ---- Signed in ----

export const me = () =>
  gql<{ me: Me | null }>(`query Me { me { id name email teamsAuthStatus tenant { slug name } } }`).then((d) => d.me);

/** endSession revokes the token (leaving without a desktop session). */
export const endSession = () => gql(`mutation EndSession { endSession }`);

export const stationLoginOptions = () =>
  gql<{ stationLoginOptions: StationLoginOptions }>(
    `query StationLoginOptions {
      stationLoginOptions {
        stationTypes defaultStationType defaultDialNumber defaultExtension dialNumberLocked
        internationalFormat defaultCountry { isoCode name callingCode }
        teams { id name }
        rememberedStation { stationType dialNumber extension country internationalFormat team { id name } }
        teamsIntegration { prompt status }
        supportedDesktopBrowsers roles
        activityPage { artworkUrl }
        banners { id message severity }
      }
    }`,
  ).then((d) => d.stationLoginOptions);

export const teams = (filter: string) =>
  gql<{ stationLoginOptions: { teams: Team[] } }>(
    `query Teams($filter: String) { stationLoginOptions { teams(filter: $filter) { id name } } }`,
    { filter },
  ).then((d) => d.stationLoginOptions.teams);

export const banners = () =>
  gql<{ stationLoginOptions: { banners: Banner[] } }>(`query Banners { stationLoginOptions { banners { id message severity } } }`).then(
    (d) => d.stationLoginOptions.banners,
  );

export const validateDialNumber = (input: { dialNumber: string; internationalFormat: boolean; country?: string }) =>
  gql<{ validateDialNumber: { valid: boolean; normalized: string | null; reason: string | null } }>(
    `query ValidateDialNumber($input: DialNumberInput!) { validateDialNumber(input: $input) { valid normalized reason } }`,
    { input },
  ).then((d) => d.validateDialNumber);

export interface StationLoginInput {
  clientId: string;
  stationType: StationType;
  dialNumber?: string;
  internationalFormat?: boolean;
  country?: string;
  extension?: string;
  teamId: string;
  rememberMe: boolean;
  role?: string;
}

export const stationLogin = (input: StationLoginInput) =>
  gql<{ stationLogin: StationLoginResult }>(
    `mutation StationLogin($input: StationLoginInput!) {
      stationLogin(input: $input) {
        session { ${sessionFields} } credentialsSaved credentialsNotSavedReason activityPage { artworkUrl }
      }
    }`,
    { input },
  ).then((d) => d.stationLogin);

export const desktopSession = (clientId: string) =>
  gql<{ desktopSession: DesktopSession | null }>(
    `query DesktopSession($clientId: String!) { desktopSession(clientId: $clientId) { ${sessionFields} } }`,
    { clientId },
  ).then((d) => d.desktopSession);

export const continueSession = (clientId: string) =>
  gql<{ continueSession: DesktopSession }>(
    `mutation ContinueSession($clientId: String!) { continueSession(clientId: $clientId) { ${sessionFields} } }`,
    { clientId },
  ).then((d) => d.continueSession);

export const setAgentState = (clientId: string, state: 'AVAILABLE' | 'IDLE', idleCode?: string) =>
  gql<{ setAgentState: DesktopSession }>(
    `mutation SetAgentState($clientId: String!, $state: AgentState!, $idleCode: String) {
      setAgentState(clientId: $clientId, state: $state, idleCode: $idleCode) { ${sessionFields} } }`,
    { clientId, state, idleCode },
  ).then((d) => d.setAgentState);

export const signOut = (clientId: string) =>
  gql(`mutation SignOut($clientId: String!) { signOut(clientId: $clientId) }`, { clientId });

export const startTeamsAuthentication = () =>
  gql<{ startTeamsAuthentication: { authorizationUrl: string; state: string } }>(
    `mutation StartTeams { startTeamsAuthentication { authorizationUrl state } }`,
  ).then((d) => d.startTeamsAuthentication);

export const completeTeamsAuthentication = (state: string, code: string) =>
  gql<{ completeTeamsAuthentication: TeamsAuthStatus }>(
    `mutation CompleteTeams($state: String!, $code: String!) { completeTeamsAuthentication(state: $state, code: $code) }`,
    { state, code },
  ).then((d) => d.completeTeamsAuthentication);

export const cancelTeamsAuthentication = (state: string) =>
  gql<{ cancelTeamsAuthentication: TeamsAuthStatus }>(
    `mutation CancelTeams($state: String!) { cancelTeamsAuthentication(state: $state) }`,
    { state },
  ).then((d) => d.cancelTeamsAuthentication);

/** The subscription, sent over graphql-ws (see events.ts). */
export const desktopEventsDocument = `subscription DesktopEvents($clientId: String!) { desktopEvents(clientId: $clientId) { type at message } }`;
