package graph_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/agentdesk/agentdesk/ent"
	"github.com/agentdesk/agentdesk/ent/agentprofile"
	"github.com/agentdesk/agentdesk/ent/team"
	"github.com/agentdesk/agentdesk/internal/station"
	"github.com/agentdesk/agentdesk/internal/testserver"
	"github.com/agentdesk/agentdesk/policy"
)

func TestStationLoginSucceedsForEachStationType(t *testing.T) {
	d := newDesk(t)
	a, b, c := d.agent(), d.agent(), d.agent()

	dn := d.mustLogin(a, map[string]any{"dialNumber": "(415) 555-0100", "country": "US"})
	if dn.StationType != "DIAL_NUMBER" || value(dn.DialNumber) != "+14155550100" || dn.State != "IDLE" ||
		dn.Role != "AGENT" || dn.Team == nil || dn.Team.ID != d.team.ID || dn.ClientID != "tab-1" {
		t.Errorf("dial number session %+v", dn)
	}
	ext := d.mustLogin(b, map[string]any{"stationType": "EXTENSION", "extension": "4711"})
	if value(ext.Extension) != "4711" || ext.DialNumber != nil {
		t.Errorf("extension session %+v", ext)
	}
	web := d.mustLogin(c, map[string]any{"stationType": "DESKTOP"})
	if value(web.DeviceID) != "webrtc-"+c.ID || web.DialNumber != nil || web.Extension != nil {
		t.Errorf("desktop session %+v", web)
	}
}

