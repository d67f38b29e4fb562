package graph_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/agentdesk/agentdesk/ent/team"
	"github.com/agentdesk/agentdesk/ent/tenant"
	"github.com/agentdesk/agentdesk/ent/user"
	"github.com/agentdesk/agentdesk/internal/testserver"
)

// The apply API for agentdesk apply/export: changed fields, prune and
// tenantSpec.

const applyFieldsMutation = `mutation($spec: TenantSpecInput!, $dry: Boolean, $prune: Boolean){
	applyTenant(spec:$spec, dryRun:$dry, prune:$prune){ dryRun changes{ action kind name fields{ field old new secret } } }
}`

type fieldChange struct {
	Field    string
	Old, New *string
	Secret   bool
}

type fullChange struct {
	Action, Kind, Name string
	Fields             []fieldChange
}

func applyFull(t *testing.T, s *testserver.Server, token string, spec map[string]any, dry, prune bool) []fullChange {
	t.Helper()
	var out struct {
		ApplyTenant struct{ Changes []fullChange }
	}
	s.MustDo(token, applyFieldsMutation, map[string]any{"spec": spec, "dry": dry, "prune": prune}, &out)
	return out.ApplyTenant.Changes
}

// fieldsOf renders a change's fields as "field: old → new", (none) for null.
func fieldsOf(c fullChange) string {
	show := func(p *string) string {
		if p == nil {
			return "(none)"
		}
		return *p
	}
	var parts []string
	for _, f := range c.Fields {
		if f.Secret {
			parts = append(parts, f.Field+": (changed)")
			continue
		}
		parts = append(parts, f.Field+": "+show(f.Old)+" → "+show(f.New))
	}
	return strings.Join(parts, "; ")
}

func changeList(cs []fullChange) string {
	var parts []string
	for _, c := range cs {
		parts = append(parts, c.Action+" "+c.Kind+" "+c.Name)
	}
	return strings.Join(parts, "; ")
}

func find(t *testing.T, cs []fullChange, action, kind, name string) fullChange {
	t.Helper()
	for _, c := range cs {
		if c.Action == action && c.Kind == kind && c.Name == name {
			return c
		}
	}
	t.Fatalf("no %s %s %s among %s", action, kind, name, changeList(cs))
	return fullChange{}
}

func TestApplyTenantReportsChangedFields(t *testing.T) {
	s := testserver.New(t)
	root := s.RootToken()
	applyFull(t, s, root, acmeSpec(), false, false)

	spec := acmeSpec()
	spec["name"] = "Acme Support EU"
	spec["stationTypes"], spec["webRtcEnabled"] = []string{"DIAL_NUMBER", "EXTENSION", "DESKTOP"}, true
	spec["sso"] = map[string]any{"issuerUrl": "https://login.acme.test", "clientId": "desk", "clientSecret": "s3cret-value"}
	item(spec, "dialPlans", 0)["prefix"] = "0044"
	item(spec, "agentProfiles", 1)["dialPlans"] = []string{"Any Format", "UK"}
	item(spec, "teams", 1)["capacity"] = 25
	item(spec, "skillProfiles", 0)["skills"] = []any{map[string]any{"name": "English", "proficiency": 9}}
	u := specUser(spec, 0)
	spec["teams"] = append(spec["teams"].([]any), map[string]any{"name": "Support", "type": "AGENT"})
	u["name"], u["teams"], u["agentProfile"], u["defaultExtension"] = "Ann Lee", []string{"Support", "Sales"}, "", "4712"
	got := applyFull(t, s, root, spec, false, false)

	for _, c := range []struct{ kind, name, want string }{
		{"tenant", "acme", "name: Acme Support → Acme Support EU; sso.issuerUrl:  → https://login.acme.test; sso.clientId:  → desk; " +
			"stationTypes: [DIAL_NUMBER, EXTENSION] → [DESKTOP, DIAL_NUMBER, EXTENSION]; webRtcEnabled: false → true; sso.clientSecret: (changed)"},
		{"dialPlan", "UK", "prefix:  → 0044"},
		{"agentProfile", "Anywhere", "dialPlans: [] → [Any Format, UK]"},
		{"team", "Overflow", "capacity: 20 → 25"},
		{"skillProfile", "Tier 1", "skills: [English=7] → [English=9]"},
		{"user", "ann@acme.test", "name: Ann → Ann Lee; agentProfile: UK agents → (none); teams: [Sales] → [Sales, Support]; defaultExtension: 4711 → 4712"},
	} {
		if f := fieldsOf(find(t, got, "UPDATE", c.kind, c.name)); f != c.want {
			t.Errorf("%s %s fields = %s\nwant %s", c.kind, c.name, f, c.want)
		}
	}
	// A secret's values never leave the server.
	raw, _ := json.Marshal(got)
	if strings.Contains(string(raw), "s3cret-value") {
		t.Fatalf("the secret is in the answer: %s", raw)
	}
	// Applied again: nothing, not even the secret (it is the stored one).
	if again := applyFull(t, s, root, spec, false, false); len(again) != 0 {
		t.Fatalf("second apply changed %s", changeList(again))
	}
}

