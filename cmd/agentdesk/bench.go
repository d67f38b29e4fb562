package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/agentdesk/agentdesk"
	"github.com/agentdesk/agentdesk/internal/loadtest"
	"github.com/agentdesk/agentdesk/internal/signin"
	"github.com/agentdesk/agentdesk/internal/store"
)

var benchCommand = &command{
	name:    "bench",
	summary: "a bounded soak test on loopback (--duration, --agents), SQLite against PostgreSQL (--postgres), or against a hand-written handler (--baseline)",
	usage:   "[flags]",
	about: `Runs a fresh server on a temporary SQLite file on loopback, seeds it through
the API and loads it with a mixed workload (agents signing in and logging in
stations, admins writing configuration, anonymous option look-ups) for
--duration; prints requests, errors, latency percentiles and memory before
and after. It exits 1 when any request failed.`,
	flags: func(fs *flagSet) func(context.Context, *invocation) error {
		o := benchOptions{}
		fs.DurationVar(&o.duration, "duration", 60*time.Second, "how long to load the server")
		fs.IntVar(&o.agents, "agents", 32, "agents signing in and logging in stations concurrently")
		fs.IntVar(&o.admins, "admins", 2, "admin workers writing configuration")
		fs.IntVar(&o.options, "options", 2, "anonymous workers asking signInOptions")
		fs.StringVar(&o.postgres, "postgres", "", "compare SQLite with PostgreSQL instead: a postgres:// `URL` of a server where a scratch database may be created")
		fs.DurationVar(&o.probe, "probe", 10*time.Second, "with --postgres: how long each operation is measured on each database")
		fs.IntVar(&o.workers, "workers", 8, "with --postgres: concurrent callers per operation")
		fs.BoolVar(&o.baseline, "baseline", false, "compare agentdesk with a hand-written net/http + database/sql handler on the same database instead (issue 9); --duration is then each scenario's time (20s unless given)")
		fs.IntVar(&o.side.clients, "clients", 16, "with --baseline: concurrent clients")
		fs.IntVar(&o.side.tenants, "tenants", 20, "with --baseline: tenants to seed")
		fs.IntVar(&o.side.users, "users", 5000, "with --baseline: users to seed in all")
		fs.StringVar(&o.scenarios, "scenarios", strings.Join(loadtest.Scenarios, ","), "with --baseline: the scenarios to run, comma-separated")
		fs.StringVar(&o.side.cpuProfile, "cpuprofile", "", "with --baseline: write a CPU profile of the measured part to this `file`")
		fs.StringVar(&o.side.memProfile, "memprofile", "", "with --baseline: write an allocation profile of the measured part to this `file`")
		return func(ctx context.Context, c *invocation) error {
			if len(c.args) > 0 {
				return usageErrorf("bench", "bench takes no arguments (got %q)", c.args[0])
			}
			if o.baseline {
				o.side.duration, o.side.scenarios = 20*time.Second, strings.Split(o.scenarios, ",")
				fs.Visit(func(f *flag.Flag) {
					if f.Name == "duration" {
						o.side.duration = o.duration
					}
				})
				return benchBaseline(ctx, c.stdout, o.side)
			}
			if o.postgres != "" {
				return benchDatabases(ctx, c.stdout, o.postgres, o.probe, o.workers)
			}
			return bench(ctx, c.stdout, o)
		}
	},
}

type benchOptions struct {
	duration, probe                  time.Duration
	agents, admins, options, workers int
	postgres                         string
	baseline                         bool
	scenarios                        string
	side                             baselineRun
}

// bench runs a bounded soak test: a fresh server on a temporary SQLite file
// on loopback, seeded through the API, loaded with the mixed workload of
// internal/loadtest for --duration. It prints requests, errors, latency
// percentiles and memory before and after.
func bench(ctx context.Context, stdout io.Writer, o benchOptions) error {
	dir, err := os.MkdirTemp("", "agentdesk-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	base, stop, err := startBenchServer(ctx, "sqlite:"+filepath.Join(dir, "bench.db"), nil)
	if err != nil {
		return err
	}
	defer stop()

	cfg, err := loadtest.Seed(ctx, base, benchEmail, benchPassword, o.agents)
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	cfg.Duration, cfg.AdminWorkers, cfg.OptionsWorkers = o.duration, o.admins, o.options
	before := memory()
	fmt.Fprintf(stdout, "loading %s for %s: %d agents, %d admin and %d options workers (GOMAXPROCS %d)\n",
		base, o.duration, o.agents, o.admins, o.options, runtime.GOMAXPROCS(0))
	res, err := loadtest.Run(ctx, cfg)
	if err != nil {
		return err
	}
	after := memory()
	fmt.Fprintf(stdout, "requests %d  errors %d  rate %.0f/s  p50 %s  p99 %s\n", res.Requests, res.Errors,
		float64(res.Requests)/res.Duration.Seconds(), res.P50.Round(time.Microsecond), res.P99.Round(time.Microsecond))
	fmt.Fprintf(stdout, "%-22s %9s %7s %10s %10s\n", "operation", "requests", "errors", "p50", "p99")
	for _, op := range res.Ops {
		fmt.Fprintf(stdout, "%-22s %9d %7d %10s %10s\n", op.Name, op.Requests, op.Errors, op.P50.Round(time.Microsecond), op.P99.Round(time.Microsecond))
		if op.FirstErr != "" {
			fmt.Fprintf(stdout, "    first error: %s\n", op.FirstErr)
		}
	}
	fmt.Fprintf(stdout, "memory before: %s\nmemory after:  %s\n", before, after)
	if res.Errors > 0 {
		return fmt.Errorf("%d errors under load", res.Errors)
	}
	return nil
}

// memory is the process's heap in use and resident set.
func memory() string {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	rss := "?"
	if b, err := os.ReadFile("/proc/self/status"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(line, "VmRSS:") {
				rss = strings.TrimSpace(strings.TrimPrefix(line, "VmRSS:"))
			}
		}
	}
	return fmt.Sprintf("heap in use %.1f MiB, RSS %s", float64(m.HeapInuse)/(1<<20), rss)
}

