package graph_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/agentdesk/agentdesk/internal/station"
	"github.com/agentdesk/agentdesk/internal/testserver"
)

const (
	createTeam = `mutation($in: CreateTeamInput!){ createTeam(input:$in){ id name type capacity tenant{ id } } }`
	updateTeam = `mutation($id: ID!, $in: UpdateTeamInput!){ updateTeam(id:$id, input:$in){ id name type capacity } }`
	addMembers = `mutation($id: ID!, $u: [ID!]!){ addTeamMembers(teamId:$id, userIds:$u){ id members{ totalCount } } }`
	delMembers = `mutation($id: ID!, $u: [ID!]!){ removeTeamMembers(teamId:$id, userIds:$u){ id members{ totalCount } } }`
	listTeams  = `query($t: ID!, $first: Int, $after: String, $q: String, $type: TeamType){ teams(tenantId:$t, first:$first, after:$after, filter:{search:$q, type:$type}){
		totalCount pageInfo{ hasNextPage endCursor } edges{ cursor node{ id name } } } }`
	listMembers = `query($id: ID!, $first: Int, $after: String){ team(id:$id){ members(first:$first, after:$after){
		totalCount pageInfo{ hasNextPage endCursor } edges{ cursor node{ id name } } } } }`
)

type teamOut struct {
	ID, Name, Type string
	Capacity       *int
	Tenant         struct{ ID string }
	Members        struct{ TotalCount int }
}

func mustCreateTeam(t *testing.T, s *testserver.Server, token string, in map[string]any) teamOut {
	t.Helper()
	var out struct{ CreateTeam teamOut }
	s.MustDo(token, createTeam, map[string]any{"in": in}, &out)
	return out.CreateTeam
}

func mustUpdateTeam(t *testing.T, s *testserver.Server, token, id string, in map[string]any) teamOut {
	t.Helper()
	var out struct{ UpdateTeam teamOut }
	s.MustDo(token, updateTeam, map[string]any{"id": id, "in": in}, &out)
	return out.UpdateTeam
}

