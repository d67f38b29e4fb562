package admin

import (
	"strings"
	"testing"

	"github.com/agentdesk/agentdesk/ent"
	"github.com/agentdesk/agentdesk/ent/team"
	"github.com/agentdesk/agentdesk/internal/apperr"
	"github.com/agentdesk/agentdesk/policy"
)

func TestCheckEmail(t *testing.T) {
	cases := []struct {
		in, want string
		ok       bool
	}{
		{"Jane.Doe@Acme.Test", "jane.doe@acme.test", true},
		{"  jane+desk@acme.test ", "jane+desk@acme.test", true},
		{"o'brien@sub.acme.test", "o'brien@sub.acme.test", true},
		{"", "", false},
		{"jane", "", false},
		{"@acme.test", "", false},
		{"jane@", "", false},
		{"jane@acme", "", false},
		{"jane@@acme.test", "", false},
		{"jane doe@acme.test", "", false},
		{"Jane <jane@acme.test>", "", false},
		{`"jane doe"@acme.test`, "", false},
		{"jane@acme..test", "", false},
		{"jane@-acme.test", "", false},
		{"jané@acme.test", "", false},
		{"jane@acme.test\n", "jane@acme.test", true}, // trimmed
		{"jane\x00@acme.test", "", false},
		{strings.Repeat("a", 65) + "@acme.test", "", false},
		{strings.Repeat("a", 64) + "@acme.test", strings.Repeat("a", 64) + "@acme.test", true},
		{"a@" + strings.Repeat("b", 60) + "." + strings.Repeat("c", 60) + "." + strings.Repeat("d", 60) + "." + strings.Repeat("e", 70) + ".test", "", false},
	}
	for _, c := range cases {
		got, err := CheckEmail(c.in)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("CheckEmail(%q) = %q, %v; want %q ok=%v", c.in, got, err, c.want, c.ok)
		}
		if err != nil {
			if e, _ := apperr.As(err); e == nil || e.Code != apperr.Validation || e.Extensions["field"] != "email" {
				t.Errorf("CheckEmail(%q) error = %v, want VALIDATION_ERROR on email", c.in, err)
			}
		}
	}
}

func TestNormalizeDefaultDialNumber(t *testing.T) {
	cases := []struct {
		in, country, want string
	}{
		// National in the tenant's country.
		{"(201) 555-0123", "US", "+12015550123"},
		{"020 7946 0018", "GB", "+442079460018"},
		{"02 9374 4000", "AU", "+61293744000"},
		{"030 123456", "DE", "+4930123456"},
		// E.164, whatever the tenant's country.
		{"+44 20 7946 0018", "US", "+442079460018"},
		{"+91 98765 43210", "US", "+919876543210"},
		{"+1 201 555 0123", "GB", "+12015550123"},
		// The IDD of the tenant's country.
		{"011 44 20 7946 0018", "US", "+442079460018"},
		{"00 1 201 555 0123", "GB", "+12015550123"},
		{"0011 61 2 9374 4000", "AU", "+61293744000"},
		// Refused.
		{"12345", "US", ""},
		{"44 20 7946 0018", "US", ""}, // a country code needs + or the IDD
		{"1-800-FLOWERS", "US", ""},
		{"", "US", ""},
		{"+999 1234 5678", "US", ""},
		{"020 7946 0018", "US", ""}, // GB national in a US tenant
	}
	for _, c := range cases {
		got, err := NormalizeDefaultDialNumber(c.in, c.country)
		if got != c.want || (err == nil) != (c.want != "") {
			t.Errorf("NormalizeDefaultDialNumber(%q, %s) = %q, %v; want %q", c.in, c.country, got, err, c.want)
		}
		if err != nil && !apperr.Is(err, apperr.InvalidDialNumber) {
			t.Errorf("NormalizeDefaultDialNumber(%q) error code = %s", c.in, apperr.CodeOf(err))
		}
		if got != "" {
			// A stored number reads back unchanged, so checking it again
			// (updates, diagnostics) never changes it.
			if again, err := NormalizeDefaultDialNumber(got, c.country); again != got || err != nil {
				t.Errorf("re-reading %s gave %q, %v", got, again, err)
			}
		}
	}
}

func TestCheckTenantRole(t *testing.T) {
	for _, c := range []struct {
		role policy.Role
		ok   bool
	}{
		{policy.Agent, true}, {policy.Supervisor, true}, {policy.TenantAdmin, true},
		{policy.PlatformAdmin, false}, {policy.Integration, false}, {"ROOT", false},
	} {
		if err := CheckTenantRole(c.role); (err == nil) != c.ok {
			t.Errorf("CheckTenantRole(%s) = %v", c.role, err)
		}
	}
}

