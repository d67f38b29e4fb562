package graph_test

import (
	"bytes"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/oauth2-proxy/mockoidc"

	"github.com/agentdesk/agentdesk/ent"
	"github.com/agentdesk/agentdesk/ent/session"
	"github.com/agentdesk/agentdesk/internal/testserver"
)

// idp is a real OpenID provider on a local port (mockoidc) with a fault a
// test can switch on: forging the ID token with another key.
type idp struct {
	*mockoidc.MockOIDC
	forge  atomic.Bool
	forger *mockoidc.Keypair
}

// startIdP runs a provider whose clock agrees with the test server's (the
// ID token's iat and exp are checked against the server's clock).
func startIdP(t *testing.T, s *testserver.Server) *idp {
	t.Helper()
	m, err := mockoidc.NewServer(nil)
	if err != nil {
		t.Fatal(err)
	}
	p := &idp{MockOIDC: m}
	// The forger signs with its own key but names the provider's key id,
	// as an attacker would: the signature, not the header, must decide.
	if p.forger, err = mockoidc.RandomKeypair(2048); err != nil {
		t.Fatal(err)
	}
	if p.forger.Kid, err = m.Keypair.KeyID(); err != nil {
		t.Fatal(err)
	}
	if err := m.AddMiddleware(p.forgeTokens); err != nil {
		t.Fatal(err)
	}
	// Set before Start: the server's goroutines read it unsynchronised.
	m.FastForward(s.Clock.Now().Sub(time.Now()))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Start(ln, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Shutdown() })
	return p
}

// configure makes tenantID an AZURE_SSO tenant of this provider.
func (p *idp) configure(t *testing.T, s *testserver.Server, root, tenantID string) {
	t.Helper()
	cfg := p.Config()
	s.MustDo(root, `mutation($id:ID!,$in:UpdateTenantInput!){ updateTenant(id:$id, input:$in){ id } }`, map[string]any{
		"id": tenantID,
		"in": map[string]any{"ssoMode": "AZURE_SSO", "sso": map[string]any{
			"issuerUrl": cfg.Issuer, "clientId": cfg.ClientID, "clientSecret": cfg.ClientSecret,
		}},
	}, nil)
}

// forgeTokens replaces the ID token of the token endpoint's answer with the
// same claims signed by the forger's key, while forge is on.
func (p *idp) forgeTokens(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != mockoidc.TokenEndpoint || !p.forge.Load() {
			next.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		var body map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err == nil {
			if raw, ok := body["id_token"].(string); ok {
				claims := jwt.MapClaims{}
				if _, _, err := jwt.NewParser().ParseUnverified(raw, claims); err == nil {
					if forged, err := p.forger.SignJWT(claims); err == nil {
						body["id_token"] = forged
					}
				}
			}
		}
		out, _ := json.Marshal(body)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(rec.Code)
		_, _ = w.Write(out)
	})
}

// idpUser is who signs in at the provider, with knobs for bad ID tokens.
type idpUser struct {
	mockoidc.MockUser
	audience []string // replaces aud when set
	expired  bool     // exp a minute before iat
	nonce    string   // replaces the nonce when set
	// unverified sends email_verified: false (MockUser omits a false one).
	unverified bool
}

func (u *idpUser) Claims(scope []string, c *mockoidc.IDTokenClaims) (jwt.Claims, error) {
	if u.audience != nil {
		c.Audience = u.audience
	}
	if u.expired {
		c.ExpiresAt = jwt.NewNumericDate(c.IssuedAt.Add(-time.Minute))
	}
	if u.nonce != "" {
		c.Nonce = u.nonce
	}
	if u.unverified {
		return struct {
			*mockoidc.IDTokenClaims
			Email         string `json:"email"`
			EmailVerified bool   `json:"email_verified"`
		}{c, u.Email, false}, nil
	}
	return u.MockUser.Claims(scope, c)
}

func person(email string) *idpUser {
	return &idpUser{MockUser: mockoidc.MockUser{Subject: "sub-" + email, Email: email, EmailVerified: true}}
}

