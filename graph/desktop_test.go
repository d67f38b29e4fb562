package graph_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/agentdesk/agentdesk/ent"
	"github.com/agentdesk/agentdesk/ent/agentprofile"
	"github.com/agentdesk/agentdesk/ent/banner"
	"github.com/agentdesk/agentdesk/ent/team"
	"github.com/agentdesk/agentdesk/internal/station"
	"github.com/agentdesk/agentdesk/internal/testserver"
	"github.com/agentdesk/agentdesk/policy"
)

const optionsQuery = `{ stationLoginOptions {
	stationTypes defaultStationType defaultDialNumber defaultExtension dialNumberLocked dialNumberValidation
	internationalFormat defaultCountry{ isoCode name callingCode }
	all: teams{ name } filtered: teams(filter:"SALES"){ name }
	rememberedStation{ stationType dialNumber extension country internationalFormat team{ name } }
	teamsIntegration{ prompt status } supportedDesktopBrowsers roles activityPage{ artworkUrl }
	banners{ message severity } inactivityTimeoutMinutes } }`

type loginOptions struct {
	StationLoginOptions struct {
		StationTypes         []string
		DefaultStationType   *string
		DefaultDialNumber    *string
		DefaultExtension     *string
		DialNumberLocked     bool
		DialNumberValidation string
		InternationalFormat  bool
		DefaultCountry       struct {
			IsoCode     string
			Name        string
			CallingCode int
		}
		All, Filtered     []struct{ Name string }
		RememberedStation *struct {
			StationType, DialNumber, Extension, Country string
			InternationalFormat                         bool
			Team                                        *struct{ Name string }
		}
		TeamsIntegration struct {
			Prompt bool
			Status string
		}
		SupportedDesktopBrowsers []string
		Roles                    []string
		ActivityPage             struct{ ArtworkURL *string }
		Banners                  []struct{ Message, Severity string }
		InactivityTimeoutMinutes int
	}
}

func TestStationLoginOptions(t *testing.T) {
	d := newDesk(t)
	ctx := testserver.Ctx()
	sales := d.newTeam("Inside Sales", team.TypeAGENT)
	d.newTeam("Sales overflow", team.TypeCAPACITY)
	d.newTeam("Sales EMEA", team.TypeAGENT) // not the agent's
	mustGet(d.db().Banner.Create().SetTenantID(d.tenant.ID).SetMessage("Reporting is down").SetSeverity(banner.SeverityWARNING).Save(ctx))(t)
	mustGet(d.db().Banner.Create().SetTenantID(d.tenant.ID).SetMessage("Fixed already").SetResolvedAt(d.s.Clock.Now()).Save(ctx))(t)
	a := d.agent(func(c *ent.UserCreate) {
		c.AddTeamIDs(sales.ID).SetDefaultDialNumber("+14155550100").SetDefaultExtension("4711")
	})

	var o loginOptions
	d.s.MustDo(a.Token, optionsQuery, nil, &o)
	got := o.StationLoginOptions
	if !slices.Equal(got.StationTypes, []string{"DIAL_NUMBER", "EXTENSION", "DESKTOP"}) || value(got.DefaultStationType) != "DIAL_NUMBER" {
		t.Errorf("station types %v default %v", got.StationTypes, got.DefaultStationType)
	}
	if value(got.DefaultDialNumber) != "+14155550100" || value(got.DefaultExtension) != "4711" || got.DialNumberLocked {
		t.Errorf("defaults %v %v locked %v", got.DefaultDialNumber, got.DefaultExtension, got.DialNumberLocked)
	}
	if !got.InternationalFormat || got.DialNumberValidation != "ANY_FORMAT" {
		t.Errorf("format %v validation %v", got.InternationalFormat, got.DialNumberValidation)
	}
	if got.DefaultCountry.IsoCode != "US" || got.DefaultCountry.CallingCode != 1 || got.DefaultCountry.Name == "" {
		t.Errorf("default country %+v", got.DefaultCountry)
	}
	if teamNames(got.All) != "Inside Sales,Support" || teamNames(got.Filtered) != "Inside Sales" {
		t.Errorf("teams %v filtered %v: want the agent's AGENT teams only", got.All, got.Filtered)
	}
	if got.RememberedStation != nil {
		t.Errorf("nothing remembered yet: %+v", got.RememberedStation)
	}
	if got.TeamsIntegration.Prompt || got.TeamsIntegration.Status != "NOT_STARTED" {
		t.Errorf("teams integration %+v", got.TeamsIntegration)
	}
	if !slices.Contains(got.SupportedDesktopBrowsers, "Google Chrome") || !slices.Equal(got.Roles, []string{"AGENT"}) {
		t.Errorf("browsers %v roles %v", got.SupportedDesktopBrowsers, got.Roles)
	}
	if got.ActivityPage.ArtworkURL != nil || got.InactivityTimeoutMinutes != 60 {
		t.Errorf("activity page %+v timeout %d", got.ActivityPage, got.InactivityTimeoutMinutes)
	}
	if len(got.Banners) != 1 || got.Banners[0].Message != "Reporting is down" || got.Banners[0].Severity != "WARNING" {
		t.Errorf("banners %+v: want the unresolved one", got.Banners)
	}

	// A supervisor may work as an agent or as a supervisor.
	sup := d.userIn(d.tenant, "sup@acme.test", policy.Supervisor, func(c *ent.UserCreate) {
		c.SetAgentProfileID(d.profile.ID).AddTeamIDs(d.team.ID)
	})
	d.s.MustDo(sup.Token, optionsQuery, nil, &o)
	if !slices.Equal(o.StationLoginOptions.Roles, []string{"AGENT", "SUPERVISOR"}) {
		t.Errorf("supervisor roles %v", o.StationLoginOptions.Roles)
	}

	// DESKTOP needs the profile's consent and WebRTC; Teams is prompted
	// when enabled, unless the tenant signs in with Azure SSO.
	narrow := d.newProfile("Phones", agentprofile.DialNumberValidationPROVISIONED_VALUE, []station.Type{station.Extension, station.Desktop})
	mustGet(d.db().User.UpdateOneID(a.ID).SetAgentProfileID(narrow.ID).Save(ctx))(t)
	d.updateTenant(map[string]any{"stationTypes": []string{"DIAL_NUMBER", "EXTENSION"}, "webRtcEnabled": false,
		"teamsIntegration": map[string]any{"enabled": true, "issuerUrl": "https://login.example.test/v2.0", "clientId": "teams-app"}})
	d.s.MustDo(a.Token, optionsQuery, nil, &o)
	got = o.StationLoginOptions
	if !slices.Equal(got.StationTypes, []string{"EXTENSION"}) || value(got.DefaultStationType) != "EXTENSION" || !got.DialNumberLocked {
		t.Errorf("narrow profile: types %v default %v locked %v", got.StationTypes, got.DefaultStationType, got.DialNumberLocked)
	}
	if !got.TeamsIntegration.Prompt {
		t.Errorf("teams enabled: want a prompt")
	}
	d.updateTenant(map[string]any{"ssoMode": "AZURE_SSO", "sso": map[string]any{"issuerUrl": "https://login.example.test/v2.0", "clientId": "sso-app"}})
	d.s.MustDo(a.Token, optionsQuery, nil, &o)
	if o.StationLoginOptions.TeamsIntegration.Prompt {
		t.Errorf("azure SSO: want no Teams prompt")
	}
}

