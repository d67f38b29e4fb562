package provision

import (
	"strings"
	"testing"

	"github.com/agentdesk/agentdesk/ent/team"
	"github.com/agentdesk/agentdesk/internal/admin"
	"github.com/agentdesk/agentdesk/internal/station"
)

func TestDiffFields(t *testing.T) {
	str := func(s string) *string { return &s }
	render := func(fs []*FieldChange) string {
		var parts []string
		for _, f := range fs {
			show := func(p *string) string {
				if p == nil {
					return "nil"
				}
				return "'" + *p + "'"
			}
			parts = append(parts, f.Field+" "+show(f.Old)+"→"+show(f.New))
		}
		return strings.Join(parts, "; ")
	}
	base := TenantSpecInput{Slug: "acme", Name: "Acme", EmailDomains: []string{"a.test", "b.test"},
		StationTypes: []station.Type{station.DialNumber, station.Extension},
		Sso:          &admin.SsoSettingsInput{IssuerURL: "https://id.test", ClientSecret: str("old")}}
	cases := []struct {
		name string
		edit func(*TenantSpecInput)
		want string
	}{
		{"same", func(*TenantSpecInput) {}, ""},
		{"lists are sets", func(s *TenantSpecInput) {
			s.EmailDomains = []string{"b.test", "a.test"}
			s.StationTypes = []station.Type{station.Extension, station.DialNumber}
		}, ""},
		{"a secret is the caller's to compare", func(s *TenantSpecInput) {
			s.Sso = &admin.SsoSettingsInput{IssuerURL: "https://id.test", ClientSecret: str("new")}
		}, ""},
		{"nested, dotted", func(s *TenantSpecInput) { s.Sso = &admin.SsoSettingsInput{IssuerURL: "https://id2.test"} },
			"sso.issuerUrl 'https://id.test'→'https://id2.test'"},
		{"nested, gone", func(s *TenantSpecInput) { s.Sso = nil }, "sso.issuerUrl 'https://id.test'→''"},
		{"a value and none", func(s *TenantSpecInput) { s.DefaultCountry = str("GB") }, "defaultCountry nil→'GB'"},
		{"a list", func(s *TenantSpecInput) { s.EmailDomains = []string{"c.test"} }, "emailDomains '[a.test, b.test]'→'[c.test]'"},
		{"items are not fields", func(s *TenantSpecInput) { s.Teams = []*TeamSpecInput{{Name: "X", Type: team.TypeAGENT}} }, ""},
	}
	for _, c := range cases {
		next := base
		next.Sso = &admin.SsoSettingsInput{IssuerURL: base.Sso.IssuerURL, ClientSecret: base.Sso.ClientSecret}
		c.edit(&next)
		if got := render(diffFields(base, next)); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
	// Skills keep their order.
	a := SkillProfileSpecInput{Name: "S", Skills: []*admin.SkillInput{{Name: "en", Proficiency: 5}, {Name: "fr", Proficiency: 3}}}
	b := SkillProfileSpecInput{Name: "S", Skills: []*admin.SkillInput{{Name: "fr", Proficiency: 3}, {Name: "en", Proficiency: 5}}}
	if got := render(diffFields(a, b)); got != "skills '[en=5, fr=3]'→'[fr=3, en=5]'" {
		t.Errorf("skills: %s", got)
	}
	if got := secretChange("sso.clientSecret", str("x"), "x"); got != nil {
		t.Errorf("the stored secret again is a change: %+v", got)
	}
	if got := secretChange("sso.clientSecret", str("y"), "x"); len(got) != 1 || !got[0].Secret || got[0].Old != nil || got[0].New != nil {
		t.Errorf("a new secret: %+v", got)
	}
	if got := secretChange("sso.clientSecret", nil, "x"); got != nil {
		t.Errorf("a secret left out is a change: %+v", got)
	}
}
