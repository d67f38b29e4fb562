package graph_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/agentdesk/agentdesk/ent/auditevent"
	"github.com/agentdesk/agentdesk/ent/tenant"
	"github.com/agentdesk/agentdesk/ent/user"
	"github.com/agentdesk/agentdesk/internal/testserver"
)

const applyMutation = `mutation($spec: TenantSpecInput!, $dry: Boolean){
	applyTenant(spec:$spec, dryRun:$dry){ tenant{ id slug name } dryRun changes{ action kind name } }
}`

type applyView struct {
	Tenant  *struct{ ID, Slug, Name string }
	DryRun  bool
	Changes []struct{ Action, Kind, Name string }
}

func (a applyView) list() string {
	var parts []string
	for _, c := range a.Changes {
		parts = append(parts, c.Action+" "+c.Kind+" "+c.Name)
	}
	return strings.Join(parts, "; ")
}

func apply(t *testing.T, s *testserver.Server, token string, spec map[string]any, dry bool) applyView {
	t.Helper()
	var out struct{ ApplyTenant applyView }
	s.MustDo(token, applyMutation, map[string]any{"spec": spec, "dry": dry}, &out)
	return out.ApplyTenant
}

// acmeSpec is a whole tenant as a provisioning script sends it.
func acmeSpec() map[string]any {
	return map[string]any{
		"slug": "acme", "name": "Acme Support", "emailDomains": []string{"acme.test", "acme-eu.test"},
		"stationTypes": []string{"EXTENSION", "DIAL_NUMBER"}, "defaultCountry": "gb",
		"dialPlans": []any{
			map[string]any{"name": "UK", "regularExpression": `44[0-9]{10}`},
			map[string]any{"name": "Any Format", "regularExpression": ".*"},
		},
		"agentProfiles": []any{
			map[string]any{"name": "UK agents", "loginVoiceOptions": []string{"DIAL_NUMBER"}, "dialNumberValidation": "DIAL_PLAN", "dialPlans": []string{"UK"}},
			map[string]any{"name": "Anywhere", "loginVoiceOptions": []string{"DIAL_NUMBER", "EXTENSION"}},
		},
		"skillProfiles": []any{
			map[string]any{"name": "Tier 1", "skills": []any{map[string]any{"name": "English", "proficiency": 7}}},
		},
		"teams": []any{
			map[string]any{"name": "Sales", "type": "AGENT"},
			map[string]any{"name": "Overflow", "type": "CAPACITY", "capacity": 20},
		},
		"users": []any{
			map[string]any{"email": "Ann@acme.test", "name": "Ann", "role": "AGENT", "agentProfile": "UK agents",
				"teams": []string{"sales"}, "skillProfile": "Tier 1", "defaultDialNumber": "020 7946 0018", "defaultExtension": "4711"},
			map[string]any{"email": "bob@acme-eu.test", "name": "Bob", "role": "SUPERVISOR", "defaultDialNumber": "+49 30 1234567"},
			map[string]any{"email": "tia@acme.test", "name": "Tia", "role": "TENANT_ADMIN", "contactCenterEnabled": false},
		},
	}
}

