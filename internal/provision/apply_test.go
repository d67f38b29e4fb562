package provision

import (
	"errors"
	"testing"

	"github.com/agentdesk/agentdesk/ent"
	"github.com/agentdesk/agentdesk/ent/agentprofile"
	"github.com/agentdesk/agentdesk/internal/admin"
	"github.com/agentdesk/agentdesk/internal/apperr"
	"github.com/agentdesk/agentdesk/internal/station"
	"github.com/agentdesk/agentdesk/policy"
)

func TestAtPutsThePathInFront(t *testing.T) {
	e, _ := apperr.As(at("users[3]", apperr.Invalid("email", "bad address")))
	if e.Extensions["field"] != "users[3].email" || e.Message != "users[3].email: bad address" || e.Code != apperr.Validation {
		t.Fatalf("at = %+v", e)
	}
	e, _ = apperr.As(at("teams[0]", apperr.New(apperr.Conflict, "taken")))
	if e.Extensions["field"] != "teams[0]" {
		t.Fatalf("at without field = %+v", e)
	}
	plain := errors.New("disk full")
	if at("users[0]", plain) != plain {
		t.Fatal("a storage error must pass unchanged")
	}
}

func TestTenantChanged(t *testing.T) {
	secret := "s3cret"
	stored := &ent.Tenant{SSOClientSecret: secret}
	cur := admin.DefaultTenantSettings()
	cur.Name, cur.Slug, cur.EmailDomains = "Acme", "acme", []string{"acme.test"}
	cur.StationTypes = []station.Type{station.DialNumber, station.Extension}
	cases := []struct {
		name string
		edit func(*admin.TenantSettings)
		want bool
	}{
		{"same", func(*admin.TenantSettings) {}, false},
		{"station types in another order", func(s *admin.TenantSettings) {
			s.StationTypes = []station.Type{station.Extension, station.DialNumber}
		}, false},
		{"the stored secret again", func(s *admin.TenantSettings) { s.SSOClientSecret = &secret }, false},
		{"another secret", func(s *admin.TenantSettings) { v := "new"; s.SSOClientSecret = &v }, true},
		{"a Teams secret", func(s *admin.TenantSettings) { v := "t"; s.TeamsClientSecret = &v }, true},
		{"name", func(s *admin.TenantSettings) { s.Name = "Acme Ltd" }, true},
		{"a domain more", func(s *admin.TenantSettings) { s.EmailDomains = []string{"acme.test", "acme.example"} }, true},
		{"a station type less", func(s *admin.TenantSettings) { s.StationTypes = []station.Type{station.Extension} }, true},
		{"timeout", func(s *admin.TenantSettings) { s.DesktopInactivityTimeoutMinutes = 61 }, true},
	}
	for _, c := range cases {
		next := cur
		next.EmailDomains = append([]string(nil), cur.EmailDomains...)
		c.edit(&next)
		if got := tenantChanged(stored, cur, next); got != c.want {
			t.Errorf("%s: changed = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestProfileChanged(t *testing.T) {
	p1, p2 := &ent.DialPlan{ID: "dpl_1"}, &ent.DialPlan{ID: "dpl_2"}
	cur := admin.ProfileSettings{Name: "P", LoginVoiceOptions: []station.Type{station.DialNumber, station.Extension},
		DialNumberValidation: agentprofile.DialNumberValidationDIAL_PLAN, DialPlans: []*ent.DialPlan{p1, p2}}
	same := cur
	same.LoginVoiceOptions = []station.Type{station.Extension, station.DialNumber}
	same.DialPlans = []*ent.DialPlan{p2, p1}
	if profileChanged(cur, same) {
		t.Fatal("the same sets in another order count as a change")
	}
	fewer := cur
	fewer.DialPlans = []*ent.DialPlan{p1}
	auto := cur
	auto.AutoAnswer = true
	for _, next := range []admin.ProfileSettings{fewer, auto} {
		if !profileChanged(cur, next) {
			t.Errorf("%+v: no change seen", next)
		}
	}
}

// checkedSpecUser is what applyTenant's pipeline makes of one spec user:
// the spec over base, checked by the user rules, its first problem in the
// spec's field names.
func checkedSpecUser(us *UserSpecInput, base admin.UserSettings, rules *admin.UserRules) (admin.UserSettings, error) {
	s, problems := admin.UserChange{Rules: rules}.Settings(admin.UserRequest{Edit: func(base admin.UserSettings) (admin.UserSettings, []*apperr.Error) {
		return userSpecEdit(us, base, rules, nil)
	}}, base)
	if len(problems) > 0 {
		return s, renameField(problems[0], fieldOf(problems[0]), apiField(fieldOf(problems[0])))
	}
	return s, nil
}

func TestUserSpecSettings(t *testing.T) {
	rules := testRules()
	str := func(s string) *string { return &s }
	stored := admin.UserSettings{Email: "ann@acme.test", Name: "Ann", Role: policy.Agent, Active: true, ContactCenterEnabled: true,
		AgentProfileID: str("apr_1"), SkillProfileID: str("skp_1"), TeamIDs: []string{"tea_1"}, DefaultDialNumber: str("+12015550100")}

	// Left out keeps, empty clears, names resolve without case.
	s, err := checkedSpecUser(&UserSpecInput{Email: "ann@acme.test", Name: "Ann", Role: policy.Agent,
		SkillProfile: str(""), Teams: []string{"support", "SALES"}, DefaultExtension: str("12")}, stored, rules)
	if err != nil {
		t.Fatal(err)
	}
	if *s.AgentProfileID != "apr_1" || s.SkillProfileID != nil || len(s.TeamIDs) != 2 || *s.DefaultDialNumber != "+12015550100" || *s.DefaultExtension != "12" {
		t.Fatalf("settings = %+v", s)
	}
	for _, c := range []struct {
		in    UserSpecInput
		field string
	}{
		{UserSpecInput{Email: "ann@acme.test", Name: "Ann", Role: policy.Agent, AgentProfile: str("Outbound")}, "agentProfile"},
		{UserSpecInput{Email: "ann@acme.test", Name: "Ann", Role: policy.Agent, Teams: []string{"Overflow"}}, "teams"},
		{UserSpecInput{Email: "ann@acme.test", Name: "Ann", Role: policy.Agent, Teams: []string{"Nope"}}, "teams"},
		{UserSpecInput{Email: "ann@acme.test", Name: "", Role: policy.Agent}, "name"},
		{UserSpecInput{Email: "ann@acme.test", Name: "Ann", Role: policy.Integration}, "role"},
		{UserSpecInput{Email: "ann@acme.test", Name: "Ann", Role: policy.Agent, DefaultDialNumber: str("+1")}, "defaultDialNumber"},
	} {
		_, err := checkedSpecUser(&c.in, stored, rules)
		if e, ok := apperr.As(err); !ok || e.Extensions["field"] != c.field {
			t.Errorf("%+v: %v, want an error on %s", c.in, err, c.field)
		}
	}
}
