package graph_test

import (
	"testing"

	"github.com/agentdesk/agentdesk/policy"
)

// TestNestedObjectsAreAuthorizedLikeTopLevelOnes: an edge hands out an
// object only to a caller who may read it at the top level. An agent gets
// FORBIDDEN for tenant(id), so its own tenant through `me` is the narrow
// view (id, name, slug, activity page) and nothing more; an agent may not
// read agent profiles, so `me.agentProfile` is FORBIDDEN too, while its own
// teams (the desktop's drop-down) and its own user stay readable.
func TestNestedObjectsAreAuthorizedLikeTopLevelOnes(t *testing.T) {
	d := newDesk(t)
	agent := d.agent()
	d.agent() // a teammate: another user on the team's member list
	sup := d.userIn(d.tenant, "sup@acme.test", policy.Supervisor, nil)
	admin := d.userIn(d.tenant, "admin@acme.test", policy.TenantAdmin, nil)

	cases := []struct {
		name, token, query, code string
	}{
		{"agent: own tenant, narrow view", agent.Token, `{ me { tenant { id name slug activityPage { artworkUrl } } } }`, ""},
		{"agent: own tenant's SSO settings", agent.Token, `{ me { tenant { sso { issuerUrl clientId } } } }`, "FORBIDDEN"},
		{"agent: own tenant's e-mail domains", agent.Token, `{ me { tenant { emailDomains } } }`, "FORBIDDEN"},
		{"agent: own agent profile", agent.Token, `{ me { agentProfile { id } } }`, "FORBIDDEN"},
		{"agent: own teams", agent.Token, `{ me { teams { id name } } }`, ""},
		{"agent: own teams' members (a teammate)", agent.Token, `{ me { teams { members { edges { node { id } } } } } }`, "FORBIDDEN"},
		{"agent: own teams' tenant, narrow", agent.Token, `{ stationLoginOptions { teams { tenant { name } } } }`, ""},
		{"agent: own team's tenant settings", agent.Token, `{ me { teams { tenant { stationTypes } } } }`, "FORBIDDEN"},
		{"supervisor: tenant settings", sup.Token, `{ me { tenant { sso { issuerUrl } emailDomains } } }`, ""},
		{"supervisor: team members", sup.Token, `{ me { teams { members { totalCount } } } }`, ""},
		{"admin: every edge", admin.Token, `{ me { tenant { emailDomains sso { clientId } } agentProfile { id } teams { members { totalCount } } } }`, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := d.s.Do(c.token, c.query, nil)
			if got := r.Code(); got != c.code {
				t.Errorf("%s: code %q, want %q (errors %+v, data %s)", c.query, got, c.code, r.Errors, r.Data)
			}
		})
	}
}
