package graph_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/agentdesk/agentdesk/internal/testserver"
)

// FuzzGraphQLEndpoint posts random documents and variables to the real
// handler, anonymous and as the platform admin: whatever arrives, the answer
// is JSON, never a 5xx, and never INTERNAL (a panic or an unmapped error).
func FuzzGraphQLEndpoint(f *testing.F) {
	seeds := []struct{ query, vars string }{
		{`{ __typename }`, `{}`},
		{`query($id: ID!){ tenant(id:$id){ id name slug } }`, `{"id":"ten_x"}`},
		{`{ tenants(first: 5){ edges { cursor node { id } } pageInfo { hasNextPage endCursor } totalCount } }`, `{}`},
		{`query($a: String){ tenants(after: $a){ totalCount } }`, `{"a":"not-a-cursor"}`},
		{`mutation($in: CreateTenantInput!){ createTenant(input:$in){ id } }`, `{"in":{"name":"x","slug":"x-y","emailDomains":["x.test"]}}`},
		{`mutation { signIn(email: "a@b.test", password: "x") { token } }`, `{}`},
		{`{ countries(filter: "+61") { isoCode name callingCode } }`, `{}`},
		{`fragment F on Tenant { id ...F } { tenants { edges { node { ...F } } } }`, `{}`},
		{`{ a: me { id } b: me { id } }`, `{}`},
		{`query { tenants(first: -1) { totalCount } }`, `{}`},
		{`mutation { deleteTenant(id: "") }`, `{}`},
		{"{\x00}", `{}`},
		{`mutation($in: CreateDialPlanInput!){ createDialPlan(input:$in){ id } }`, `{"in":{"tenantId":"ten_x","name":"x","regularExpression":"([0-9"}}`},
		{`mutation($in: CreateAgentProfileInput!){ createAgentProfile(input:$in){ id dialPlans { id } } }`, `{"in":{"tenantId":"ten_x","name":"p","loginVoiceOptions":["DESKTOP"],"dialPlanIds":["dpl_x"]}}`},
		{`mutation($id: ID!, $u: [ID!]!){ addTeamMembers(teamId:$id, userIds:$u){ members(first: 1){ totalCount } } }`, `{"id":"tea_x","u":["usr_x","usr_x"]}`},
		{`query($t: ID!){ teams(tenantId:$t, filter:{search:"%_", type:CAPACITY}){ totalCount } skillProfiles(tenantId:$t){ totalCount } }`, `{"t":"ten_x"}`},
		{`mutation($id: ID!){ updateTeam(id:$id, input:{capacity:null}){ id } }`, `{"id":"tea_x"}`},
	}
	for _, s := range seeds {
		f.Add(s.query, s.vars, false)
		f.Add(s.query, s.vars, true)
	}
	srv := testserver.New(f)
	root := srv.RootToken()
	client := srv.HTTP.Client()
	f.Fuzz(func(t *testing.T, query, vars string, asAdmin bool) {
		var v any
		if json.Unmarshal([]byte(vars), &v) != nil {
			v = nil
		}
		body, err := json.Marshal(map[string]any{"query": query, "variables": v})
		if err != nil {
			return
		}
		req, _ := http.NewRequest(http.MethodPost, srv.HTTP.URL+"/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if asAdmin {
			req.Header.Set("Authorization", "Bearer "+root)
		}
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		raw, _ := io.ReadAll(res.Body)
		if res.StatusCode >= 500 {
			t.Fatalf("status %d for %q: %s", res.StatusCode, query, raw)
		}
		var out struct {
			Errors []struct {
				Extensions map[string]any `json:"extensions"`
			} `json:"errors"`
		}
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Fatalf("not JSON for %q: %s", query, raw)
		}
		for _, e := range out.Errors {
			if e.Extensions["code"] == "INTERNAL" {
				t.Fatalf("INTERNAL for %q %s: %s", query, vars, raw)
			}
		}
	})
}
