package graph_test

import (
	"fmt"
	"testing"
)

// TestEdgesUnderMutationResultsAreAuthorized: the objects a mutation's
// answer leads to are authorized like the same objects read through a
// query: what an agent may not read through `me` it may not read through
// stationLogin's session either. signIn, sent before anyone is signed in,
// is held to the anonymous surface, which has no edge at all under its
// user (VALIDATION_ERROR, before anything runs). The authorization matrix
// calls the nested fields of reads; this covers the payloads of the
// desktop's own mutations.
func TestEdgesUnderMutationResultsAreAuthorized(t *testing.T) {
	d := newDesk(t)
	cases := []struct {
		name string
		// read is the nested selection under me; payload the same under
		// the mutation's user (%s).
		read, payload string
		want          string // "" when readable
	}{
		{"the tenant's SSO settings", `tenant { sso { issuerUrl clientId } }`, "", "FORBIDDEN"},
		{"the tenant's e-mail domains", `tenant { emailDomains }`, "", "FORBIDDEN"},
		{"the tenant's narrow view", `tenant { id name slug }`, "", ""},
		{"the agent profile", `agentProfile { id name }`, "", "FORBIDDEN"},
		{"the agent's own teams", `teams { id name }`, "", ""},
	}
	const signInDoc = `mutation($e: String!, $p: String!){ signIn(email: $e, password: $p){ token user { %s } } }`
	const loginDoc = `mutation($in: StationLoginInput!){ stationLogin(input: $in){ session { id user { %s } } } }`
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			agent := d.agent()
			if got := d.s.Do(agent.Token, fmt.Sprintf(`{ me { %s } }`, c.read), nil).Code(); got != c.want {
				t.Fatalf("me { %s }: %q, want %q", c.read, got, c.want)
			}
			in := d.s.Do("", fmt.Sprintf(signInDoc, c.read), map[string]any{"e": agent.Email, "p": agentPassword})
			if got := in.Code(); got != "VALIDATION_ERROR" || string(in.Data) != "null" {
				t.Errorf("signIn { user { %s } }: %q, data %s; want VALIDATION_ERROR and no data", c.read, got, in.Data)
			}
			login := d.s.DoWith(agent.Token, fmt.Sprintf(loginDoc, c.read), map[string]any{"in": map[string]any{
				"clientId": "tab-1", "stationType": "DIAL_NUMBER", "teamId": d.team.ID,
				"dialNumber": fmt.Sprintf("+1415555%04d", i),
			}}, chrome())
			if got := login.Code(); got != c.want {
				t.Errorf("stationLogin { session { user { %s } } }: %q, want %q (as me answers); data %s", c.read, got, c.want, login.Data)
			}
		})
	}
}