// startSSO asks signInOptions for email and checks the answer is SSO.
func startSSO(t *testing.T, s *testserver.Server, email string) (authURL, state string) {
	t.Helper()
	var out struct {
		SignInOptions struct {
			Method              string
			SsoAuthorizationURL *string
			State               *string
		}
	}
	s.MustDo("", signInOptionsOp, map[string]any{"e": email}, &out)
	o := out.SignInOptions
	if o.Method != "SSO" || o.SsoAuthorizationURL == nil || o.State == nil || *o.State == "" {
		t.Fatalf("signInOptions(%s) = %+v, want SSO with a URL and a state", email, o)
	}
	return *o.SsoAuthorizationURL, *o.State
}

// authorize plays the browser at the provider: it follows the authorization
// URL as u and returns the code the provider redirects back with.
func (p *idp) authorize(t *testing.T, authURL, wantState string, u mockoidc.User) string {
	t.Helper()
	p.QueueUser(u)
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	loc, err := url.Parse(res.Header.Get("Location"))
	if res.StatusCode != http.StatusFound || err != nil {
		t.Fatalf("authorize: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	if got := loc.Scheme + "://" + loc.Host + loc.Path; got != "http://127.0.0.1:8080/sso/callback" {
		t.Errorf("redirected to %s, want the configured callback", got)
	}
	if loc.Query().Get("state") != wantState || loc.Query().Get("code") == "" {
		t.Fatalf("callback query %q, want state %q and a code", loc.RawQuery, wantState)
	}
	return loc.Query().Get("code")
}

func completeSSO(s *testserver.Server, state, code string) *testserver.Response {
	return s.Do("", completeSSOOp, map[string]any{"s": state, "c": code})
}

func TestSSOSignIn(t *testing.T) {
	s, _ := newSignInServer(t)
	root := s.RootToken()
	corp := s.CreateTenant(root, "corp")
	other := s.CreateTenant(root, "other")
	p := startIdP(t, s)
	p.configure(t, s, root, corp.ID)
	ada := addUser(t, s, corp.ID, "ada@corp.test", "")
	addUser(t, s, corp.ID, "off@corp.test", "", func(c *ent.UserCreate) { c.SetActive(false) })
	addUser(t, s, other.ID, "eve@other.test", adaPassword)

	t.Run("success", func(t *testing.T) {
		authURL, state := startSSO(t, s, "Ada@corp.test")
		q := mustQuery(t, authURL)
		if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || q.Get("nonce") == "" ||
			q.Get("client_id") != p.ClientID || q.Get("login_hint") != "ada@corp.test" ||
			!strings.Contains(q.Get("scope"), "openid") || !strings.Contains(q.Get("scope"), "email") {
			t.Errorf("authorization request %v lacks PKCE S256, a nonce, the client id, the hint or the scopes", q)
		}
		code := p.authorize(t, authURL, state, person("ada@corp.test"))
		var out struct {
			CompleteSsoSignIn struct {
				Token string
				User  struct{ Email string }
			}
		}
		completeSSO(s, state, code).Decode(t, &out)
		if out.CompleteSsoSignIn.User.Email != "ada@corp.test" || meEmail(t, s, out.CompleteSsoSignIn.Token) != "ada@corp.test" {
			t.Fatalf("completeSsoSignIn = %+v", out)
		}
		ses := ada.QuerySessions().OnlyX(testserver.Ctx())
		if ses.Method != session.MethodSSO {
			t.Errorf("session method %s, want SSO", ses.Method)
		}

		// Replayed state: refused even with a fresh code from the provider.
		code = p.authorize(t, authURL, state, person("ada@corp.test"))
		if r := completeSSO(s, state, code); r.Code() != "INVALID_CREDENTIALS" {
			t.Fatalf("replayed state: %+v", r.Errors)
		}
	})

	// Unknown and known addresses of an SSO domain get the same kind of answer.
	t.Run("options for an unknown address", func(t *testing.T) {
		_, s1 := startSSO(t, s, "nobody@corp.test")
		_, s2 := startSSO(t, s, "nobody@corp.test")
		if s1 == s2 {
			t.Error("two flows got the same state")
		}
		for _, f := range s.App.DB.Client.AuthFlow.Query().AllX(testserver.Ctx()) {
			if f.StateHash == s1 || f.StateHash == s2 {
				t.Error("a state is stored in clear")
			}
		}
	})

	failures := []struct {
		name   string
		user   *idpUser
		before func()
		after  func()
	}{
		{name: "bad signature", user: person("ada@corp.test"),
			before: func() { p.forge.Store(true) }, after: func() { p.forge.Store(false) }},
		{name: "wrong audience", user: func() *idpUser { u := person("ada@corp.test"); u.audience = []string{"another-app"}; return u }()},
		{name: "expired token", user: func() *idpUser { u := person("ada@corp.test"); u.expired = true; return u }()},
		{name: "wrong nonce", user: func() *idpUser { u := person("ada@corp.test"); u.nonce = "replayed-token-nonce"; return u }()},
		{name: "unverified e-mail", user: func() *idpUser { u := person("ada@corp.test"); u.unverified = true; return u }()},
		{name: "e-mail of another tenant", user: person("eve@other.test")},
		{name: "e-mail outside every tenant", user: person("ada@elsewhere.example")},
		{name: "no such user in the tenant", user: person("nobody@corp.test")},
		{name: "deactivated user", user: person("off@corp.test")},
	}
	for _, f := range failures {
		t.Run(f.name, func(t *testing.T) {
			authURL, state := startSSO(t, s, "ada@corp.test")
			code := p.authorize(t, authURL, state, f.user)
			if f.before != nil {
				f.before()
				defer f.after()
			}
			r := completeSSO(s, state, code)
			if r.Code() != "INVALID_CREDENTIALS" {
				t.Fatalf("got %+v, want INVALID_CREDENTIALS", r.Errors)
			}
		})
	}

	t.Run("expired state", func(t *testing.T) {
		authURL, state := startSSO(t, s, "ada@corp.test")
		code := p.authorize(t, authURL, state, person("ada@corp.test"))
		s.Clock.Advance(11 * time.Minute) // the last step of this test that uses the provider
		if r := completeSSO(s, state, code); r.Code() != "INVALID_CREDENTIALS" {
			t.Fatalf("got %+v, want INVALID_CREDENTIALS", r.Errors)
		}
	})

	t.Run("unknown state and garbage", func(t *testing.T) {
		for _, c := range [][2]string{{"no-such-state", "code"}, {"", "code"}, {"state", ""}, {strings.Repeat("s", 5000), "code"}} {
			if r := completeSSO(s, c[0], c[1]); r.Code() != "INVALID_CREDENTIALS" {
				t.Errorf("completeSsoSignIn(%.20q, %q) = %+v", c[0], c[1], r.Errors)
			}
		}
	})

	// Only successes made sessions: one for ada, none for anyone else.
	if n := s.App.DB.Client.Session.Query().Where(session.MethodEQ(session.MethodSSO)).CountX(testserver.Ctx()); n != 1 {
		t.Errorf("%d SSO sessions, want 1", n)
	}
}

// Two submits of one state at once: exactly one signs in.
func TestSSOStateIsUsedOnceUnderConcurrency(t *testing.T) {
	s, _ := newSignInServer(t)
	root := s.RootToken()
	corp := s.CreateTenant(root, "corp")
	p := startIdP(t, s)
	p.configure(t, s, root, corp.ID)
	addUser(t, s, corp.ID, "ada@corp.test", "")

	authURL, state := startSSO(t, s, "ada@corp.test")
	codes := []string{
		p.authorize(t, authURL, state, person("ada@corp.test")),
		p.authorize(t, authURL, state, person("ada@corp.test")),
	}
	results := make(chan string, len(codes))
	for _, code := range codes {
		go func() {
			_, body := rawDoNoFatal(s, completeSSOOp, map[string]any{"s": state, "c": code})
			results <- body
		}()
	}
	wins := 0
	for range codes {
		body := <-results
		switch {
		case strings.Contains(body, `"token":"ads_`):
			wins++
		case !strings.Contains(body, "INVALID_CREDENTIALS"):
			t.Errorf("unexpected answer %s", body)
		}
	}
	if wins != 1 {
		t.Fatalf("%d submits of one state signed in, want exactly 1", wins)
	}
}

func mustQuery(t *testing.T, raw string) url.Values {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query()
}

// rawDoNoFatal is rawDo for goroutines other than the test's: errors come
// back in the body instead of failing the test from the wrong goroutine.
func rawDoNoFatal(s *testserver.Server, query string, vars map[string]any) (int, string) {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	res, err := s.HTTP.Client().Post(s.HTTP.URL+"/graphql", "application/json", bytes.NewReader(body))
	if err != nil {
		return 0, err.Error()
	}
	defer res.Body.Close()
	var b bytes.Buffer
	_, _ = b.ReadFrom(res.Body)
	return res.StatusCode, b.String()
}
