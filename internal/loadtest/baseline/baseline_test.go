package baseline_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/agentdesk/agentdesk"
	"github.com/agentdesk/agentdesk/internal/loadtest"
	"github.com/agentdesk/agentdesk/internal/loadtest/baseline"
	"github.com/agentdesk/agentdesk/internal/randtoken"
	"github.com/agentdesk/agentdesk/internal/store"
	"github.com/agentdesk/agentdesk/internal/testserver"
)

// fixture is agentdesk and the baseline on one seeded SQLite file.
type fixture struct {
	t        testing.TB
	app      http.Handler
	cfg      loadtest.Config
	hand     *baseline.Handler
	servers  map[string]string // name → base URL
	db       *sql.DB
	tenantID []string
}

func newFixture(t testing.TB) *fixture {
	dbURL := "sqlite:" + filepath.Join(t.TempDir(), "bench.db")
	s := testserver.New(t, func(c *agentdesk.Config) {
		// The baseline runs on the wall clock, so the server does too.
		c.DatabaseURL, c.Now = dbURL, time.Now
	})
	ctx := context.Background()
	cfg, err := loadtest.Seed(ctx, s.HTTP.URL, testserver.AdminEmail, testserver.AdminPassword, 2)
	if err != nil {
		t.Fatal(err)
	}
	tenants, err := loadtest.SeedTenants(ctx, cfg, 3, 420)
	if err != nil {
		t.Fatal(err)
	}
	hand, err := baseline.Open(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(hand)
	t.Cleanup(func() { hs.Close(); hand.Close() })
	dsn, err := store.SQLiteDSN(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite3", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return &fixture{t: t, app: s.App.Handler, cfg: cfg, hand: hand, db: db, tenantID: tenants,
		servers: map[string]string{"agentdesk": s.HTTP.URL, "baseline": hs.URL}}
}

// answer is a response's data and its first error code.
type answer struct {
	data any
	code string
}

func (f *fixture) post(server, token, query string, vars map[string]any) answer {
	f.t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, f.servers[server]+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "baseline test")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer res.Body.Close()
	var env struct {
		Data   any `json:"data"`
		Errors []struct {
			Extensions struct{ Code string } `json:"extensions"`
		} `json:"errors"`
	}
	if err := json.NewDecoder(res.Body).Decode(&env); err != nil {
		f.t.Fatalf("%s: %v", server, err)
	}
	a := answer{data: env.Data}
	if len(env.Errors) > 0 {
		a.code = env.Errors[0].Extensions.Code
	}
	return a
}

// same sends one request to both servers and wants the same answer.
func (f *fixture) same(name, token, query string, vars map[string]any) answer {
	f.t.Helper()
	a, b := f.post("agentdesk", token, query, vars), f.post("baseline", token, query, vars)
	if a.code != b.code || !reflect.DeepEqual(a.data, b.data) {
		ja, _ := json.Marshal(a.data)
		jb, _ := json.Marshal(b.data)
		f.t.Errorf("%s: agentdesk answered %s %.600s\nthe baseline %s %.600s", name, a.code, ja, b.code, jb)
	}
	return a
}

func (f *fixture) mint(userID string) string {
	f.t.Helper()
	tok, err := f.hand.MintSession(context.Background(), userID)
	if err != nil {
		f.t.Fatal(err)
	}
	return tok
}