func TestApplyTenantTwiceChangesNothing(t *testing.T) {
	s := testserver.New(t)
	root := s.RootToken()
	first := apply(t, s, root, acmeSpec(), false)
	want := "CREATE tenant acme; CREATE dialPlan UK; CREATE agentProfile UK agents; CREATE agentProfile Anywhere; " +
		"CREATE skillProfile Tier 1; CREATE team Sales; CREATE team Overflow; " +
		"CREATE user ann@acme.test; CREATE user bob@acme-eu.test; CREATE user tia@acme.test"
	// Any Format exists in every new tenant: it is not a change.
	if got := first.list(); !sameChanges(got, want) {
		t.Fatalf("changes = %s\nwant      %s", got, want)
	}
	if first.Tenant == nil || first.Tenant.Slug != "acme" || first.DryRun {
		t.Fatalf("tenant = %+v", first.Tenant)
	}

	var ann struct {
		Users struct{ Edges []struct{ Node userView } }
	}
	s.MustDo(root, `query($t:ID!){ users(tenantId:$t, filter:{search:"ann"}){ edges{ node{ `+userFields+` } } } }`,
		map[string]any{"t": first.Tenant.ID}, &ann)
	a := ann.Users.Edges[0].Node
	if a.Email != "ann@acme.test" || *a.DefaultDialNumber != "+442079460018" || a.AgentProfile == nil || len(a.Teams) != 1 || a.SkillProfile == nil {
		t.Fatalf("ann = %+v", a)
	}

	second := apply(t, s, root, acmeSpec(), false)
	if len(second.Changes) != 0 {
		t.Fatalf("the same spec again changed: %s", second.list())
	}

	// A changed field is one change; users missing from the spec stay.
	spec := acmeSpec()
	spec["users"] = spec["users"].([]any)[:1]
	spec["users"].([]any)[0].(map[string]any)["name"] = "Ann B."
	spec["teams"].([]any)[1].(map[string]any)["capacity"] = 30
	spec["stationTypes"] = []string{"DIAL_NUMBER", "EXTENSION"} // the same set
	third := apply(t, s, root, spec, false)
	if got := third.list(); !sameChanges(got, "UPDATE team Overflow; UPDATE user ann@acme.test") {
		t.Fatalf("changes = %s", got)
	}
	if n := s.App.DB.Client.User.Query().Where(user.TenantID(first.Tenant.ID)).CountX(testserver.Ctx()); n != 3 {
		t.Fatalf("%d users after a spec without two of them, want 3", n)
	}

	// An apply is one audit event with its count.
	events := s.App.DB.Client.AuditEvent.Query().Where(auditevent.Action("applyTenant")).Order(auditevent.ByID()).AllX(testserver.Ctx())
	if len(events) != 3 || !strings.Contains(events[0].Summary, "10 changes") || !strings.Contains(events[1].Summary, "0 changes") {
		t.Fatalf("audit = %+v", events)
	}
}

func sameChanges(got, want string) bool {
	g, w := strings.Split(got, "; "), strings.Split(want, "; ")
	if len(g) != len(w) {
		return false
	}
	seen := map[string]int{}
	for _, x := range g {
		seen[x]++
	}
	for _, x := range w {
		if seen[x] == 0 {
			return false
		}
		seen[x]--
	}
	return true
}

