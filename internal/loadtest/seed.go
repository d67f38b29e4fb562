package loadtest

import (
	"context"
	"fmt"
	"net/http"
	"time"
)

// Seed creates, through the API as the platform admin, a tenant with a
// profile, a team and n agents with passwords and distinct dial numbers,
// and returns a Config that loads it.
func Seed(ctx context.Context, baseURL, adminEmail, adminPassword string, n int) (Config, error) {
	cfg := Config{BaseURL: baseURL, Client: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 256}}}
	rec := &recorder{ops: map[string]*OpStats{}}
	do := func(op, token, q string, vars map[string]any, out any) error {
		return call(ctx, cfg, rec, op, token, q, vars, out)
	}
	var in struct{ SignIn struct{ Token string } }
	if err := do("seed", "", `mutation($e:String!,$p:String!){ signIn(email:$e,password:$p){ token } }`,
		map[string]any{"e": adminEmail, "p": adminPassword}, &in); err != nil {
		return cfg, err
	}
	root := in.SignIn.Token
	slug := fmt.Sprintf("load-%d", time.Now().UnixNano()%1_000_000)
	var t struct{ CreateTenant struct{ ID string } }
	if err := do("seed", root, `mutation($in: CreateTenantInput!){ createTenant(input:$in){ id } }`, map[string]any{"in": map[string]any{
		"name": "Load test", "slug": slug, "emailDomains": []string{slug + ".test"},
		"stationTypes": []string{"DIAL_NUMBER", "EXTENSION"},
	}}, &t); err != nil {
		return cfg, err
	}
	tenantID := t.CreateTenant.ID
	var p struct{ CreateAgentProfile struct{ ID string } }
	if err := do("seed", root, `mutation($in: CreateAgentProfileInput!){ createAgentProfile(input:$in){ id } }`, map[string]any{"in": map[string]any{
		"tenantId": tenantID, "name": "Agents", "loginVoiceOptions": []string{"DIAL_NUMBER", "EXTENSION"},
	}}, &p); err != nil {
		return cfg, err
	}
	var team struct{ CreateTeam struct{ ID string } }
	if err := do("seed", root, `mutation($in: CreateTeamInput!){ createTeam(input:$in){ id } }`, map[string]any{"in": map[string]any{
		"tenantId": tenantID, "name": "Support", "type": "AGENT",
	}}, &team); err != nil {
		return cfg, err
	}
	for i := range n {
		a := Agent{
			Email:    fmt.Sprintf("agent%03d@%s.test", i, slug),
			Password: fmt.Sprintf("load-test-passphrase-%03d", i),
			// Distinct valid US numbers: 415-555-01xx is reserved for fiction,
			// so use a real-looking exchange with the worker's digits.
			DialNumber: fmt.Sprintf("+1212%07d", 2000000+i),
			TeamID:     team.CreateTeam.ID,
		}
		if err := do("seed", root, `mutation($in: CreateUserInput!){ createUser(input:$in){ id } }`, map[string]any{"in": map[string]any{
			"tenantId": tenantID, "email": a.Email, "name": fmt.Sprintf("Agent %d", i), "role": "AGENT", "password": a.Password,
			"agentProfileId": p.CreateAgentProfile.ID, "teamIds": []string{a.TeamID}, "defaultDialNumber": a.DialNumber,
		}}, nil); err != nil {
			return cfg, err
		}
		cfg.Agents = append(cfg.Agents, a)
	}
	cfg.AdminToken, cfg.TenantID = root, tenantID
	return cfg, nil
}
