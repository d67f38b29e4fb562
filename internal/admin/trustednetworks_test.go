package admin_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/agentdesk/agentdesk/internal/admin"
)

func TestTrustedNetworksRules(t *testing.T) {
	base := admin.DefaultTenantSettings()
	base.Name, base.Slug, base.EmailDomains = "Acme", "acme", []string{"acme.test"}
	many := make([]string, 51)
	for i := range many {
		many[i] = fmt.Sprintf("10.%d.0.0/16", i)
	}
	cases := []struct {
		name  string
		in    []string
		want  []string
		field string
	}{
		{"none", nil, nil, ""},
		{"empty clears", []string{}, nil, ""},
		{"canonical and sorted", []string{" 203.0.113.7/24 ", "2001:db8::1/48", "198.51.100.0/24"},
			[]string{"198.51.100.0/24", "2001:db8::/48", "203.0.113.0/24"}, ""},
		{"a single address", []string{"192.0.2.1/32"}, []string{"192.0.2.1/32"}, ""},
		{"/8 is the widest IPv4", []string{"10.0.0.0/8"}, []string{"10.0.0.0/8"}, ""},
		{"/7 is too wide", []string{"10.0.0.0/7"}, nil, "trustedNetworks"},
		{"/32 is the widest IPv6", []string{"2001:db8::/32"}, []string{"2001:db8::/32"}, ""},
		{"IPv6 /31 is too wide", []string{"2001:db8::/31"}, nil, "trustedNetworks"},
		{"not a CIDR", []string{"203.0.113.0"}, nil, "trustedNetworks"},
		{"a name", []string{"office.example.com/24"}, nil, "trustedNetworks"},
		{"listed twice once masked", []string{"203.0.113.0/24", "203.0.113.9/24"}, nil, "trustedNetworks"},
		{"50 is the most", many[:50], nil, ""},
		{"51 is too many", many, nil, "trustedNetworks"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := base
			s.TrustedNetworks = c.in
			got, err := s.Validate()
			wantRule(t, err, c.field)
			if c.field == "" && c.want != nil && !slices.Equal(got.TrustedNetworks, c.want) {
				t.Errorf("networks %v, want %v", got.TrustedNetworks, c.want)
			}
			if c.field == "" && len(c.in) == 0 && got.TrustedNetworks != nil {
				t.Errorf("networks %v, want none", got.TrustedNetworks)
			}
		})
	}
	// The message quotes a bad value only in part.
	s := base
	s.TrustedNetworks = []string{strings.Repeat("x", 5000)}
	if _, err := s.Validate(); err == nil || len(err.Error()) > 300 {
		t.Errorf("a 5000-byte value: error of %d bytes", len(err.Error()))
	}
}