// TestStationLoginErrorCodes reaches every refusal of station login through
// GraphQL.
func TestStationLoginErrorCodes(t *testing.T) {
	d := newDesk(t)
	capacity := d.newTeam("Overflow", team.TypeCAPACITY)
	other := d.newTeam("Billing", team.TypeAGENT)
	extOnly := d.newProfile("Extension only", agentprofile.DialNumberValidationANY_FORMAT, []station.Type{station.Extension})
	locked := d.newProfile("Locked", agentprofile.DialNumberValidationPROVISIONED_VALUE, []station.Type{station.DialNumber, station.Extension})
	usOnly := d.newProfile("US only", agentprofile.DialNumberValidationDIAL_PLAN, []station.Type{station.DialNumber}, "US")

	holder := d.agent()
	d.mustLogin(holder, map[string]any{"dialNumber": "+14155550123", "internationalFormat": false})
	extHolder := d.agent()
	d.mustLogin(extHolder, map[string]any{"stationType": "EXTENSION", "extension": "2001"})

	cases := []struct {
		name   string
		user   func() deskUser
		in     map[string]any
		ua     string
		code   string
		verify func(*testing.T, *testserver.Response)
	}{
		{name: "not contact-center enabled", user: func() deskUser { return d.agent(func(c *ent.UserCreate) { c.SetContactCenterEnabled(false) }) },
			in: map[string]any{"dialNumber": "4155550111"}, code: "NOT_CONTACT_CENTER_ENABLED"},
		{name: "no profile", user: func() deskUser {
			return d.userIn(d.tenant, "np@acme.test", policy.Agent, func(c *ent.UserCreate) { c.AddTeamIDs(d.team.ID) })
		}, in: map[string]any{"dialNumber": "4155550111"}, code: "PROFILE_NOT_ASSIGNED"},
		{name: "station type not in profile", user: func() deskUser { return d.agent(func(c *ent.UserCreate) { c.SetAgentProfileID(extOnly.ID) }) },
			in: map[string]any{"dialNumber": "4155550111"}, code: "STATION_TYPE_NOT_ALLOWED"},
		{name: "desktop from firefox", user: plain(d), in: map[string]any{"stationType": "DESKTOP"}, ua: uaFirefox, code: "BROWSER_NOT_SUPPORTED"},
		{name: "desktop from edge", user: plain(d), in: map[string]any{"stationType": "DESKTOP"}, ua: uaEdge, code: "BROWSER_NOT_SUPPORTED"},
		{name: "desktop from safari", user: plain(d), in: map[string]any{"stationType": "DESKTOP"}, ua: uaSafari, code: "BROWSER_NOT_SUPPORTED"},
		{name: "desktop from opera", user: plain(d), in: map[string]any{"stationType": "DESKTOP"}, ua: uaOpera, code: "BROWSER_NOT_SUPPORTED"},
		{name: "desktop without user agent", user: plain(d), in: map[string]any{"stationType": "DESKTOP"}, ua: "-", code: "BROWSER_NOT_SUPPORTED"},
		{name: "letters", user: plain(d), in: map[string]any{"dialNumber": "1-800-FLOWERS"}, code: "INVALID_DIAL_NUMBER",
			verify: messageContains("letters")},
		{name: "too short", user: plain(d), in: map[string]any{"dialNumber": "555"}, code: "INVALID_DIAL_NUMBER"},
		{name: "44 characters", user: plain(d), in: map[string]any{"dialNumber": strings.Repeat("1", 44)}, code: "INVALID_DIAL_NUMBER"},
		{name: "empty", user: plain(d), in: map[string]any{"dialNumber": ""}, code: "INVALID_DIAL_NUMBER"},
		{name: "unknown country", user: plain(d), in: map[string]any{"dialNumber": "4155550111", "country": "XX"}, code: "INVALID_DIAL_NUMBER"},
		{name: "extension with letters", user: plain(d), in: map[string]any{"stationType": "EXTENSION", "extension": "12a"}, code: "INVALID_DIAL_NUMBER"},
		{name: "extension too long", user: plain(d), in: map[string]any{"stationType": "EXTENSION", "extension": "12345678901"}, code: "INVALID_DIAL_NUMBER"},
		{name: "not the provisioned number", user: func() deskUser {
			return d.agent(func(c *ent.UserCreate) { c.SetAgentProfileID(locked.ID).SetDefaultDialNumber("+14155550177") })
		}, in: map[string]any{"dialNumber": "4155550178"}, code: "DIAL_NUMBER_LOCKED"},
		{name: "locked without a default", user: func() deskUser { return d.agent(func(c *ent.UserCreate) { c.SetAgentProfileID(locked.ID) }) },
			in: map[string]any{"dialNumber": "4155550178"}, code: "DIAL_NUMBER_LOCKED"},
		{name: "not the provisioned extension", user: func() deskUser {
			return d.agent(func(c *ent.UserCreate) { c.SetAgentProfileID(locked.ID).SetDefaultExtension("3001") })
		}, in: map[string]any{"stationType": "EXTENSION", "extension": "3002"}, code: "DIAL_NUMBER_LOCKED"},
		{name: "no dial plan matches", user: func() deskUser { return d.agent(func(c *ent.UserCreate) { c.SetAgentProfileID(usOnly.ID) }) },
			in: map[string]any{"dialNumber": "+44 20 7946 0018", "internationalFormat": false}, code: "INVALID_DIAL_NUMBER",
			verify: messageContains("dial plan")},
		{name: "number held by another agent", user: plain(d), in: map[string]any{"dialNumber": "415-555-0123"}, code: "DIAL_NUMBER_IN_USE"},
		{name: "extension held by another agent", user: plain(d), in: map[string]any{"stationType": "EXTENSION", "extension": "2001"},
			code: "DIAL_NUMBER_IN_USE", verify: messageContains("extension")},
		{name: "capacity team", user: func() deskUser { return d.agent(func(c *ent.UserCreate) { c.AddTeamIDs(capacity.ID) }) }, in: map[string]any{"dialNumber": "4155550140", "teamId": capacity.ID}, code: "TEAM_NOT_ASSIGNED"},
		{name: "team of others", user: plain(d), in: map[string]any{"dialNumber": "4155550140", "teamId": other.ID}, code: "TEAM_NOT_ASSIGNED"},
		{name: "unknown team", user: plain(d), in: map[string]any{"dialNumber": "4155550140", "teamId": "tea_nope"}, code: "TEAM_NOT_ASSIGNED"},
		{name: "agent as supervisor", user: plain(d), in: map[string]any{"dialNumber": "4155550140", "role": "SUPERVISOR"}, code: "FORBIDDEN"},
		{name: "empty client id", user: plain(d), in: map[string]any{"dialNumber": "4155550140", "clientId": " "}, code: "VALIDATION_ERROR"},
		{name: "session in another tab", user: func() deskUser { return holder }, in: map[string]any{"dialNumber": "4155550141", "clientId": "tab-2"},
			code: "SESSION_ACTIVE_ELSEWHERE", verify: func(t *testing.T, r *testserver.Response) {
				ext := r.Errors[0].Extensions
				if ext["sessionId"] == nil || ext["activeInteractions"] != float64(0) {
					t.Errorf("extensions %+v", ext)
				}
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			u := tc.user()
			in := map[string]any{"clientId": "tab-1", "stationType": "DIAL_NUMBER", "teamId": d.team.ID}
			for k, v := range tc.in {
				in[k] = v
			}
			ua := uaChrome
			if tc.ua != "" {
				ua = tc.ua
			}
			r := d.s.DoWith(u.Token, loginMutation, map[string]any{"in": in}, userAgent(ua))
			expectCode(t, r, tc.code)
			if tc.verify != nil {
				tc.verify(t, r)
			}
		})
	}
	expectCode(t, d.s.DoWith("", loginMutation, map[string]any{"in": map[string]any{
		"clientId": "tab-1", "stationType": "DIAL_NUMBER", "teamId": d.team.ID, "dialNumber": "4155550140"}}, chrome()), "VALIDATION_ERROR") // anonymous: not public
}

