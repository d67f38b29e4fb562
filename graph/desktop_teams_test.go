package graph_test

import (
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oauth2-proxy/mockoidc"

	"github.com/agentdesk/agentdesk"
)

const (
	startTeams    = `mutation{ startTeamsAuthentication{ authorizationUrl state } }`
	completeTeams = `mutation($s:String!,$c:String!){ completeTeamsAuthentication(state:$s, code:$c) }`
	cancelTeams   = `mutation($s:String!){ cancelTeamsAuthentication(state:$s) }`
)

// TestTeamsAuthentication runs the Teams flow against a real local OpenID
// provider: success, a reused state, a refused code (FAILED), retry, cancel,
// another agent's state and an expired flow.
func TestTeamsAuthentication(t *testing.T) {
	m, err := mockoidc.Run()
	if err != nil {
		t.Fatal(err)
	}
	defer m.Shutdown()
	discovery := &countingTransport{path: "/.well-known/openid-configuration"}
	d := newDesk(t, func(c *agentdesk.Config) { c.HTTPClient = &http.Client{Transport: discovery} })
	// The provider signs tokens with the test's clock, which the verifier
	// also uses; FastForward is per server, so parallel tests are unaffected.
	m.FastForward(d.s.Clock.Now().Sub(time.Now()))
	a := d.agent()

	expectCode(t, d.s.Do(a.Token, startTeams, nil), "VALIDATION_ERROR") // not enabled yet
	cfg := m.Config()
	d.updateTenant(map[string]any{"teamsIntegration": map[string]any{
		"enabled": true, "issuerUrl": cfg.Issuer, "clientId": cfg.ClientID, "clientSecret": cfg.ClientSecret}})

	start := func(u deskUser) (authURL, state string) {
		t.Helper()
		var out struct {
			StartTeamsAuthentication struct{ AuthorizationURL, State string }
		}
		d.s.MustDo(u.Token, startTeams, nil, &out)
		return out.StartTeamsAuthentication.AuthorizationURL, out.StartTeamsAuthentication.State
	}
	status := func() (bool, string) {
		t.Helper()
		var o loginOptions
		d.s.MustDo(a.Token, optionsQuery, nil, &o)
		return o.StationLoginOptions.TeamsIntegration.Prompt, o.StationLoginOptions.TeamsIntegration.Status
	}
	complete := func(u deskUser, state, code string) (string, string) {
		t.Helper()
		r := d.s.Do(u.Token, completeTeams, map[string]any{"s": state, "c": code})
		var out struct{ CompleteTeamsAuthentication string }
		if r.Code() == "" {
			r.Decode(t, &out)
		}
		return out.CompleteTeamsAuthentication, r.Code()
	}

	if prompt, st := status(); !prompt || st != "NOT_STARTED" {
		t.Fatalf("before: prompt %v status %s", prompt, st)
	}

	// Success.
	authURL, state := start(a)
	q := mustGet(url.Parse(authURL))(t).Query()
	if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || q.Get("nonce") == "" ||
		q.Get("state") != state || q.Get("client_id") != cfg.ClientID || !strings.HasPrefix(authURL, cfg.Issuer) {
		t.Fatalf("authorization URL %s", authURL)
	}
	code := authorizeAtProvider(t, authURL, state)
	if st, c := complete(a, state, code); st != "SUCCEEDED" || c != "" {
		t.Fatalf("complete: %s %s", st, c)
	}
	if prompt, st := status(); prompt || st != "SUCCEEDED" {
		t.Fatalf("after success: prompt %v status %s", prompt, st)
	}
	// A state works once.
	if _, c := complete(a, state, code); c != "INVALID_CODE" {
		t.Fatalf("reused state: %s", c)
	}

	// The provider refuses the code: FAILED, and the agent is prompted again.
	_, state = start(a)
	if _, c := complete(a, state, "not-a-code"); c != "INVALID_CODE" {
		t.Fatalf("bad code: %s", c)
	}
	if prompt, st := status(); !prompt || st != "FAILED" {
		t.Fatalf("after failure: prompt %v status %s", prompt, st)
	}

	// Retry = start again.
	authURL, state = start(a)
	if st, c := complete(a, state, authorizeAtProvider(t, authURL, state)); st != "SUCCEEDED" || c != "" {
		t.Fatalf("retry: %s %s", st, c)
	}

	// Cancel: CANCELLED, and the state is used up.
	authURL, state = start(a)
	var cancelled struct{ CancelTeamsAuthentication string }
	d.s.MustDo(a.Token, cancelTeams, map[string]any{"s": state}, &cancelled)
	if cancelled.CancelTeamsAuthentication != "CANCELLED" {
		t.Fatalf("cancel: %+v", cancelled)
	}
	if prompt, st := status(); !prompt || st != "CANCELLED" {
		t.Fatalf("after cancel: prompt %v status %s", prompt, st)
	}
	if _, c := complete(a, state, authorizeAtProvider(t, authURL, state)); c != "INVALID_CODE" {
		t.Fatalf("complete after cancel: %s", c)
	}
	expectCode(t, d.s.Do(a.Token, cancelTeams, map[string]any{"s": state}), "INVALID_CODE")

	// Another agent cannot use or cancel the flow.
	b := d.agent()
	authURL, state = start(a)
	if _, c := complete(b, state, authorizeAtProvider(t, authURL, state)); c != "INVALID_CODE" {
		t.Fatalf("another agent's state: %s", c)
	}
	expectCode(t, d.s.Do(b.Token, cancelTeams, map[string]any{"s": state}), "INVALID_CODE")

	// A flow lives ten minutes.
	authURL, state = start(a)
	code = authorizeAtProvider(t, authURL, state)
	d.s.Clock.Advance(11 * time.Minute)
	if _, c := complete(a, state, code); c != "INVALID_CODE" {
		t.Fatalf("expired flow: %s", c)
	}
	if _, st := status(); st != "CANCELLED" {
		t.Fatalf("an expired flow changed the status to %s", st)
	}
	// Eleven flow steps, one discovery: the shared flow caches the issuer.
	if n := discovery.count.Load(); n != 1 {
		t.Errorf("%d discovery requests, want 1 (cached)", n)
	}
}

// countingTransport counts the requests for one path.
type countingTransport struct {
	path  string
	count atomic.Int64
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Path == c.path || strings.HasSuffix(r.URL.Path, c.path) {
		c.count.Add(1)
	}
	return http.DefaultTransport.RoundTrip(r)
}

// authorize plays the browser at the provider: it follows the authorization
// URL and returns the code from the redirect back to the desktop.
func authorizeAtProvider(t *testing.T, authURL, state string) string {
	t.Helper()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	loc, err := url.Parse(res.Header.Get("Location"))
	if res.StatusCode != http.StatusFound || err != nil {
		t.Fatalf("authorize: %d %v", res.StatusCode, err)
	}
	if !strings.HasSuffix(loc.Path, "/desktop/teams-callback") || loc.Query().Get("state") != state {
		t.Fatalf("redirect %s", loc)
	}
	return loc.Query().Get("code")
}
