package oidcflow_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oauth2-proxy/mockoidc"

	"github.com/agentdesk/agentdesk/ent"
	"github.com/agentdesk/agentdesk/ent/authflow"
	"github.com/agentdesk/agentdesk/internal/oidcflow"
	"github.com/agentdesk/agentdesk/internal/store/storetest"
	"github.com/agentdesk/agentdesk/policy"
)

// discoveryCounter counts discovery requests on their way to the provider.
type discoveryCounter struct{ n atomic.Int64 }

func (c *discoveryCounter) RoundTrip(r *http.Request) (*http.Response, error) {
	if strings.HasSuffix(r.URL.Path, "/.well-known/openid-configuration") {
		c.n.Add(1)
	}
	return http.DefaultTransport.RoundTrip(r)
}

type fixture struct {
	ctx      context.Context
	db       *ent.Client
	idp      *mockoidc.MockOIDC
	client   oidcflow.Client
	flows    *oidcflow.Flows
	counter  *discoveryCounter
	now      time.Time
	tenantID string
	userID   string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	m, err := mockoidc.Run()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Shutdown() })
	db := storetest.Open(t)
	// The fixture and the checks read across the tenant scope.
	ctx := policy.System(context.Background(), "oidcflow tests")
	f := &fixture{ctx: ctx, db: db.Client, idp: m, counter: &discoveryCounter{}, now: time.Now()}
	ten := db.Client.Tenant.Create().SetName("Acme").SetSlug("acme").SetStationTypes(nil).SaveX(ctx)
	u := db.Client.User.Create().SetTenantID(ten.ID).SetEmail("ada@acme.test").SetName("Ada").SetRole(policy.Agent).SaveX(ctx)
	f.tenantID, f.userID = ten.ID, u.ID
	cfg := m.Config()
	f.client = oidcflow.Client{Issuer: cfg.Issuer, ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret,
		RedirectURL: "http://127.0.0.1:1/desktop/teams-callback", Scopes: []string{"openid", "email", "profile"}}
	providers := oidcflow.NewProviders(&http.Client{Transport: f.counter}, time.Hour, func() time.Time { return f.now })
	f.flows = &oidcflow.Flows{DB: db.Client, Providers: providers, Now: func() time.Time { return f.now }}
	return f
}

