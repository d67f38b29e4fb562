package loadtest

import (
	"context"
	"fmt"
	"net/http"
	"strings"
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
	cfg.ProfileID = p.CreateAgentProfile.ID
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
		var u struct{ CreateUser struct{ ID string } }
		if err := do("seed", root, `mutation($in: CreateUserInput!){ createUser(input:$in){ id } }`, map[string]any{"in": map[string]any{
			"tenantId": tenantID, "email": a.Email, "name": fmt.Sprintf("Agent %d", i), "role": "AGENT", "password": a.Password,
			"agentProfileId": p.CreateAgentProfile.ID, "teamIds": []string{a.TeamID}, "defaultDialNumber": a.DialNumber,
		}}, &u); err != nil {
			return cfg, err
		}
		a.UserID = u.CreateUser.ID
		cfg.Agents = append(cfg.Agents, a)
	}
	cfg.AdminToken, cfg.TenantID = root, tenantID
	return cfg, nil
}

// SeedTenants grows a seeded installation to tenants tenants holding users
// users in all (the agents of Seed count), the way the issue-9 benchmark
// measures lists: every tenant gets a profile, a skill profile, two AGENT
// teams and its share of users imported by importUsers, each with the
// profile, the skill profile and both teams; cfg's tenant also gets two
// unresolved banners. It returns the new tenants' ids, cfg's first.
func SeedTenants(ctx context.Context, cfg Config, tenants, users int) ([]string, error) {
	if cfg.Client == nil {
		cfg.Client = http.DefaultClient
	}
	rec := &recorder{ops: map[string]*OpStats{}}
	do := func(q string, vars map[string]any, out any) error {
		return call(ctx, cfg, rec, "seed", cfg.AdminToken, q, vars, out)
	}
	ids := []string{cfg.TenantID}
	// The agents' tenant's e-mail domain, "<slug>.test".
	base := strings.TrimSuffix(cfg.Agents[0].Email[strings.IndexByte(cfg.Agents[0].Email, '@')+1:], ".test")
	per := max(users-len(cfg.Agents), 0) / max(tenants, 1)
	for i := range tenants {
		tenantID, profile := cfg.TenantID, "Agents"
		slug := base
		if i > 0 {
			slug = fmt.Sprintf("%s-t%02d", base, i)
			var t struct{ CreateTenant struct{ ID string } }
			if err := do(`mutation($in: CreateTenantInput!){ createTenant(input:$in){ id } }`, map[string]any{"in": map[string]any{
				"name": fmt.Sprintf("Tenant %02d", i), "slug": slug, "emailDomains": []string{slug + ".test"},
				"stationTypes": []string{"DIAL_NUMBER", "EXTENSION"},
			}}, &t); err != nil {
				return nil, err
			}
			tenantID, profile = t.CreateTenant.ID, "Inbound"
			ids = append(ids, tenantID)
			if err := do(`mutation($in: CreateAgentProfileInput!){ createAgentProfile(input:$in){ id } }`, map[string]any{"in": map[string]any{
				"tenantId": tenantID, "name": profile, "loginVoiceOptions": []string{"DIAL_NUMBER"},
			}}, nil); err != nil {
				return nil, err
			}
		} else {
			for _, m := range []string{"Planned maintenance tonight", "New queue for billing"} {
				if err := do(`mutation($in: CreateBannerInput!){ createBanner(input:$in){ id } }`,
					map[string]any{"in": map[string]any{"tenantId": tenantID, "message": m}}, nil); err != nil {
					return nil, err
				}
			}
		}
		if err := do(`mutation($in: CreateSkillProfileInput!){ createSkillProfile(input:$in){ id } }`, map[string]any{"in": map[string]any{
			"tenantId": tenantID, "name": "Languages", "skills": []map[string]any{{"name": "French", "proficiency": 7}},
		}}, nil); err != nil {
			return nil, err
		}
		for _, name := range []string{"Billing", "Sales"} {
			if err := do(`mutation($in: CreateTeamInput!){ createTeam(input:$in){ id } }`, map[string]any{"in": map[string]any{
				"tenantId": tenantID, "name": name, "type": "AGENT",
			}}, nil); err != nil {
				return nil, err
			}
		}
		if per == 0 {
			continue
		}
		var b strings.Builder
		b.WriteString("email,name,role,agentProfile,teams,skillProfile\n")
		for j := range per {
			fmt.Fprintf(&b, "user%04d@%s.test,User %d of %d,AGENT,%s,Billing;Sales,Languages\n", j, slug, j, i, profile)
		}
		var res struct{ ImportUsers struct{ Created, Failed int } }
		if err := do(`mutation($t:ID!,$csv:String!){ importUsers(tenantId:$t, csv:$csv){ created failed } }`,
			map[string]any{"t": tenantID, "csv": b.String()}, &res); err != nil {
			return nil, err
		}
		if res.ImportUsers.Created != per {
			return nil, fmt.Errorf("seed tenant %d: %d of %d users imported", i, res.ImportUsers.Created, per)
		}
	}
	return ids, nil
}
