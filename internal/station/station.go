// Package station is the vocabulary of station login that the data model,
// the desktop rules and the API share: how calls reach an agent, the agent's
// availability, the interactions that block sign-out, and the state of the
// agent's Microsoft Teams authentication. It imports nothing of agentdesk, so
// ent and gqlgen can both bind to these types.
package station

// Type is how calls reach an agent.
type Type string

// The station types of the contract.
const (
	DialNumber Type = "DIAL_NUMBER" // a phone number, national or E.164
	Extension  Type = "EXTENSION"   // a Webex Calling extension
	Desktop    Type = "DESKTOP"     // WebRTC in the browser
)

// Values lists the station types, for ent's enum columns.
func (Type) Values() []string {
	return []string{string(DialNumber), string(Extension), string(Desktop)}
}

// Valid reports whether t is one of the station types.
func (t Type) Valid() bool { return t == DialNumber || t == Extension || t == Desktop }

// AgentState is an agent's availability on the desktop.
type AgentState string

// The availability states.
const (
	Available AgentState = "AVAILABLE"
	Idle      AgentState = "IDLE"
)

// Values lists the states, for ent's enum columns.
func (AgentState) Values() []string { return []string{string(Available), string(Idle)} }

// InteractionKind is what kind of work an interaction is.
type InteractionKind string

// The interaction kinds; an active one of either blocks sign-out.
const (
	Conversation InteractionKind = "CONVERSATION"
	Monitoring   InteractionKind = "MONITORING"
)

// Values lists the kinds, for ent's enum columns.
func (InteractionKind) Values() []string { return []string{string(Conversation), string(Monitoring)} }

// TeamsAuthStatus is where an agent's Microsoft Teams authentication stands.
type TeamsAuthStatus string

// The Teams authentication statuses.
const (
	TeamsNotStarted TeamsAuthStatus = "NOT_STARTED"
	TeamsSucceeded  TeamsAuthStatus = "SUCCEEDED"
	TeamsFailed     TeamsAuthStatus = "FAILED"
	TeamsCancelled  TeamsAuthStatus = "CANCELLED"
)

// Values lists the statuses, for ent's enum columns.
func (TeamsAuthStatus) Values() []string {
	return []string{string(TeamsNotStarted), string(TeamsSucceeded), string(TeamsFailed), string(TeamsCancelled)}
}

// Allowed is the station types an agent may log in with: the tenant's
// provisioning options that the agent's profile also allows, DESKTOP only
// when the tenant has WebRTC on, in the order DIAL_NUMBER, EXTENSION,
// DESKTOP (so the first one is the default). Station login and the
// station-login diagnostics both ask it.
func Allowed(tenantTypes, profileOptions []Type, webRTC bool) []Type {
	var out []Type
	for _, t := range []Type{DialNumber, Extension, Desktop} {
		if contains(tenantTypes, t) && contains(profileOptions, t) && (t != Desktop || webRTC) {
			out = append(out, t)
		}
	}
	return out
}

func contains(types []Type, t Type) bool {
	for _, x := range types {
		if x == t {
			return true
		}
	}
	return false
}
