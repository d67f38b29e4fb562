package graph_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/agentdesk/agentdesk/ent"
	"github.com/agentdesk/agentdesk/ent/auditevent"
	"github.com/agentdesk/agentdesk/internal/testserver"
)

// The helpers below (cfg…) serve the configuration tests of profiles, dial
// plans, teams and skill profiles.

const cfgPassword = "a strong passphrase 1"

// cfgUser creates a user of a tenant through createUser as root and
// returns its id; extra adds fields to the input.
func cfgUser(t *testing.T, s *testserver.Server, root, tenantID, email, role string, extra map[string]any) string {
	t.Helper()
	return s.CreateUser(root, tenantID, email, role, cfgPassword, extra)
}

// cfgSignIn creates a user with a role in a tenant and signs it in.
func cfgSignIn(t *testing.T, s *testserver.Server, root, tenantID, email, role string) string {
	t.Helper()
	cfgUser(t, s, root, tenantID, email, role, nil)
	return s.SignIn(email, cfgPassword)
}

// cfgWant checks that r failed with code, and with field when one is given.
func cfgWant(t *testing.T, r *testserver.Response, code, field string) {
	t.Helper()
	if r.Code() != code {
		t.Fatalf("code = %q, want %q (errors %+v, data %s)", r.Code(), code, r.Errors, r.Data)
	}
	if field != "" && r.Errors[0].Extensions["field"] != field {
		t.Fatalf("field = %v, want %s (%s)", r.Errors[0].Extensions["field"], field, r.Errors[0].Message)
	}
}

// cfgAudit returns the audit events of action on target, oldest first,
// and fails unless there are want of them.
func cfgAudit(t *testing.T, s *testserver.Server, action, targetID string, want int) []*ent.AuditEvent {
	t.Helper()
	evs, err := s.App.DB.Client.AuditEvent.Query().
		Where(auditevent.Action(action), auditevent.TargetID(targetID)).
		Order(auditevent.ByID()).All(testserver.Ctx())
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != want {
		t.Fatalf("%d audit events %s on %s, want %d", len(evs), action, targetID, want)
	}
	return evs
}

// cfgPage is one page of any connection, with the nodes' ids and names.
type cfgPage struct {
	TotalCount int
	PageInfo   struct {
		HasNextPage bool
		EndCursor   *string
	}
	Edges []struct {
		Cursor string
		Node   struct{ ID, Name string }
	}
}

func (p cfgPage) names() []string {
	out := make([]string, len(p.Edges))
	for i, e := range p.Edges {
		out[i] = e.Node.Name
	}
	return out
}

// cfgList reads one page of the connection at path ("teams", or
// "team.members") of query, which takes $first and $after and selects the
// cfgPage fields.
func cfgList(t *testing.T, s *testserver.Server, token, query, path string, vars map[string]any) cfgPage {
	t.Helper()
	var raw json.RawMessage
	s.MustDo(token, query, vars, &raw)
	for _, field := range strings.Split(path, ".") {
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(raw, &obj); err != nil {
			t.Fatalf("%s in %s: %v", field, raw, err)
		}
		raw = obj[field]
	}
	var p cfgPage
	if err := json.Unmarshal(raw, &p); err != nil {
		t.Fatal(err)
	}
	return p
}

// cfgCheckPages pages through the connection at path of query two at a
// time and checks it returns want in order, with totalCount and page info
// right on every page.
func cfgCheckPages(t *testing.T, s *testserver.Server, token, query, path string, vars map[string]any, want []string) {
	t.Helper()
	var got []string
	var after any
	for pages := 0; ; pages++ {
		v := map[string]any{"first": 2, "after": after}
		for k, x := range vars {
			v[k] = x
		}
		p := cfgList(t, s, token, query, path, v)
		if p.TotalCount != len(want) {
			t.Fatalf("totalCount = %d, want %d", p.TotalCount, len(want))
		}
		got = append(got, p.names()...)
		if len(p.Edges) > 2 || pages > len(want) {
			t.Fatalf("page %d has %d edges", pages, len(p.Edges))
		}
		if !p.PageInfo.HasNextPage {
			break
		}
		if p.PageInfo.EndCursor == nil || *p.PageInfo.EndCursor != p.Edges[len(p.Edges)-1].Cursor {
			t.Fatalf("endCursor %v is not the last edge's cursor", p.PageInfo.EndCursor)
		}
		after = *p.PageInfo.EndCursor
	}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("paged %q, want %q", got, want)
	}
}

