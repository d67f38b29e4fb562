// Package loadtest drives a running agentdesk over loopback with the mix of
// work it sees in a contact center: agents signing in, reading their station
// options, logging in a station, changing state and signing out, while
// admins write configuration and anonymous clients ask for sign-in options.
// Every worker owns its agent, so the load is heavy but never conflicts with
// itself: a correct server answers every request without an error.
package loadtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"
)

// Agent is one agent the load signs in.
type Agent struct {
	Email, Password string
	// DialNumber is the agent's own number (E.164), so station logins of
	// different agents never collide.
	DialNumber string
	TeamID     string
	UserID     string
}

// Config is one run.
type Config struct {
	BaseURL  string
	Duration time.Duration
	Agents   []Agent
	// AdminToken signs the admin workers' writes; TenantID and UserIDs are
	// what they change.
	AdminToken string
	TenantID   string
	// ProfileID is the agents' profile.
	ProfileID string
	// AdminWorkers and OptionsWorkers add admin writes and anonymous
	// signInOptions alongside the agents.
	AdminWorkers, OptionsWorkers int
	Client                       *http.Client
}

// OpStats is what happened to one operation.
type OpStats struct {
	Name      string
	Requests  int
	Errors    int
	latencies []time.Duration
	P50, P99  time.Duration
	FirstErr  string
}

// Result is a whole run.
type Result struct {
	Duration         time.Duration
	Requests, Errors int
	P50, P99         time.Duration
	Ops              []*OpStats
}

type recorder struct {
	mu  sync.Mutex
	ops map[string]*OpStats
	all []time.Duration
}

func (r *recorder) record(op string, d time.Duration, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.ops[op]
	if s == nil {
		s = &OpStats{Name: op}
		r.ops[op] = s
	}
	s.Requests++
	s.latencies = append(s.latencies, d)
	r.all = append(r.all, d)
	if err != nil {
		s.Errors++
		if s.FirstErr == "" {
			s.FirstErr = err.Error()
		}
	}
}

// Run runs the load until cfg.Duration passes or ctx ends.
func Run(ctx context.Context, cfg Config) (Result, error) {
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 256}}
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.Duration)
	defer cancel()
	rec := &recorder{ops: map[string]*OpStats{}}
	start := time.Now()
	var wg sync.WaitGroup
	for i, a := range cfg.Agents {
		wg.Add(1)
		go func() {
			defer wg.Done()
			agentLoop(ctx, cfg, rec, a, fmt.Sprintf("tab-%d", i))
		}()
	}
	for i := range cfg.AdminWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			adminLoop(ctx, cfg, rec, i)
		}()
	}
	for range cfg.OptionsWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			optionsLoop(ctx, cfg, rec)
		}()
	}
	wg.Wait()
	return summarise(rec, time.Since(start)), nil
}

func summarise(rec *recorder, d time.Duration) Result {
	res := Result{Duration: d}
	for _, s := range rec.ops {
		slices.Sort(s.latencies)
		s.P50, s.P99 = percentile(s.latencies, 50), percentile(s.latencies, 99)
		res.Requests += s.Requests
		res.Errors += s.Errors
		res.Ops = append(res.Ops, s)
	}
	slices.SortFunc(res.Ops, func(a, b *OpStats) int { return b.Requests - a.Requests })
	slices.Sort(rec.all)
	res.P50, res.P99 = percentile(rec.all, 50), percentile(rec.all, 99)
	return res
}

func percentile(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := (len(sorted)*p+99)/100 - 1
	return sorted[max(i, 0)]
}

// call posts one operation and records it; data is decoded into out.
func call(ctx context.Context, cfg Config, rec *recorder, op, token, query string, vars map[string]any, out any) error {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, cfg.BaseURL+"/graphql", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	start := time.Now()
	res, err := cfg.Client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err() // the run ended mid-request: not the server's error
		}
		rec.record(op, time.Since(start), err)
		return err
	}
	raw, err := io.ReadAll(res.Body)
	res.Body.Close()
	d := time.Since(start)
	if err != nil && ctx.Err() != nil {
		return ctx.Err() // the run ended mid-answer
	}
	if err == nil && res.StatusCode != http.StatusOK {
		err = fmt.Errorf("%s: status %d: %.200s", op, res.StatusCode, raw)
	}
	if err == nil {
		var env struct {
			Data   json.RawMessage `json:"data"`
			Errors []struct {
				Message    string         `json:"message"`
				Extensions map[string]any `json:"extensions"`
			} `json:"errors"`
		}
		if err = json.Unmarshal(raw, &env); err == nil && len(env.Errors) > 0 {
			err = fmt.Errorf("%s: %v %s", op, env.Errors[0].Extensions["code"], env.Errors[0].Message)
		}
		if err == nil && out != nil {
			err = json.Unmarshal(env.Data, out)
		}
	}
	rec.record(op, d, err)
	return err
}

