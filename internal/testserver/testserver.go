// Package testserver starts the real agentdesk handler on a fresh database
// for a test (SQLite, or PostgreSQL when AGENTDESK_TEST_DATABASE_URL is set;
// see storetest) and speaks GraphQL to it, so tests exercise what clients
// see: transports, middleware, authorization, the presenter.
package testserver

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/agentdesk/agentdesk"
	"github.com/agentdesk/agentdesk/internal/signin"
	"github.com/agentdesk/agentdesk/internal/store/storetest"
	"github.com/agentdesk/agentdesk/policy"
)

// AdminEmail and AdminPassword are the platform admin every server starts with.
const (
	AdminEmail    = "root@platform.test"
	AdminPassword = "correct horse battery staple"
)

// CheapHash are argon2id parameters that keep tests fast; production uses
// signin.DefaultParams.
var CheapHash = signin.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

// Clock is a settable clock for tests.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock starts at a fixed time.
func NewClock() *Clock { return &Clock{now: time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)} }

// Now is the current test time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Server is a running agentdesk for one test.
type Server struct {
	T      testing.TB
	App    *agentdesk.Server
	HTTP   *httptest.Server
	Clock  *Clock
	Config agentdesk.Config
}

// Option changes the config before the server starts.
type Option func(*agentdesk.Config)

// OnDatabase starts the server on an existing database that is already
// migrated (Migrate is off, so a file that is behind fails the start), such
// as a copy of a fixture database a test built once with ent. The bootstrap
// admin is created only when the file has no platform admin yet.
func OnDatabase(dbURL string) Option {
	return func(c *agentdesk.Config) {
		c.DatabaseURL = dbURL
		c.Migrate = false
	}
}

