package graph_test

import (
	"strings"
	"testing"

	"github.com/agentdesk/agentdesk/ent"
	"github.com/agentdesk/agentdesk/ent/auditevent"
	"github.com/agentdesk/agentdesk/ent/team"
	"github.com/agentdesk/agentdesk/internal/station"
	"github.com/agentdesk/agentdesk/internal/testserver"
)

// fixtures are a tenant's profile, skill profile and teams, written straight
// to the store so these tests depend only on the user operations.
type fixtures struct {
	profile, skills, agentTeam, otherTeam, capacityTeam string
}

func seed(t *testing.T, s *testserver.Server, tenantID, prefix string) fixtures {
	t.Helper()
	ctx := testserver.Ctx()
	db := s.App.DB.Client
	p := db.AgentProfile.Create().SetTenantID(tenantID).SetName(prefix + " profile").
		SetLoginVoiceOptions([]station.Type{station.DialNumber}).SaveX(ctx)
	sk := db.SkillProfile.Create().SetTenantID(tenantID).SetName(prefix + " skills").SetSkills(nil).SaveX(ctx)
	newTeam := func(name string, typ team.Type) *ent.Team {
		return db.Team.Create().SetTenantID(tenantID).SetName(prefix + " " + name).SetType(typ).SaveX(ctx)
	}
	return fixtures{
		profile: p.ID, skills: sk.ID,
		agentTeam:    newTeam("sales", team.TypeAGENT).ID,
		otherTeam:    newTeam("support", team.TypeAGENT).ID,
		capacityTeam: newTeam("overflow", team.TypeCAPACITY).ID,
	}
}

const userFields = `id email name role active contactCenterEnabled hasPassword defaultDialNumber defaultExtension
	tenant{ id } agentProfile{ id } skillProfile{ id } teams{ id }`

type userView struct {
	ID, Email, Name, Role               string
	Active, ContactCenterEnabled        bool
	HasPassword                         bool
	DefaultDialNumber, DefaultExtension *string
	Tenant, AgentProfile, SkillProfile  *struct{ ID string }
	Teams                               []struct{ ID string }
}

func TestCreateUser(t *testing.T) {
	s := testserver.New(t)
	root := s.RootToken()
	acme := s.CreateTenant(root, "acme")
	fx := seed(t, s, acme.ID, "acme")

	var out struct{ CreateUser userView }
	s.MustDo(root, `mutation($in: CreateUserInput!){ createUser(input:$in){ `+userFields+` } }`, map[string]any{"in": map[string]any{
		"tenantId": acme.ID, "email": " Ann.Agent@ACME.test ", "name": " Ann Agent ", "role": "AGENT",
		"agentProfileId": fx.profile, "skillProfileId": fx.skills, "teamIds": []string{fx.otherTeam, fx.agentTeam},
		"defaultDialNumber": "(201) 555-0123", "defaultExtension": "4711",
	}}, &out)
	u := out.CreateUser
	if u.Email != "ann.agent@acme.test" || u.Name != "Ann Agent" || u.Role != "AGENT" || !u.Active || !u.ContactCenterEnabled {
		t.Fatalf("user = %+v", u)
	}
	if u.HasPassword || u.Tenant.ID != acme.ID || u.AgentProfile.ID != fx.profile || u.SkillProfile.ID != fx.skills || len(u.Teams) != 2 {
		t.Fatalf("user = %+v", u)
	}
	if *u.DefaultDialNumber != "+12015550123" || *u.DefaultExtension != "4711" {
		t.Fatalf("dial number %v, extension %v", *u.DefaultDialNumber, *u.DefaultExtension)
	}

	// With a password the user signs in at once.
	id := s.CreateUser(root, acme.ID, "sam@acme.test", "SUPERVISOR", "a long enough passphrase", map[string]any{
		"defaultDialNumber": "+44 20 7946 0018",
	})
	token := s.SignIn("sam@acme.test", "a long enough passphrase")
	var me struct{ Me userView }
	s.MustDo(token, `{ me { `+userFields+` } }`, nil, &me)
	if me.Me.ID != id || !me.Me.HasPassword || *me.Me.DefaultDialNumber != "+442079460018" {
		t.Fatalf("me = %+v", me.Me)
	}

	// A tenant admin creates users of its own tenant.
	s.CreateUser(root, acme.ID, "tia@acme.test", "TENANT_ADMIN", "tenant admin passphrase", nil)
	admin := s.SignIn("tia@acme.test", "tenant admin passphrase")
	s.CreateUser(admin, acme.ID, "ivan@acme.test", "AGENT", "", map[string]any{"password": nil, "defaultDialNumber": "011 49 30 1234567"})

	// A platform admin creates another platform admin, without a tenant.
	var pa struct{ CreateUser userView }
	s.MustDo(root, `mutation{ createUser(input:{email:"ops@platform.test", name:"Ops", role:PLATFORM_ADMIN}){ `+userFields+` } }`, nil, &pa)
	if pa.CreateUser.Tenant != nil || pa.CreateUser.Role != "PLATFORM_ADMIN" {
		t.Fatalf("platform admin = %+v", pa.CreateUser)
	}

	// Every creation is audited, never with the password.
	events := s.App.DB.Client.AuditEvent.Query().Where(auditevent.Action("createUser")).AllX(testserver.Ctx())
	if len(events) != 5 {
		t.Fatalf("%d createUser events, want 5", len(events))
	}
	for _, e := range events {
		if strings.Contains(e.Summary, "passphrase") {
			t.Fatalf("audit summary carries the password: %s", e.Summary)
		}
	}
}