func (f *fixture) begin(t *testing.T) *oidcflow.Started {
	t.Helper()
	s, err := f.flows.Begin(f.ctx, f.client, oidcflow.Row{Kind: authflow.KindTEAMS, TenantID: f.tenantID, UserID: f.userID, Lifetime: 10 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// authorize plays the browser at the provider and returns the code.
func authorize(t *testing.T, authURL, state string) string {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	loc, err := url.Parse(res.Header.Get("Location"))
	if res.StatusCode != http.StatusFound || err != nil || loc.Query().Get("state") != state {
		t.Fatalf("authorize: %d %v %s", res.StatusCode, err, loc)
	}
	return loc.Query().Get("code")
}

// TestTeamsFlow runs a Teams flow through the package against a local
// OpenID provider: begin (PKCE, nonce, the state stored hashed), consume,
// finish; a second flow reuses the discovered issuer.
func TestTeamsFlow(t *testing.T) {
	f := newFixture(t)
	s := f.begin(t)
	q, _ := url.ParseQuery(s.AuthorizationURL[strings.IndexByte(s.AuthorizationURL, '?')+1:])
	if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || q.Get("nonce") == "" ||
		q.Get("state") != s.State || q.Get("client_id") != f.client.ClientID || q.Get("redirect_uri") != f.client.RedirectURL ||
		!strings.HasPrefix(s.AuthorizationURL, f.client.Issuer) || len(s.State) != 43 {
		t.Fatalf("authorization URL %s", s.AuthorizationURL)
	}
	row := f.db.AuthFlow.Query().OnlyX(f.ctx)
	if row.StateHash == s.State || strings.Contains(s.AuthorizationURL, row.PkceVerifier) || row.UserID != f.userID ||
		row.Kind != authflow.KindTEAMS || !row.ExpiresAt.Equal(row.CreatedAt.Add(10*time.Minute)) {
		t.Fatalf("flow row %+v", row)
	}
	code := authorize(t, s.AuthorizationURL, s.State)
	flow, err := f.flows.Consume(f.ctx, authflow.KindTEAMS, s.State, false, authflow.UserID(f.userID))
	if err != nil || flow.ConsumedAt == nil {
		t.Fatalf("consume: %v %+v", err, flow)
	}
	idt, err := f.flows.Finish(f.ctx, f.client, flow, code)
	if err != nil || idt.Nonce != flow.Nonce || idt.Issuer != f.client.Issuer {
		t.Fatalf("finish: %v %+v", err, idt)
	}
	// A second flow: discovery is not repeated.
	s2 := f.begin(t)
	flow2, err := f.flows.Consume(f.ctx, authflow.KindTEAMS, s2.State, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.flows.Finish(f.ctx, f.client, flow2, authorize(t, s2.AuthorizationURL, s2.State)); err != nil {
		t.Fatal(err)
	}
	if n := f.counter.n.Load(); n != 1 {
		t.Errorf("%d discovery requests for two flows, want 1", n)
	}
	// After the TTL the issuer is discovered again.
	f.now = f.now.Add(time.Hour)
	f.begin(t)
	if n := f.counter.n.Load(); n != 2 {
		t.Errorf("%d discovery requests after the TTL, want 2", n)
	}
}

func TestConsumeRefuses(t *testing.T) {
	f := newFixture(t)
	s := f.begin(t)
	// Another state of the same length: its first character changed (a
	// random state may itself begin with the replacement).
	unknown := "x" + s.State[1:]
	if s.State[0] == 'x' {
		unknown = "y" + s.State[1:]
	}
	for name, c := range map[string]struct {
		kind  authflow.Kind
		state string
		where string
	}{
		"empty state":    {authflow.KindTEAMS, "", ""},
		"long state":     {authflow.KindTEAMS, strings.Repeat("a", oidcflow.MaxStateLen+1), ""},
		"unknown state":  {authflow.KindTEAMS, unknown, ""},
		"another kind":   {authflow.KindSSO_SIGN_IN, s.State, ""},
		"another's flow": {authflow.KindTEAMS, s.State, "someone-else"},
	} {
		var err error
		if c.where != "" {
			_, err = f.flows.Consume(f.ctx, c.kind, c.state, false, authflow.UserID(c.where))
		} else {
			_, err = f.flows.Consume(f.ctx, c.kind, c.state, false)
		}
		if !errors.Is(err, oidcflow.ErrInvalidFlow) {
			t.Errorf("%s: %v, want ErrInvalidFlow", name, err)
		}
	}
	// A state of exactly MaxStateLen is looked up (and not found).
	if _, err := f.flows.Consume(f.ctx, authflow.KindTEAMS, strings.Repeat("a", oidcflow.MaxStateLen), false); !errors.Is(err, oidcflow.ErrInvalidFlow) {
		t.Errorf("a state of the longest length: %v", err)
	}
	// Expired: refused, unless allowed (a cancel); then used up.
	f.now = f.now.Add(10 * time.Minute)
	if _, err := f.flows.Consume(f.ctx, authflow.KindTEAMS, s.State, false); !errors.Is(err, oidcflow.ErrInvalidFlow) {
		t.Errorf("expired: %v", err)
	}
	if _, err := f.flows.Consume(f.ctx, authflow.KindTEAMS, s.State, true); err != nil {
		t.Errorf("expired, allowed: %v", err)
	}
	if _, err := f.flows.Consume(f.ctx, authflow.KindTEAMS, s.State, true); !errors.Is(err, oidcflow.ErrInvalidFlow) {
		t.Errorf("used twice: %v", err)
	}
	// A second before expiry it is still good.
	s = f.begin(t)
	f.now = f.now.Add(10*time.Minute - time.Second)
	if _, err := f.flows.Consume(f.ctx, authflow.KindTEAMS, s.State, false); err != nil {
		t.Errorf("a second before expiry: %v", err)
	}
}

func TestFinishRefuses(t *testing.T) {
	f := newFixture(t)
	s := f.begin(t)
	code := authorize(t, s.AuthorizationURL, s.State)
	flow, err := f.flows.Consume(f.ctx, authflow.KindTEAMS, s.State, false)
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]string{"empty": "", "too long": strings.Repeat("c", oidcflow.MaxCodeLen+1), "unknown": "not-a-code"} {
		if _, err := f.flows.Finish(f.ctx, f.client, flow, c); err == nil {
			t.Errorf("%s code accepted", name)
		}
	}
	// A code of the longest length reaches the provider (which refuses it).
	if _, err := f.flows.Finish(f.ctx, f.client, flow, strings.Repeat("c", oidcflow.MaxCodeLen)); err == nil || !strings.Contains(err.Error(), "code exchange") {
		t.Errorf("longest code: %v, want the provider's refusal", err)
	}
	// Another flow's nonce: the ID token is refused.
	other := *flow
	other.Nonce = "another-nonce"
	if _, err := f.flows.Finish(f.ctx, f.client, &other, code); err == nil || !strings.Contains(err.Error(), "nonce") {
		t.Errorf("wrong nonce: %v", err)
	}
	// Another client id: the audience does not match.
	s = f.begin(t)
	flow, _ = f.flows.Consume(f.ctx, authflow.KindTEAMS, s.State, false)
	wrong := f.client
	wrong.ClientID = "someone-else"
	if _, err := f.flows.Finish(f.ctx, wrong, flow, authorize(t, s.AuthorizationURL, s.State)); err == nil {
		t.Error("a token for another client accepted")
	}
	// An issuer that cannot be discovered.
	bad := f.client
	bad.Issuer = "http://127.0.0.1:1/nowhere"
	if _, err := f.flows.Begin(f.ctx, bad, oidcflow.Row{Kind: authflow.KindTEAMS, TenantID: f.tenantID, Lifetime: time.Minute}); err == nil {
		t.Error("an unreachable issuer began a flow")
	}
}