func TestApplyTenantWithABadItemAppliesNothing(t *testing.T) {
	s := testserver.New(t)
	root := s.RootToken()
	other := s.CreateTenant(root, "other")
	s.CreateUser(root, other.ID, "oz@other.test", "AGENT", "", map[string]any{"password": nil})

	cases := []struct {
		name  string
		edit  func(spec map[string]any)
		code  string
		field string
	}{
		{"bad user e-mail", func(m map[string]any) { specUser(m, 2)["email"] = "tia@elsewhere.test" }, "VALIDATION_ERROR", "users[2].email"},
		{"user of another tenant", func(m map[string]any) { specUser(m, 1)["email"] = "oz@other.test" }, "CONFLICT", "users[1].email"},
		{"user twice", func(m map[string]any) { specUser(m, 2)["email"] = "ANN@acme.test" }, "VALIDATION_ERROR", "users[2].email"},
		{"bad user dial number", func(m map[string]any) { specUser(m, 1)["defaultDialNumber"] = "12" }, "INVALID_DIAL_NUMBER", "users[1].defaultDialNumber"},
		{"dial number twice", func(m map[string]any) { specUser(m, 1)["defaultDialNumber"] = "+44 20 7946 0018" }, "CONFLICT", "users[1].defaultDialNumber"},
		{"unknown profile", func(m map[string]any) { specUser(m, 0)["agentProfile"] = "Nope" }, "VALIDATION_ERROR", "users[0].agentProfile"},
		{"capacity team member", func(m map[string]any) { specUser(m, 0)["teams"] = []string{"Overflow"} }, "VALIDATION_ERROR", "users[0].teams"},
		{"platform admin user", func(m map[string]any) { specUser(m, 2)["role"] = "PLATFORM_ADMIN" }, "VALIDATION_ERROR", "users[2].role"},
		{"bad regex", func(m map[string]any) { item(m, "dialPlans", 0)["regularExpression"] = "(" }, "VALIDATION_ERROR", "dialPlans[0].regularExpression"},
		{"plan twice", func(m map[string]any) { item(m, "dialPlans", 1)["name"] = "uk" }, "VALIDATION_ERROR", "dialPlans[1].name"},
		{"unknown plan", func(m map[string]any) { item(m, "agentProfiles", 0)["dialPlans"] = []string{"Mars"} }, "VALIDATION_ERROR", "agentProfiles[0].dialPlans"},
		{"voice option not offered", func(m map[string]any) { item(m, "agentProfiles", 1)["loginVoiceOptions"] = []string{"DESKTOP"} }, "VALIDATION_ERROR", "agentProfiles[1].loginVoiceOptions"},
		{"agent team with capacity", func(m map[string]any) { item(m, "teams", 0)["capacity"] = 5 }, "VALIDATION_ERROR", "teams[0].capacity"},
		{"bad skill", func(m map[string]any) {
			item(m, "skillProfiles", 0)["skills"] = []any{map[string]any{"name": "x", "proficiency": 11}}
		}, "VALIDATION_ERROR", "skillProfiles[0].skills"},
		{"bad slug", func(m map[string]any) { m["slug"] = "Acme Corp" }, "VALIDATION_ERROR", "slug"},
		{"domain of another tenant", func(m map[string]any) { m["emailDomains"] = []string{"acme.test", "other.test"} }, "CONFLICT", "emailDomains"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			spec := acmeSpec()
			c.edit(spec)
			for _, dry := range []bool{true, false} {
				r := s.Do(root, applyMutation, map[string]any{"spec": spec, "dry": dry})
				if r.Code() != c.code || r.Errors[0].Extensions["field"] != c.field {
					t.Fatalf("dry=%v: %+v, want %s on %s", dry, r.Errors, c.code, c.field)
				}
			}
			if n := s.App.DB.Client.Tenant.Query().Where(tenant.Slug("acme")).CountX(testserver.Ctx()); n != 0 {
				t.Fatal("the tenant exists after a failed apply")
			}
		})
	}
	if n := s.App.DB.Client.AuditEvent.Query().Where(auditevent.Action("applyTenant")).CountX(testserver.Ctx()); n != 0 {
		t.Fatalf("failed applies wrote %d audit events", n)
	}

	// On an existing tenant, a bad item leaves everything as it was.
	applied := apply(t, s, root, acmeSpec(), false)
	spec := acmeSpec()
	spec["name"] = "Renamed"
	item(spec, "teams", 1)["type"] = "AGENT" // a team's type is fixed
	item(spec, "teams", 1)["capacity"] = nil
	r := s.Do(root, applyMutation, map[string]any{"spec": spec})
	if r.Code() != "VALIDATION_ERROR" || r.Errors[0].Extensions["field"] != "teams[1].type" {
		t.Fatalf("type change: %+v", r.Errors)
	}
	if got := s.App.DB.Client.Tenant.GetX(testserver.Ctx(), applied.Tenant.ID); got.Name != "Acme Support" {
		t.Fatalf("tenant renamed by a failed apply: %s", got.Name)
	}
}

func specUser(spec map[string]any, i int) map[string]any { return item(spec, "users", i) }

func item(spec map[string]any, list string, i int) map[string]any {
	return spec[list].([]any)[i].(map[string]any)
}

func TestApplyTenantDryRunWritesNothing(t *testing.T) {
	s := testserver.New(t)
	root := s.RootToken()
	ctx := testserver.Ctx()
	count := func() (tenants, users, events int) {
		db := s.App.DB.Client
		return db.Tenant.Query().CountX(ctx), db.User.Query().CountX(ctx), db.AuditEvent.Query().CountX(ctx)
	}

	t0, u0, e0 := count()
	dry := apply(t, s, root, acmeSpec(), true)
	if !dry.DryRun || dry.Tenant != nil || len(dry.Changes) != 10 {
		t.Fatalf("dry run of a new tenant = %+v", dry)
	}
	if t1, u1, e1 := count(); t1 != t0 || u1 != u0 || e1 != e0 {
		t.Fatalf("dry run wrote: tenants %d→%d, users %d→%d, events %d→%d", t0, t1, u0, u1, e0, e1)
	}
	// The plan is the apply: the same changes in the same order.
	real := apply(t, s, root, acmeSpec(), false)
	if real.list() != dry.list() {
		t.Fatalf("apply %s\ndry run %s", real.list(), dry.list())
	}

	spec := acmeSpec()
	spec["name"] = "Acme Global"
	specUser(spec, 0)["defaultDialNumber"] = ""
	t0, u0, e0 = count()
	dry = apply(t, s, root, spec, true)
	if got := dry.list(); !sameChanges(got, "UPDATE tenant acme; UPDATE user ann@acme.test") || dry.Tenant == nil || dry.Tenant.Name != "Acme Support" {
		t.Fatalf("dry run of an update = %s, tenant %+v", got, dry.Tenant)
	}
	if t1, u1, e1 := count(); t1 != t0 || u1 != u0 || e1 != e0 {
		t.Fatal("a dry run of an update wrote")
	}
	got := s.App.DB.Client.User.Query().Where(user.Email("ann@acme.test")).OnlyX(ctx)
	if got.DefaultDialNumber == nil {
		t.Fatal("a dry run cleared a dial number")
	}
}