func TestUserRulesCheck(t *testing.T) {
	rules := &UserRules{
		Tenant:        &ent.Tenant{ID: "ten_1", DefaultCountry: "US"},
		Domains:       []string{"acme.test"},
		Profiles:      map[string]*ent.AgentProfile{"apr_1": {ID: "apr_1"}},
		SkillProfiles: map[string]*ent.SkillProfile{"skp_1": {ID: "skp_1"}},
		Teams: map[string]*ent.Team{
			"tea_a": {ID: "tea_a", Type: team.TypeAGENT},
			"tea_b": {ID: "tea_b", Type: team.TypeAGENT},
			"tea_c": {ID: "tea_c", Name: "Overflow", Type: team.TypeCAPACITY},
		},
	}
	str := func(s string) *string { return &s }
	valid := func() UserSettings {
		return UserSettings{Email: "Ann@Acme.Test", Name: " Ann ", Role: policy.Agent, Active: true,
			AgentProfileID: str("apr_1"), SkillProfileID: str("skp_1"), TeamIDs: []string{"tea_b", "tea_a", "tea_b"},
			DefaultDialNumber: str("(201) 555-0123"), DefaultExtension: str(" 1234 ")}
	}
	got, errs := rules.Check(valid())
	if len(errs) != 0 {
		t.Fatalf("valid settings: %v", errs)
	}
	if got.Email != "ann@acme.test" || got.Name != "Ann" || *got.DefaultDialNumber != "+12015550123" ||
		*got.DefaultExtension != "1234" || strings.Join(got.TeamIDs, ",") != "tea_a,tea_b" {
		t.Fatalf("normalised = %+v", got)
	}

	cases := []struct {
		name   string
		edit   func(*UserSettings)
		code   apperr.Code
		fields []string
	}{
		{"empty name", func(s *UserSettings) { s.Name = " " }, apperr.Validation, []string{"name"}},
		{"long name", func(s *UserSettings) { s.Name = strings.Repeat("n", 101) }, apperr.Validation, []string{"name"}},
		{"bad email", func(s *UserSettings) { s.Email = "ann" }, apperr.Validation, []string{"email"}},
		{"foreign domain", func(s *UserSettings) { s.Email = "ann@other.test" }, apperr.Validation, []string{"email"}},
		{"subdomain", func(s *UserSettings) { s.Email = "ann@eu.acme.test" }, apperr.Validation, []string{"email"}},
		{"integration", func(s *UserSettings) { s.Role = policy.Integration }, apperr.Validation, []string{"role"}},
		{"platform admin", func(s *UserSettings) { s.Role = policy.PlatformAdmin }, apperr.Validation, []string{"role"}},
		{"unknown profile", func(s *UserSettings) { s.AgentProfileID = str("apr_other") }, apperr.Validation, []string{"agentProfileId"}},
		{"unknown skill profile", func(s *UserSettings) { s.SkillProfileID = str("skp_other") }, apperr.Validation, []string{"skillProfileId"}},
		{"unknown team", func(s *UserSettings) { s.TeamIDs = []string{"tea_x"} }, apperr.Validation, []string{"teamIds"}},
		{"capacity team", func(s *UserSettings) { s.TeamIDs = []string{"tea_c"} }, apperr.Validation, []string{"teamIds"}},
		{"bad dial number", func(s *UserSettings) { s.DefaultDialNumber = str("555") }, apperr.InvalidDialNumber, []string{"defaultDialNumber"}},
		{"bad extension", func(s *UserSettings) { s.DefaultExtension = str("12a") }, apperr.InvalidDialNumber, []string{"defaultExtension"}},
		{"every error at once", func(s *UserSettings) { s.Name, s.Email, s.DefaultExtension = "", "x", str("1") },
			apperr.Validation, []string{"email", "name", "defaultExtension"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := valid()
			c.edit(&s)
			_, errs := rules.Check(s)
			if len(errs) != len(c.fields) {
				t.Fatalf("errors = %v, want fields %v", errs, c.fields)
			}
			if errs[0].Code != c.code {
				t.Errorf("code = %s, want %s", errs[0].Code, c.code)
			}
			for i, f := range c.fields {
				if errs[i].Extensions["field"] != f {
					t.Errorf("error %d field = %v, want %s", i, errs[i].Extensions["field"], f)
				}
			}
		})
	}
}

func TestChangedUserFields(t *testing.T) {
	str := func(s string) *string { return &s }
	a := UserSettings{Name: "A", Role: policy.Agent, Active: true, TeamIDs: []string{"t1"}, DefaultDialNumber: str("+12015550123")}
	if got := changedUserFields(a, a); len(got) != 0 {
		t.Fatalf("same settings changed %v", got)
	}
	b := a
	b.Active, b.TeamIDs, b.DefaultDialNumber, b.DefaultExtension = false, nil, nil, str("12")
	if got := strings.Join(changedUserFields(a, b), ","); got != "active,teams,defaultDialNumber,defaultExtension" {
		t.Fatalf("changed = %s", got)
	}
}

func TestDialNumberReadingsAnswerLikeTheRule(t *testing.T) {
	raws := []string{"(201) 555-0123", "+44 20 7946 0018", "555", "(201) 555-0123", "011 61 2 9374 4000", "x"}
	readings := ReadDialNumbers("US", raws)
	rules := &UserRules{Tenant: &ent.Tenant{DefaultCountry: "US"}}
	rules.UseReadings(readings)
	if rules.readings == nil {
		t.Fatal("readings of the tenant's country were not used")
	}
	for _, raw := range append(raws, "not read before") {
		want, wantErr := NormalizeDefaultDialNumber(raw, "US")
		got, err := rules.normalizeDialNumber(raw)
		if got != want || (err == nil) != (wantErr == nil) {
			t.Errorf("%q: %q, %v; the rule says %q, %v", raw, got, err, want, wantErr)
		}
	}
	gb := &UserRules{Tenant: &ent.Tenant{DefaultCountry: "GB"}}
	gb.UseReadings(readings)
	if gb.readings != nil {
		t.Fatal("readings of another country were used")
	}
}
