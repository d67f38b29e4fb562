package graph_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/agentdesk/agentdesk/ent"
	"github.com/agentdesk/agentdesk/ent/agentprofile"
	"github.com/agentdesk/agentdesk/ent/dialplan"
	"github.com/agentdesk/agentdesk/ent/team"
	"github.com/agentdesk/agentdesk/internal/randtoken"
	"github.com/agentdesk/agentdesk/internal/signin"
	"github.com/agentdesk/agentdesk/internal/station"
	"github.com/agentdesk/agentdesk/internal/testserver"
	"github.com/agentdesk/agentdesk/policy"
)

// User-Agent headers of the browsers the desktop tests speak as.
const (
	uaChrome  = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36"
	uaEdge    = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.2592.87"
	uaFirefox = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:127.0) Gecko/20100101 Firefox/127.0"
	uaSafari  = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15"
	uaOpera   = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 OPR/111.0.0.0"
)

const agentPassword = "a desk for every agent"

// desk is a tenant set up for station login: a profile allowing every
// station type with any number format, an AGENT team, and helpers to add
// agents. Users, profiles and teams are written with ent directly, so these
// tests do not depend on the admin operations.
type desk struct {
	t       *testing.T
	s       *testserver.Server
	root    string
	tenant  testserver.Tenant
	profile *ent.AgentProfile
	team    *ent.Team
	n       int
}

func newDesk(t *testing.T, opts ...testserver.Option) *desk {
	t.Helper()
	s := testserver.New(t, opts...)
	root := s.RootToken()
	d := &desk{t: t, s: s, root: root}
	d.tenant = s.CreateTenant(root, "acme")
	d.profile = d.newProfile("Everything", agentprofile.DialNumberValidationANY_FORMAT,
		[]station.Type{station.DialNumber, station.Extension, station.Desktop})
	d.team = d.newTeam("Support", team.TypeAGENT)
	return d
}

func (d *desk) db() *ent.Client { return d.s.App.DB.Client }

func (d *desk) newProfile(name string, rule agentprofile.DialNumberValidation, types []station.Type, plans ...string) *ent.AgentProfile {
	d.t.Helper()
	ctx := testserver.Ctx()
	c := d.db().AgentProfile.Create().SetTenantID(d.tenant.ID).SetName(name).
		SetLoginVoiceOptions(types).SetDialNumberValidation(rule)
	for _, p := range plans {
		c.AddDialPlanIDs(d.dialPlan(p).ID)
	}
	return mustGet(c.Save(ctx))(d.t)
}

// dialPlan is the tenant's plan called name; a name of the form
// "name=regex|prefix|stripped" creates it first.
func (d *desk) dialPlan(spec string) *ent.DialPlan {
	d.t.Helper()
	ctx := testserver.Ctx()
	name, def, ok := strings.Cut(spec, "=")
	if !ok {
		return mustGet(d.db().DialPlan.Query().Where(dialplan.TenantID(d.tenant.ID), dialplan.Name(name)).Only(ctx))(d.t)
	}
	parts := strings.SplitN(def+"||", "|", 3)
	return mustGet(d.db().DialPlan.Create().SetTenantID(d.tenant.ID).SetName(name).
		SetRegularExpression(parts[0]).SetPrefix(parts[1]).SetStrippedChars(strings.TrimSuffix(parts[2], "|")).Save(ctx))(d.t)
}

func (d *desk) newTeam(name string, typ team.Type) *ent.Team {
	d.t.Helper()
	return mustGet(d.db().Team.Create().SetTenantID(d.tenant.ID).SetName(name).SetType(typ).Save(testserver.Ctx()))(d.t)
}

// user is a signed-in user of the desk's tenant.
type deskUser struct {
	ID    string
	Email string
	Token string
}

