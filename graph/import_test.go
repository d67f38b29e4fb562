package graph_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/agentdesk/agentdesk/ent/auditevent"
	"github.com/agentdesk/agentdesk/ent/user"
	"github.com/agentdesk/agentdesk/internal/testserver"
)

type importView struct {
	Created, Updated, Unchanged, Failed int
	DryRun                              bool
	Errors                              []struct {
		Row     int
		Field   *string
		Message string
	}
}

const importMutation = `mutation($t:ID!, $csv:String!, $dry:Boolean){
	importUsers(tenantId:$t, csv:$csv, dryRun:$dry){ created updated unchanged failed dryRun errors{ row field message } }
}`

func importUsers(t *testing.T, s *testserver.Server, token, tenantID, csv string, dry bool) importView {
	t.Helper()
	var out struct{ ImportUsers importView }
	s.MustDo(token, importMutation, map[string]any{"t": tenantID, "csv": csv, "dry": dry}, &out)
	return out.ImportUsers
}

func userCount(t *testing.T, s *testserver.Server, tenantID string) int {
	t.Helper()
	return s.App.DB.Client.User.Query().Where(user.TenantID(tenantID)).CountX(testserver.Ctx())
}

func TestImportUsers(t *testing.T) {
	s := testserver.New(t)
	root := s.RootToken()
	acme := s.CreateTenant(root, "acme")
	seed(t, s, acme.ID, "acme")
	s.CreateUser(root, acme.ID, "tia@acme.test", "TENANT_ADMIN", "tenant admin passphrase", nil)
	admin := s.SignIn("tia@acme.test", "tenant admin passphrase")

	csv := "\ufeffEmail,Name,Role,Agent Profile,Teams,Default Dial Number,defaultExtension,skillProfile,contactCenterEnabled,active\n" +
		"ann@acme.test,Ann Agent,agent,acme profile,acme sales;acme support,(201) 555-0101,4711,acme skills,yes,true\n" +
		"\"Bob@ACME.test\",\"Bob, the Builder\",SUPERVISOR,,,+44 20 7946 0018,,,no,\n" +
		",,,,,,,,,\n" + // a spreadsheet's empty line
		"cat@acme.test,Cat,,,acme sales,011 61 2 9374 4000,,,,\n"

	// A dry run reports and keeps nothing.
	before := userCount(t, s, acme.ID)
	dry := importUsers(t, s, admin, acme.ID, csv, true)
	if dry.Created != 3 || dry.Updated != 0 || dry.Failed != 0 || !dry.DryRun || len(dry.Errors) != 0 {
		t.Fatalf("dry run = %+v", dry)
	}
	if n := userCount(t, s, acme.ID); n != before {
		t.Fatalf("a dry run wrote users: %d, was %d", n, before)
	}
	if n := s.App.DB.Client.AuditEvent.Query().Where(auditevent.Action("importUsers")).CountX(testserver.Ctx()); n != 0 {
		t.Fatalf("a dry run wrote %d audit events", n)
	}

	res := importUsers(t, s, admin, acme.ID, csv, false)
	if res.Created != 3 || res.Updated != 0 || res.Failed != 0 || res.DryRun {
		t.Fatalf("import = %+v", res)
	}
	var list struct {
		Users struct {
			Edges []struct{ Node userView }
		}
	}
	s.MustDo(admin, `query($t:ID!){ users(tenantId:$t, role: AGENT){ edges{ node{ `+userFields+` } } } }`, map[string]any{"t": acme.ID}, &list)
	byEmail := map[string]userView{}
	for _, e := range list.Users.Edges {
		byEmail[e.Node.Email] = e.Node
	}
	ann, cat := byEmail["ann@acme.test"], byEmail["cat@acme.test"]
	if ann.Name != "Ann Agent" || len(ann.Teams) != 2 || ann.AgentProfile == nil || ann.SkillProfile == nil ||
		*ann.DefaultDialNumber != "+12015550101" || *ann.DefaultExtension != "4711" || ann.HasPassword {
		t.Fatalf("ann = %+v", ann)
	}
	if len(cat.Teams) != 1 || *cat.DefaultDialNumber != "+61293744000" || !cat.Active || !cat.ContactCenterEnabled {
		t.Fatalf("cat = %+v", cat)
	}
	var bob struct {
		Users struct{ Edges []struct{ Node userView } }
	}
	s.MustDo(admin, `query($t:ID!){ users(tenantId:$t, filter:{search:"bob"}){ edges{ node{ `+userFields+` } } } }`, map[string]any{"t": acme.ID}, &bob)
	if b := bob.Users.Edges[0].Node; b.Email != "bob@acme.test" || b.Name != "Bob, the Builder" || b.Role != "SUPERVISOR" || b.ContactCenterEnabled {
		t.Fatalf("bob = %+v", b)
	}

	// The same file again changes nothing.
	again := importUsers(t, s, admin, acme.ID, csv, false)
	if again.Created != 0 || again.Updated != 0 || again.Unchanged != 3 {
		t.Fatalf("second import = %+v", again)
	}

	// Only the columns given change; Ann and Cat swap numbers, Bob's teams
	// and number are cleared, and Dan is new.
	update := "email,name,defaultDialNumber,teams\n" +
		"ann@acme.test,Ann A.,+61 2 9374 4000,acme support\n" +
		"cat@acme.test,Cat,+1 201 555 0101,acme sales\n" +
		"bob@acme.test,\"Bob, the Builder\",,\n" +
		"dan@acme.test,Dan,,\n"
	res = importUsers(t, s, admin, acme.ID, update, false)
	if res.Created != 1 || res.Updated != 3 || res.Unchanged != 0 || res.Failed != 0 {
		t.Fatalf("update import = %+v", res)
	}
	s.MustDo(admin, `query($t:ID!){ users(tenantId:$t, role: AGENT){ edges{ node{ `+userFields+` } } } }`, map[string]any{"t": acme.ID}, &list)
	for _, e := range list.Users.Edges {
		byEmail[e.Node.Email] = e.Node
	}
	ann, cat = byEmail["ann@acme.test"], byEmail["cat@acme.test"]
	if ann.Name != "Ann A." || *ann.DefaultDialNumber != "+61293744000" || len(ann.Teams) != 1 || ann.AgentProfile == nil || *ann.DefaultExtension != "4711" {
		t.Fatalf("ann after update = %+v", ann)
	}
	if *cat.DefaultDialNumber != "+12015550101" {
		t.Fatalf("cat after update = %+v", cat)
	}
	if d := byEmail["dan@acme.test"]; d.Role != "AGENT" || !d.Active || d.DefaultDialNumber != nil {
		t.Fatalf("dan = %+v", d)
	}

	// One audit event per import that wrote, with its counts.
	events := s.App.DB.Client.AuditEvent.Query().Where(auditevent.Action("importUsers")).Order(auditevent.ByID()).AllX(testserver.Ctx())
	if len(events) != 3 || !strings.Contains(events[2].Summary, "1 users created, 3 updated") {
		t.Fatalf("audit = %+v", events)
	}
}