func TestTeamLifecycle(t *testing.T) {
	s := testserver.New(t)
	root := s.RootToken()
	tn := s.CreateTenant(root, "acme")
	adminID := cfgUser(t, s, root, tn.ID, "admin@acme.test", "TENANT_ADMIN", nil)
	admin := s.SignIn("admin@acme.test", cfgPassword)

	sales := mustCreateTeam(t, s, admin, map[string]any{"tenantId": tn.ID, "name": " Sales ", "type": "AGENT"})
	if sales.Name != "Sales" || sales.Type != "AGENT" || sales.Capacity != nil || sales.Tenant.ID != tn.ID {
		t.Fatalf("created team = %+v", sales)
	}
	if ev := cfgAudit(t, s, "createTeam", sales.ID, 1)[0]; ev.Actor != "user:"+adminID || ev.TenantID != tn.ID || ev.TargetType != "Team" {
		t.Fatalf("audit = %+v", ev)
	}
	overflow := mustCreateTeam(t, s, admin, map[string]any{"tenantId": tn.ID, "name": "Overflow", "type": "CAPACITY", "capacity": 25})
	if overflow.Type != "CAPACITY" || overflow.Capacity == nil || *overflow.Capacity != 25 {
		t.Fatalf("capacity team = %+v", overflow)
	}

	// Members: adding a member again changes nothing; ids may repeat.
	var agents, names []string
	for i := range 3 {
		email := fmt.Sprintf("agent%d@acme.test", i)
		agents = append(agents, cfgUser(t, s, root, tn.ID, email, "AGENT", nil))
		names = append(names, "User "+email)
	}
	var add struct{ AddTeamMembers teamOut }
	s.MustDo(admin, addMembers, map[string]any{"id": sales.ID, "u": []string{agents[0], agents[1], agents[0]}}, &add)
	if add.AddTeamMembers.Members.TotalCount != 2 {
		t.Fatalf("members after add = %+v", add)
	}
	s.MustDo(admin, addMembers, map[string]any{"id": sales.ID, "u": []string{agents[1], agents[2]}}, &add)
	if add.AddTeamMembers.Members.TotalCount != 3 {
		t.Fatalf("members after second add = %+v", add)
	}
	evs := cfgAudit(t, s, "addTeamMembers", sales.ID, 2)
	if !strings.Contains(evs[0].Summary, "added 2 members") || !strings.Contains(evs[1].Summary, "added 1 member ") {
		t.Fatalf("summaries = %q, %q", evs[0].Summary, evs[1].Summary)
	}
	cfgCheckPages(t, s, admin, listMembers, "team.members", map[string]any{"id": sales.ID}, names)

	var rm struct{ RemoveTeamMembers teamOut }
	s.MustDo(admin, delMembers, map[string]any{"id": sales.ID, "u": []string{agents[1], agents[1]}}, &rm)
	if rm.RemoveTeamMembers.Members.TotalCount != 2 {
		t.Fatalf("members after remove = %+v", rm)
	}
	// Removing a user who is not a member changes nothing.
	s.MustDo(admin, delMembers, map[string]any{"id": sales.ID, "u": []string{agents[1]}}, &rm)
	if rm.RemoveTeamMembers.Members.TotalCount != 2 {
		t.Fatalf("members after removing a non-member = %+v", rm)
	}
	cfgAudit(t, s, "removeTeamMembers", sales.ID, 2)
	cfgCheckPages(t, s, admin, listMembers, "team.members", map[string]any{"id": sales.ID}, []string{names[0], names[2]})

	// updateTeam: an omitted capacity is kept, null clears it.
	if u := mustUpdateTeam(t, s, admin, overflow.ID, map[string]any{"name": "Overflow East"}); u.Name != "Overflow East" || u.Capacity == nil || *u.Capacity != 25 {
		t.Fatalf("rename kept capacity? %+v", u)
	}
	if u := mustUpdateTeam(t, s, admin, overflow.ID, map[string]any{"capacity": 40}); u.Capacity == nil || *u.Capacity != 40 || u.Name != "Overflow East" {
		t.Fatalf("capacity update = %+v", u)
	}
	if u := mustUpdateTeam(t, s, admin, overflow.ID, map[string]any{"capacity": nil}); u.Capacity != nil || u.Type != "CAPACITY" {
		t.Fatalf("capacity null = %+v", u)
	}
	cfgAudit(t, s, "updateTeam", overflow.ID, 3)

	// Supervisors read teams and their members; agents read neither.
	sup := cfgSignIn(t, s, root, tn.ID, "sup@acme.test", "SUPERVISOR")
	if p := cfgList(t, s, sup, listMembers, "team.members", map[string]any{"id": sales.ID}); p.TotalCount != 2 {
		t.Fatalf("supervisor's members = %+v", p)
	}
	cfgWant(t, s.Do(sup, createTeam, map[string]any{"in": map[string]any{"tenantId": tn.ID, "name": "S", "type": "AGENT"}}), "FORBIDDEN", "")
	agent := s.SignIn("agent0@acme.test", cfgPassword)
	cfgWant(t, s.Do(agent, listTeams, map[string]any{"t": tn.ID}), "FORBIDDEN", "")

	var del struct{ DeleteTeam bool }
	s.MustDo(admin, `mutation($id:ID!){ deleteTeam(id:$id) }`, map[string]any{"id": sales.ID}, &del)
	if !del.DeleteTeam {
		t.Fatal("deleteTeam returned false")
	}
	cfgAudit(t, s, "deleteTeam", sales.ID, 1)
	cfgWant(t, s.Do(admin, `query($id:ID!){ team(id:$id){ id } }`, map[string]any{"id": sales.ID}), "NOT_FOUND", "")
	// The members are users still, just without the team.
	if n := s.App.DB.Client.User.Query().CountX(testserver.Ctx()); n != 6 {
		t.Fatalf("%d users after deleting a team, want 6", n)
	}
}

