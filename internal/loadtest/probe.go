package loadtest

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// The probes measure one operation at a time, so that two databases can be
// compared operation by operation (`agentdesk bench --postgres`), unlike Run's
// mixed workload.

// Probe names.
const (
	ProbeStationLoginOptions = "stationLoginOptions"
	ProbeLoginSignOut        = "stationLogin+signOut"
	ProbeUsers100            = "users(first: 100)"
)

// Probes are the operations Probe measures, in order.
var Probes = []string{ProbeStationLoginOptions, ProbeLoginSignOut, ProbeUsers100}

// ProbeResult is one operation measured alone.
type ProbeResult struct {
	Name     string
	Ops      int
	Errors   int
	Rate     float64 // operations per second of the run
	P50, P99 time.Duration
	FirstErr string
}

// SeedUsers adds n users without passwords to cfg's tenant through
// importUsers, so that lists have pages to fill.
func SeedUsers(ctx context.Context, cfg Config, n int) error {
	if cfg.Client == nil {
		cfg.Client = http.DefaultClient
	}
	rec := &recorder{ops: map[string]*OpStats{}}
	var b strings.Builder
	b.WriteString("email,name\n")
	domain := cfg.Agents[0].Email[strings.IndexByte(cfg.Agents[0].Email, '@')+1:]
	for i := range n {
		fmt.Fprintf(&b, "listed%04d@%s,Listed %d\n", i, domain, i)
	}
	return call(ctx, cfg, rec, "seed", cfg.AdminToken, `mutation($t:ID!,$csv:String!){ importUsers(tenantId:$t, csv:$csv){ created } }`,
		map[string]any{"t": cfg.TenantID, "csv": b.String()}, nil)
}

// Probe runs one operation with workers concurrent callers for d. Workers
// of the agent probes are agents of cfg (one each, so their numbers never
// collide); the list probe runs as the admin.
func Probe(ctx context.Context, cfg Config, name string, workers int, d time.Duration) (ProbeResult, error) {
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 256}}
	}
	if name != ProbeUsers100 && workers > len(cfg.Agents) {
		return ProbeResult{}, fmt.Errorf("probe %s: %d workers but %d agents", name, workers, len(cfg.Agents))
	}
	signIn := func(ctx context.Context, a Agent) (string, error) {
		var out struct{ SignIn struct{ Token string } }
		err := call(ctx, cfg, &recorder{ops: map[string]*OpStats{}}, "signIn", "", `mutation($e:String!,$p:String!){ signIn(email:$e,password:$p){ token } }`,
			map[string]any{"e": a.Email, "p": a.Password}, &out)
		return out.SignIn.Token, err
	}
	tokens := make([]string, workers)
	if name == ProbeStationLoginOptions {
		for i := range workers {
			tok, err := signIn(ctx, cfg.Agents[i])
			if err != nil {
				return ProbeResult{}, err
			}
			tokens[i] = tok
		}
	}
	step := func(runCtx context.Context, i int, rec *recorder) time.Duration {
		switch name {
		case ProbeStationLoginOptions:
			_ = call(runCtx, cfg, rec, name, tokens[i],
				`{ stationLoginOptions { stationTypes defaultDialNumber dialNumberLocked defaultCountry { isoCode } teams { id name } banners { id } } }`, nil, nil)
		case ProbeUsers100:
			_ = call(runCtx, cfg, rec, name, cfg.AdminToken,
				`query($t:ID!){ users(tenantId:$t, first: 100){ totalCount edges { node { id email name role teams { name } } } } }`,
				map[string]any{"t": cfg.TenantID}, nil)
		case ProbeLoginSignOut:
			// signOut ends the sign-in too: each pair signs in first,
			// outside the timed part.
			tok, err := signIn(runCtx, cfg.Agents[i])
			if err != nil {
				return 0
			}
			return loginSignOut(runCtx, cfg, rec, i, tok, stationLoginDoc, signOutDoc)
		}
		return 0
	}
	m, err := measure(ctx, workers, d, step)
	if err != nil {
		return ProbeResult{}, err
	}
	return m.result(name), nil
}

// The documents of the pair; the probe's are the baseline's.
const (
	stationLoginDoc = `mutation($in: StationLoginInput!){ stationLogin(input:$in){ session { id } } }`
	signOutDoc      = `mutation($c:String!){ signOut(clientId:$c) }`
)

// loginSignOut logs agent i's station in and signs out with tok, and
// returns the time the pair took, 0 when one of them failed.
func loginSignOut(ctx context.Context, cfg Config, rec *recorder, i int, tok, login, signOut string) time.Duration {
	a := cfg.Agents[i]
	t0 := time.Now()
	tab := fmt.Sprintf("probe-%d", i)
	if call(ctx, cfg, rec, "stationLogin", tok, login,
		map[string]any{"in": map[string]any{"clientId": tab, "stationType": "DIAL_NUMBER", "dialNumber": a.DialNumber,
			"internationalFormat": false, "teamId": a.TeamID}}, nil) != nil {
		return 0
	}
	// Sign out even when the run is ending, so the next run starts clean.
	if call(context.WithoutCancel(ctx), cfg, rec, "signOut", tok, signOut, map[string]any{"c": tab}, nil) != nil {
		return 0
	}
	return time.Since(t0)
}

// measured is what workers did in one or more timed runs.
type measured struct {
	rec     *recorder
	pairs   []time.Duration // latencies of the operations step timed itself
	elapsed time.Duration
}

// measure runs step with workers concurrent callers for d. A step that
// returns a duration timed an operation of several calls itself (a pair);
// otherwise the calls it made are the operation.
func measure(ctx context.Context, workers int, d time.Duration, step func(ctx context.Context, i int, rec *recorder) time.Duration) (*measured, error) {
	m := &measured{rec: &recorder{ops: map[string]*OpStats{}}}
	return m, m.add(ctx, workers, d, step)
}

func (m *measured) add(ctx context.Context, workers int, d time.Duration, step func(ctx context.Context, i int, rec *recorder) time.Duration) error {
	runCtx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var (
		wg sync.WaitGroup
		mu sync.Mutex
	)
	start := time.Now()
	for i := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for runCtx.Err() == nil {
				if t := step(runCtx, i, m.rec); t > 0 {
					mu.Lock()
					m.pairs = append(m.pairs, t)
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	m.elapsed += time.Since(start)
	return ctx.Err()
}

// result sums up the operation name (a pair when step timed pairs).
func (m *measured) result(name string) ProbeResult {
	res := ProbeResult{Name: name}
	for _, s := range m.rec.ops {
		res.Errors += s.Errors
		if res.FirstErr == "" {
			res.FirstErr = s.FirstErr
		}
	}
	lat := m.pairs
	if len(lat) == 0 {
		if s := m.rec.ops[name]; s != nil {
			lat = s.latencies
		}
	}
	lat = slices.Clone(lat)
	slices.Sort(lat)
	res.Ops = len(lat)
	res.Rate = float64(res.Ops) / m.elapsed.Seconds()
	res.P50, res.P99 = percentile(lat, 50), percentile(lat, 99)
	return res
}