func TestImportUsersDeactivatesThroughTheFile(t *testing.T) {
	s := testserver.New(t)
	root := s.RootToken()
	acme := s.CreateTenant(root, "acme")
	s.CreateUser(root, acme.ID, "ann@acme.test", "AGENT", "a long enough passphrase", nil)
	token := s.SignIn("ann@acme.test", "a long enough passphrase")
	res := importUsers(t, s, root, acme.ID, "email,name,active\nann@acme.test,User ann@acme.test,false\n", false)
	if res.Updated != 1 {
		t.Fatalf("import = %+v", res)
	}
	if r := s.Do(token, `{ me { id } }`, nil); r.Code() != "UNAUTHENTICATED" {
		t.Fatalf("token after deactivation by import: %+v", r.Errors)
	}
}

func TestImportUsersReportsEveryRowAndWritesNothing(t *testing.T) {
	s := testserver.New(t)
	root := s.RootToken()
	acme := s.CreateTenant(root, "acme")
	other := s.CreateTenant(root, "other")
	seed(t, s, acme.ID, "acme")
	seed(t, s, other.ID, "other")
	s.CreateUser(root, acme.ID, "held@acme.test", "AGENT", "", map[string]any{"password": nil, "defaultDialNumber": "+1 201 555 0199"})
	s.CreateUser(root, other.ID, "oz@other.test", "AGENT", "", map[string]any{"password": nil})
	before := userCount(t, s, acme.ID)

	rows := []struct {
		line, field string
	}{
		{"good@acme.test,Good,AGENT,acme profile,acme sales,+1 201 555 0102", ""}, // 1
		{"not-an-email,X,AGENT,,,", "email"},                                      // 2
		{"x@gmail.test,X,AGENT,,,", "email"},                                      // 3
		{"y@acme.test,,AGENT,,,", "name"},                                         // 4
		{"z@acme.test,Z,ROOT,,,", "role"},                                         // 5
		{"w@acme.test,W,INTEGRATION,,,", "role"},                                  // 6
		{"v@acme.test,V,AGENT,no such profile,,", "agentProfile"},                 // 7
		{"u@acme.test,U,AGENT,other profile,,", "agentProfile"},                   // 8: another tenant's
		{"t@acme.test,T,AGENT,,acme overflow,", "teams"},                          // 9: capacity team
		{"s@acme.test,S,AGENT,,acme sales;nope,", "teams"},                        // 10
		{"r@acme.test,R,AGENT,,,555", "defaultDialNumber"},                        // 11
		{"q@acme.test,Q,AGENT,,,+1 201 555 0199", "defaultDialNumber"},            // 12: held by a stored user
		{"p@acme.test,P,AGENT,,,+1 201 555 0102", "defaultDialNumber"},            // 13: also in row 1
		{"GOOD@acme.test,Good again,AGENT,,,", "email"},                           // 14: also in row 1
		{"oz@other.test,Oz,AGENT,,,", "email"},                                    // 15: another tenant's user
		{"o@acme.test,O,AGENT,,", ""},                                             // 16: a cell short
		{"n@acme.test,N,PLATFORM_ADMIN,,,", "role"},                               // 17
		{"fine@acme.test,Fine,SUPERVISOR,,,", ""},                                 // 18
	}
	var b strings.Builder
	b.WriteString("email,name,role,agentProfile,teams,defaultDialNumber\n")
	for _, r := range rows {
		b.WriteString(r.line + "\n")
	}
	for _, dry := range []bool{true, false} {
		res := importUsers(t, s, root, acme.ID, b.String(), dry)
		if res.Failed != 16 || res.Created != 0 || res.Updated != 0 {
			t.Fatalf("dry=%v: result = %+v", dry, res)
		}
		got := map[int]string{}
		for _, e := range res.Errors {
			if _, seen := got[e.Row]; seen {
				continue
			}
			got[e.Row] = ""
			if e.Field != nil {
				got[e.Row] = *e.Field
			}
			if e.Message == "" {
				t.Errorf("row %d: empty message", e.Row)
			}
		}
		for i, r := range rows {
			field, failed := got[i+1]
			wantFail := i != 0 && i != 17
			if failed != wantFail || field != r.field {
				t.Errorf("row %d (%s): failed=%v field=%q; want failed=%v field=%q", i+1, r.line, failed, field, wantFail, r.field)
			}
		}
		for _, e := range res.Errors {
			if strings.Contains(e.Message, other.ID) {
				t.Errorf("row %d names another tenant: %s", e.Row, e.Message)
			}
		}
	}
	if n := userCount(t, s, acme.ID); n != before {
		t.Fatalf("a failed import wrote users: %d, was %d", n, before)
	}
	if n := s.App.DB.Client.AuditEvent.Query().Where(auditevent.Action("importUsers")).CountX(testserver.Ctx()); n != 0 {
		t.Fatalf("a failed import was audited %d times", n)
	}
}

