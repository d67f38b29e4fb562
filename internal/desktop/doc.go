// Package desktop owns what happens after an agent's password: the station
// login rules (which station types, which dial number, which team, which
// role), the desktop session of a signed-in agent and its state machine
// (one session per agent, takeover by another tab, availability, sign-out
// rules, inactivity), the Microsoft Teams authentication of the agent, and
// the events pushed to a desktop tab.
//
// It is plain Go: resolvers in graph/ call it, and every call authorizes
// through policy once (desktop.use with the caller's tenant for the agent's
// own calls; session.read, session.forceSignOut and interaction.record with
// the session's tenant for the others).
//
// # The desktop session
//
// A station login creates a DesktopSession held by one browser tab, named by
// the client id the tab made up. The database keeps the invariants, not this
// package: partial unique indexes allow one active session per agent and one
// active session per dial number or extension in a tenant, so two concurrent
// logins cannot both win; the loser's constraint error becomes
// DIAL_NUMBER_IN_USE (or SESSION_ACTIVE_ELSEWHERE for the same agent).
//
// States of a session as a tab sees it:
//
//	no session ──stationLogin──▶ active (held by tab A)
//	active(A)  ──continueSession(B)──▶ active(B); A is "superseded": its next
//	                                   call gets SESSION_TAKEN_OVER
//	active     ──signOut / forceSignOut / inactivity──▶ ended (with a reason)
//
// A tab asking about a session it does not hold, while another tab holds it,
// gets SESSION_ACTIVE_ELSEWHERE (with the session id and the number of active
// interactions) so the desktop can offer "Continue here".
//
// A tab calling stationLogin again while it holds the session (a reload
// that lost its state, or a change of station) replaces the session: the
// old one ends with "Station login replaced" and a new one starts. That is
// refused like a sign-out while an interaction is active, because the
// interactions belong to the old session.
//
// # Inactivity
//
// Every desktop call of the holding tab refreshes the session's last
// activity. A session idle for longer than its tenant's
// desktopInactivityTimeoutMinutes ends with "Inactivity Logout": checked on
// access (before any call of the agent, and for sessions that hold a number a
// station login wants) and swept by the Sweeper in the background, which
// also sends INACTIVITY_WARNING one minute before. A session with an active
// interaction is never ended for inactivity: the agent is on a call, not
// away. The tab that held an expired session gets SESSION_EXPIRED. The
// sign-in token is kept: the agent logs in to a station again without a
// password.
//
// # Sign-out
//
// signOut is refused while the agent is AVAILABLE (AGENT_NOT_IDLE), during an
// active conversation (ACTIVE_INTERACTION) or monitoring task
// (MONITORING_IN_PROGRESS). It ends the session and revokes the caller's
// sign-in token in one transaction. An admin's forceSignOut ends the session
// whatever its state, revokes the token that holds it, writes an audit event
// and tells the tab (FORCED_SIGN_OUT).
package desktop
