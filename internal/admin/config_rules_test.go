package admin_test

import (
	"strings"
	"testing"

	"github.com/agentdesk/agentdesk/ent"
	"github.com/agentdesk/agentdesk/ent/agentprofile"
	"github.com/agentdesk/agentdesk/ent/schema"
	"github.com/agentdesk/agentdesk/ent/team"
	"github.com/agentdesk/agentdesk/ent/tenant"
	"github.com/agentdesk/agentdesk/internal/admin"
	"github.com/agentdesk/agentdesk/internal/apperr"
	"github.com/agentdesk/agentdesk/internal/dialnumber"
	"github.com/agentdesk/agentdesk/internal/station"
)

// wantRule checks err against a rule's expected outcome: no error when
// field is "", else a VALIDATION_ERROR on field.
func wantRule(t *testing.T, err error, field string) {
	t.Helper()
	if field == "" {
		if err != nil {
			t.Fatalf("unexpected error %v", err)
		}
		return
	}
	e, ok := apperr.As(err)
	if !ok || e.Code != apperr.Validation || e.Extensions["field"] != field {
		t.Fatalf("error = %v, want VALIDATION_ERROR on %s", err, field)
	}
}

func TestValidateProfile(t *testing.T) {
	tenant := &ent.Tenant{ID: "ten_a", StationTypes: []station.Type{station.DialNumber, station.Extension}}
	active := &ent.DialPlan{ID: "dpl_1", TenantID: "ten_a", Name: "US", Active: true}
	inactive := &ent.DialPlan{ID: "dpl_2", TenantID: "ten_a", Name: "Old"}
	foreign := &ent.DialPlan{ID: "dpl_3", TenantID: "ten_b", Name: "Theirs", Active: true}
	ok := func() admin.ProfileSettings {
		s := admin.NewProfileSettings()
		s.Name, s.LoginVoiceOptions = "Sales", []station.Type{station.DialNumber}
		return s
	}
	cases := []struct {
		name  string
		edit  func(*admin.ProfileSettings)
		field string
	}{
		{"minimal", func(*admin.ProfileSettings) {}, ""},
		{"80-character name", func(s *admin.ProfileSettings) { s.Name = strings.Repeat("é", 80) }, ""},
		{"81-character name", func(s *admin.ProfileSettings) { s.Name = strings.Repeat("é", 81) }, "name"},
		{"blank name", func(s *admin.ProfileSettings) { s.Name = " \t" }, "name"},
		{"255-character description", func(s *admin.ProfileSettings) { s.Description = strings.Repeat("d", 255) }, ""},
		{"256-character description", func(s *admin.ProfileSettings) { s.Description = strings.Repeat("d", 256) }, "description"},
		{"no options", func(s *admin.ProfileSettings) { s.LoginVoiceOptions = nil }, "loginVoiceOptions"},
		{"option twice", func(s *admin.ProfileSettings) {
			s.LoginVoiceOptions = []station.Type{station.Extension, station.Extension}
		}, "loginVoiceOptions"},
		{"option outside the tenant's", func(s *admin.ProfileSettings) { s.LoginVoiceOptions = []station.Type{station.Desktop} }, "loginVoiceOptions"},
		{"unknown rule", func(s *admin.ProfileSettings) { s.DialNumberValidation = "SOMETIMES" }, "dialNumberValidation"},
		{"dial plan rule, active plan", func(s *admin.ProfileSettings) {
			s.DialNumberValidation, s.DialPlans = agentprofile.DialNumberValidationDIAL_PLAN, []*ent.DialPlan{inactive, active}
		}, ""},
		{"dial plan rule, no plan", func(s *admin.ProfileSettings) { s.DialNumberValidation = agentprofile.DialNumberValidationDIAL_PLAN }, "dialPlanIds"},
		{"dial plan rule, inactive plans only", func(s *admin.ProfileSettings) {
			s.DialNumberValidation, s.DialPlans = agentprofile.DialNumberValidationDIAL_PLAN, []*ent.DialPlan{inactive}
		}, "dialPlanIds"},
		{"plans kept under ANY_FORMAT", func(s *admin.ProfileSettings) { s.DialPlans = []*ent.DialPlan{inactive} }, ""},
		{"plan twice", func(s *admin.ProfileSettings) { s.DialPlans = []*ent.DialPlan{active, active} }, "dialPlanIds"},
		{"another tenant's plan", func(s *admin.ProfileSettings) { s.DialPlans = []*ent.DialPlan{foreign} }, "dialPlanIds"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := ok()
			c.edit(&s)
			_, err := admin.ValidateProfile(tenant, s)
			wantRule(t, err, c.field)
		})
	}
	got, err := admin.ValidateProfile(tenant, admin.ProfileSettings{Name: "  Sales ", Description: " x ",
		LoginVoiceOptions: []station.Type{station.Extension}, DialNumberValidation: agentprofile.DialNumberValidationANY_FORMAT})
	if err != nil || got.Name != "Sales" || got.Description != "x" {
		t.Fatalf("normalised = %+v, %v", got, err)
	}
}

