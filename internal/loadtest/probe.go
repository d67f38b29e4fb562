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
	rec := &recorder{ops: map[string]*OpStats{}}
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
	runCtx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		pairs []time.Duration
	)
	start := time.Now()
	for i := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for runCtx.Err() == nil {
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
					a := cfg.Agents[i]
					tok, err := signIn(runCtx, a)
					if err != nil {
						continue
					}
					t0 := time.Now()
					tab := fmt.Sprintf("probe-%d", i)
					if call(runCtx, cfg, rec, "stationLogin", tok, `mutation($in: StationLoginInput!){ stationLogin(input:$in){ session { id } } }`,
						map[string]any{"in": map[string]any{"clientId": tab, "stationType": "DIAL_NUMBER", "dialNumber": a.DialNumber,
							"internationalFormat": false, "teamId": a.TeamID}}, nil) != nil {
						continue
					}
					// Sign out even when the run is ending, so the next probe starts clean.
					if call(context.WithoutCancel(runCtx), cfg, rec, "signOut", tok, `mutation($c:String!){ signOut(clientId:$c) }`, map[string]any{"c": tab}, nil) == nil {
						mu.Lock()
						pairs = append(pairs, time.Since(t0))
						mu.Unlock()
					}
				default:
					return
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	res := ProbeResult{Name: name}
	for _, s := range rec.ops {
		res.Errors += s.Errors
		if res.FirstErr == "" {
			res.FirstErr = s.FirstErr
		}
	}
	lat := pairs
	if name != ProbeLoginSignOut {
		if s := rec.ops[name]; s != nil {
			lat = s.latencies
		}
	}
	slices.Sort(lat)
	res.Ops = len(lat)
	res.Rate = float64(res.Ops) / elapsed.Seconds()
	res.P50, res.P99 = percentile(lat, 50), percentile(lat, 99)
	return res, nil
}
