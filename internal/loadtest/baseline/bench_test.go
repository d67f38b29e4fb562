package baseline_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/agentdesk/agentdesk/internal/loadtest/baseline"
)

// usersWithoutEdges is baseline.Users without the edges: the scalar
// fields of the same page, which only agentdesk answers. It measures what
// the GraphQL execution of a page costs before any edge is read (issue 9,
// BENCHMARKS.md).
const usersWithoutEdges = `query($t: ID!, $n: Int){ users(tenantId: $t, first: $n){ totalCount edges { node { id email name role } } } }`

// BenchmarkSideBySide puts each read of the side-by-side benchmark
// (agentdesk bench --baseline) through agentdesk's handler and the
// hand-written one in the same run, in process and one request at a time:
// the CPU and allocations a request costs on each side, without the
// clients, the network and the queueing of the loaded benchmark. Compare
// the pairs (benchstat, or the ratio of ns/op); nothing here is asserted.
//
//	go test ./internal/loadtest/baseline -run '^$' -bench SideBySide -benchmem -count 5
func BenchmarkSideBySide(b *testing.B) {
	f := newFixture(b)
	agent := f.mint(f.cfg.Agents[0].UserID)
	users := func(n int) map[string]any { return map[string]any{"t": f.tenantID[0], "n": n} }
	both := []string{"agentdesk", "baseline"}
	reads := []struct {
		name, token, query string
		vars               map[string]any
		sides              []string
	}{
		{"stationLoginOptions", agent, baseline.StationLoginOptions, nil, both},
		{"users(first:100)", f.cfg.AdminToken, baseline.Users, users(100), both},
		{"users(first:10)", f.cfg.AdminToken, baseline.Users, users(10), both},
		// Each call starts a session; the fixture's password hash is the
		// tests' cheap one, so this is sign-in without most of argon2id.
		{"signIn", "", baseline.SignIn, map[string]any{"e": f.cfg.Agents[1].Email, "p": f.cfg.Agents[1].Password}, both},
		{"users(first:100)-without-edges", f.cfg.AdminToken, usersWithoutEdges, users(100), both[:1]},
	}
	handlers := map[string]http.Handler{"agentdesk": f.app, "baseline": f.hand}
	for _, r := range reads {
		body, err := json.Marshal(map[string]any{"query": r.query, "variables": r.vars})
		if err != nil {
			b.Fatal(err)
		}
		for _, side := range r.sides {
			h := handlers[side]
			b.Run(r.name+"/"+side, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
					req.Header.Set("Content-Type", "application/json")
					if r.token != "" {
						req.Header.Set("Authorization", "Bearer "+r.token)
					}
					w := httptest.NewRecorder()
					h.ServeHTTP(w, req)
					if w.Code != http.StatusOK || bytes.Contains(w.Body.Bytes(), []byte(`"errors"`)) {
						b.Fatalf("%s: %d %.300s", side, w.Code, w.Body)
					}
				}
			})
		}
	}
}