func TestCreateUserRejectsBadInput(t *testing.T) {
	s := testserver.New(t)
	root := s.RootToken()
	acme := s.CreateTenant(root, "acme")
	other := s.CreateTenant(root, "other")
	fx := seed(t, s, acme.ID, "acme")
	ofx := seed(t, s, other.ID, "other")
	s.CreateUser(root, acme.ID, "taken@acme.test", "AGENT", "", map[string]any{"password": nil, "defaultDialNumber": "+1 201 555 0100"})
	s.CreateUser(root, other.ID, "elsewhere@other.test", "AGENT", "", map[string]any{"password": nil})

	base := func() map[string]any {
		return map[string]any{"tenantId": acme.ID, "email": "new@acme.test", "name": "New", "role": "AGENT"}
	}
	cases := []struct {
		name  string
		edit  func(m map[string]any)
		code  string
		field string
	}{
		{"empty name", func(m map[string]any) { m["name"] = "  " }, "VALIDATION_ERROR", "name"},
		{"long name", func(m map[string]any) { m["name"] = strings.Repeat("n", 101) }, "VALIDATION_ERROR", "name"},
		{"bad email", func(m map[string]any) { m["email"] = "not-an-address" }, "VALIDATION_ERROR", "email"},
		{"long email", func(m map[string]any) { m["email"] = strings.Repeat("a", 250) + "@acme.test" }, "VALIDATION_ERROR", "email"},
		{"email outside the domains", func(m map[string]any) { m["email"] = "new@gmail.test" }, "VALIDATION_ERROR", "email"},
		{"duplicate email", func(m map[string]any) { m["email"] = "TAKEN@acme.test" }, "CONFLICT", "email"},
		{"invalid dial number", func(m map[string]any) { m["defaultDialNumber"] = "555-FLOWERS" }, "INVALID_DIAL_NUMBER", "defaultDialNumber"},
		{"short dial number", func(m map[string]any) { m["defaultDialNumber"] = "12345" }, "INVALID_DIAL_NUMBER", "defaultDialNumber"},
		{"duplicate dial number", func(m map[string]any) { m["defaultDialNumber"] = "(201) 555-0100" }, "CONFLICT", "defaultDialNumber"},
		{"bad extension", func(m map[string]any) { m["defaultExtension"] = "1" }, "INVALID_DIAL_NUMBER", "defaultExtension"},
		{"other tenant's profile", func(m map[string]any) { m["agentProfileId"] = ofx.profile }, "VALIDATION_ERROR", "agentProfileId"},
		{"other tenant's skill profile", func(m map[string]any) { m["skillProfileId"] = ofx.skills }, "VALIDATION_ERROR", "skillProfileId"},
		{"other tenant's team", func(m map[string]any) { m["teamIds"] = []string{fx.agentTeam, ofx.agentTeam} }, "VALIDATION_ERROR", "teamIds"},
		{"capacity team", func(m map[string]any) { m["teamIds"] = []string{fx.capacityTeam} }, "VALIDATION_ERROR", "teamIds"},
		{"integration role", func(m map[string]any) { m["role"] = "INTEGRATION" }, "VALIDATION_ERROR", "role"},
		{"platform admin in a tenant", func(m map[string]any) { m["role"] = "PLATFORM_ADMIN" }, "VALIDATION_ERROR", "role"},
		{"agent without tenant", func(m map[string]any) { delete(m, "tenantId") }, "VALIDATION_ERROR", "tenantId"},
		{"weak password", func(m map[string]any) { m["password"] = "short" }, "WEAK_PASSWORD", ""},
		{"password is the e-mail", func(m map[string]any) { m["password"] = "new@acme.test" }, "WEAK_PASSWORD", ""},
		{"unknown tenant", func(m map[string]any) { m["tenantId"] = "ten_nope" }, "NOT_FOUND", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := base()
			c.edit(in)
			r := s.Do(root, `mutation($in: CreateUserInput!){ createUser(input:$in){ id } }`, map[string]any{"in": in})
			if r.Code() != c.code {
				t.Fatalf("code = %q, want %q (%+v)", r.Code(), c.code, r.Errors)
			}
			if c.field != "" && r.Errors[0].Extensions["field"] != c.field {
				t.Fatalf("field = %v, want %s", r.Errors[0].Extensions["field"], c.field)
			}
			if strings.Contains(r.Errors[0].Message, other.ID) || strings.Contains(r.Errors[0].Message, ofx.profile) {
				t.Fatalf("the message names another tenant's object: %s", r.Errors[0].Message)
			}
		})
	}
	// Nothing of the refused creations was written.
	if n := s.App.DB.Client.User.Query().CountX(testserver.Ctx()); n != 3 {
		t.Fatalf("%d users, want 3 (root and the two made above)", n)
	}

	// A tenant admin cannot reach another tenant nor create platform admins.
	s.CreateUser(root, acme.ID, "tia@acme.test", "TENANT_ADMIN", "tenant admin passphrase", nil)
	admin := s.SignIn("tia@acme.test", "tenant admin passphrase")
	in := base()
	in["tenantId"], in["email"] = other.ID, "x@other.test"
	if r := s.Do(admin, `mutation($in: CreateUserInput!){ createUser(input:$in){ id } }`, map[string]any{"in": in}); r.Code() != "NOT_FOUND" {
		t.Fatalf("other tenant: %+v", r.Errors)
	}
	if r := s.Do(admin, `mutation{ createUser(input:{email:"x@platform.test", name:"X", role:PLATFORM_ADMIN}){ id } }`, nil); r.Code() != "FORBIDDEN" {
		t.Fatalf("platform admin by a tenant admin: %+v", r.Errors)
	}
}

