package desktop

import (
	"slices"
	"testing"

	"github.com/agentdesk/agentdesk/ent/agentprofile"
	"github.com/agentdesk/agentdesk/internal/station"
	"github.com/agentdesk/agentdesk/policy"
)

func TestStationTypes(t *testing.T) {
	all := []station.Type{station.Desktop, station.Extension, station.DialNumber}
	cases := []struct {
		name    string
		tenant  []station.Type
		webrtc  bool
		profile []station.Type
		want    []station.Type
	}{
		{"everything, in the contract's order", all, true, all, []station.Type{station.DialNumber, station.Extension, station.Desktop}},
		{"desktop needs WebRTC", all, false, all, []station.Type{station.DialNumber, station.Extension}},
		{"the profile narrows", all, true, []station.Type{station.Extension}, []station.Type{station.Extension}},
		{"the tenant narrows", []station.Type{station.DialNumber}, true, all, []station.Type{station.DialNumber}},
		{"nothing in common", []station.Type{station.DialNumber}, true, []station.Type{station.Desktop}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := &caller{
				tenant:  callerTenant{StationTypes: tc.tenant, WebrtcEnabled: tc.webrtc},
				profile: &callerProfile{LoginVoiceOptions: tc.profile},
			}
			if got := c.stationTypes(); !slices.Equal(got, tc.want) {
				t.Errorf("stationTypes = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestRolesAndLock(t *testing.T) {
	for role, want := range map[policy.Role][]policy.Role{
		policy.Agent:         {policy.Agent},
		policy.Supervisor:    {policy.Agent, policy.Supervisor},
		policy.TenantAdmin:   nil,
		policy.PlatformAdmin: nil,
	} {
		if got := roles(role); !slices.Equal(got, want) {
			t.Errorf("roles(%s) = %v, want %v", role, got, want)
		}
	}
	for _, tc := range []struct {
		force bool
		rule  agentprofile.DialNumberValidation
		want  bool
	}{
		{false, agentprofile.DialNumberValidationANY_FORMAT, false},
		{false, agentprofile.DialNumberValidationDIAL_PLAN, false},
		{false, agentprofile.DialNumberValidationPROVISIONED_VALUE, true},
		{true, agentprofile.DialNumberValidationANY_FORMAT, true},
	} {
		c := &caller{tenant: callerTenant{ForceDefaultDialNumber: tc.force}, profile: &callerProfile{DialNumberValidation: tc.rule}}
		if got := c.locked(); got != tc.want {
			t.Errorf("locked(force %v, %s) = %v", tc.force, tc.rule, got)
		}
	}
}