// pruneSpec is acmeSpec without the Overflow team, the Tier 1 skill
// profile, the UK agents profile, the UK dial plan (and US, which every
// tenant starts with) and Bob.
func pruneSpec() map[string]any {
	spec := acmeSpec()
	spec["dialPlans"] = []any{item(spec, "dialPlans", 1)}
	spec["agentProfiles"] = []any{item(spec, "agentProfiles", 1)}
	spec["skillProfiles"] = []any{}
	spec["teams"] = []any{item(spec, "teams", 0)}
	ann := specUser(spec, 0)
	ann["agentProfile"], ann["skillProfile"] = "Anywhere", ""
	spec["users"] = []any{ann, specUser(spec, 2)}
	return spec
}

func TestApplyTenantPrune(t *testing.T) {
	s := testserver.New(t)
	root := s.RootToken()
	applyFull(t, s, root, acmeSpec(), false, false)
	ctx := testserver.Ctx()
	db := s.App.DB.Client
	counts := func() (plans, teams, active int) {
		plans = db.DialPlan.Query().CountX(ctx)
		teams = db.Team.Query().CountX(ctx)
		active = db.User.Query().Where(user.Active(true), user.TenantIDNotNil()).CountX(ctx)
		return
	}
	p0, t0, a0 := counts()

	// A list left out altogether prunes nothing of its kind.
	noLists := pruneSpec()
	for _, k := range []string{"users", "teams", "dialPlans", "agentProfiles", "skillProfiles"} {
		delete(noLists, k)
	}
	if got := applyFull(t, s, root, noLists, true, true); len(got) != 0 {
		t.Fatalf("prune without lists = %s", changeList(got))
	}
	// Without prune, the left-out objects stay.
	if got := applyFull(t, s, root, pruneSpec(), false, false); changeList(got) != "UPDATE user ann@acme.test" {
		t.Fatalf("apply without prune = %s", changeList(got))
	}
	want := "DEACTIVATE user bob@acme-eu.test; DELETE team Overflow; DELETE agentProfile UK agents; " +
		"DELETE skillProfile Tier 1; DELETE dialPlan UK; DELETE dialPlan US"
	dry := applyFull(t, s, root, pruneSpec(), true, true)
	if !sameChanges(changeList(dry), want) {
		t.Fatalf("dry prune = %s\nwant        %s", changeList(dry), want)
	}
	if f := fieldsOf(find(t, dry, "DEACTIVATE", "user", "bob@acme-eu.test")); f != "active: true → false" {
		t.Fatalf("bob's fields = %s", f)
	}
	if p, tm, a := counts(); p != p0 || tm != t0 || a != a0 {
		t.Fatalf("the dry run removed something: plans %d→%d teams %d→%d active users %d→%d", p0, p, t0, tm, a0, a)
	}

	got := applyFull(t, s, root, pruneSpec(), false, true)
	if !sameChanges(changeList(got), want) {
		t.Fatalf("prune = %s", changeList(got))
	}
	if p, tm, a := counts(); p != p0-2 || tm != t0-1 || a != a0-1 {
		t.Fatalf("after prune: plans %d→%d teams %d→%d active users %d→%d", p0, p, t0, tm, a0, a)
	}
	if db.Team.Query().Where(team.Name("Overflow")).ExistX(ctx) {
		t.Fatal("Overflow is still there")
	}
	bob := db.User.Query().Where(user.Email("bob@acme-eu.test")).OnlyX(ctx)
	if bob.Active {
		t.Fatal("bob is still active")
	}
	// Bob stays deactivated, and is not a change any more.
	if again := applyFull(t, s, root, pruneSpec(), false, true); len(again) != 0 {
		t.Fatalf("prune again = %s", changeList(again))
	}
}

// TestApplyTenantPruneTakesPrunedObjectsFromPrunedUsers: a user the prune
// deactivates loses the profiles and teams the same prune deletes, so that
// they can go.
func TestApplyTenantPruneTakesPrunedObjectsFromPrunedUsers(t *testing.T) {
	s := testserver.New(t)
	root := s.RootToken()
	spec := acmeSpec()
	bob := specUser(spec, 1)
	bob["agentProfile"], bob["skillProfile"], bob["teams"] = "UK agents", "Tier 1", []string{"Sales"}
	applyFull(t, s, root, spec, false, false)
	spec = pruneSpec()
	spec["teams"] = []any{map[string]any{"name": "Overflow", "type": "CAPACITY", "capacity": 20}}
	specUser(spec, 0)["teams"] = []string{}
	got := applyFull(t, s, root, spec, false, true)
	if f := fieldsOf(find(t, got, "DEACTIVATE", "user", "bob@acme-eu.test")); f != "active: true → false; agentProfile: UK agents → (none); teams: [Sales] → []; skillProfile: Tier 1 → (none)" {
		t.Fatalf("bob's fields = %s", f)
	}
	find(t, got, "DELETE", "agentProfile", "UK agents")
	find(t, got, "DELETE", "skillProfile", "Tier 1")
	find(t, got, "DELETE", "team", "Sales")
}