// plain makes a fresh agent for each case.
func plain(d *desk) func() deskUser { return func() deskUser { return d.agent() } }

func messageContains(s string) func(*testing.T, *testserver.Response) {
	return func(t *testing.T, r *testserver.Response) {
		t.Helper()
		if !strings.Contains(r.Errors[0].Message, s) {
			t.Errorf("message %q does not mention %q", r.Errors[0].Message, s)
		}
	}
}

// TestStationLoginSameNumberRace: twenty agents log in with the same number
// at once; the unique index lets exactly one win.
func TestStationLoginSameNumberRace(t *testing.T) {
	d := newDesk(t)
	const n = 20
	agents := make([]deskUser, n)
	for i := range agents {
		agents[i] = d.agent()
	}
	codes := make([]string, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, a := range agents {
		wg.Go(func() {
			<-start
			codes[i] = d.login(a, map[string]any{"dialNumber": "+44 20 7946 0018", "internationalFormat": false}).Code()
		})
	}
	close(start)
	wg.Wait()
	won, inUse := 0, 0
	for _, c := range codes {
		switch c {
		case "":
			won++
		case "DIAL_NUMBER_IN_USE":
			inUse++
		default:
			t.Errorf("unexpected code %s", c)
		}
	}
	if won != 1 || inUse != n-1 {
		t.Fatalf("won %d, in use %d: %v", won, inUse, codes)
	}
}

// TestStationLoginDialNumbers logs in with numbers of several countries in
// both formats, through GraphQL, and checks the E.164 stored.
func TestStationLoginDialNumbers(t *testing.T) {
	cases := []struct {
		tenantCountry string
		number        string
		intl          bool
		country       string
		want          string
	}{
		{"US", "415 555 0100", true, "US", "+14155550100"},
		{"US", "+1 415 555 0101", false, "", "+14155550101"},
		{"US", "011 44 20 7946 0018", false, "", "+442079460018"},
		{"US", "01161123456789", false, "", "+61123456789"}, // the product's IDD example
		{"US", "+11234567890", false, "", "+11234567890"},   // the contract's E.164 example
		{"US", "020 7946 0019", true, "GB", "+442079460019"},
		{"US", "030 901820", true, "DE", "+4930901820"},
		{"US", "(02) 9374 4000", true, "AU", "+61293744000"},
		{"US", "98765 43210", true, "IN", "+919876543210"},
		{"US", "03-1234-5678", true, "JP", "+81312345678"},
		{"US", "(11) 91234-5678", true, "BR", "+5511912345678"},
		{"US", "021 123 4567", true, "RO", "+40211234567"},
		{"GB", "020 7946 0020", true, "", "+442079460020"},
		{"GB", "00 33 1 42 68 53 00", false, "", "+33142685300"},
		{"DE", "0049 30 901821", false, "", "+4930901821"},
		{"JP", "010 1 415 555 0102", false, "", "+14155550102"},
		{"AU", "0011 1 415 555 0103", false, "", "+14155550103"},
		{"FR", "01 42 68 53 01", true, "", "+33142685301"},
		{"NL", "020 123 4567", true, "", "+31201234567"},
		{"ES", "+34 912 345 678", false, "", "+34912345678"},
	}
	for _, tc := range cases {
		t.Run(tc.tenantCountry+" "+tc.number, func(t *testing.T) {
			d := newDesk(t)
			d.updateTenant(map[string]any{"defaultCountry": tc.tenantCountry})
			a := d.agent()
			in := map[string]any{"dialNumber": tc.number, "internationalFormat": tc.intl}
			if tc.country != "" {
				in["country"] = tc.country
			}
			var v struct {
				ValidateDialNumber struct {
					Valid      bool
					Normalized *string
					Reason     *string
				}
			}
			d.s.MustDo(a.Token, `query($in: DialNumberInput!){ validateDialNumber(input:$in){ valid normalized reason } }`,
				map[string]any{"in": in}, &v)
			if !v.ValidateDialNumber.Valid || value(v.ValidateDialNumber.Normalized) != tc.want {
				t.Fatalf("validateDialNumber = %+v (reason %q), want %s", v.ValidateDialNumber, value(v.ValidateDialNumber.Reason), tc.want)
			}
			ses := d.mustLogin(a, in)
			if value(ses.DialNumber) != tc.want {
				t.Fatalf("session dial number %v, want %s", value(ses.DialNumber), tc.want)
			}
		})
	}
}

// TestStationLoginProfileRules: the profile's dial-number validation and the
// tenant's lock, through validateDialNumber and stationLogin alike.
func TestStationLoginProfileRules(t *testing.T) {
	d := newDesk(t)
	d.dialPlan(`London=44(20)[0-9]{8}|44|`)
	d.dialPlan(`Retired=.*||`)
	ctx := testserver.Ctx()
	retired := d.dialPlan("Retired")
	mustGet(d.db().DialPlan.UpdateOne(retired).SetActive(false).Save(ctx))(t)
	plans := d.newProfile("Plans", agentprofile.DialNumberValidationDIAL_PLAN, []station.Type{station.DialNumber}, "US", "London", "Retired")
	provisioned := d.newProfile("Provisioned", agentprofile.DialNumberValidationPROVISIONED_VALUE, []station.Type{station.DialNumber, station.Extension})

	validate := func(u deskUser, number string, intl bool) (bool, string, string) {
		var v struct {
			ValidateDialNumber struct {
				Valid              bool
				Normalized, Reason *string
			}
		}
		d.s.MustDo(u.Token, `query($in: DialNumberInput!){ validateDialNumber(input:$in){ valid normalized reason } }`,
			map[string]any{"in": map[string]any{"dialNumber": number, "internationalFormat": intl}}, &v)
		return v.ValidateDialNumber.Valid, value(v.ValidateDialNumber.Normalized), value(v.ValidateDialNumber.Reason)
	}

	t.Run("dial plans", func(t *testing.T) {
		a := d.agent(func(c *ent.UserCreate) { c.SetAgentProfileID(plans.ID) })
		for _, tc := range []struct {
			number string
			intl   bool
			ok     bool
		}{
			{"415 555 0150", true, true},        // the US plan
			{"+44 20 7946 0050", false, true},   // the London plan
			{"0044 161 496 0000", false, false}, // Manchester: no active plan (the catch-all is retired)
			{"+61 2 9374 4050", false, false},   // Sydney
			{"415 555 01", true, false},         // not a number at all
		} {
			ok, normalized, reason := validate(a, tc.number, tc.intl)
			if ok != tc.ok || (!ok && reason == "") {
				t.Errorf("%s: valid %v (%s, %q), want %v", tc.number, ok, normalized, reason, tc.ok)
			}
		}
		expectCode(t, d.login(a, map[string]any{"dialNumber": "+61 2 9374 4050", "internationalFormat": false}), "INVALID_DIAL_NUMBER")
		ses := d.mustLogin(a, map[string]any{"dialNumber": "+44 20 7946 0050", "internationalFormat": false})
		if value(ses.DialNumber) != "+442079460050" {
			t.Errorf("session %+v", ses)
		}
	})

	t.Run("provisioned value", func(t *testing.T) {
		a := d.agent(func(c *ent.UserCreate) {
			c.SetAgentProfileID(provisioned.ID).SetDefaultDialNumber("+442079460060").SetDefaultExtension("6060")
		})
		if ok, _, reason := validate(a, "020 7946 0061", false); ok || reason == "" {
			t.Errorf("another number passed a locked profile")
		}
		expectCode(t, d.login(a, map[string]any{"dialNumber": "+44 20 7946 0061", "internationalFormat": false}), "DIAL_NUMBER_LOCKED")
		// The default in any format passes; an omitted number is the default.
		if ok, normalized, _ := validate(a, "+44 20 7946 0060", false); !ok || normalized != "+442079460060" {
			t.Errorf("the default number did not pass: %v %s", ok, normalized)
		}
		ses := d.mustLogin(a, map[string]any{"dialNumber": nil})
		if value(ses.DialNumber) != "+442079460060" {
			t.Errorf("omitted locked number: %+v", ses)
		}
	})

	t.Run("tenant forces the default", func(t *testing.T) {
		d.updateTenant(map[string]any{"forceDefaultDialNumber": true})
		defer d.updateTenant(map[string]any{"forceDefaultDialNumber": false})
		a := d.agent(func(c *ent.UserCreate) { c.SetDefaultDialNumber("+14155550170") })
		var o loginOptions
		d.s.MustDo(a.Token, optionsQuery, nil, &o)
		if !o.StationLoginOptions.DialNumberLocked {
			t.Errorf("forced default: options not locked")
		}
		expectCode(t, d.login(a, map[string]any{"dialNumber": "4155550171"}), "DIAL_NUMBER_LOCKED")
		ses := d.mustLogin(a, map[string]any{"dialNumber": "(415) 555-0170"})
		if value(ses.DialNumber) != "+14155550170" {
			t.Errorf("session %+v", ses)
		}
	})
}

func TestStationLoginRememberMe(t *testing.T) {
	d := newDesk(t)
	a := d.agent()
	r := d.login(a, map[string]any{"dialNumber": "020 7946 0030", "country": "GB", "rememberMe": true})
	var out loginResult
	r.Decode(t, &out)
	if !out.StationLogin.CredentialsSaved || out.StationLogin.CredentialsNotSavedReason != nil {
		t.Fatalf("remember: %+v", out.StationLogin)
	}
	var o loginOptions
	d.s.MustDo(a.Token, optionsQuery, nil, &o)
	rs := o.StationLoginOptions.RememberedStation
	if rs == nil || rs.StationType != "DIAL_NUMBER" || rs.DialNumber != "020 7946 0030" || rs.Country != "GB" ||
		!rs.InternationalFormat || rs.Team == nil || rs.Team.Name != "Support" {
		t.Fatalf("remembered %+v", rs)
	}

	// A second save replaces the first (one per agent).
	b := d.agent()
	d.mustLogin(b, map[string]any{"stationType": "EXTENSION", "extension": "5001", "rememberMe": true})
	d.mustLogin(b, map[string]any{"stationType": "EXTENSION", "extension": "5002", "rememberMe": true, "clientId": "tab-1"})
	d.s.MustDo(b.Token, optionsQuery, nil, &o)
	if rs := o.StationLoginOptions.RememberedStation; rs == nil || rs.Extension != "5002" || rs.StationType != "EXTENSION" {
		t.Fatalf("remembered after the second login %+v", rs)
	}

	// Not asked: forgotten.
	d.mustLogin(b, map[string]any{"stationType": "EXTENSION", "extension": "5003"})
	d.s.MustDo(b.Token, optionsQuery, nil, &o)
	if o.StationLoginOptions.RememberedStation != nil {
		t.Fatalf("still remembered after a login without rememberMe")
	}

	// The tenant does not allow it: not saved, with a reason, and nothing
	// saved before is offered.
	d.updateTenant(map[string]any{"rememberStationCredentials": false})
	c := d.agent()
	r = d.login(c, map[string]any{"dialNumber": "4155550131", "rememberMe": true})
	r.Decode(t, &out)
	if out.StationLogin.CredentialsSaved || value(out.StationLogin.CredentialsNotSavedReason) == "" {
		t.Fatalf("disallowed: %+v", out.StationLogin)
	}
	d.s.MustDo(a.Token, optionsQuery, nil, &o)
	if o.StationLoginOptions.RememberedStation != nil {
		t.Fatalf("a disallowed tenant still offers remembered stations")
	}
}

// TestStationLoginAgainFromTheSameTab: the tab that holds the session may log
// in again (to change station); the old session ends, the new one holds the
// number, and an active interaction blocks it like sign-out.
func TestStationLoginAgainFromTheSameTab(t *testing.T) {
	d := newDesk(t)
	a := d.agent()
	first := d.mustLogin(a, map[string]any{"dialNumber": "4155550160"})
	second := d.mustLogin(a, map[string]any{"stationType": "EXTENSION", "extension": "7001"})
	if first.ID == second.ID {
		t.Fatalf("same session after a new login")
	}
	// The first number is free again.
	d.mustLogin(d.agent(), map[string]any{"dialNumber": "4155550160"})

	integration := d.integrationToken(d.tenant)
	recordInteraction(t, d, integration, second.ID, "call-1", "CONVERSATION", true)
	expectCode(t, d.login(a, map[string]any{"dialNumber": "4155550161"}), "ACTIVE_INTERACTION")
}