const (
	createProfile = `mutation($in: CreateAgentProfileInput!){ createAgentProfile(input:$in){
		id name description loginVoiceOptions dialNumberValidation autoAnswer tenant{ id } dialPlans{ id name } } }`
	updateProfile = `mutation($id: ID!, $in: UpdateAgentProfileInput!){ updateAgentProfile(id:$id, input:$in){
		id name description loginVoiceOptions dialNumberValidation autoAnswer dialPlans{ id name } } }`
	createPlan = `mutation($in: CreateDialPlanInput!){ createDialPlan(input:$in){
		id name regularExpression prefix strippedChars active tenant{ id } } }`
	listProfiles = `query($t: ID!, $first: Int, $after: String, $q: String){ agentProfiles(tenantId:$t, first:$first, after:$after, filter:{search:$q}){
		totalCount pageInfo{ hasNextPage endCursor } edges{ cursor node{ id name } } } }`
	listPlans = `query($t: ID!, $first: Int, $after: String, $q: String){ dialPlans(tenantId:$t, first:$first, after:$after, filter:{search:$q}){
		totalCount pageInfo{ hasNextPage endCursor } edges{ cursor node{ id name } } } }`
)

type profileOut struct {
	ID, Name, Description, DialNumberValidation string
	LoginVoiceOptions                           []string
	AutoAnswer                                  bool
	Tenant                                      struct{ ID string }
	DialPlans                                   []struct{ ID, Name string }
}

type planOut struct {
	ID, Name, RegularExpression, Prefix, StrippedChars string
	Active                                             bool
	Tenant                                             struct{ ID string }
}

func mustCreatePlan(t *testing.T, s *testserver.Server, token string, in map[string]any) planOut {
	t.Helper()
	var out struct{ CreateDialPlan planOut }
	s.MustDo(token, createPlan, map[string]any{"in": in}, &out)
	return out.CreateDialPlan
}

func mustCreateProfile(t *testing.T, s *testserver.Server, token string, in map[string]any) profileOut {
	t.Helper()
	var out struct{ CreateAgentProfile profileOut }
	s.MustDo(token, createProfile, map[string]any{"in": in}, &out)
	return out.CreateAgentProfile
}