func TestUpdateUser(t *testing.T) {
	s := testserver.New(t)
	root := s.RootToken()
	acme := s.CreateTenant(root, "acme")
	fx := seed(t, s, acme.ID, "acme")
	id := s.CreateUser(root, acme.ID, "ann@acme.test", "AGENT", "", map[string]any{
		"password": nil, "agentProfileId": fx.profile, "skillProfileId": fx.skills, "teamIds": []string{fx.agentTeam},
		"defaultDialNumber": "+1 201 555 0123", "defaultExtension": "4711",
	})
	update := func(in map[string]any) userView {
		t.Helper()
		var out struct{ UpdateUser userView }
		s.MustDo(root, `mutation($id:ID!, $in: UpdateUserInput!){ updateUser(id:$id, input:$in){ `+userFields+` } }`,
			map[string]any{"id": id, "in": in}, &out)
		return out.UpdateUser
	}

	// Omitted fields are kept.
	u := update(map[string]any{"name": "Ann B.", "role": "SUPERVISOR"})
	if u.Name != "Ann B." || u.Role != "SUPERVISOR" || u.AgentProfile == nil || u.SkillProfile == nil ||
		len(u.Teams) != 1 || *u.DefaultDialNumber != "+12015550123" || *u.DefaultExtension != "4711" {
		t.Fatalf("after rename: %+v", u)
	}
	// Null clears.
	u = update(map[string]any{"agentProfileId": nil, "defaultDialNumber": nil, "defaultExtension": nil, "skillProfileId": nil, "teamIds": []string{}})
	if u.AgentProfile != nil || u.SkillProfile != nil || u.DefaultDialNumber != nil || u.DefaultExtension != nil || len(u.Teams) != 0 || u.Name != "Ann B." {
		t.Fatalf("after clearing: %+v", u)
	}
	// Set again, normalised.
	u = update(map[string]any{"defaultDialNumber": "011 61 2 9374 4000", "teamIds": []string{fx.otherTeam, fx.agentTeam, fx.otherTeam}, "contactCenterEnabled": false})
	if *u.DefaultDialNumber != "+61293744000" || len(u.Teams) != 2 || u.ContactCenterEnabled {
		t.Fatalf("after setting: %+v", u)
	}

	// Two users may swap numbers one at a time only through a free number;
	// a number another user holds is a conflict.
	s.CreateUser(root, acme.ID, "bob@acme.test", "AGENT", "", map[string]any{"password": nil, "defaultDialNumber": "+1 201 555 0100"})
	bad := []struct {
		in    map[string]any
		code  string
		field string
	}{
		{map[string]any{"defaultDialNumber": "(201) 555-0100"}, "CONFLICT", "defaultDialNumber"},
		{map[string]any{"defaultDialNumber": "0"}, "INVALID_DIAL_NUMBER", "defaultDialNumber"},
		{map[string]any{"name": ""}, "VALIDATION_ERROR", "name"},
		{map[string]any{"role": "INTEGRATION"}, "VALIDATION_ERROR", "role"},
		{map[string]any{"role": "PLATFORM_ADMIN"}, "VALIDATION_ERROR", "role"},
		{map[string]any{"teamIds": []string{fx.capacityTeam}}, "VALIDATION_ERROR", "teamIds"},
		{map[string]any{"agentProfileId": "apr_nope"}, "VALIDATION_ERROR", "agentProfileId"},
	}
	for _, c := range bad {
		r := s.Do(root, `mutation($id:ID!, $in: UpdateUserInput!){ updateUser(id:$id, input:$in){ id } }`, map[string]any{"id": id, "in": c.in})
		if r.Code() != c.code || r.Errors[0].Extensions["field"] != c.field {
			t.Errorf("%v: %+v", c.in, r.Errors)
		}
	}
	if r := s.Do(root, `mutation{ updateUser(id:"usr_nope", input:{name:"X"}){ id } }`, nil); r.Code() != "NOT_FOUND" {
		t.Fatalf("unknown user: %+v", r.Errors)
	}
	n := s.App.DB.Client.AuditEvent.Query().Where(auditevent.Action("updateUser"), auditevent.TargetID(id)).CountX(testserver.Ctx())
	if n != 3 {
		t.Fatalf("%d updateUser events, want 3", n)
	}
}