// TestBaselineAnswersLikeAgentdesk: for each operation of the benchmark the
// hand-written handler gives the data agentdesk gives (and the same error
// codes where they refuse), so it cannot measure faster by doing less.
func TestBaselineAnswersLikeAgentdesk(t *testing.T) {
	f := newFixture(t)
	agent, other := f.cfg.Agents[0], f.cfg.Agents[1]
	tok := f.mint(agent.UserID)

	opts := f.same("stationLoginOptions", tok, baseline.StationLoginOptions, nil)
	o, _ := opts.data.(map[string]any)["stationLoginOptions"].(map[string]any)
	if teams, _ := o["teams"].([]any); len(teams) != 1 {
		t.Errorf("stationLoginOptions: teams %v, want the agent's one team", o["teams"])
	}
	if banners, _ := o["banners"].([]any); len(banners) != 2 {
		t.Errorf("stationLoginOptions: banners %v, want the two seeded", o["banners"])
	}

	for _, n := range []int{100, 7} {
		users := f.same("users", f.cfg.AdminToken, baseline.Users, map[string]any{"t": f.tenantID[0], "n": n})
		conn, _ := users.data.(map[string]any)["users"].(map[string]any)
		edges, _ := conn["edges"].([]any)
		if len(edges) != n || conn["totalCount"].(float64) <= float64(n) {
			t.Fatalf("users(first: %d): %d edges of %v", n, len(edges), conn["totalCount"])
		}
		// The imported users (after the agents) have every edge.
		last := edges[n-1].(map[string]any)["node"].(map[string]any)
		if teams, _ := last["teams"].([]any); len(teams) != 2 || last["agentProfile"] == nil || last["skillProfile"] == nil {
			t.Errorf("users(first: %d): the last node has not every edge: %v", n, last)
		}
	}
	// Refusals answer alike: an agent may not list users; another
	// tenant's are NOT_FOUND.
	if a := f.same("users as an agent", tok, baseline.Users, map[string]any{"t": f.tenantID[0], "n": 5}); a.code != "FORBIDDEN" {
		t.Errorf("users as an agent: %q, want FORBIDDEN", a.code)
	}
	if a := f.same("another tenant's users", tok, baseline.Users, map[string]any{"t": f.tenantID[1], "n": 5}); a.code != "NOT_FOUND" {
		t.Errorf("another tenant's users: %q, want NOT_FOUND", a.code)
	}

	// Station login + sign-out leave the same rows on both.
	rows := map[string]map[string]any{}
	for _, server := range []string{"agentdesk", "baseline"} {
		tok := f.mint(other.UserID)
		in := map[string]any{"in": map[string]any{"clientId": "tab-1", "stationType": "DIAL_NUMBER", "dialNumber": other.DialNumber,
			"internationalFormat": false, "teamId": other.TeamID}}
		login := f.post(server, tok, baseline.StationLogin, in)
		if login.code != "" {
			t.Fatalf("%s: stationLogin: %s", server, login.code)
		}
		id := login.data.(map[string]any)["stationLogin"].(map[string]any)["session"].(map[string]any)["id"].(string)
		if out := f.post(server, tok, baseline.SignOut, map[string]any{"c": "tab-1"}); out.code != "" || !reflect.DeepEqual(out.data, map[string]any{"signOut": true}) {
			t.Fatalf("%s: signOut: %s %v", server, out.code, out.data)
		}
		rows[server] = f.row(`SELECT d.client_id, d.superseded_client_ids, d.role, d.station_type, d.dial_number, d.extension, d.device_id,
			d.team_id, d.state, d.idle_code, d.inactivity_warned_at, d.ended_at IS NOT NULL AS ended, d.end_reason, d.tenant_id, d.user_id,
			d.auth_session_id = s.id AS own_session, s.revoked_at IS NOT NULL AS revoked, s.revoked_reason
			FROM desktop_sessions d JOIN sessions s ON s.token_hash = ? WHERE d.id = ?`, randtoken.Hash(tok), id)
		if again := f.post(server, tok, baseline.StationLoginOptions, nil); again.code != "UNAUTHENTICATED" {
			t.Errorf("%s: the token after signOut: %q, want UNAUTHENTICATED", server, again.code)
		}
	}
	if !reflect.DeepEqual(rows["agentdesk"], rows["baseline"]) {
		t.Errorf("station login + sign-out rows differ:\nagentdesk %v\nbaseline  %v", rows["agentdesk"], rows["baseline"])
	}

	// signIn: a session each server accepts, stored alike.
	sessions := map[string]map[string]any{}
	for _, server := range []string{"agentdesk", "baseline"} {
		in := f.post(server, "", baseline.SignIn, map[string]any{"e": other.Email, "p": other.Password})
		tok, _ := in.data.(map[string]any)["signIn"].(map[string]any)["token"].(string)
		if in.code != "" || tok == "" {
			t.Fatalf("%s: signIn: %s %v", server, in.code, in.data)
		}
		for _, s := range []string{"agentdesk", "baseline"} {
			if a := f.post(s, tok, baseline.StationLoginOptions, nil); a.code != "" {
				t.Errorf("%s's session on %s: %s", server, s, a.code)
			}
		}
		sessions[server] = f.row(`SELECT user_id, method, revoked_at, client_addr, user_agent,
			round((julianday(expires_at) - julianday(created_at)) * 24) AS hours FROM sessions WHERE token_hash = ?`, randtoken.Hash(tok))
		if wrong := f.post(server, "", baseline.SignIn, map[string]any{"e": other.Email, "p": "not the password"}); wrong.code != "INVALID_CREDENTIALS" {
			t.Errorf("%s: a wrong password: %q", server, wrong.code)
		}
	}
	if !reflect.DeepEqual(sessions["agentdesk"], sessions["baseline"]) {
		t.Errorf("signIn sessions differ:\nagentdesk %v\nbaseline  %v", sessions["agentdesk"], sessions["baseline"])
	}
}

// row reads one row as column → value.
func (f *fixture) row(query string, args ...any) map[string]any {
	f.t.Helper()
	rows, err := f.db.Query(query, args...)
	if err != nil {
		f.t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	if !rows.Next() {
		f.t.Fatalf("no row for %s", query)
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := rows.Scan(ptrs...); err != nil {
		f.t.Fatal(err)
	}
	out := map[string]any{}
	for i, c := range cols {
		if b, ok := vals[i].([]byte); ok {
			vals[i] = string(b)
		}
		out[c] = vals[i]
	}
	return out
}

// TestSideBySideRuns runs every scenario for a moment on both servers: no
// errors, and both did work.
func TestSideBySideRuns(t *testing.T) {
	f := newFixture(t)
	res, err := loadtest.SideBySide{
		Config: f.cfg, AgentdeskURL: f.servers["agentdesk"], BaselineURL: f.servers["baseline"],
		Clients: 2, Duration: time.Second, Turns: 1, Mint: f.hand.MintSession,
	}.Run(context.Background(), loadtest.Scenarios)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range res {
		for _, r := range []loadtest.ProbeResult{c.Agentdesk, c.Baseline} {
			if r.Errors > 0 || r.Ops == 0 {
				t.Errorf("%s: %d operations, %d errors (%s)", c.Scenario, r.Ops, r.Errors, r.FirstErr)
			}
		}
	}
}