func TestAgentProfileLifecycle(t *testing.T) {
	s := testserver.New(t)
	root := s.RootToken()
	tn := s.CreateTenant(root, "acme")
	adminID := cfgUser(t, s, root, tn.ID, "admin@acme.test", "TENANT_ADMIN", nil)
	admin := s.SignIn("admin@acme.test", cfgPassword)

	plan := mustCreatePlan(t, s, admin, map[string]any{"tenantId": tn.ID, "name": "UK", "regularExpression": `44[0-9]{10}`, "prefix": "44", "strippedChars": " -"})
	if !plan.Active || plan.Tenant.ID != tn.ID || plan.Prefix != "44" {
		t.Fatalf("plan = %+v", plan)
	}

	p := mustCreateProfile(t, s, admin, map[string]any{
		"tenantId": tn.ID, "name": "  Sales desk  ", "description": "Inbound sales",
		"loginVoiceOptions": []string{"DIAL_NUMBER", "EXTENSION"}, "dialNumberValidation": "DIAL_PLAN",
		"dialPlanIds": []string{plan.ID, plan.ID}, "autoAnswer": true,
	})
	if p.Name != "Sales desk" || p.Description != "Inbound sales" || p.DialNumberValidation != "DIAL_PLAN" || !p.AutoAnswer ||
		p.Tenant.ID != tn.ID || len(p.DialPlans) != 1 || p.DialPlans[0].ID != plan.ID || len(p.LoginVoiceOptions) != 2 {
		t.Fatalf("created profile = %+v", p)
	}
	ev := cfgAudit(t, s, "createAgentProfile", p.ID, 1)[0]
	if ev.TenantID != tn.ID || ev.Actor != "user:"+adminID || ev.TargetType != "AgentProfile" || !strings.Contains(ev.Summary, "Sales desk") {
		t.Fatalf("audit = %+v", ev)
	}

	// A default profile: ANY_FORMAT, no plans, no description.
	plain := mustCreateProfile(t, s, admin, map[string]any{"tenantId": tn.ID, "name": "Support", "loginVoiceOptions": []string{"DESKTOP"}})
	if plain.DialNumberValidation != "ANY_FORMAT" || plain.AutoAnswer || plain.Description != "" || len(plain.DialPlans) != 0 {
		t.Fatalf("default profile = %+v", plain)
	}

	// Update changes what it sets and keeps the rest; dialPlanIds replaces.
	var plans struct {
		DialPlans struct{ Edges []struct{ Node planOut } }
	}
	s.MustDo(admin, `query($t:ID!){ dialPlans(tenantId:$t, filter:{search:"us"}){ edges{ node{ id name } } } }`, map[string]any{"t": tn.ID}, &plans)
	if len(plans.DialPlans.Edges) != 1 || plans.DialPlans.Edges[0].Node.Name != "US" {
		t.Fatalf("built-in US plan: %+v", plans)
	}
	us := plans.DialPlans.Edges[0].Node.ID
	var upd struct{ UpdateAgentProfile profileOut }
	s.MustDo(admin, updateProfile, map[string]any{"id": p.ID, "in": map[string]any{"name": "Sales", "dialPlanIds": []string{us}}}, &upd)
	u := upd.UpdateAgentProfile
	if u.Name != "Sales" || u.Description != "Inbound sales" || !u.AutoAnswer || len(u.DialPlans) != 1 || u.DialPlans[0].ID != us {
		t.Fatalf("updated profile = %+v", u)
	}
	s.MustDo(admin, updateProfile, map[string]any{"id": p.ID, "in": map[string]any{"autoAnswer": false, "dialNumberValidation": "PROVISIONED_VALUE"}}, &upd)
	if u := upd.UpdateAgentProfile; u.AutoAnswer || u.DialNumberValidation != "PROVISIONED_VALUE" || len(u.DialPlans) != 1 {
		t.Fatalf("updated profile = %+v", u)
	}
	cfgAudit(t, s, "updateAgentProfile", p.ID, 2)

	var got struct{ AgentProfile profileOut }
	s.MustDo(admin, `query($id:ID!){ agentProfile(id:$id){ id name tenant{ id } dialPlans{ id } } }`, map[string]any{"id": p.ID}, &got)
	if got.AgentProfile.Name != "Sales" || got.AgentProfile.Tenant.ID != tn.ID {
		t.Fatalf("agentProfile = %+v", got)
	}

	// Supervisors read profiles; agents do not.
	sup := cfgSignIn(t, s, root, tn.ID, "sup@acme.test", "SUPERVISOR")
	if p := cfgList(t, s, sup, listProfiles, "agentProfiles", map[string]any{"t": tn.ID, "q": "SALE"}); p.TotalCount != 1 || p.Edges[0].Node.Name != "Sales" {
		t.Fatalf("filtered profiles = %+v", p)
	}
	agent := cfgSignIn(t, s, root, tn.ID, "agent@acme.test", "AGENT")
	cfgWant(t, s.Do(agent, listProfiles, map[string]any{"t": tn.ID}), "FORBIDDEN", "")
	cfgWant(t, s.Do(sup, `mutation($id:ID!){ deleteAgentProfile(id:$id) }`, map[string]any{"id": p.ID}), "FORBIDDEN", "")

	var del struct{ DeleteAgentProfile bool }
	s.MustDo(admin, `mutation($id:ID!){ deleteAgentProfile(id:$id) }`, map[string]any{"id": plain.ID}, &del)
	if !del.DeleteAgentProfile {
		t.Fatal("deleteAgentProfile returned false")
	}
	cfgAudit(t, s, "deleteAgentProfile", plain.ID, 1)
	cfgWant(t, s.Do(admin, `query($id:ID!){ agentProfile(id:$id){ id } }`, map[string]any{"id": plain.ID}), "NOT_FOUND", "")
}

