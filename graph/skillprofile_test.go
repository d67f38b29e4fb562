package graph_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/agentdesk/agentdesk/internal/testserver"
)

const (
	createSkillProfile = `mutation($in: CreateSkillProfileInput!){ createSkillProfile(input:$in){ id name skills{ name proficiency } tenant{ id } } }`
	updateSkillProfile = `mutation($id: ID!, $in: UpdateSkillProfileInput!){ updateSkillProfile(id:$id, input:$in){ id name skills{ name proficiency } } }`
	listSkillProfiles  = `query($t: ID!, $first: Int, $after: String, $q: String){ skillProfiles(tenantId:$t, first:$first, after:$after, filter:{search:$q}){
		totalCount pageInfo{ hasNextPage endCursor } edges{ cursor node{ id name } } } }`
)

type skillProfileOut struct {
	ID, Name string
	Skills   []struct {
		Name        string
		Proficiency int
	}
	Tenant struct{ ID string }
}

func skills(pairs ...any) []map[string]any {
	var out []map[string]any
	for i := 0; i < len(pairs); i += 2 {
		out = append(out, map[string]any{"name": pairs[i], "proficiency": pairs[i+1]})
	}
	return out
}

func mustCreateSkillProfile(t *testing.T, s *testserver.Server, token string, in map[string]any) skillProfileOut {
	t.Helper()
	var out struct{ CreateSkillProfile skillProfileOut }
	s.MustDo(token, createSkillProfile, map[string]any{"in": in}, &out)
	return out.CreateSkillProfile
}

func TestSkillProfileLifecycle(t *testing.T) {
	s := testserver.New(t)
	root := s.RootToken()
	tn := s.CreateTenant(root, "acme")
	adminID := cfgUser(t, s, root, tn.ID, "admin@acme.test", "TENANT_ADMIN", nil)
	admin := s.SignIn("admin@acme.test", cfgPassword)

	p := mustCreateSkillProfile(t, s, admin, map[string]any{"tenantId": tn.ID, "name": "Billing",
		"skills": skills(" English ", 10, "Spanish", 0, "Refunds", 7)})
	if p.Name != "Billing" || p.Tenant.ID != tn.ID || len(p.Skills) != 3 || p.Skills[0].Name != "English" ||
		p.Skills[0].Proficiency != 10 || p.Skills[1].Proficiency != 0 {
		t.Fatalf("created = %+v", p)
	}
	if ev := cfgAudit(t, s, "createSkillProfile", p.ID, 1)[0]; ev.Actor != "user:"+adminID || ev.TenantID != tn.ID || ev.TargetType != "SkillProfile" {
		t.Fatalf("audit = %+v", ev)
	}

	var upd struct{ UpdateSkillProfile skillProfileOut }
	s.MustDo(admin, updateSkillProfile, map[string]any{"id": p.ID, "in": map[string]any{"name": "Billing EU"}}, &upd)
	if u := upd.UpdateSkillProfile; u.Name != "Billing EU" || len(u.Skills) != 3 {
		t.Fatalf("rename = %+v", u)
	}
	s.MustDo(admin, updateSkillProfile, map[string]any{"id": p.ID, "in": map[string]any{"skills": skills("German", 5)}}, &upd)
	if u := upd.UpdateSkillProfile; u.Name != "Billing EU" || len(u.Skills) != 1 || u.Skills[0].Name != "German" || u.Skills[0].Proficiency != 5 {
		t.Fatalf("skills replaced = %+v", u)
	}
	cfgAudit(t, s, "updateSkillProfile", p.ID, 2)

	var got struct{ SkillProfile skillProfileOut }
	sup := cfgSignIn(t, s, root, tn.ID, "sup@acme.test", "SUPERVISOR")
	s.MustDo(sup, `query($id:ID!){ skillProfile(id:$id){ name skills{ name } tenant{ id } } }`, map[string]any{"id": p.ID}, &got)
	if got.SkillProfile.Name != "Billing EU" || got.SkillProfile.Tenant.ID != tn.ID {
		t.Fatalf("skillProfile = %+v", got)
	}
	cfgWant(t, s.Do(sup, `mutation($id:ID!){ deleteSkillProfile(id:$id) }`, map[string]any{"id": p.ID}), "FORBIDDEN", "")

	// A profile users hold cannot be deleted.
	holder := cfgUser(t, s, root, tn.ID, "agent@acme.test", "AGENT", map[string]any{"skillProfileId": p.ID})
	r := s.Do(admin, `mutation($id:ID!){ deleteSkillProfile(id:$id) }`, map[string]any{"id": p.ID})
	cfgWant(t, r, "IN_USE", "")
	if !strings.Contains(r.Errors[0].Message, "1 user") {
		t.Fatalf("message = %q", r.Errors[0].Message)
	}
	s.MustDo(admin, `mutation($id:ID!){ updateUser(id:$id, input:{skillProfileId:null}){ id } }`, map[string]any{"id": holder}, nil)

	var del struct{ DeleteSkillProfile bool }
	s.MustDo(admin, `mutation($id:ID!){ deleteSkillProfile(id:$id) }`, map[string]any{"id": p.ID}, &del)
	if !del.DeleteSkillProfile {
		t.Fatal("deleteSkillProfile returned false")
	}
	cfgAudit(t, s, "deleteSkillProfile", p.ID, 1)
	cfgWant(t, s.Do(admin, `query($id:ID!){ skillProfile(id:$id){ id } }`, map[string]any{"id": p.ID}), "NOT_FOUND", "")
}