func TestDeactivateUserEndsItsSessions(t *testing.T) {
	s := testserver.New(t)
	root := s.RootToken()
	acme := s.CreateTenant(root, "acme")
	id := s.CreateUser(root, acme.ID, "ann@acme.test", "AGENT", "a long enough passphrase", nil)
	first := s.SignIn("ann@acme.test", "a long enough passphrase")
	second := s.SignIn("ann@acme.test", "a long enough passphrase")
	ctx := testserver.Ctx()
	now := s.Clock.Now()
	desk := s.App.DB.Client.DesktopSession.Create().SetTenantID(acme.ID).SetUserID(id).SetClientID("tab-1").
		SetStationType(station.Extension).SetExtension("4711").SetTeamID("tea_x").
		SetStateChangedAt(now).SetStartedAt(now).SetLastActivityAt(now).SaveX(ctx)

	for _, tok := range []string{first, second} {
		if r := s.Do(tok, `{ me { id } }`, nil); len(r.Errors) > 0 {
			t.Fatalf("before: %+v", r.Errors)
		}
	}
	var out struct{ DeactivateUser userView }
	s.MustDo(root, `mutation($id:ID!){ deactivateUser(id:$id){ id active } }`, map[string]any{"id": id}, &out)
	if out.DeactivateUser.Active {
		t.Fatal("still active")
	}
	for _, tok := range []string{first, second} {
		if r := s.Do(tok, `{ me { id } }`, nil); r.Code() != "UNAUTHENTICATED" {
			t.Fatalf("old token after deactivation: %+v", r.Errors)
		}
	}
	desk = s.App.DB.Client.DesktopSession.GetX(ctx, desk.ID)
	if desk.EndedAt == nil || desk.EndReason != "Deactivated" {
		t.Fatalf("desktop session = ended %v, reason %q", desk.EndedAt, desk.EndReason)
	}
	// The password no longer signs in either.
	if r := s.Do("", `mutation{ signIn(email:"ann@acme.test", password:"a long enough passphrase"){ token } }`, nil); r.Code() != "INVALID_CREDENTIALS" {
		t.Fatalf("sign-in after deactivation: %+v", r.Errors)
	}
	// Nobody deactivates themselves.
	s.CreateUser(root, acme.ID, "tia@acme.test", "TENANT_ADMIN", "tenant admin passphrase", nil)
	admin := s.SignIn("tia@acme.test", "tenant admin passphrase")
	var self struct{ Me struct{ ID string } }
	s.MustDo(admin, `{ me { id } }`, nil, &self)
	if r := s.Do(admin, `mutation($id:ID!){ deactivateUser(id:$id){ id } }`, map[string]any{"id": self.Me.ID}); r.Code() != "VALIDATION_ERROR" {
		t.Fatalf("self-deactivation: %+v", r.Errors)
	}
	// Reactivating is an update; the old tokens stay dead.
	s.MustDo(root, `mutation($id:ID!){ updateUser(id:$id, input:{active:true}){ id } }`, map[string]any{"id": id}, nil)
	if r := s.Do(first, `{ me { id } }`, nil); r.Code() != "UNAUTHENTICATED" {
		t.Fatalf("old token after reactivation: %+v", r.Errors)
	}
	s.SignIn("ann@acme.test", "a long enough passphrase")
}