func TestAgentProfileRejectsBadInput(t *testing.T) {
	s := testserver.New(t)
	root := s.RootToken()
	tn := s.CreateTenant(root, "acme")
	other := s.CreateTenant(root, "other")
	// acme allows dial numbers and extensions only.
	s.MustDo(root, `mutation($id:ID!){ updateTenant(id:$id, input:{stationTypes:[DIAL_NUMBER, EXTENSION]}){ id } }`, map[string]any{"id": tn.ID}, nil)
	admin := cfgSignIn(t, s, root, tn.ID, "admin@acme.test", "TENANT_ADMIN")
	mustCreateProfile(t, s, admin, map[string]any{"tenantId": tn.ID, "name": "Taken", "loginVoiceOptions": []string{"EXTENSION"}})
	inactive := mustCreatePlan(t, s, admin, map[string]any{"tenantId": tn.ID, "name": "Off", "regularExpression": "1.*", "active": false})
	foreign := mustCreatePlan(t, s, root, map[string]any{"tenantId": other.ID, "name": "Theirs", "regularExpression": "1.*"})

	base := func() map[string]any {
		return map[string]any{"tenantId": tn.ID, "name": "New", "loginVoiceOptions": []string{"DIAL_NUMBER"}}
	}
	cases := []struct {
		name        string
		edit        func(m map[string]any)
		code, field string
	}{
		{"empty name", func(m map[string]any) { m["name"] = " " }, "VALIDATION_ERROR", "name"},
		{"name too long", func(m map[string]any) { m["name"] = strings.Repeat("n", 81) }, "VALIDATION_ERROR", "name"},
		{"name on two lines", func(m map[string]any) { m["name"] = "a\nb" }, "VALIDATION_ERROR", "name"},
		{"duplicate name", func(m map[string]any) { m["name"] = "Taken" }, "CONFLICT", "name"},
		{"duplicate name in other case", func(m map[string]any) { m["name"] = "tAKEN" }, "CONFLICT", "name"},
		{"description too long", func(m map[string]any) { m["description"] = strings.Repeat("d", 256) }, "VALIDATION_ERROR", "description"},
		{"no login voice option", func(m map[string]any) { m["loginVoiceOptions"] = []string{} }, "VALIDATION_ERROR", "loginVoiceOptions"},
		{"option twice", func(m map[string]any) { m["loginVoiceOptions"] = []string{"EXTENSION", "EXTENSION"} }, "VALIDATION_ERROR", "loginVoiceOptions"},
		{"option the tenant lacks", func(m map[string]any) { m["loginVoiceOptions"] = []string{"DIAL_NUMBER", "DESKTOP"} }, "VALIDATION_ERROR", "loginVoiceOptions"},
		{"unknown option", func(m map[string]any) { m["loginVoiceOptions"] = []string{"PIGEON"} }, "VALIDATION_ERROR", ""},
		{"dial plan rule without plans", func(m map[string]any) { m["dialNumberValidation"] = "DIAL_PLAN" }, "VALIDATION_ERROR", "dialPlanIds"},
		{"dial plan rule with only inactive plans", func(m map[string]any) {
			m["dialNumberValidation"], m["dialPlanIds"] = "DIAL_PLAN", []string{inactive.ID}
		}, "VALIDATION_ERROR", "dialPlanIds"},
		{"another tenant's plan", func(m map[string]any) { m["dialPlanIds"] = []string{foreign.ID} }, "VALIDATION_ERROR", "dialPlanIds"},
		{"unknown plan", func(m map[string]any) { m["dialPlanIds"] = []string{"dpl_nope"} }, "VALIDATION_ERROR", "dialPlanIds"},
		{"unknown tenant", func(m map[string]any) { m["tenantId"] = "ten_nope" }, "NOT_FOUND", ""},
		{"another tenant", func(m map[string]any) { m["tenantId"] = other.ID }, "NOT_FOUND", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := base()
			c.edit(in)
			cfgWant(t, s.Do(admin, createProfile, map[string]any{"in": in}), c.code, c.field)
		})
	}

	// Another tenant's plan and a plan that does not exist read alike.
	a := s.Do(admin, createProfile, map[string]any{"in": map[string]any{"tenantId": tn.ID, "name": "X", "loginVoiceOptions": []string{"EXTENSION"}, "dialPlanIds": []string{foreign.ID}}})
	b := s.Do(admin, createProfile, map[string]any{"in": map[string]any{"tenantId": tn.ID, "name": "X", "loginVoiceOptions": []string{"EXTENSION"}, "dialPlanIds": []string{"dpl_nope"}}})
	if strings.ReplaceAll(a.Errors[0].Message, foreign.ID, "ID") != strings.ReplaceAll(b.Errors[0].Message, "dpl_nope", "ID") {
		t.Fatalf("messages differ: %q vs %q", a.Errors[0].Message, b.Errors[0].Message)
	}

	// Updates are held to the same rules, and change nothing when refused.
	var list struct {
		AgentProfiles struct{ Edges []struct{ Node profileOut } }
	}
	s.MustDo(admin, `query($t:ID!){ agentProfiles(tenantId:$t){ edges{ node{ id name } } } }`, map[string]any{"t": tn.ID}, &list)
	if len(list.AgentProfiles.Edges) != 1 {
		t.Fatalf("refused creates wrote profiles: %+v", list)
	}
	fresh := mustCreateProfile(t, s, admin, map[string]any{"tenantId": tn.ID, "name": "Fresh", "loginVoiceOptions": []string{"DIAL_NUMBER"}})
	for _, c := range []struct {
		name        string
		in          map[string]any
		code, field string
	}{
		{"rename to taken", map[string]any{"name": "taken"}, "CONFLICT", "name"},
		{"empty options", map[string]any{"loginVoiceOptions": []string{}}, "VALIDATION_ERROR", "loginVoiceOptions"},
		{"desktop", map[string]any{"loginVoiceOptions": []string{"DESKTOP"}}, "VALIDATION_ERROR", "loginVoiceOptions"},
		{"dial plan without plans", map[string]any{"dialNumberValidation": "DIAL_PLAN"}, "VALIDATION_ERROR", "dialPlanIds"},
		{"foreign plan", map[string]any{"dialPlanIds": []string{foreign.ID}}, "VALIDATION_ERROR", "dialPlanIds"},
	} {
		t.Run("update "+c.name, func(t *testing.T) {
			cfgWant(t, s.Do(admin, updateProfile, map[string]any{"id": fresh.ID, "in": c.in}), c.code, c.field)
		})
	}
	var got struct{ AgentProfile profileOut }
	s.MustDo(admin, `query($id:ID!){ agentProfile(id:$id){ name loginVoiceOptions dialNumberValidation } }`, map[string]any{"id": fresh.ID}, &got)
	if got.AgentProfile.Name != "Fresh" || got.AgentProfile.DialNumberValidation != "ANY_FORMAT" || len(got.AgentProfile.LoginVoiceOptions) != 1 {
		t.Fatalf("refused updates changed the profile: %+v", got)
	}
}