func TestSkillProfileRejectsBadInput(t *testing.T) {
	s := testserver.New(t)
	root := s.RootToken()
	tn := s.CreateTenant(root, "acme")
	other := s.CreateTenant(root, "other")
	admin := cfgSignIn(t, s, root, tn.ID, "admin@acme.test", "TENANT_ADMIN")
	taken := mustCreateSkillProfile(t, s, admin, map[string]any{"tenantId": tn.ID, "name": "Taken", "skills": skills("A", 1)})

	hundredAndOne := make([]any, 0, 202)
	for i := range 101 {
		hundredAndOne = append(hundredAndOne, fmt.Sprintf("Skill %d", i), 1)
	}
	base := func() map[string]any {
		return map[string]any{"tenantId": tn.ID, "name": "New", "skills": skills("English", 5)}
	}
	cases := []struct {
		name        string
		edit        func(m map[string]any)
		code, field string
	}{
		{"empty name", func(m map[string]any) { m["name"] = "" }, "VALIDATION_ERROR", "name"},
		{"name too long", func(m map[string]any) { m["name"] = strings.Repeat("n", 81) }, "VALIDATION_ERROR", "name"},
		{"duplicate name", func(m map[string]any) { m["name"] = "taken" }, "CONFLICT", "name"},
		{"no skills", func(m map[string]any) { m["skills"] = []any{} }, "VALIDATION_ERROR", "skills"},
		{"101 skills", func(m map[string]any) { m["skills"] = skills(hundredAndOne...) }, "VALIDATION_ERROR", "skills"},
		{"empty skill name", func(m map[string]any) { m["skills"] = skills(" ", 1) }, "VALIDATION_ERROR", "skills"},
		{"skill name too long", func(m map[string]any) { m["skills"] = skills(strings.Repeat("s", 81), 1) }, "VALIDATION_ERROR", "skills"},
		{"skill twice", func(m map[string]any) { m["skills"] = skills("English", 1, "ENGLISH ", 2) }, "VALIDATION_ERROR", "skills"},
		{"proficiency below 0", func(m map[string]any) { m["skills"] = skills("English", -1) }, "VALIDATION_ERROR", "skills"},
		{"proficiency above 10", func(m map[string]any) { m["skills"] = skills("English", 11) }, "VALIDATION_ERROR", "skills"},
		{"another tenant", func(m map[string]any) { m["tenantId"] = other.ID }, "NOT_FOUND", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := base()
			c.edit(in)
			cfgWant(t, s.Do(admin, createSkillProfile, map[string]any{"in": in}), c.code, c.field)
		})
	}
	// 100 skills with 80-character names pass.
	hundred := make([]any, 0, 200)
	for i := range 100 {
		hundred = append(hundred, fmt.Sprintf("%080d", i), 10)
	}
	mustCreateSkillProfile(t, s, admin, map[string]any{"tenantId": tn.ID, "name": strings.Repeat("n", 80), "skills": skills(hundred...)})

	p := mustCreateSkillProfile(t, s, admin, base())
	cfgWant(t, s.Do(admin, updateSkillProfile, map[string]any{"id": p.ID, "in": map[string]any{"name": "TAKEN"}}), "CONFLICT", "name")
	cfgWant(t, s.Do(admin, updateSkillProfile, map[string]any{"id": p.ID, "in": map[string]any{"skills": []any{}}}), "VALIDATION_ERROR", "skills")
	cfgWant(t, s.Do(admin, updateSkillProfile, map[string]any{"id": p.ID, "in": map[string]any{"skills": skills("x", 12)}}), "VALIDATION_ERROR", "skills")

	// Across tenants: NOT_FOUND, as for an id that does not exist.
	adminB := cfgSignIn(t, s, root, other.ID, "admin@other.test", "TENANT_ADMIN")
	for _, id := range []string{taken.ID, "skp_nope"} {
		cfgWant(t, s.Do(adminB, updateSkillProfile, map[string]any{"id": id, "in": map[string]any{"name": "Stolen"}}), "NOT_FOUND", "")
		cfgWant(t, s.Do(adminB, `mutation($id:ID!){ deleteSkillProfile(id:$id) }`, map[string]any{"id": id}), "NOT_FOUND", "")
		cfgWant(t, s.Do(adminB, `query($id:ID!){ skillProfile(id:$id){ id } }`, map[string]any{"id": id}), "NOT_FOUND", "")
	}
	cfgWant(t, s.Do(adminB, listSkillProfiles, map[string]any{"t": tn.ID}), "NOT_FOUND", "")
}

func TestSkillProfilesPaginate(t *testing.T) {
	s := testserver.New(t)
	root := s.RootToken()
	tn := s.CreateTenant(root, "acme")
	admin := cfgSignIn(t, s, root, tn.ID, "admin@acme.test", "TENANT_ADMIN")
	var names []string
	for i := range 5 {
		name := fmt.Sprintf("Skills %d", i)
		mustCreateSkillProfile(t, s, admin, map[string]any{"tenantId": tn.ID, "name": name, "skills": skills("English", i)})
		names = append(names, name)
	}
	cfgCheckPages(t, s, admin, listSkillProfiles, "skillProfiles", map[string]any{"t": tn.ID}, names)
	cfgCheckPages(t, s, admin, listSkillProfiles, "skillProfiles", map[string]any{"t": tn.ID, "q": "LS 4"}, []string{"Skills 4"})
}