func TestImportUsersRejectsBadFiles(t *testing.T) {
	s := testserver.New(t)
	root := s.RootToken()
	acme := s.CreateTenant(root, "acme")
	other := s.CreateTenant(root, "other")
	var many strings.Builder
	many.WriteString("email,name\n")
	for i := 0; i <= 5000; i++ {
		fmt.Fprintf(&many, "u%d@acme.test,U\n", i)
	}
	cases := []struct {
		name, csv string
	}{
		{"empty", ""},
		{"header only", "email,name\n"},
		{"unknown column", "email,name,shoeSize\nann@acme.test,Ann,42\n"},
		{"column twice", "email,name,Email\nann@acme.test,Ann,ann@acme.test\n"},
		{"no name column", "email,role\nann@acme.test,AGENT\n"},
		{"no email column", "name\nAnn\n"},
		{"bad quoting", "email,name\n\"ann@acme.test,Ann\n"},
		{"bare quote", "email,name\nann@acme.test,An\"n\n"},
		{"too many rows", many.String()},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := s.Do(root, importMutation, map[string]any{"t": acme.ID, "csv": c.csv})
			if r.Code() != "VALIDATION_ERROR" || r.Errors[0].Extensions["field"] != "csv" {
				t.Fatalf("errors = %+v", r.Errors)
			}
		})
	}
	// Authorization: another tenant's admin sees nothing; a supervisor may not.
	s.CreateUser(root, other.ID, "tia@other.test", "TENANT_ADMIN", "tenant admin passphrase", nil)
	s.CreateUser(root, acme.ID, "sue@acme.test", "SUPERVISOR", "supervisor passphrase", nil)
	for token, code := range map[string]string{
		s.SignIn("tia@other.test", "tenant admin passphrase"): "NOT_FOUND",
		s.SignIn("sue@acme.test", "supervisor passphrase"):    "FORBIDDEN",
		"": "VALIDATION_ERROR", // anonymous: not in the public schema
	} {
		r := s.Do(token, importMutation, map[string]any{"t": acme.ID, "csv": "email,name\nx@acme.test,X\n"})
		if r.Code() != code {
			t.Errorf("want %s, got %+v", code, r.Errors)
		}
	}
	if r := s.Do(root, importMutation, map[string]any{"t": "ten_nope", "csv": "email,name\nx@acme.test,X\n"}); r.Code() != "NOT_FOUND" {
		t.Errorf("unknown tenant: %+v", r.Errors)
	}
}
