package loadtest

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/agentdesk/agentdesk/internal/loadtest/baseline"
)

// The side-by-side benchmark (issue 9) measures each scenario through
// agentdesk and through the hand-written baseline handler
// (internal/loadtest/baseline) on the same database in one run, taking
// turns, so that the load other work puts on the machine falls on both.

// The scenarios of SideBySide.
const (
	ScenarioStationLoginOptions = "stationLoginOptions"
	ScenarioUsers100            = "users(first: 100) with edges"
	ScenarioLoginSignOut        = "stationLogin+signOut"
	ScenarioSignIn              = "signIn"
)

// Scenarios are SideBySide's scenarios, in order.
var Scenarios = []string{ScenarioStationLoginOptions, ScenarioUsers100, ScenarioLoginSignOut, ScenarioSignIn}

// SideBySide is one side-by-side run on a seeded installation.
type SideBySide struct {
	// Config is the installation (Seed): the agents the clients act as,
	// the platform admin's token and the tenant listed.
	Config
	AgentdeskURL, BaselineURL string
	// Clients call concurrently (one agent each).
	Clients int
	// Duration is each scenario's time, both servers together.
	Duration time.Duration
	// Turns is how many times each server takes its turn per scenario
	// (alternating which goes first).
	Turns int
	// Mint starts a session of a user without a password: each station
	// login + sign-out pair needs a fresh one, outside the timed part.
	Mint func(ctx context.Context, userID string) (string, error)
}

// Comparison is one scenario on both servers.
type Comparison struct {
	Scenario            string
	Agentdesk, Baseline ProbeResult
}

// Ratio is agentdesk's throughput over the baseline's.
func (c Comparison) Ratio() float64 {
	if c.Baseline.Rate == 0 {
		return 0
	}
	return c.Agentdesk.Rate / c.Baseline.Rate
}

// Run measures the scenarios.
func (s SideBySide) Run(ctx context.Context, scenarios []string) ([]Comparison, error) {
	if s.Client == nil {
		s.Client = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 256}}
	}
	if s.Clients > len(s.Agents) {
		return nil, fmt.Errorf("side by side: %d clients but %d agents", s.Clients, len(s.Agents))
	}
	s.Turns = max(s.Turns, 1)
	// Standing sessions for the read scenarios, valid on both servers.
	tokens := make([]string, s.Clients)
	for i := range tokens {
		tok, err := s.Mint(ctx, s.Agents[i].UserID)
		if err != nil {
			return nil, err
		}
		tokens[i] = tok
	}
	var out []Comparison
	for _, sc := range scenarios {
		sides := [2]*measured{}
		urls := [2]string{s.AgentdeskURL, s.BaselineURL}
		for i := range sides {
			sides[i] = &measured{rec: &recorder{ops: map[string]*OpStats{}}}
		}
		turn := s.Duration / time.Duration(2*s.Turns)
		for t := range 2 * s.Turns {
			// a b b a a b …: neither server always runs right after
			// the other's writes or always first.
			side := (t + t/2) % 2
			cfg := s.Config
			cfg.BaseURL = urls[side]
			step, err := s.step(cfg, sc, tokens)
			if err != nil {
				return nil, err
			}
			if err := sides[side].add(ctx, s.Clients, turn, step); err != nil {
				return nil, err
			}
		}
		op := sc
		if sc == ScenarioLoginSignOut {
			op = "" // pairs
		}
		out = append(out, Comparison{Scenario: sc, Agentdesk: sides[0].named(sc, op), Baseline: sides[1].named(sc, op)})
	}
	return out, nil
}

// named is result under the scenario's name.
func (m *measured) named(scenario, op string) ProbeResult {
	r := m.result(op)
	r.Name = scenario
	return r
}

// step is one client's operation of scenario sc.
func (s SideBySide) step(cfg Config, sc string, tokens []string) (func(ctx context.Context, i int, rec *recorder) time.Duration, error) {
	switch sc {
	case ScenarioStationLoginOptions:
		return func(ctx context.Context, i int, rec *recorder) time.Duration {
			_ = call(ctx, cfg, rec, sc, tokens[i], baseline.StationLoginOptions, nil, nil)
			return 0
		}, nil
	case ScenarioUsers100:
		return func(ctx context.Context, i int, rec *recorder) time.Duration {
			_ = call(ctx, cfg, rec, sc, cfg.AdminToken, baseline.Users, map[string]any{"t": cfg.TenantID, "n": 100}, nil)
			return 0
		}, nil
	case ScenarioLoginSignOut:
		return func(ctx context.Context, i int, rec *recorder) time.Duration {
			tok, err := s.Mint(ctx, cfg.Agents[i].UserID)
			if err != nil {
				if ctx.Err() == nil {
					rec.record("mint", 0, err)
				}
				return 0
			}
			return loginSignOut(ctx, cfg, rec, i, tok, baseline.StationLogin, baseline.SignOut)
		}, nil
	case ScenarioSignIn:
		return func(ctx context.Context, i int, rec *recorder) time.Duration {
			a := cfg.Agents[i]
			_ = call(ctx, cfg, rec, sc, "", baseline.SignIn, map[string]any{"e": a.Email, "p": a.Password}, nil)
			return 0
		}, nil
	}
	return nil, fmt.Errorf("side by side: unknown scenario %q", sc)
}