func TestTeamRejectsBadInput(t *testing.T) {
	s := testserver.New(t)
	root := s.RootToken()
	tn := s.CreateTenant(root, "acme")
	other := s.CreateTenant(root, "other")
	admin := cfgSignIn(t, s, root, tn.ID, "admin@acme.test", "TENANT_ADMIN")
	mustCreateTeam(t, s, admin, map[string]any{"tenantId": tn.ID, "name": "Taken", "type": "AGENT"})

	base := func() map[string]any { return map[string]any{"tenantId": tn.ID, "name": "New", "type": "AGENT"} }
	cases := []struct {
		name        string
		edit        func(m map[string]any)
		code, field string
	}{
		{"empty name", func(m map[string]any) { m["name"] = "  " }, "VALIDATION_ERROR", "name"},
		{"name too long", func(m map[string]any) { m["name"] = strings.Repeat("n", 81) }, "VALIDATION_ERROR", "name"},
		{"duplicate name", func(m map[string]any) { m["name"] = "Taken" }, "CONFLICT", "name"},
		{"duplicate name in other case", func(m map[string]any) { m["name"] = "TAKEN" }, "CONFLICT", "name"},
		{"capacity on an agent team", func(m map[string]any) { m["capacity"] = 5 }, "VALIDATION_ERROR", "capacity"},
		{"capacity zero", func(m map[string]any) { m["type"], m["capacity"] = "CAPACITY", 0 }, "VALIDATION_ERROR", "capacity"},
		{"capacity too large", func(m map[string]any) { m["type"], m["capacity"] = "CAPACITY", 100001 }, "VALIDATION_ERROR", "capacity"},
		{"unknown type", func(m map[string]any) { m["type"] = "ROBOT" }, "VALIDATION_ERROR", ""},
		{"another tenant", func(m map[string]any) { m["tenantId"] = other.ID }, "NOT_FOUND", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := base()
			c.edit(in)
			cfgWant(t, s.Do(admin, createTeam, map[string]any{"in": in}), c.code, c.field)
		})
	}
	// The limits themselves pass.
	mustCreateTeam(t, s, admin, map[string]any{"tenantId": tn.ID, "name": strings.Repeat("n", 80), "type": "CAPACITY", "capacity": 100000})
	mustCreateTeam(t, s, admin, map[string]any{"tenantId": tn.ID, "name": "Small", "type": "CAPACITY", "capacity": 1})

	team := mustCreateTeam(t, s, admin, map[string]any{"tenantId": tn.ID, "name": "Agents", "type": "AGENT"})
	capTeam := mustCreateTeam(t, s, admin, map[string]any{"tenantId": tn.ID, "name": "Pool", "type": "CAPACITY"})
	cfgWant(t, s.Do(admin, updateTeam, map[string]any{"id": team.ID, "in": map[string]any{"capacity": 3}}), "VALIDATION_ERROR", "capacity")
	cfgWant(t, s.Do(admin, updateTeam, map[string]any{"id": team.ID, "in": map[string]any{"name": "taken"}}), "CONFLICT", "name")
	cfgWant(t, s.Do(admin, updateTeam, map[string]any{"id": capTeam.ID, "in": map[string]any{"capacity": -1}}), "VALIDATION_ERROR", "capacity")
	cfgWant(t, s.Do(admin, updateTeam, map[string]any{"id": team.ID, "in": map[string]any{"type": "CAPACITY"}}), "VALIDATION_ERROR", "")

	// A capacity team has no members.
	agent := cfgUser(t, s, root, tn.ID, "agent@acme.test", "AGENT", nil)
	cfgWant(t, s.Do(admin, addMembers, map[string]any{"id": capTeam.ID, "u": []string{agent}}), "VALIDATION_ERROR", "teamId")

	// Members must be users of the team's tenant; another tenant's user
	// reads exactly like one that does not exist.
	stranger := cfgUser(t, s, root, other.ID, "agent@other.test", "AGENT", nil)
	a := s.Do(admin, addMembers, map[string]any{"id": team.ID, "u": []string{agent, stranger}})
	cfgWant(t, a, "VALIDATION_ERROR", "userIds")
	b := s.Do(admin, addMembers, map[string]any{"id": team.ID, "u": []string{agent, "usr_nope"}})
	cfgWant(t, b, "VALIDATION_ERROR", "userIds")
	if strings.ReplaceAll(a.Errors[0].Message, stranger, "ID") != strings.ReplaceAll(b.Errors[0].Message, "usr_nope", "ID") {
		t.Fatalf("messages differ: %q vs %q", a.Errors[0].Message, b.Errors[0].Message)
	}
	cfgWant(t, s.Do(admin, delMembers, map[string]any{"id": team.ID, "u": []string{stranger}}), "VALIDATION_ERROR", "userIds")
	cfgWant(t, s.Do(admin, addMembers, map[string]any{"id": team.ID, "u": []string{}}), "VALIDATION_ERROR", "userIds")
	many := make([]string, 501)
	for i := range many {
		many[i] = fmt.Sprintf("usr_%d", i)
	}
	cfgWant(t, s.Do(admin, addMembers, map[string]any{"id": team.ID, "u": many}), "VALIDATION_ERROR", "userIds")
	// A refused call adds no one, not even the valid ids.
	if p := cfgList(t, s, admin, listMembers, "team.members", map[string]any{"id": team.ID}); p.TotalCount != 0 {
		t.Fatalf("refused adds left %d members", p.TotalCount)
	}
	cfgAudit(t, s, "addTeamMembers", team.ID, 0)
}