func TestApplyTenantAuthorization(t *testing.T) {
	s := testserver.New(t)
	root := s.RootToken()
	applied := apply(t, s, root, acmeSpec(), false)
	other := s.CreateTenant(root, "other")
	s.CreateUser(root, applied.Tenant.ID, "sue@acme.test", "SUPERVISOR", "supervisor passphrase", nil)
	s.CreateUser(root, other.ID, "ted@other.test", "TENANT_ADMIN", "tenant admin passphrase", nil)
	// Tia comes from the spec without a password; give her one.
	tia := s.App.DB.Client.User.Query().Where(user.Email("tia@acme.test")).OnlyX(testserver.Ctx())
	hash, err := s.App.SignIn.Hasher.Hash(testserver.Ctx(), "tenant admin passphrase")
	if err != nil {
		t.Fatal(err)
	}
	s.App.DB.Client.User.UpdateOne(tia).SetPasswordHash(hash).ExecX(testserver.Ctx())
	acmeAdmin := s.SignIn("tia@acme.test", "tenant admin passphrase")
	otherAdmin := s.SignIn("ted@other.test", "tenant admin passphrase")
	supervisor := s.SignIn("sue@acme.test", "supervisor passphrase")

	// A tenant admin applies its own tenant.
	spec := acmeSpec()
	spec["name"] = "Acme by Tia"
	if got := apply(t, s, acmeAdmin, spec, false); got.list() != "UPDATE tenant acme" {
		t.Fatalf("own tenant: %s", got.list())
	}
	newSpec := acmeSpec()
	newSpec["slug"], newSpec["emailDomains"], newSpec["users"] = "fresh", []string{"fresh.test"}, []any{}
	for _, c := range []struct {
		name, token string
		spec        map[string]any
		code        string
	}{
		{"another tenant's admin", otherAdmin, acmeSpec(), "NOT_FOUND"},
		{"a tenant admin creating a tenant", acmeAdmin, newSpec, "NOT_FOUND"},
		{"a supervisor", supervisor, acmeSpec(), "FORBIDDEN"},
		{"anonymous (not in the public schema)", "", acmeSpec(), "VALIDATION_ERROR"},
	} {
		if r := s.Do(c.token, applyMutation, map[string]any{"spec": c.spec}); r.Code() != c.code {
			t.Errorf("%s: %+v, want %s", c.name, r.Errors, c.code)
		}
	}
	if got := apply(t, s, root, newSpec, false); len(got.Changes) == 0 || got.Tenant.Slug != "fresh" {
		t.Fatalf("platform admin creating: %+v", got)
	}
}

func TestApplyTenantManyUsers(t *testing.T) {
	s := testserver.New(t)
	root := s.RootToken()
	spec := acmeSpec()
	var users []any
	for i := range 300 {
		users = append(users, map[string]any{"email": fmt.Sprintf("agent%03d@acme.test", i), "name": fmt.Sprintf("Agent %d", i),
			"role": "AGENT", "teams": []string{"Sales"}, "defaultDialNumber": fmt.Sprintf("+44 20 7946 %04d", i)})
	}
	spec["users"] = users
	if got := apply(t, s, root, spec, false); len(got.Changes) != 7+300 {
		t.Fatalf("%d changes", len(got.Changes))
	}
	if got := apply(t, s, root, spec, false); len(got.Changes) != 0 {
		t.Fatalf("second apply: %s", got.list())
	}
}