func TestUserQueries(t *testing.T) {
	s := testserver.New(t)
	root := s.RootToken()
	acme := s.CreateTenant(root, "acme")
	other := s.CreateTenant(root, "other")
	fx := seed(t, s, acme.ID, "acme")
	for i, name := range []string{"ann", "bob", "cat", "dan", "eve"} {
		extra := map[string]any{"password": nil}
		if i%2 == 0 {
			extra["teamIds"] = []string{fx.agentTeam}
		}
		s.CreateUser(root, acme.ID, name+"@acme.test", "AGENT", "", extra)
	}
	sup := s.CreateUser(root, acme.ID, "sue@acme.test", "SUPERVISOR", "supervisor passphrase", nil)
	foreign := s.CreateUser(root, other.ID, "oz@other.test", "AGENT", "", map[string]any{"password": nil})
	s.MustDo(root, `mutation{ deactivateUser(id:"`+sup+`"){ id } }`, nil, nil)
	s.MustDo(root, `mutation($id:ID!){ updateUser(id:$id, input:{active:true}){ id } }`, map[string]any{"id": sup}, nil)

	type conn struct {
		Users struct {
			TotalCount int
			Edges      []struct{ Node struct{ Email string } }
			PageInfo   struct {
				HasNextPage bool
				EndCursor   string
			}
		}
	}
	list := func(token, args string) conn {
		t.Helper()
		var c conn
		s.MustDo(token, `query($t:ID!){ users(tenantId:$t, `+args+`){ totalCount edges{ node{ email } } pageInfo{ hasNextPage endCursor } } }`,
			map[string]any{"t": acme.ID}, &c)
		return c
	}
	if c := list(root, "first: 4"); c.Users.TotalCount != 6 || len(c.Users.Edges) != 4 || !c.Users.PageInfo.HasNextPage {
		t.Fatalf("page 1 = %+v", c)
	} else if c2 := list(root, `first: 4, after: "`+c.Users.PageInfo.EndCursor+`"`); len(c2.Users.Edges) != 2 || c2.Users.PageInfo.HasNextPage {
		t.Fatalf("page 2 = %+v", c2)
	}
	if c := list(root, `role: SUPERVISOR`); c.Users.TotalCount != 1 || c.Users.Edges[0].Node.Email != "sue@acme.test" {
		t.Fatalf("by role = %+v", c)
	}
	if c := list(root, `filter:{search:"BO"}`); c.Users.TotalCount != 1 || c.Users.Edges[0].Node.Email != "bob@acme.test" {
		t.Fatalf("by search = %+v", c)
	}
	if c := list(root, `filter:{teamId:"`+fx.agentTeam+`"}`); c.Users.TotalCount != 3 {
		t.Fatalf("by team = %+v", c)
	}
	if c := list(root, `filter:{active:false}`); c.Users.TotalCount != 0 {
		t.Fatalf("inactive = %+v", c)
	}

	// A supervisor reads its own tenant only; another tenant's user is not found.
	token := s.SignIn("sue@acme.test", "supervisor passphrase")
	if c := list(token, "first: 100"); c.Users.TotalCount != 6 {
		t.Fatalf("supervisor list = %+v", c)
	}
	if r := s.Do(token, `query($id:ID!){ user(id:$id){ id } }`, map[string]any{"id": foreign}); r.Code() != "NOT_FOUND" {
		t.Fatalf("other tenant's user: %+v", r.Errors)
	}
	if r := s.Do(token, `query($t:ID!){ users(tenantId:$t){ totalCount } }`, map[string]any{"t": other.ID}); r.Code() != "NOT_FOUND" {
		t.Fatalf("other tenant's list: %+v", r.Errors)
	}
	var rootUser struct{ Me struct{ ID string } }
	s.MustDo(root, `{ me { id } }`, nil, &rootUser)
	if r := s.Do(token, `query($id:ID!){ user(id:$id){ id } }`, map[string]any{"id": rootUser.Me.ID}); r.Code() != "NOT_FOUND" {
		t.Fatalf("platform admin seen from a tenant: %+v", r.Errors)
	}
	// But may not change users.
	if r := s.Do(token, `mutation($id:ID!){ updateUser(id:$id, input:{name:"X"}){ id } }`, map[string]any{"id": sup}); r.Code() != "FORBIDDEN" {
		t.Fatalf("supervisor update: %+v", r.Errors)
	}
	if r := s.Do(token, `mutation($id:ID!){ deactivateUser(id:$id){ id } }`, map[string]any{"id": sup}); r.Code() != "FORBIDDEN" {
		t.Fatalf("supervisor deactivating itself: %+v", r.Errors)
	}
	// Whether an id exists is nobody's business but the tenant's: a missing
	// user reads like another tenant's (NOT_FOUND); only a user of the
	// caller's own tenant is FORBIDDEN to change.
	for id, code := range map[string]string{sup: "FORBIDDEN", "usr_nope": "NOT_FOUND"} {
		if r := s.Do("", `query($id:ID!){ user(id:$id){ id } }`, map[string]any{"id": id}); r.Code() != "VALIDATION_ERROR" {
			t.Fatalf("anonymous user(%s): %+v", id, r.Errors)
		}
		if r := s.Do(token, `mutation($id:ID!){ updateUser(id:$id, input:{name:"X"}){ id } }`, map[string]any{"id": id}); r.Code() != code {
			t.Fatalf("supervisor update of %s: %+v, want %s", id, r.Errors, code)
		}
	}
	var one struct{ User userView }
	s.MustDo(token, `query($id:ID!){ user(id:$id){ `+userFields+` } }`, map[string]any{"id": sup}, &one)
	if one.User.Email != "sue@acme.test" || !one.User.HasPassword || !one.User.Active {
		t.Fatalf("user = %+v", one.User)
	}
}