func TestDeleteAgentProfileInUse(t *testing.T) {
	s := testserver.New(t)
	root := s.RootToken()
	tn := s.CreateTenant(root, "acme")
	admin := cfgSignIn(t, s, root, tn.ID, "admin@acme.test", "TENANT_ADMIN")
	p := mustCreateProfile(t, s, admin, map[string]any{"tenantId": tn.ID, "name": "Held", "loginVoiceOptions": []string{"DIAL_NUMBER"}})
	for _, email := range []string{"a1@acme.test", "a2@acme.test"} {
		cfgUser(t, s, root, tn.ID, email, "AGENT", map[string]any{"agentProfileId": p.ID})
	}
	r := s.Do(admin, `mutation($id:ID!){ deleteAgentProfile(id:$id) }`, map[string]any{"id": p.ID})
	cfgWant(t, r, "IN_USE", "")
	if !strings.Contains(r.Errors[0].Message, "2 users") || r.Errors[0].Extensions["users"] != float64(2) {
		t.Fatalf("IN_USE error = %+v", r.Errors[0])
	}
	s.MustDo(admin, `query($id:ID!){ agentProfile(id:$id){ id } }`, map[string]any{"id": p.ID}, nil)
	if n := s.App.DB.Client.AuditEvent.Query().Where(auditevent.Action("deleteAgentProfile")).CountX(testserver.Ctx()); n != 0 {
		t.Fatalf("a refused delete wrote %d audit events", n)
	}
}

