package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/agentdesk/agentdesk/internal/store/storetest"
)

func TestMigrateAndAdminCreate(t *testing.T) {
	db, err := storetest.EmptyURL(t)
	if err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	ctx := context.Background()
	if err := run(ctx, []string{"migrate", "--status", "--database", db}, nil, &out, &errOut); err != nil || !strings.Contains(out.String(), "pending") {
		t.Fatalf("status on a fresh database: %v %s", err, out.String())
	}
	out.Reset()
	if err := run(ctx, []string{"migrate", "--database", db}, nil, &out, &errOut); err != nil || !strings.Contains(out.String(), "applied") {
		t.Fatalf("migrate: %v %s %s", err, out.String(), errOut.String())
	}
	out.Reset()
	if err := run(ctx, []string{"migrate", "--database", db}, nil, &out, &errOut); err != nil || !strings.Contains(out.String(), "up to date") {
		t.Fatalf("second migrate: %v %s", err, out.String())
	}
	out.Reset()
	err = run(ctx, []string{"admin", "create", "--database", db, "--email", "Root@Example.test"}, strings.NewReader("a long admin passphrase\n"), &out, &errOut)
	if err != nil || !strings.Contains(out.String(), "root@example.test") {
		t.Fatalf("admin create: %v %s %s", err, out.String(), errOut.String())
	}
	// A weak password is refused with the reason.
	err = run(ctx, []string{"admin", "create", "--database", db, "--email", "two@example.test"}, strings.NewReader("password\n"), &out, &errOut)
	if err == nil {
		t.Fatal("a common password was accepted")
	}
	if err := run(ctx, []string{"nonsense"}, nil, &out, &errOut); err == nil {
		t.Fatal("unknown command accepted")
	}
}

// TestServeDemoThenShutdown runs `serve --demo` on a free port, signs in as a
// demo agent, then cancels (as SIGTERM does) and expects a clean exit.
func TestServeDemoThenShutdown(t *testing.T) {
	dbURL, err := storetest.EmptyURL(t)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addr, done := startServe(t, ctx, func(stdout string) bool { return strings.Contains(stdout, "demo is ready") },
		"--demo", "--addr", "127.0.0.1:0", "--database", dbURL)
	var res *http.Response
	for range 100 {
		res, err = http.Get("http://" + addr + "/readyz")
		if err == nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("readyz: %v", err)
	}
	res.Body.Close()
	body, _ := json.Marshal(map[string]any{"query": `mutation($e:String!,$p:String!){ signIn(email:$e,password:$p){ token } }`,
		"variables": map[string]any{"e": demoAdminEmail, "p": demoAdminPassword}})
	res, err = http.Post("http://"+addr+"/graphql", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.Contains(string(raw), `"token":"ads_`) {
		t.Fatalf("demo admin sign-in: %s", raw)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve after shutdown: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not shut down")
	}
}

// startServe runs `agentdesk serve args…` until ctx is cancelled and waits
// until it logged its address and ready(stdout) holds. done receives
// serve's return.
func startServe(t *testing.T, ctx context.Context, ready func(stdout string) bool, args ...string) (addr string, done <-chan error) {
	t.Helper()
	stdout, stderr := &lockedBuffer{}, &lockedBuffer{}
	errc := make(chan error, 1)
	go func() { errc <- run(ctx, append([]string{"serve"}, args...), nil, stdout, stderr) }()
	deadline := time.Now().Add(60 * time.Second)
	addrRE := regexp.MustCompile(`addr=(127\.0\.0\.1:\d+)`)
	for !ready(stdout.String()) || addr == "" {
		if m := addrRE.FindStringSubmatch(stderr.String()); m != nil {
			addr = m[1]
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not start: %s %s", stdout.String(), stderr.String())
		}
		select {
		case err := <-errc:
			t.Fatalf("serve exited: %v %s %s", err, stdout.String(), stderr.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
	return addr, errc
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestServeRefusesBadRateLimits: a rate limit that is not RATE,BURST stops
// serve before it listens, naming the setting.
func TestServeRefusesBadRateLimits(t *testing.T) {
	db := "sqlite:" + t.TempDir() + "/r.db" // never opened: the settings are read first
	for _, c := range []struct{ flag, value, want string }{
		{"--rate-limit-anonymous", "5", "AGENTDESK_RATE_LIMIT_ANONYMOUS"},
		{"--rate-limit-anonymous", "0,20", "AGENTDESK_RATE_LIMIT_ANONYMOUS"},
		{"--rate-limit-token", "50,0", "AGENTDESK_RATE_LIMIT_TOKEN"},
		{"--rate-limit-token", "fast,100", "AGENTDESK_RATE_LIMIT_TOKEN"},
	} {
		var out, errOut bytes.Buffer
		err := run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0", "--database", db, c.flag, c.value}, nil, &out, &errOut)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), c.value) {
			t.Errorf("%s %s: %v, want an error naming %s and the value", c.flag, c.value, err, c.want)
		}
	}
}
