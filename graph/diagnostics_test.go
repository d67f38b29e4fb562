package graph_test

import (
	"strings"
	"testing"

	"github.com/agentdesk/agentdesk/ent/tenant"
	"github.com/agentdesk/agentdesk/ent/user"
	"github.com/agentdesk/agentdesk/internal/testserver"
)

type check struct {
	Name, Message string
	Ok            bool
}

func diagnose(t *testing.T, s *testserver.Server, token, email string) map[string]check {
	t.Helper()
	id := s.App.DB.Client.User.Query().Where(user.Email(email)).OnlyIDX(testserver.Ctx())
	var out struct{ StationLoginDiagnostics []check }
	s.MustDo(token, `query($id:ID!){ stationLoginDiagnostics(userId:$id){ name ok message } }`, map[string]any{"id": id}, &out)
	m := map[string]check{}
	for _, c := range out.StationLoginDiagnostics {
		if c.Message == "" {
			t.Errorf("check %s has no message", c.Name)
		}
		m[c.Name] = c
	}
	return m
}

func failing(m map[string]check) string {
	var names []string
	for _, n := range []string{"active", "contactCenterEnabled", "agentProfile", "stationTypes", "defaultDialNumber", "agentTeam", "skillProfile", "sso", "teamsIntegration"} {
		c, ok := m[n]
		if !ok {
			names = append(names, "missing:"+n)
		} else if !c.Ok {
			names = append(names, n)
		}
	}
	return strings.Join(names, ",")
}

func TestStationLoginDiagnostics(t *testing.T) {
	s := testserver.New(t)
	root := s.RootToken()
	spec := acmeSpec()
	spec["stationTypes"] = []string{"DIAL_NUMBER", "EXTENSION", "DESKTOP"}
	spec["webRtcEnabled"] = true
	spec["agentProfiles"] = append(spec["agentProfiles"].([]any),
		map[string]any{"name": "Browser only", "loginVoiceOptions": []string{"DESKTOP"}},
		map[string]any{"name": "Locked", "loginVoiceOptions": []string{"DIAL_NUMBER"}, "dialNumberValidation": "PROVISIONED_VALUE"})
	spec["users"] = append(spec["users"].([]any),
		map[string]any{"email": "dora@acme.test", "name": "Dora", "role": "AGENT", "agentProfile": "UK agents",
			"teams": []string{"Sales"}, "skillProfile": "Tier 1", "defaultDialNumber": "+49 89 1234567"},
		map[string]any{"email": "eve@acme.test", "name": "Eve", "role": "AGENT", "agentProfile": "Browser only",
			"teams": []string{"Sales"}, "skillProfile": "Tier 1"},
		map[string]any{"email": "finn@acme.test", "name": "Finn", "role": "AGENT", "agentProfile": "Locked",
			"teams": []string{"Sales"}, "skillProfile": "Tier 1"},
	)
	apply(t, s, root, spec, false)

	// Ann has everything right.
	if got := failing(diagnose(t, s, root, "ann@acme.test")); got != "" {
		t.Fatalf("ann fails %s", got)
	}
	// Bob has no profile, no team, no skills.
	if got := failing(diagnose(t, s, root, "bob@acme-eu.test")); got != "agentProfile,stationTypes,agentTeam,skillProfile" {
		t.Fatalf("bob fails %s", got)
	}
	// Tia is not enabled for the contact center.
	if got := failing(diagnose(t, s, root, "tia@acme.test")); !strings.HasPrefix(got, "contactCenterEnabled,agentProfile") {
		t.Fatalf("tia fails %s", got)
	}
	// Dora's German number does not pass her profile's UK dial plan.
	d := diagnose(t, s, root, "dora@acme.test")
	if got := failing(d); got != "defaultDialNumber" || !strings.Contains(d["defaultDialNumber"].Message, "dial plan") {
		t.Fatalf("dora fails %s: %+v", got, d["defaultDialNumber"])
	}
	// Finn must use a default dial number he does not have.
	if got := failing(diagnose(t, s, root, "finn@acme.test")); got != "defaultDialNumber" {
		t.Fatalf("finn fails %s", got)
	}
	// Eve's profile allows only DESKTOP: fine with WebRTC, not without.
	if got := failing(diagnose(t, s, root, "eve@acme.test")); got != "" {
		t.Fatalf("eve fails %s", got)
	}
	db := s.App.DB.Client
	ctx := testserver.Ctx()
	db.Tenant.Update().Where(tenant.Slug("acme")).SetWebrtcEnabled(false).
		SetSSOMode(tenant.SSOModeAZURE_SSO).SetSSOIssuerURL("https://login.example.test/v2.0").SetSSOClientID("app").
		SetTeamsEnabled(true).SetTeamsIssuerURL("https://login.example.test/v2.0").SetTeamsClientID("teams").SetTeamsClientSecret("s3cret").
		ExecX(ctx)
	e := diagnose(t, s, root, "eve@acme.test")
	if got := failing(e); got != "stationTypes,sso" || !strings.Contains(e["stationTypes"].Message, "WebRTC") || !strings.Contains(e["sso"].Message, "clientSecret") {
		t.Fatalf("eve without WebRTC fails %s: %+v", got, e)
	}
	db.Tenant.Update().Where(tenant.Slug("acme")).SetSSOClientSecret("x").SetTeamsClientSecret("").ExecX(ctx)
	if got := failing(diagnose(t, s, root, "ann@acme.test")); got != "teamsIntegration" {
		t.Fatalf("ann with Teams unconfigured fails %s", got)
	}

	// Who may ask: admins and supervisors of the tenant (signing in with
	// passwords again).
	db.Tenant.Update().Where(tenant.Slug("acme")).SetSSOMode(tenant.SSOModeNONE).ExecX(ctx)
	other := s.CreateTenant(root, "other")
	s.CreateUser(root, other.ID, "ted@other.test", "TENANT_ADMIN", "tenant admin passphrase", nil)
	acmeID := db.Tenant.Query().Where(tenant.Slug("acme")).OnlyIDX(ctx)
	s.CreateUser(root, acmeID, "sue@acme.test", "SUPERVISOR", "supervisor passphrase", nil)
	s.CreateUser(root, acmeID, "al@acme.test", "AGENT", "agent passphrase here", nil)
	ann := db.User.Query().Where(user.Email("ann@acme.test")).OnlyIDX(ctx)
	for email, code := range map[string]string{"ted@other.test": "NOT_FOUND", "al@acme.test": "FORBIDDEN"} {
		password := map[string]string{"ted@other.test": "tenant admin passphrase", "al@acme.test": "agent passphrase here"}[email]
		r := s.Do(s.SignIn(email, password), `query($id:ID!){ stationLoginDiagnostics(userId:$id){ name } }`, map[string]any{"id": ann})
		if r.Code() != code {
			t.Errorf("%s: %+v, want %s", email, r.Errors, code)
		}
	}
	diagnose(t, s, s.SignIn("sue@acme.test", "supervisor passphrase"), "ann@acme.test")
	if r := s.Do(root, `{ stationLoginDiagnostics(userId:"usr_nope"){ name } }`, nil); r.Code() != "NOT_FOUND" {
		t.Errorf("unknown user: %+v", r.Errors)
	}
}
