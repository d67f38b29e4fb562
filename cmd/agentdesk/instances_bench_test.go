package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"regexp"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/agentdesk/agentdesk/internal/loadtest"
	"github.com/agentdesk/agentdesk/internal/store/storetest"
)

// serveChildEnv makes this test binary run `agentdesk serve` with the
// arguments it holds (a JSON list) instead of the tests: the benchmark's
// server processes.
const serveChildEnv = "AGENTDESK_BENCH_SERVE_ARGS"

func TestMain(m *testing.M) {
	if args := os.Getenv(serveChildEnv); args != "" {
		var argv []string
		if err := json.Unmarshal([]byte(args), &argv); err != nil {
			fmt.Fprintln(os.Stderr, "agentdesk:", serveChildEnv, err)
			os.Exit(2)
		}
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		err := run(ctx, argv, nil, os.Stdout, os.Stderr)
		stop()
		if err != nil {
			fmt.Fprintln(os.Stderr, "agentdesk:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	code := m.Run()
	removeBinary()
	os.Exit(code)
}

// serveProcess starts `agentdesk serve` in a process of its own on dbURL
// and returns its base URL; it is stopped (SIGTERM) when b ends.
func serveProcess(b *testing.B, dbURL string, extra ...string) string {
	b.Helper()
	args := append([]string{"serve", "--addr", "127.0.0.1:0", "--database", dbURL}, extra...)
	cmd := exec.Command(os.Args[0], "-test.run=^$", "-test.bench=^$")
	argv, err := json.Marshal(args)
	if err != nil {
		b.Fatal(err)
	}
	cmd.Env = append(os.Environ(), serveChildEnv+"="+string(argv),
		"AGENTDESK_BOOTSTRAP_ADMIN_EMAIL=bench-root@agentdesk.test", "AGENTDESK_BOOTSTRAP_ADMIN_PASSWORD=bench-root-passphrase")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	})
	addrRE := regexp.MustCompile(`addr=(127\.0\.0\.1:\d+)`)
	lines := bufio.NewScanner(stderr)
	for lines.Scan() {
		if m := addrRE.FindStringSubmatch(lines.Text()); m != nil {
			go func() { _, _ = io.Copy(io.Discard, stderr) }()
			return "http://" + m[1]
		}
	}
	b.Fatalf("serve did not start: %v", lines.Err())
	return ""
}

// BenchmarkReadPathInstances: the read path (stationLoginOptions, signed-in
// agents) served by one `agentdesk serve` process, then spread over two,
// both on one PostgreSQL database, in the same run. ns/op is the time per
// request at the given concurrency, so 1 / ns/op is throughput: the ratio
// of the two is what a second instance adds. The load generator runs in
// this process, on the same machine.
//
//	AGENTDESK_TEST_DATABASE_URL=postgres://… go test ./cmd/agentdesk -run '^$' -bench ReadPathInstances -benchtime 5s
func BenchmarkReadPathInstances(b *testing.B) {
	if _, ok := storetest.Postgres(); !ok {
		b.Skipf("needs PostgreSQL: set %s", storetest.EnvURL)
	}
	u, err := storetest.EmptyURL(b)
	if err != nil {
		b.Fatal(err)
	}
	bases := []string{serveProcess(b, u, "--migrate")}
	bases = append(bases, serveProcess(b, u))
	ctx := b.Context()
	// Enough agents that no token reaches its per-process rate limit
	// (50/s) at the throughput measured here.
	const agents = 64
	cfg, err := loadtest.Seed(ctx, bases[0], "bench-root@agentdesk.test", "bench-root-passphrase", agents)
	if err != nil {
		b.Fatal(err)
	}
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 256}}
	var tokens []string
	for _, a := range cfg.Agents {
		var out struct{ SignIn struct{ Token string } }
		for {
			err := post(ctx, client, bases[0], "", `mutation($e:String!,$p:String!){ signIn(email:$e,password:$p){ token } }`,
				map[string]any{"e": a.Email, "p": a.Password}, &out)
			if err != nil && strings.HasPrefix(err.Error(), "TOO_MANY_ATTEMPTS") {
				time.Sleep(time.Second) // the anonymous rate limit of one address
				continue
			}
			if err != nil {
				b.Fatal(err)
			}
			break
		}
		tokens = append(tokens, out.SignIn.Token)
	}
	const options = `{ stationLoginOptions { stationTypes defaultDialNumber dialNumberLocked defaultCountry { isoCode } teams { id name } banners { id } } }`
	for _, n := range []int{1, 2} {
		b.Run(fmt.Sprintf("instances=%d", n), func(b *testing.B) {
			var next atomic.Int64
			b.SetParallelism(8) // 16 clients on 2 cores
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := next.Add(1)
					if err := post(ctx, client, bases[int(i)%n], tokens[int(i)%agents], options, nil, nil); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}

// post sends one GraphQL operation and fails on any error in the answer.
func post(ctx context.Context, client *http.Client, base, token, query string, vars map[string]any, out any) error {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/graphql", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	var env struct {
		Data   json.RawMessage
		Errors []struct {
			Message    string
			Extensions map[string]any
		}
	}
	if err := json.NewDecoder(res.Body).Decode(&env); err != nil {
		return fmt.Errorf("status %d: %w", res.StatusCode, err)
	}
	if len(env.Errors) > 0 {
		return fmt.Errorf("%v: %s", env.Errors[0].Extensions["code"], env.Errors[0].Message)
	}
	if out != nil {
		return json.Unmarshal(env.Data, out)
	}
	return nil
}