func TestStationLoginOptionsRefusals(t *testing.T) {
	d := newDesk(t)
	expectCode(t, d.s.Do("", optionsQuery, nil), "VALIDATION_ERROR") // anonymous: not public
	off := d.agent(func(c *ent.UserCreate) { c.SetContactCenterEnabled(false) })
	expectCode(t, d.s.Do(off.Token, optionsQuery, nil), "NOT_CONTACT_CENTER_ENABLED")
	noProfile := d.userIn(d.tenant, "noprofile@acme.test", policy.Agent, func(c *ent.UserCreate) { c.AddTeamIDs(d.team.ID) })
	expectCode(t, d.s.Do(noProfile.Token, optionsQuery, nil), "PROFILE_NOT_ASSIGNED")
	// A profile of another tenant is no profile: the API refuses to assign
	// one, and the caller's statement joins a profile of the user's own
	// tenant only.
	other := d.s.CreateTenant(d.root, "globex")
	theirs := d.db().AgentProfile.Create().SetTenantID(other.ID).SetName("Theirs").
		SetLoginVoiceOptions([]station.Type{station.DialNumber}).SaveX(testserver.Ctx())
	stray := d.agent(func(c *ent.UserCreate) { c.SetAgentProfileID(theirs.ID) })
	expectCode(t, d.s.Do(stray.Token, optionsQuery, nil), "PROFILE_NOT_ASSIGNED")
	admin := d.userIn(d.tenant, "admin@acme.test", policy.TenantAdmin, nil)
	expectCode(t, d.s.Do(admin.Token, optionsQuery, nil), "FORBIDDEN")
	expectCode(t, d.s.Do(d.root, optionsQuery, nil), "NOT_CONTACT_CENTER_ENABLED")
}

func TestCountries(t *testing.T) {
	d := newDesk(t)
	var out struct {
		All  []struct{ IsoCode string }
		Plus []struct {
			IsoCode     string
			CallingCode int
		}
		Name []struct{ IsoCode string }
	}
	// Public: the page may show the list before sign-in completes.
	d.s.MustDo("", `{ all: countries{ isoCode } plus: countries(filter:"+61"){ isoCode callingCode } name: countries(filter:"roman"){ isoCode } }`, nil, &out)
	if len(out.All) < 200 {
		t.Errorf("countries: %d, want every region the phone library knows", len(out.All))
	}
	if len(out.Plus) == 0 || !slices.ContainsFunc(out.Plus, func(c struct {
		IsoCode     string
		CallingCode int
	}) bool {
		return c.IsoCode == "AU"
	}) {
		t.Errorf("+61: %+v", out.Plus)
	}
	for _, c := range out.Plus {
		if c.CallingCode != 61 {
			t.Errorf("+61 gave %+v", c)
		}
	}
	if len(out.Name) != 1 || out.Name[0].IsoCode != "RO" {
		t.Errorf("roman: %+v", out.Name)
	}
}

func teamNames(teams []struct{ Name string }) string {
	var out []string
	for _, t := range teams {
		out = append(out, t.Name)
	}
	return strings.Join(out, ",")
}

func value[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