// TestConfigAcrossTenants: an admin of tenant B gets NOT_FOUND for tenant
// A's profiles and plans, exactly as for ids that do not exist, and they
// stay unchanged.
func TestConfigAcrossTenants(t *testing.T) {
	s := testserver.New(t)
	root := s.RootToken()
	a := s.CreateTenant(root, "alpha")
	b := s.CreateTenant(root, "beta")
	adminA := cfgSignIn(t, s, root, a.ID, "admin@alpha.test", "TENANT_ADMIN")
	adminB := cfgSignIn(t, s, root, b.ID, "admin@beta.test", "TENANT_ADMIN")
	agentB := cfgSignIn(t, s, root, b.ID, "agent@beta.test", "AGENT")
	plan := mustCreatePlan(t, s, adminA, map[string]any{"tenantId": a.ID, "name": "Mine", "regularExpression": "1.*"})
	prof := mustCreateProfile(t, s, adminA, map[string]any{"tenantId": a.ID, "name": "Mine", "loginVoiceOptions": []string{"DIAL_NUMBER"}})

	ops := []struct {
		name, query string
		vars        func(id string) map[string]any
	}{
		{"agentProfile", `query($id:ID!){ agentProfile(id:$id){ id } }`, func(id string) map[string]any { return map[string]any{"id": id} }},
		{"updateAgentProfile", `mutation($id:ID!){ updateAgentProfile(id:$id, input:{name:"Stolen"}){ id } }`, func(id string) map[string]any { return map[string]any{"id": id} }},
		{"deleteAgentProfile", `mutation($id:ID!){ deleteAgentProfile(id:$id) }`, func(id string) map[string]any { return map[string]any{"id": id} }},
		{"dialPlan", `query($id:ID!){ dialPlan(id:$id){ id } }`, func(id string) map[string]any { return map[string]any{"id": id} }},
		{"updateDialPlan", `mutation($id:ID!){ updateDialPlan(id:$id, input:{name:"Stolen"}){ id } }`, func(id string) map[string]any { return map[string]any{"id": id} }},
		{"deleteDialPlan", `mutation($id:ID!){ deleteDialPlan(id:$id) }`, func(id string) map[string]any { return map[string]any{"id": id} }},
	}
	for _, op := range ops {
		t.Run(op.name, func(t *testing.T) {
			id := prof.ID
			if strings.Contains(strings.ToLower(op.name), "dialplan") {
				id = plan.ID
			}
			cfgWant(t, s.Do(adminB, op.query, op.vars(id)), "NOT_FOUND", "")
			cfgWant(t, s.Do(adminB, op.query, op.vars(id+"0")), "NOT_FOUND", "")
			// A role that may not do this anywhere learns nothing either.
			if r, missing := s.Do(agentB, op.query, op.vars(id)), s.Do(agentB, op.query, op.vars(id+"0")); r.Code() != missing.Code() {
				t.Fatalf("agent of B: %s for A's object, %s for a missing one", r.Code(), missing.Code())
			}
			cfgWant(t, s.Do("", op.query, op.vars(id+"0")), "VALIDATION_ERROR", "") // anonymous: not public
		})
	}
	cfgWant(t, s.Do(adminB, listProfiles, map[string]any{"t": a.ID}), "NOT_FOUND", "")
	cfgWant(t, s.Do(adminB, listPlans, map[string]any{"t": a.ID}), "NOT_FOUND", "")
	cfgWant(t, s.Do(root, listPlans, map[string]any{"t": "ten_nope"}), "NOT_FOUND", "")

	var got struct {
		AgentProfile profileOut
		DialPlan     planOut
	}
	s.MustDo(adminA, `query($p:ID!, $d:ID!){ agentProfile(id:$p){ name } dialPlan(id:$d){ name } }`, map[string]any{"p": prof.ID, "d": plan.ID}, &got)
	if got.AgentProfile.Name != "Mine" || got.DialPlan.Name != "Mine" {
		t.Fatalf("tenant B changed tenant A's objects: %+v", got)
	}
	// The platform admin reaches every tenant.
	s.MustDo(root, `mutation($id:ID!){ updateAgentProfile(id:$id, input:{description:"by root"}){ id } }`, map[string]any{"id": prof.ID}, nil)
}

func TestAgentProfilesAndDialPlansPaginate(t *testing.T) {
	s := testserver.New(t)
	root := s.RootToken()
	tn := s.CreateTenant(root, "acme")
	admin := cfgSignIn(t, s, root, tn.ID, "admin@acme.test", "TENANT_ADMIN")
	var names []string
	for i := range 5 {
		name := fmt.Sprintf("Profile %d", i)
		mustCreateProfile(t, s, admin, map[string]any{"tenantId": tn.ID, "name": name, "loginVoiceOptions": []string{"EXTENSION"}})
		mustCreatePlan(t, s, admin, map[string]any{"tenantId": tn.ID, "name": fmt.Sprintf("Plan %d", i), "regularExpression": "[0-9]+"})
		names = append(names, name)
	}
	cfgCheckPages(t, s, admin, listProfiles, "agentProfiles", map[string]any{"t": tn.ID}, names)
	// Every tenant starts with the plans US and Any Format.
	cfgCheckPages(t, s, admin, listPlans, "dialPlans", map[string]any{"t": tn.ID},
		[]string{"US", "Any Format", "Plan 0", "Plan 1", "Plan 2", "Plan 3", "Plan 4"})
	cfgCheckPages(t, s, admin, listPlans, "dialPlans", map[string]any{"t": tn.ID, "q": "PLAN 3"}, []string{"Plan 3"})
	cfgWant(t, s.Do(admin, listProfiles, map[string]any{"t": tn.ID, "first": 101}), "VALIDATION_ERROR", "first")
	cfgWant(t, s.Do(admin, listProfiles, map[string]any{"t": tn.ID, "after": "garbage"}), "VALIDATION_ERROR", "after")
}

