package provision

import (
	"fmt"
	"strings"
	"testing"

	"github.com/agentdesk/agentdesk/ent"
	"github.com/agentdesk/agentdesk/ent/team"
	"github.com/agentdesk/agentdesk/internal/admin"
	"github.com/agentdesk/agentdesk/internal/apperr"
	"github.com/agentdesk/agentdesk/policy"
)

func TestParseUserCSV(t *testing.T) {
	header := "email,name\n"
	cases := []struct {
		name, text string
		rows       int
		err        string // part of the message; "" for success
	}{
		{"minimal", header + "a@acme.test,A\n", 1, ""},
		{"no final newline", header + "a@acme.test,A", 1, ""},
		{"CRLF", "email,name\r\na@acme.test,A\r\nb@acme.test,B\r\n", 2, ""},
		{"BOM", "\ufeff" + header + "a@acme.test,A\n", 1, ""},
		{"spaced header", " E-Mail , NAME ,Default Dial Number,contact_center_enabled\na,b,c,d\n", 1, ""},
		{"quoted comma and newline", header + "a@acme.test,\"A, \"\"the\"\"\nfirst\"\n", 1, ""},
		{"blank lines skipped", header + "\n\na@acme.test,A\n,\n", 1, ""},
		{"every column", strings.Join(columns, ",") + "\n" + strings.Repeat(",", len(columns)-1) + "x\n", 1, ""},
		{"empty", "", 0, "empty"},
		{"only a BOM", "\ufeff", 0, "empty"},
		{"header only", header, 0, "no rows"},
		{"only blank rows", header + ",\n , \n", 0, "no rows"},
		{"unknown column", "email,name,password\n", 0, `Unknown column "password"`},
		{"duplicate column", "email,name,NAME\n", 0, "twice"},
		{"no email", "name,role\n", 0, "no email column"},
		{"no name", "email\n", 0, "no name column"},
		{"unterminated quote", header + "\"a@acme.test,A\n", 0, "not valid CSV at line"},
		{"bare quote", header + "a@acme.test,A\"B\n", 0, "not valid CSV at line 2"},
		{"not UTF-8", header + "a@acme.test,\xff\n", 0, "UTF-8"},
		{"too big", header + strings.Repeat("x", MaxImportBytes), 0, "at most 10 MB"},
		{"5000 rows", header + strings.Repeat("a@acme.test,A\n", MaxImportRows), MaxImportRows, ""},
		{"5001 rows", header + strings.Repeat("a@acme.test,A\n", MaxImportRows+1), 0, "more than 5000 rows"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, err := ParseUserCSV(c.text)
			if c.err != "" {
				e, ok := apperr.As(err)
				if !ok || e.Code != apperr.Validation || e.Extensions["field"] != "csv" || !strings.Contains(e.Message, c.err) {
					t.Fatalf("err = %v, want VALIDATION_ERROR on csv with %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(f.Rows) != c.rows {
				t.Fatalf("%d rows, want %d", len(f.Rows), c.rows)
			}
		})
	}
}

func TestParseUserCSVRowNumbersAndShortRows(t *testing.T) {
	f, err := ParseUserCSV("email,name,role\na@acme.test,A,AGENT\n,,\nb@acme.test,B\nc@acme.test,C,AGENT,extra\n")
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Rows) != 3 {
		t.Fatalf("rows = %+v", f.Rows)
	}
	// Row numbers count the blank row too, as the spreadsheet does.
	for i, want := range []int{1, 3, 4} {
		if f.Rows[i].Row != want {
			t.Errorf("row %d numbered %d, want %d", i, f.Rows[i].Row, want)
		}
	}
	if f.Rows[0].Err != nil || f.Rows[1].Err == nil || f.Rows[2].Err == nil || f.Rows[1].Err.Row != 3 {
		t.Fatalf("row errors = %v %v %v", f.Rows[0].Err, f.Rows[1].Err, f.Rows[2].Err)
	}
}

// testRules is a tenant for rules that need no database.
func testRules() *admin.UserRules {
	r := &admin.UserRules{
		Tenant:        &ent.Tenant{ID: "ten_1", DefaultCountry: "US"},
		Domains:       []string{"acme.test"},
		Profiles:      map[string]*ent.AgentProfile{},
		SkillProfiles: map[string]*ent.SkillProfile{},
		Teams:         map[string]*ent.Team{},
	}
	r.AddProfile(&ent.AgentProfile{ID: "apr_1", Name: "Inbound"})
	r.AddSkillProfile(&ent.SkillProfile{ID: "skp_1", Name: "Tier 1"})
	r.AddTeam(&ent.Team{ID: "tea_1", Name: "Sales", Type: team.TypeAGENT})
	r.AddTeam(&ent.Team{ID: "tea_2", Name: "Support", Type: team.TypeAGENT})
	r.AddTeam(&ent.Team{ID: "tea_3", Name: "Overflow", Type: team.TypeCAPACITY})
	return r
}

// checkedRow is what the import pipeline makes of one row: the row over
// base, checked by the user rules, its problems as row errors.
func checkedRow(f *UserFile, r UserRow, base admin.UserSettings, rules *admin.UserRules) (admin.UserSettings, []RowError) {
	s, problems := admin.UserChange{Rules: rules}.Settings(admin.UserRequest{Edit: func(base admin.UserSettings) (admin.UserSettings, []*apperr.Error) {
		return f.settings(r, base, rules)
	}}, base)
	return s, rowErrors(r.Row, problems)
}