// agent creates a user (an AGENT with the desk's profile, member of the
// desk's team, unless edit says otherwise) and signs it in.
func (d *desk) agent(edit ...func(*ent.UserCreate)) deskUser {
	d.t.Helper()
	d.n++
	return d.userIn(d.tenant, "agent"+strconv.Itoa(d.n)+"@acme.test", policy.Agent, func(c *ent.UserCreate) {
		c.SetAgentProfileID(d.profile.ID).AddTeamIDs(d.team.ID)
		for _, e := range edit {
			e(c)
		}
	})
}

func (d *desk) userIn(tn testserver.Tenant, email string, role policy.Role, edit func(*ent.UserCreate)) deskUser {
	d.t.Helper()
	u := addUser(d.t, d.s, tn.ID, email, agentPassword, func(c *ent.UserCreate) {
		c.SetName("User " + email).SetRole(role)
		if edit != nil {
			edit(c)
		}
	})
	return deskUser{ID: u.ID, Email: email, Token: d.s.SignIn(email, agentPassword)}
}

// integrationToken is an API token with the INTEGRATION role in tn.
func (d *desk) integrationToken(tn testserver.Tenant) string {
	d.t.Helper()
	token := mustGet(randtoken.New(nil, signin.APITokenPrefix))(d.t)
	mustGet(d.db().APIToken.Create().SetTenantID(tn.ID).SetName("media platform").
		SetRole(policy.Integration).SetTokenHash(randtoken.Hash(token)).Save(testserver.Ctx()))(d.t)
	return token
}

// updateTenant changes the desk tenant's settings through the API.
func (d *desk) updateTenant(in map[string]any) {
	d.t.Helper()
	d.s.MustDo(d.root, `mutation($id:ID!, $in: UpdateTenantInput!){ updateTenant(id:$id, input:$in){ id } }`,
		map[string]any{"id": d.tenant.ID, "in": in}, nil)
}

const loginMutation = `mutation($in: StationLoginInput!){ stationLogin(input:$in){
	session{ id clientId role stationType dialNumber extension deviceId state team{ id name } }
	credentialsSaved credentialsNotSavedReason activityPage{ artworkUrl } } }`

type loginResult struct {
	StationLogin struct {
		Session                   deskSession
		CredentialsSaved          bool
		CredentialsNotSavedReason *string
	}
}

type deskSession struct {
	ID, ClientID, Role, StationType, State string
	DialNumber, Extension, DeviceID        *string
	Team                                   *struct{ ID, Name string }
	IdleCode                               string
	EndReason                              string
	EndedAt                                *string
	Interactions                           []struct {
		InteractionID, Kind string
		Active              bool
	}
}

// login runs stationLogin from Chrome with in over the defaults (tab
// "tab-1", DIAL_NUMBER, the desk's team).
func (d *desk) login(u deskUser, in map[string]any) *testserver.Response {
	d.t.Helper()
	full := map[string]any{"clientId": "tab-1", "stationType": "DIAL_NUMBER", "teamId": d.team.ID}
	for k, v := range in {
		full[k] = v
	}
	return d.s.DoWith(u.Token, loginMutation, map[string]any{"in": full}, chrome())
}

// mustLogin logs in and returns the session.
func (d *desk) mustLogin(u deskUser, in map[string]any) deskSession {
	d.t.Helper()
	r := d.login(u, in)
	var out loginResult
	r.Decode(d.t, &out)
	return out.StationLogin.Session
}

func chrome() http.Header { return userAgent(uaChrome) }

func userAgent(ua string) http.Header { return http.Header{"User-Agent": {ua}} }

// expectCode fails unless r failed with code.
func expectCode(t *testing.T, r *testserver.Response, code string) {
	t.Helper()
	if r.Code() != code {
		t.Fatalf("want %s, got errors %+v data %s", code, r.Errors, r.Data)
	}
}

// must returns v, failing the test given to the result when err is set:
// mustGet(call())(t).
func mustGet[T any](v T, err error) func(testing.TB) T {
	return func(t testing.TB) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}