// benchDatabases measures stationLoginOptions, stationLogin+signOut and
// users(first: 100) alone on a fresh server on SQLite and then on a fresh
// server on a scratch PostgreSQL database, in one run on one machine, and
// prints them side by side with ratios. Passwords use cheap hashing
// parameters here: the comparison is about the database, not argon2id.
func benchDatabases(ctx context.Context, stdout io.Writer, pgServer string, probe time.Duration, workers int) error {
	dir, err := os.MkdirTemp("", "agentdesk-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	pgURL, drop, err := store.CreateDatabase(ctx, pgServer, "agentdesk_bench_", "")
	if err != nil {
		return err
	}
	defer drop(context.WithoutCancel(ctx))
	engines := []struct{ name, url string }{
		{"SQLite", "sqlite:" + filepath.Join(dir, "bench.db")},
		{"PostgreSQL", pgURL},
	}
	results := make([][]loadtest.ProbeResult, len(engines))
	for i, e := range engines {
		res, err := probeEngine(ctx, e.url, probe, workers)
		if err != nil {
			return fmt.Errorf("%s: %w", e.name, err)
		}
		results[i] = res
	}
	fmt.Fprintf(stdout, "each operation alone for %s with %d concurrent callers (GOMAXPROCS %d); server, client and database on this machine\n\n",
		probe, workers, runtime.GOMAXPROCS(0))
	fmt.Fprintf(stdout, "%-22s %24s %24s %10s %10s\n", "operation", "SQLite ops/s p50 p99", "PostgreSQL ops/s p50 p99", "PG/SQLite", "errors")
	for j := range results[0] {
		a, b := results[0][j], results[1][j]
		ratio := 0.0
		if a.Rate > 0 {
			ratio = b.Rate / a.Rate
		}
		fmt.Fprintf(stdout, "%-22s %7.0f %7s %8s %7.0f %7s %8s %9.2fx %5d/%d\n", a.Name,
			a.Rate, a.P50.Round(100*time.Microsecond), a.P99.Round(100*time.Microsecond),
			b.Rate, b.P50.Round(100*time.Microsecond), b.P99.Round(100*time.Microsecond), ratio, a.Errors, b.Errors)
		for _, r := range []loadtest.ProbeResult{a, b} {
			if r.FirstErr != "" {
				fmt.Fprintf(stdout, "    first error: %s\n", r.FirstErr)
			}
		}
	}
	return nil
}

// probeEngine starts a server on dbURL, seeds it and runs every probe.
func probeEngine(ctx context.Context, dbURL string, probe time.Duration, workers int) ([]loadtest.ProbeResult, error) {
	base, stop, err := startBenchServer(ctx, dbURL, &signin.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32})
	if err != nil {
		return nil, err
	}
	defer stop()
	cfg, err := loadtest.Seed(ctx, base, benchEmail, benchPassword, workers)
	if err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	if err := loadtest.SeedUsers(ctx, cfg, 150); err != nil {
		return nil, fmt.Errorf("seed users: %w", err)
	}
	var out []loadtest.ProbeResult
	for _, name := range loadtest.Probes {
		r, err := loadtest.Probe(ctx, cfg, name, workers, probe)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// The bench servers' platform admin, which seeds them.
const benchEmail, benchPassword = "bench-root@agentdesk.test", "bench-root-passphrase"

// startBenchServer serves agentdesk on dbURL (migrated) on a loopback port,
// with the bench's platform admin and the per-address rate limit lifted:
// every client comes from 127.0.0.1. hash nil is the production argon2id.
func startBenchServer(ctx context.Context, dbURL string, hash *signin.Params) (base string, stop func(), err error) {
	app, err := agentdesk.New(ctx, agentdesk.Config{
		DatabaseURL: dbURL, Migrate: true,
		BootstrapAdminEmail: benchEmail, BootstrapAdminPassword: benchPassword,
		PasswordHash: hash,
		Logger:       slog.New(slog.NewTextHandler(io.Discard, nil)),
		RateLimit:    agentdesk.RateLimit{AnonymousPerSecond: 1e6, AnonymousBurst: 1e6, TokenPerSecond: 1e6, TokenBurst: 1e6},
	})
	if err != nil {
		return "", nil, err
	}
	base, stopServing, err := serveLoopback(app.Handler)
	if err != nil {
		app.Close()
		return "", nil, err
	}
	return base, func() { stopServing(); app.Close() }, nil
}