// New starts a server on a fresh database; it stops with the test.
func New(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s, err := Start(t, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Start is New for the goroutines of a test that starts many servers at
// once: it returns its error rather than failing the test, which only the
// test's own goroutine may do. The server stops with the test.
func Start(t testing.TB, opts ...Option) (*Server, error) {
	clock := NewClock()
	cfg := agentdesk.Config{
		Migrate:                true,
		BootstrapAdminEmail:    AdminEmail,
		BootstrapAdminPassword: AdminPassword,
		PasswordHash:           &CheapHash,
		Logger:                 testLogger(t),
		Now:                    clock.Now,
		// The test clock stands still, so buckets would never refill: tests
		// that check rate limits set their own.
		RateLimit: agentdesk.RateLimit{AnonymousPerSecond: 1, AnonymousBurst: 1 << 30, TokenPerSecond: 1, TokenBurst: 1 << 30},
	}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.DatabaseURL == "" {
		// Registered first, so it is removed after the server has stopped.
		u, err := storetest.URL(t)
		if err != nil {
			return nil, err
		}
		cfg.DatabaseURL = u
	}
	app, err := agentdesk.New(context.Background(), cfg)
	if err != nil {
		return nil, fmt.Errorf("start agentdesk: %w", err)
	}
	hs := httptest.NewServer(app.Handler)
	s := &Server{T: t, App: app, HTTP: hs, Clock: clock, Config: cfg}
	t.Cleanup(func() {
		hs.Close()
		if err := app.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return s, nil
}

// testLogger writes the server's warnings and errors to the test's log,
// which go test prints only when the test fails (or with -v): an INTERNAL
// a test sees then comes with its cause. Lines logged after the test ended
// (a goroutine still draining) are dropped, as t.Log would panic.
func testLogger(t testing.TB) *slog.Logger {
	w := &testLogWriter{t: t}
	t.Cleanup(func() {
		w.mu.Lock()
		defer w.mu.Unlock()
		w.done = true
	})
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

type testLogWriter struct {
	mu   sync.Mutex
	t    testing.TB
	done bool
}

func (w *testLogWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.done {
		w.t.Log("agentdesk: " + string(bytes.TrimRight(p, "\n")))
	}
	return len(p), nil
}

// Response is a GraphQL response.
type Response struct {
	Status int
	Data   json.RawMessage `json:"data"`
	Errors []Error         `json:"errors"`
	Header http.Header
}

// Error is one GraphQL error.
type Error struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

// Code is the first error's extensions.code, or "".
func (r *Response) Code() string {
	if len(r.Errors) == 0 {
		return ""
	}
	c, _ := r.Errors[0].Extensions["code"].(string)
	return c
}

// Decode unmarshals data into v and fails the test on errors.
func (r *Response) Decode(t testing.TB, v any) {
	t.Helper()
	if len(r.Errors) > 0 {
		t.Fatalf("unexpected errors: %+v", r.Errors)
	}
	if err := json.Unmarshal(r.Data, v); err != nil {
		t.Fatalf("decode %s: %v", r.Data, err)
	}
}

// Do posts one operation with a bearer token ("" for anonymous).
func (s *Server) Do(token, query string, vars map[string]any) *Response {
	return s.DoWith(token, query, vars, nil)
}

// DoWith posts one operation with extra headers.
func (s *Server) DoWith(token, query string, vars map[string]any, header http.Header) *Response {
	s.T.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		s.T.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, s.HTTP.URL+"/graphql", bytes.NewReader(body))
	if err != nil {
		s.T.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header[k] = v
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return s.send(req)
}

func (s *Server) send(req *http.Request) *Response {
	s.T.Helper()
	res, err := s.HTTP.Client().Do(req)
	if err != nil {
		s.T.Fatal(err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		s.T.Fatal(err)
	}
	out := &Response{Status: res.StatusCode, Header: res.Header}
	if err := json.Unmarshal(raw, out); err != nil {
		s.T.Fatalf("response is not JSON (status %d): %s", res.StatusCode, raw)
	}
	return out
}

// MustDo runs an operation that must succeed and decodes its data into v.
func (s *Server) MustDo(token, query string, vars map[string]any, v any) {
	s.T.Helper()
	r := s.Do(token, query, vars)
	if len(r.Errors) > 0 {
		s.T.Fatalf("%s\nerrors: %+v", query, r.Errors)
	}
	if v != nil {
		r.Decode(s.T, v)
	}
}

// SignIn signs in and returns the session token.
func (s *Server) SignIn(email, password string) string {
	s.T.Helper()
	var out struct {
		SignIn struct{ Token string } `json:"signIn"`
	}
	s.MustDo("", `mutation($e:String!,$p:String!){ signIn(email:$e, password:$p){ token } }`,
		map[string]any{"e": email, "p": password}, &out)
	return out.SignIn.Token
}

// RootToken signs in as the platform admin.
func (s *Server) RootToken() string { return s.SignIn(AdminEmail, AdminPassword) }

// Tenant is a tenant made by CreateTenant.
type Tenant struct {
	ID   string
	Slug string
}

// CreateTenant creates a tenant with the domain <slug>.test as the platform admin.
func (s *Server) CreateTenant(root, slug string) Tenant {
	s.T.Helper()
	var out struct {
		CreateTenant Tenant `json:"createTenant"`
	}
	s.MustDo(root, `mutation($in: CreateTenantInput!){ createTenant(input:$in){ id slug emailDomains } }`, map[string]any{"in": map[string]any{
		"name": "Tenant " + slug, "slug": slug, "emailDomains": []string{slug + ".test"},
		"stationTypes": []string{"DIAL_NUMBER", "EXTENSION", "DESKTOP"}, "webRtcEnabled": true,
	}}, &out)
	return out.CreateTenant
}

// CreateUser creates a user with a password in a tenant and returns its id.
func (s *Server) CreateUser(token, tenantID, email, role, password string, extra map[string]any) string {
	s.T.Helper()
	in := map[string]any{"tenantId": tenantID, "email": email, "name": "User " + email, "role": role, "password": password}
	for k, v := range extra {
		in[k] = v
	}
	var out struct {
		CreateUser struct{ ID string } `json:"createUser"`
	}
	s.MustDo(token, `mutation($in: CreateUserInput!){ createUser(input:$in){ id } }`, map[string]any{"in": in}, &out)
	return out.CreateUser.ID
}

// Ctx is the context for a test's own reads and writes below the API
// (fixtures, checks of what a call stored). The data layer scopes reads by
// the viewer's tenant; a test's direct access has no viewer, so it is
// system work (policy.System).
func Ctx() context.Context {
	return policy.System(context.Background(), "test: reads and writes the database below the API")
}