func TestValidateTeam(t *testing.T) {
	n := func(v int) *int { return &v }
	cases := []struct {
		name  string
		s     admin.TeamSettings
		field string
	}{
		{"agent team", admin.TeamSettings{Name: "Sales", Type: team.TypeAGENT}, ""},
		{"capacity team without capacity", admin.TeamSettings{Name: "Pool", Type: team.TypeCAPACITY}, ""},
		{"capacity 1", admin.TeamSettings{Name: "Pool", Type: team.TypeCAPACITY, Capacity: n(1)}, ""},
		{"capacity 100000", admin.TeamSettings{Name: "Pool", Type: team.TypeCAPACITY, Capacity: n(100000)}, ""},
		{"capacity 0", admin.TeamSettings{Name: "Pool", Type: team.TypeCAPACITY, Capacity: n(0)}, "capacity"},
		{"capacity 100001", admin.TeamSettings{Name: "Pool", Type: team.TypeCAPACITY, Capacity: n(100001)}, "capacity"},
		{"capacity on an agent team", admin.TeamSettings{Name: "Sales", Type: team.TypeAGENT, Capacity: n(5)}, "capacity"},
		{"no type", admin.TeamSettings{Name: "Sales"}, "type"},
		{"unknown type", admin.TeamSettings{Name: "Sales", Type: "ROBOT"}, "type"},
		{"empty name", admin.TeamSettings{Name: "", Type: team.TypeAGENT}, "name"},
		{"81-character name", admin.TeamSettings{Name: strings.Repeat("n", 81), Type: team.TypeAGENT}, "name"},
		{"NUL in name", admin.TeamSettings{Name: "a\x00b", Type: team.TypeAGENT}, "name"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := admin.ValidateTeam(c.s)
			wantRule(t, err, c.field)
		})
	}
}

