package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"time"

	"github.com/agentdesk/agentdesk/internal/loadtest"
	"github.com/agentdesk/agentdesk/internal/loadtest/baseline"
)

type baselineRun struct {
	duration                time.Duration
	clients, tenants, users int
	scenarios               []string
	cpuProfile, memProfile  string
}

// benchBaseline is `bench --baseline` (issue 9): a fresh server on a
// temporary SQLite file with the production password hashing, seeded
// through the API (tenants × users, the agents the clients act as), and
// next to it the hand-written handler of internal/loadtest/baseline on the
// same file. Each scenario runs for the duration, the two servers taking
// turns, and the table gives both with the ratio.
func benchBaseline(ctx context.Context, stdout io.Writer, r baselineRun) error {
	if r.memProfile != "" {
		// Sample only the measured part: seeding hashes passwords (19
		// MiB each) and imports thousands of users.
		runtime.MemProfileRate = 0
	}
	dir, err := os.MkdirTemp("", "agentdesk-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	dbURL := "sqlite:" + filepath.Join(dir, "bench.db")
	base, stop, err := startBenchServer(ctx, dbURL, nil)
	if err != nil {
		return err
	}
	defer stop()
	start := time.Now()
	cfg, err := loadtest.Seed(ctx, base, benchEmail, benchPassword, r.clients)
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	if _, err := loadtest.SeedTenants(ctx, cfg, r.tenants, r.users); err != nil {
		return fmt.Errorf("seed tenants: %w", err)
	}
	fmt.Fprintf(stdout, "seeded %d users in %d tenants in %s\n", r.users, r.tenants, time.Since(start).Round(time.Second))

	hand, err := baseline.Open(dbURL)
	if err != nil {
		return err
	}
	defer hand.Close()
	handURL, stopHand, err := serveLoopback(hand)
	if err != nil {
		return err
	}
	defer stopHand()

	if r.cpuProfile != "" {
		f, err := os.Create(r.cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	if r.memProfile != "" {
		runtime.MemProfileRate = 64 << 10
	}
	res, err := loadtest.SideBySide{
		Config: cfg, AgentdeskURL: base, BaselineURL: handURL,
		Clients: r.clients, Duration: r.duration, Turns: 5, Mint: hand.MintSession,
	}.Run(ctx, r.scenarios)
	if err != nil {
		return err
	}
	if r.memProfile != "" {
		f, err := os.Create(r.memProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "each scenario %s, %d clients, the servers taking turns (5 each); GOMAXPROCS %d, GOGC %s; server, baseline and clients share the machine\n\n",
		r.duration, r.clients, runtime.GOMAXPROCS(0), gcPercent())
	fmt.Fprintf(stdout, "%-30s %27s %27s %7s %9s %7s\n", "scenario", "agentdesk ops/s p50 p99", "hand-written ops/s p50 p99", "ratio", "p99 ratio", "errors")
	errs := 0
	for _, c := range res {
		a, b := c.Agentdesk, c.Baseline
		p99 := 0.0
		if b.P99 > 0 {
			p99 = float64(a.P99) / float64(b.P99)
		}
		fmt.Fprintf(stdout, "%-30s %7.0f %9s %9s %7.0f %9s %9s %6.2fx %8.2fx %3d/%d\n", c.Scenario,
			a.Rate, ms(a.P50), ms(a.P99), b.Rate, ms(b.P50), ms(b.P99), c.Ratio(), p99, a.Errors, b.Errors)
		for _, x := range []loadtest.ProbeResult{a, b} {
			if x.FirstErr != "" {
				fmt.Fprintf(stdout, "    first error: %s\n", x.FirstErr)
			}
		}
		errs += a.Errors + b.Errors
	}
	if errs > 0 {
		return fmt.Errorf("%d errors", errs)
	}
	return nil
}

func ms(d time.Duration) string {
	return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond))
}

// serveLoopback serves h on a loopback port until stop.
func serveLoopback(h http.Handler) (url string, stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String(), func() { _ = srv.Close() }, nil
}

// gcPercent is the garbage collector's setting (GOGC) the run had: both
// servers allocate, so the figures of runs with different settings do not
// compare (BENCHMARKS.md).
func gcPercent() string {
	p := debug.SetGCPercent(100)
	debug.SetGCPercent(p)
	if p < 0 {
		return "off"
	}
	return strconv.Itoa(p)
}