func TestRowSettings(t *testing.T) {
	rules := testRules()
	str := func(s string) *string { return &s }
	stored := admin.UserSettings{Email: "ann@acme.test", Name: "Ann", Role: policy.Supervisor, Active: true, ContactCenterEnabled: true,
		AgentProfileID: str("apr_1"), TeamIDs: []string{"tea_1"}, DefaultDialNumber: str("+12015550100"), DefaultExtension: str("12")}
	cases := []struct {
		name, header, row string
		base              admin.UserSettings
		check             func(admin.UserSettings) bool
		errFields         []string
	}{
		{"new with defaults", "email,name", "Ann@Acme.test,Ann", admin.NewUserDefaults(), func(s admin.UserSettings) bool {
			return s.Email == "ann@acme.test" && s.Role == policy.Agent && s.Active && s.ContactCenterEnabled && s.DefaultDialNumber == nil
		}, nil},
		{"absent columns keep", "email,name", "ann@acme.test,Ann B", stored, func(s admin.UserSettings) bool {
			return s.Name == "Ann B" && s.Role == policy.Supervisor && *s.AgentProfileID == "apr_1" && len(s.TeamIDs) == 1 && *s.DefaultExtension == "12"
		}, nil},
		{"empty cells clear", "email,name,role,agentProfile,teams,defaultDialNumber,defaultExtension,skillProfile,active", "ann@acme.test,Ann,,,,,,,", stored, func(s admin.UserSettings) bool {
			return s.Role == policy.Supervisor && s.Active && s.AgentProfileID == nil && len(s.TeamIDs) == 0 && s.DefaultDialNumber == nil && s.DefaultExtension == nil
		}, nil},
		{"names resolved", "email,name,agentProfile,teams,skillProfile,role", "a@acme.test,A, Inbound ,Support; Sales;;,Tier 1,tenant admin", admin.NewUserDefaults(), func(s admin.UserSettings) bool {
			return *s.AgentProfileID == "apr_1" && strings.Join(s.TeamIDs, ",") == "tea_1,tea_2" && *s.SkillProfileID == "skp_1" && s.Role == policy.TenantAdmin
		}, nil},
		{"booleans", "email,name,active,contactCenterEnabled", "a@acme.test,A,No,0", admin.NewUserDefaults(), func(s admin.UserSettings) bool {
			return !s.Active && !s.ContactCenterEnabled
		}, nil},
		{"every problem of the row", "email,name,role,agentProfile,teams,defaultDialNumber,skillProfile,active",
			"a@b.test,,BOSS,Outbound,Overflow;Nope,12,Tier 9,maybe", admin.NewUserDefaults(), nil,
			[]string{"role", "agentProfile", "skillProfile", "teams", "active", "email", "name", "teams", "defaultDialNumber"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, err := ParseUserCSV(c.header + "\n" + c.row + "\n")
			if err != nil {
				t.Fatal(err)
			}
			s, errs := checkedRow(f, f.Rows[0], c.base, rules)
			var fields []string
			for _, e := range errs {
				fields = append(fields, e.Field)
				if e.Row != 1 || e.Message == "" {
					t.Errorf("error = %+v", e)
				}
			}
			if strings.Join(fields, ",") != strings.Join(c.errFields, ",") {
				t.Fatalf("error fields = %v, want %v (%+v)", fields, c.errFields, errs)
			}
			if c.check != nil && !c.check(s) {
				t.Fatalf("settings = %+v", s)
			}
		})
	}
}

// FuzzImportCSV feeds arbitrary text through the parser and the row rules:
// they must never panic, and what they accept must be within the limits.
func FuzzImportCSV(f *testing.F) {
	f.Add("email,name\nann@acme.test,Ann\n")
	f.Add(strings.Join(columns, ",") + "\nann@acme.test,Ann,AGENT,Inbound,Sales;Support,+1 201 555 0100,4711,Tier 1,yes,true\n")
	f.Add("\ufeffEMAIL,Name,Teams\n\"a@acme.test\",\"A, \"\"B\"\"\",Sales;;Overflow\n,\n")
	f.Add("email,name\n\"unterminated\n")
	rules := testRules()
	f.Fuzz(func(t *testing.T, text string) {
		file, err := ParseUserCSV(text)
		if err != nil {
			if e, ok := apperr.As(err); !ok || e.Code != apperr.Validation {
				t.Fatalf("not a validation error: %v", err)
			}
			return
		}
		if len(file.Rows) == 0 || len(file.Rows) > MaxImportRows || !file.Has(colEmail) || !file.Has(colName) {
			t.Fatalf("accepted %d rows, columns %v", len(file.Rows), file.index)
		}
		last := 0
		for _, r := range file.Rows {
			if r.Row <= last {
				t.Fatalf("row %d after %d", r.Row, last)
			}
			last = r.Row
			if r.Err != nil {
				continue
			}
			s, errs := checkedRow(file, r, admin.NewUserDefaults(), rules)
			for _, e := range errs {
				if e.Row != r.Row || e.Message == "" {
					t.Fatalf("bad error %+v for row %d", e, r.Row)
				}
			}
			if len(errs) == 0 {
				if !strings.HasSuffix(s.Email, "@acme.test") || strings.ToLower(s.Email) != s.Email || s.Name == "" {
					t.Fatalf("accepted %+v", s)
				}
				if s.DefaultDialNumber != nil && !strings.HasPrefix(*s.DefaultDialNumber, "+") {
					t.Fatalf("accepted dial number %q", *s.DefaultDialNumber)
				}
			}
		}
	})
}

func ExampleParseUserCSV() {
	f, err := ParseUserCSV("email,name,teams\nann@acme.test,Ann,Sales;Support\n")
	fmt.Println(len(f.Rows), f.Has("teams"), f.Has("role"), err)
	// Output: 1 true false <nil>
}