func agentLoop(ctx context.Context, cfg Config, rec *recorder, a Agent, clientID string) {
	for ctx.Err() == nil {
		var signIn struct{ SignIn struct{ Token string } }
		if call(ctx, cfg, rec, "signIn", "", `mutation($e:String!,$p:String!){ signIn(email:$e,password:$p){ token } }`,
			map[string]any{"e": a.Email, "p": a.Password}, &signIn) != nil {
			continue
		}
		tok := signIn.SignIn.Token
		for range 5 {
			_ = call(ctx, cfg, rec, "stationLoginOptions", tok,
				`{ stationLoginOptions { stationTypes defaultDialNumber dialNumberLocked defaultCountry { isoCode } teams { id name } banners { id } } }`, nil, nil)
		}
		if call(ctx, cfg, rec, "stationLogin", tok,
			`mutation($in: StationLoginInput!){ stationLogin(input:$in){ session { id } credentialsSaved } }`,
			map[string]any{"in": map[string]any{"clientId": clientID, "stationType": "DIAL_NUMBER", "dialNumber": a.DialNumber,
				"internationalFormat": false, "teamId": a.TeamID, "rememberMe": true}}, nil) != nil {
			continue
		}
		for _, state := range []string{"AVAILABLE", "IDLE", "AVAILABLE", "IDLE"} {
			_ = call(ctx, cfg, rec, "setAgentState", tok, `mutation($c:String!,$s:AgentState!){ setAgentState(clientId:$c, state:$s){ state } }`,
				map[string]any{"c": clientID, "s": state}, nil)
			_ = call(ctx, cfg, rec, "desktopSession", tok, `query($c:String!){ desktopSession(clientId:$c){ id state interactions { id } } }`,
				map[string]any{"c": clientID}, nil)
		}
		// Go idle and sign out even when the run is ending, so the next run
		// starts clean (sign-out is refused while available).
		end := context.WithoutCancel(ctx)
		_ = call(end, cfg, rec, "setAgentState", tok, `mutation($c:String!){ setAgentState(clientId:$c, state: IDLE){ state } }`,
			map[string]any{"c": clientID}, nil)
		_ = call(end, cfg, rec, "signOut", tok, `mutation($c:String!){ signOut(clientId:$c) }`, map[string]any{"c": clientID}, nil)
	}
}

func adminLoop(ctx context.Context, cfg Config, rec *recorder, worker int) {
	for i := 0; ctx.Err() == nil; i++ {
		var b struct{ CreateBanner struct{ ID string } }
		if call(ctx, cfg, rec, "createBanner", cfg.AdminToken, `mutation($in: CreateBannerInput!){ createBanner(input:$in){ id } }`,
			map[string]any{"in": map[string]any{"tenantId": cfg.TenantID, "message": fmt.Sprintf("load banner %d-%d", worker, i)}}, &b) == nil {
			_ = call(ctx, cfg, rec, "resolveBanner", cfg.AdminToken, `mutation($id:ID!){ resolveBanner(id:$id){ resolvedAt } }`,
				map[string]any{"id": b.CreateBanner.ID}, nil)
		}
		_ = call(ctx, cfg, rec, "users", cfg.AdminToken, `query($t:ID!){ users(tenantId:$t, first: 50){ totalCount edges { node { id email teams { name } } } } }`,
			map[string]any{"t": cfg.TenantID}, nil)
		_ = call(ctx, cfg, rec, "auditEvents", cfg.AdminToken, `query($t:ID!){ auditEvents(tenantId:$t, first: 20){ edges { node { action } } } }`,
			map[string]any{"t": cfg.TenantID}, nil)
	}
}

func optionsLoop(ctx context.Context, cfg Config, rec *recorder) {
	for i := 0; ctx.Err() == nil; i++ {
		email := "someone@nowhere.test"
		if len(cfg.Agents) > 0 && i%2 == 0 {
			email = cfg.Agents[i%len(cfg.Agents)].Email
		}
		_ = call(ctx, cfg, rec, "signInOptions", "", `query($e:String!){ signInOptions(email:$e){ method } }`, map[string]any{"e": email}, nil)
	}
}