func TestDialPlanLifecycle(t *testing.T) {
	s := testserver.New(t)
	root := s.RootToken()
	tn := s.CreateTenant(root, "acme")
	adminID := cfgUser(t, s, root, tn.ID, "admin@acme.test", "TENANT_ADMIN", nil)
	admin := s.SignIn("admin@acme.test", cfgPassword)

	p := mustCreatePlan(t, s, admin, map[string]any{"tenantId": tn.ID, "name": " AU ", "regularExpression": `61[2-478][0-9]{8}`})
	if p.Name != "AU" || !p.Active || p.Prefix != "" || p.StrippedChars != "" {
		t.Fatalf("created plan = %+v", p)
	}
	if ev := cfgAudit(t, s, "createDialPlan", p.ID, 1)[0]; ev.Actor != "user:"+adminID || ev.TenantID != tn.ID || ev.TargetType != "DialPlan" {
		t.Fatalf("audit = %+v", ev)
	}
	var upd struct{ UpdateDialPlan planOut }
	s.MustDo(admin, `mutation($id:ID!){ updateDialPlan(id:$id, input:{prefix:"61", active:false}){ id name regularExpression prefix active } }`,
		map[string]any{"id": p.ID}, &upd)
	if u := upd.UpdateDialPlan; u.Name != "AU" || u.Prefix != "61" || u.Active || u.RegularExpression != `61[2-478][0-9]{8}` {
		t.Fatalf("updated plan = %+v", u)
	}
	cfgAudit(t, s, "updateDialPlan", p.ID, 1)
	var got struct{ DialPlan planOut }
	s.MustDo(admin, `query($id:ID!){ dialPlan(id:$id){ name prefix active tenant{ id } } }`, map[string]any{"id": p.ID}, &got)
	if got.DialPlan.Prefix != "61" || got.DialPlan.Active || got.DialPlan.Tenant.ID != tn.ID {
		t.Fatalf("dialPlan = %+v", got)
	}
	s.MustDo(admin, `mutation($id:ID!){ deleteDialPlan(id:$id) }`, map[string]any{"id": p.ID}, nil)
	cfgAudit(t, s, "deleteDialPlan", p.ID, 1)
	cfgWant(t, s.Do(admin, `query($id:ID!){ dialPlan(id:$id){ id } }`, map[string]any{"id": p.ID}), "NOT_FOUND", "")
}

func TestDialPlanRejectsBadInput(t *testing.T) {
	s := testserver.New(t)
	root := s.RootToken()
	tn := s.CreateTenant(root, "acme")
	admin := cfgSignIn(t, s, root, tn.ID, "admin@acme.test", "TENANT_ADMIN")
	base := func() map[string]any {
		return map[string]any{"tenantId": tn.ID, "name": "New", "regularExpression": "[0-9]+"}
	}
	cases := []struct {
		name        string
		edit        func(m map[string]any)
		code, field string
	}{
		{"empty name", func(m map[string]any) { m["name"] = "" }, "VALIDATION_ERROR", "name"},
		{"name too long", func(m map[string]any) { m["name"] = strings.Repeat("n", 81) }, "VALIDATION_ERROR", "name"},
		{"built-in name", func(m map[string]any) { m["name"] = "US" }, "CONFLICT", "name"},
		{"built-in name in other case", func(m map[string]any) { m["name"] = "any format" }, "CONFLICT", "name"},
		{"regex does not compile", func(m map[string]any) { m["regularExpression"] = "([0-9]" }, "VALIDATION_ERROR", "regularExpression"},
		{"unbalanced alternation", func(m map[string]any) { m["regularExpression"] = "1)|(.*" }, "VALIDATION_ERROR", "regularExpression"},
		{"empty regex", func(m map[string]any) { m["regularExpression"] = " " }, "VALIDATION_ERROR", "regularExpression"},
		{"regex too long", func(m map[string]any) { m["regularExpression"] = strings.Repeat("1", 256) }, "VALIDATION_ERROR", "regularExpression"},
		{"prefix too long", func(m map[string]any) { m["prefix"] = strings.Repeat("1", 51) }, "VALIDATION_ERROR", "prefix"},
		{"stripped chars too long", func(m map[string]any) { m["strippedChars"] = strings.Repeat("-", 129) }, "VALIDATION_ERROR", "strippedChars"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := base()
			c.edit(in)
			cfgWant(t, s.Do(admin, createPlan, map[string]any{"in": in}), c.code, c.field)
		})
	}
	// The longest allowed values pass.
	mustCreatePlan(t, s, admin, map[string]any{"tenantId": tn.ID, "name": strings.Repeat("n", 80), "regularExpression": strings.Repeat("1", 255),
		"prefix": strings.Repeat("1", 50), "strippedChars": strings.Repeat("-", 128)})
	p := mustCreatePlan(t, s, admin, base())
	cfgWant(t, s.Do(admin, `mutation($id:ID!){ updateDialPlan(id:$id, input:{regularExpression:"[0-9"}){ id } }`, map[string]any{"id": p.ID}), "VALIDATION_ERROR", "regularExpression")
	cfgWant(t, s.Do(admin, `mutation($id:ID!){ updateDialPlan(id:$id, input:{name:"us"}){ id } }`, map[string]any{"id": p.ID}), "CONFLICT", "name")
	// Renaming a plan to its own name in another case is no conflict.
	s.MustDo(admin, `mutation($id:ID!){ updateDialPlan(id:$id, input:{name:"NEW"}){ id } }`, map[string]any{"id": p.ID}, nil)
}