func TestApplyTenantPruneInUseAppliesNothing(t *testing.T) {
	s := testserver.New(t)
	root := s.RootToken()
	applyFull(t, s, root, acmeSpec(), false, false)
	// Ann, in the spec, keeps the UK agents profile the spec leaves out.
	spec := pruneSpec()
	specUser(spec, 0)["agentProfile"] = "UK agents"
	r := s.Do(root, applyFieldsMutation, map[string]any{"spec": spec, "prune": true})
	if r.Code() != "VALIDATION_ERROR" || r.Errors[0].Extensions["field"] != "users[0].agentProfile" {
		t.Fatalf("errors = %+v", r.Errors)
	}
	// A user outside the spec holding a profile the prune keeps: no problem,
	// but a left-out profile that a spec user keeps by leaving out the field
	// is IN_USE.
	spec = pruneSpec()
	delete(specUser(spec, 0), "agentProfile")
	r = s.Do(root, applyFieldsMutation, map[string]any{"spec": spec, "prune": true})
	if r.Code() != "IN_USE" || r.Errors[0].Extensions["field"] != "agentProfiles" {
		t.Fatalf("errors = %+v", r.Errors)
	}
	if !s.App.DB.Client.User.Query().Where(user.Email("bob@acme-eu.test"), user.Active(true)).ExistX(testserver.Ctx()) {
		t.Fatal("a failed prune deactivated bob")
	}
}

func TestApplyTenantPruneNeverTheCaller(t *testing.T) {
	s := testserver.New(t)
	root := s.RootToken()
	applyFull(t, s, root, acmeSpec(), false, false)
	s.CreateUser(root, tenantIDOf(t, s, "acme"), "tia2@acme.test", "TENANT_ADMIN", "a long tenant admin passphrase", nil)
	token := s.SignIn("tia2@acme.test", "a long tenant admin passphrase")
	r := s.Do(token, applyFieldsMutation, map[string]any{"spec": acmeSpec(), "prune": true, "dry": true})
	if r.Code() != "VALIDATION_ERROR" || r.Errors[0].Extensions["field"] != "users" || !strings.Contains(r.Errors[0].Message, "tia2@acme.test") {
		t.Fatalf("errors = %+v", r.Errors)
	}
}

func tenantIDOf(t *testing.T, s *testserver.Server, slug string) string {
	t.Helper()
	return s.App.DB.Client.Tenant.Query().Where(tenant.Slug(slug)).OnlyX(testserver.Ctx()).ID
}

const tenantSpecQuery = `query($slug: String!){ tenantSpec(slug:$slug){
	slug name emailDomains ssoMode sso{ issuerUrl clientId } stationTypes webRtcEnabled forceDefaultDialNumber defaultCountry
	rememberStationCredentials desktopInactivityTimeoutMinutes teamsIntegration{ enabled issuerUrl clientId } trustedNetworks
	dialPlans{ name regularExpression prefix strippedChars active }
	agentProfiles{ name description loginVoiceOptions dialNumberValidation dialPlans autoAnswer }
	skillProfiles{ name skills{ name proficiency } }
	teams{ name type capacity }
	users{ email name role contactCenterEnabled active agentProfile teams defaultDialNumber defaultExtension skillProfile }
} }`

func TestTenantSpecRoundTrip(t *testing.T) {
	s := testserver.New(t)
	root := s.RootToken()
	spec := acmeSpec()
	spec["sso"] = map[string]any{"issuerUrl": "https://login.acme.test", "clientId": "desk", "clientSecret": "s3cret-value"}
	spec["trustedNetworks"] = []string{"192.0.2.0/24"}
	applyFull(t, s, root, spec, false, false)

	r := s.Do(root, tenantSpecQuery, map[string]any{"slug": "acme"})
	var out struct{ TenantSpec map[string]any }
	r.Decode(t, &out)
	exported := out.TenantSpec
	raw, _ := json.Marshal(exported)
	if strings.Contains(string(raw), "s3cret") || strings.Contains(string(raw), "clientSecret") {
		t.Fatalf("the export holds the secret: %s", raw)
	}
	if len(exported["users"].([]any)) != 3 || len(exported["dialPlans"].([]any)) != 3 {
		t.Fatalf("export = %s", raw)
	}
	// Nulls are fields left out.
	var clean func(v any) any
	clean = func(v any) any {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if x == nil {
					delete(v, k)
				} else {
					v[k] = clean(x)
				}
			}
		case []any:
			for i := range v {
				v[i] = clean(v[i])
			}
		}
		return v
	}
	if got := applyFull(t, s, root, clean(exported).(map[string]any), false, true); len(got) != 0 {
		t.Fatalf("applying the export (with prune) changed %s", changeList(got))
	}
	if r := s.Do(root, tenantSpecQuery, map[string]any{"slug": "nope"}); r.Code() != "NOT_FOUND" {
		t.Fatalf("unknown slug: %+v", r.Errors)
	}
}
