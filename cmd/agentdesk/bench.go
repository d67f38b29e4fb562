package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/agentdesk/agentdesk"
	"github.com/agentdesk/agentdesk/internal/loadtest"
)

// bench runs a bounded soak test: a fresh server on a temporary SQLite file
// on loopback, seeded through the API, loaded with the mixed workload of
// internal/loadtest for --duration. It prints requests, errors, latency
// percentiles and memory before and after.
func bench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	duration := fs.Duration("duration", 60*time.Second, "how long to load the server")
	agents := fs.Int("agents", 32, "agents signing in and logging in stations concurrently")
	admins := fs.Int("admins", 2, "admin workers writing configuration")
	options := fs.Int("options", 2, "anonymous workers asking signInOptions")
	if err := fs.Parse(args); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "agentdesk-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	const email, password = "bench-root@agentdesk.test", "bench-root-passphrase"
	app, err := agentdesk.New(ctx, agentdesk.Config{
		DatabaseURL: "sqlite:" + filepath.Join(dir, "bench.db"), Migrate: true,
		BootstrapAdminEmail: email, BootstrapAdminPassword: password,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		// Every worker comes from 127.0.0.1: lift the per-address limit.
		RateLimit: agentdesk.RateLimit{AnonymousPerSecond: 1e6, AnonymousBurst: 1e6, TokenPerSecond: 1e6, TokenBurst: 1e6},
	})
	if err != nil {
		return err
	}
	defer app.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: app.Handler, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	base := "http://" + ln.Addr().String()

	cfg, err := loadtest.Seed(ctx, base, email, password, *agents)
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	cfg.Duration, cfg.AdminWorkers, cfg.OptionsWorkers = *duration, *admins, *options
	before := memory()
	fmt.Fprintf(stdout, "loading %s for %s: %d agents, %d admin and %d options workers (GOMAXPROCS %d)\n",
		base, *duration, *agents, *admins, *options, runtime.GOMAXPROCS(0))
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