// TestDialPlanInUse: a DIAL_PLAN profile keeps at least one active plan.
func TestDialPlanInUse(t *testing.T) {
	s := testserver.New(t)
	root := s.RootToken()
	tn := s.CreateTenant(root, "acme")
	admin := cfgSignIn(t, s, root, tn.ID, "admin@acme.test", "TENANT_ADMIN")
	only := mustCreatePlan(t, s, admin, map[string]any{"tenantId": tn.ID, "name": "Only", "regularExpression": "1.*"})
	spare := mustCreatePlan(t, s, admin, map[string]any{"tenantId": tn.ID, "name": "Spare", "regularExpression": "4.*"})
	prof := mustCreateProfile(t, s, admin, map[string]any{"tenantId": tn.ID, "name": "Strict", "loginVoiceOptions": []string{"DIAL_NUMBER"},
		"dialNumberValidation": "DIAL_PLAN", "dialPlanIds": []string{only.ID}})
	// An ANY_FORMAT profile holding the plan does not depend on it.
	mustCreateProfile(t, s, admin, map[string]any{"tenantId": tn.ID, "name": "Loose", "loginVoiceOptions": []string{"DIAL_NUMBER"},
		"dialPlanIds": []string{only.ID}})

	r := s.Do(admin, `mutation($id:ID!){ deleteDialPlan(id:$id) }`, map[string]any{"id": only.ID})
	cfgWant(t, r, "IN_USE", "")
	if !strings.Contains(r.Errors[0].Message, "Strict") || strings.Contains(r.Errors[0].Message, "Loose") {
		t.Fatalf("message = %q", r.Errors[0].Message)
	}
	cfgWant(t, s.Do(admin, `mutation($id:ID!){ updateDialPlan(id:$id, input:{active:false}){ id } }`, map[string]any{"id": only.ID}), "IN_USE", "")

	// With a second active plan the first may go.
	s.MustDo(admin, updateProfile, map[string]any{"id": prof.ID, "in": map[string]any{"dialPlanIds": []string{only.ID, spare.ID}}}, nil)
	s.MustDo(admin, `mutation($id:ID!){ deleteDialPlan(id:$id) }`, map[string]any{"id": only.ID}, nil)
	var got struct{ AgentProfile profileOut }
	s.MustDo(admin, `query($id:ID!){ agentProfile(id:$id){ dialPlans{ id name } } }`, map[string]any{"id": prof.ID}, &got)
	if len(got.AgentProfile.DialPlans) != 1 || got.AgentProfile.DialPlans[0].ID != spare.ID {
		t.Fatalf("plans after delete = %+v", got.AgentProfile.DialPlans)
	}
	cfgWant(t, s.Do(admin, `mutation($id:ID!){ deleteDialPlan(id:$id) }`, map[string]any{"id": spare.ID}), "IN_USE", "")
	// Switching the profile away from DIAL_PLAN frees the plan.
	s.MustDo(admin, updateProfile, map[string]any{"id": prof.ID, "in": map[string]any{"dialNumberValidation": "ANY_FORMAT"}}, nil)
	s.MustDo(admin, `mutation($id:ID!){ updateDialPlan(id:$id, input:{active:false}){ id } }`, map[string]any{"id": spare.ID}, nil)
	// …and back to DIAL_PLAN now needs an active plan.
	cfgWant(t, s.Do(admin, updateProfile, map[string]any{"id": prof.ID, "in": map[string]any{"dialNumberValidation": "DIAL_PLAN"}}), "VALIDATION_ERROR", "dialPlanIds")
}