func TestValidateSkillProfile(t *testing.T) {
	sk := func(pairs ...any) []schema.Skill {
		var out []schema.Skill
		for i := 0; i < len(pairs); i += 2 {
			out = append(out, schema.Skill{Name: pairs[i].(string), Proficiency: pairs[i+1].(int)})
		}
		return out
	}
	many := func(n int) []schema.Skill {
		out := make([]schema.Skill, n)
		for i := range out {
			out[i] = schema.Skill{Name: strings.Repeat("s", 70) + string(rune('A'+i%26)) + string(rune('a'+i/26)), Proficiency: 3}
		}
		return out
	}
	cases := []struct {
		name  string
		s     admin.SkillProfileSettings
		field string
	}{
		{"one skill", admin.SkillProfileSettings{Name: "Billing", Skills: sk("English", 0)}, ""},
		{"100 skills", admin.SkillProfileSettings{Name: "Billing", Skills: many(100)}, ""},
		{"101 skills", admin.SkillProfileSettings{Name: "Billing", Skills: many(101)}, "skills"},
		{"no skills", admin.SkillProfileSettings{Name: "Billing"}, "skills"},
		{"proficiency 10", admin.SkillProfileSettings{Name: "Billing", Skills: sk("English", 10)}, ""},
		{"proficiency 11", admin.SkillProfileSettings{Name: "Billing", Skills: sk("English", 11)}, "skills"},
		{"proficiency -1", admin.SkillProfileSettings{Name: "Billing", Skills: sk("English", -1)}, "skills"},
		{"blank skill name", admin.SkillProfileSettings{Name: "Billing", Skills: sk(" ", 1)}, "skills"},
		{"81-character skill name", admin.SkillProfileSettings{Name: "Billing", Skills: sk(strings.Repeat("s", 81), 1)}, "skills"},
		{"same skill in other case", admin.SkillProfileSettings{Name: "Billing", Skills: sk("English", 1, " english", 2)}, "skills"},
		{"blank name", admin.SkillProfileSettings{Name: "", Skills: sk("English", 1)}, "name"},
		{"81-character name", admin.SkillProfileSettings{Name: strings.Repeat("n", 81), Skills: sk("English", 1)}, "name"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := admin.ValidateSkillProfile(c.s)
			wantRule(t, err, c.field)
		})
	}
	got, err := admin.ValidateSkillProfile(admin.SkillProfileSettings{Name: " Billing ", Skills: sk(" English ", 4)})
	if err != nil || got.Name != "Billing" || got.Skills[0].Name != "English" {
		t.Fatalf("normalised = %+v, %v", got, err)
	}
}

func TestValidateDialPlan(t *testing.T) {
	ok := dialnumber.Plan{Name: "UK", RegularExpression: `44[0-9]{10}`, Active: true}
	cases := []struct {
		name  string
		edit  func(*dialnumber.Plan)
		field string
	}{
		{"valid", func(*dialnumber.Plan) {}, ""},
		{"blank name", func(p *dialnumber.Plan) { p.Name = " " }, "name"},
		{"two-line name", func(p *dialnumber.Plan) { p.Name = "a\r\nb" }, "name"},
		{"81-character name", func(p *dialnumber.Plan) { p.Name = strings.Repeat("n", 81) }, "name"},
		{"regex that does not compile", func(p *dialnumber.Plan) { p.RegularExpression = `[0-9` }, "regularExpression"},
		{"256-character regex", func(p *dialnumber.Plan) { p.RegularExpression = strings.Repeat("1", 256) }, "regularExpression"},
		{"51-character prefix", func(p *dialnumber.Plan) { p.Prefix = strings.Repeat("1", 51) }, "prefix"},
		{"129 stripped characters", func(p *dialnumber.Plan) { p.StrippedChars = strings.Repeat("-", 129) }, "strippedChars"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := ok
			c.edit(&p)
			_, err := admin.ValidateDialPlan(p)
			wantRule(t, err, c.field)
		})
	}
	if got, _ := admin.ValidateDialPlan(dialnumber.Plan{Name: " UK ", RegularExpression: "4.*"}); got.Name != "UK" {
		t.Fatalf("name not trimmed: %q", got.Name)
	}
}

func TestValidateTenantSlug(t *testing.T) {
	cases := []struct {
		slug, field string
	}{
		{"acme", ""},
		{"teams-callback-2", ""},
		{"a", "slug"},
		{"Acme", "slug"},
		// /desktop/teams-callback is the desktop's Teams redirect target.
		{"teams-callback", "slug"},
	}
	for _, c := range cases {
		t.Run(c.slug, func(t *testing.T) {
			_, err := admin.TenantSettings{Name: "Acme", Slug: c.slug, EmailDomains: []string{"acme.test"}, DefaultCountry: "US", DesktopInactivityTimeoutMinutes: 60, SSOMode: tenant.SSOModeNONE, StationTypes: []station.Type{station.DialNumber}}.Validate()
			wantRule(t, err, c.field)
		})
	}
}