// TestTeamAcrossTenants: a TENANT_ADMIN of tenant B gets NOT_FOUND for
// tenant A's team, and the team stays as it was.
func TestTeamAcrossTenants(t *testing.T) {
	s := testserver.New(t)
	root := s.RootToken()
	a := s.CreateTenant(root, "alpha")
	b := s.CreateTenant(root, "beta")
	adminA := cfgSignIn(t, s, root, a.ID, "admin@alpha.test", "TENANT_ADMIN")
	adminB := cfgSignIn(t, s, root, b.ID, "admin@beta.test", "TENANT_ADMIN")
	team := mustCreateTeam(t, s, adminA, map[string]any{"tenantId": a.ID, "name": "Alpha team", "type": "AGENT"})
	member := cfgUser(t, s, root, a.ID, "agent@alpha.test", "AGENT", nil)
	s.MustDo(adminA, addMembers, map[string]any{"id": team.ID, "u": []string{member}}, nil)
	userB := cfgUser(t, s, root, b.ID, "agent@beta.test", "AGENT", nil)

	for name, op := range map[string]struct {
		query string
		vars  map[string]any
	}{
		"team":              {`query($id:ID!){ team(id:$id){ id } }`, nil},
		"updateTeam":        {updateTeam, map[string]any{"in": map[string]any{"name": "Stolen"}}},
		"deleteTeam":        {`mutation($id:ID!){ deleteTeam(id:$id) }`, nil},
		"addTeamMembers":    {addMembers, map[string]any{"u": []string{userB}}},
		"removeTeamMembers": {delMembers, map[string]any{"u": []string{member}}},
	} {
		t.Run(name, func(t *testing.T) {
			for _, id := range []string{team.ID, "tea_nope"} {
				vars := map[string]any{"id": id}
				for k, v := range op.vars {
					vars[k] = v
				}
				cfgWant(t, s.Do(adminB, op.query, vars), "NOT_FOUND", "")
			}
		})
	}
	cfgWant(t, s.Do(adminB, listTeams, map[string]any{"t": a.ID}), "NOT_FOUND", "")
	var got struct{ Team teamOut }
	s.MustDo(adminA, `query($id:ID!){ team(id:$id){ name members{ totalCount } } }`, map[string]any{"id": team.ID}, &got)
	if got.Team.Name != "Alpha team" || got.Team.Members.TotalCount != 1 {
		t.Fatalf("tenant B changed tenant A's team: %+v", got.Team)
	}
}

func TestTeamsFilterAndPaginate(t *testing.T) {
	s := testserver.New(t)
	root := s.RootToken()
	tn := s.CreateTenant(root, "acme")
	admin := cfgSignIn(t, s, root, tn.ID, "admin@acme.test", "TENANT_ADMIN")
	var all, agentTeams []string
	for i := range 5 {
		typ, name := "AGENT", fmt.Sprintf("Sales %d", i)
		if i%2 == 1 {
			typ, name = "CAPACITY", fmt.Sprintf("Pool %d", i)
		} else {
			agentTeams = append(agentTeams, name)
		}
		mustCreateTeam(t, s, admin, map[string]any{"tenantId": tn.ID, "name": name, "type": typ})
		all = append(all, name)
	}
	cfgCheckPages(t, s, admin, listTeams, "teams", map[string]any{"t": tn.ID}, all)
	cfgCheckPages(t, s, admin, listTeams, "teams", map[string]any{"t": tn.ID, "type": "AGENT"}, agentTeams)
	cfgCheckPages(t, s, admin, listTeams, "teams", map[string]any{"t": tn.ID, "q": "pOOl"}, []string{"Pool 1", "Pool 3"})
	cfgCheckPages(t, s, admin, listTeams, "teams", map[string]any{"t": tn.ID, "q": "pool", "type": "AGENT"}, nil)
}

// TestDeleteTeamInUse: a team agents are logged in with cannot go.
func TestDeleteTeamInUse(t *testing.T) {
	s := testserver.New(t)
	root := s.RootToken()
	tn := s.CreateTenant(root, "acme")
	admin := cfgSignIn(t, s, root, tn.ID, "admin@acme.test", "TENANT_ADMIN")
	team := mustCreateTeam(t, s, admin, map[string]any{"tenantId": tn.ID, "name": "Busy", "type": "AGENT"})
	agent := cfgUser(t, s, root, tn.ID, "agent@acme.test", "AGENT", nil)
	s.MustDo(admin, addMembers, map[string]any{"id": team.ID, "u": []string{agent}}, nil)
	now := s.Clock.Now()
	ds := s.App.DB.Client.DesktopSession.Create().SetTenantID(tn.ID).SetUserID(agent).SetClientID("tab-1").
		SetStationType(station.Extension).SetExtension("1234").SetTeamID(team.ID).
		SetStateChangedAt(now).SetStartedAt(now).SetLastActivityAt(now).SaveX(testserver.Ctx())

	cfgWant(t, s.Do(admin, `mutation($id:ID!){ deleteTeam(id:$id) }`, map[string]any{"id": team.ID}), "IN_USE", "")
	ds.Update().SetEndedAt(now).SetEndReason("User requested logout").ExecX(testserver.Ctx())
	s.MustDo(admin, `mutation($id:ID!){ deleteTeam(id:$id) }`, map[string]any{"id": team.ID}, nil)
}
