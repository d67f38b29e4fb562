package testserver

// Browser tests: a web client's folder (web/console, web/desktop) holds a
// Node script that drives Debian's Chromium with npm playwright-core against
// a real agentdesk this package starts on loopback. Without Chromium, Node or
// the folder's node_modules such a test skips and says why, so `go test
// ./...` works on a fresh machine; CI sets AGENTDESK_BROWSER_TESTS=1, which
// turns every skip into a failure.

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/agentdesk/agentdesk"
	"github.com/agentdesk/agentdesk/internal/demo"
)

// BrowserTestsEnv set to 1 makes missing browser tools a failure.
const BrowserTestsEnv = "AGENTDESK_BROWSER_TESTS"

// The demo's platform admin, as `agentdesk serve --demo` creates it.
const (
	DemoAdminEmail    = "admin@agentdesk.test"
	DemoAdminPassword = "demo-admin-passphrase"
)

// Chromium returns the path of the browser a test in webDir may drive, or
// skips the test when something it needs is missing (fails under CI).
func Chromium(t testing.TB, webDir string) string {
	t.Helper()
	missing := func(what string) {
		t.Helper()
		if os.Getenv(BrowserTestsEnv) == "1" {
			t.Fatalf("browser test: %s (%s=1 requires it)", what, BrowserTestsEnv)
		}
		t.Skipf("browser test skipped: %s; CI installs it (see .ci/run)", what)
	}
	chromium := os.Getenv("AGENTDESK_CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	if _, err := os.Stat(chromium); err != nil {
		missing("no Chromium at " + chromium + " (apt-get install chromium, or set AGENTDESK_CHROMIUM)")
	}
	if _, err := exec.LookPath("node"); err != nil {
		missing("no node in PATH")
	}
	if _, err := os.Stat(filepath.Join(webDir, "node_modules", "playwright-core")); err != nil {
		missing("no " + filepath.Join(webDir, "node_modules") + " (run npm ci there)")
	}
	return chromium
}

// Demo starts agentdesk with the demo tenant loaded, as `agentdesk serve
// --demo` does: the demo platform admin, the demo users with demo.Password,
// and the real clock (a browser keeps real time).
func Demo(t testing.TB, opts ...Option) (*Server, demo.Credentials) {
	t.Helper()
	opts = append([]Option{func(c *agentdesk.Config) {
		c.BootstrapAdminEmail = DemoAdminEmail
		c.BootstrapAdminPassword = DemoAdminPassword
		c.Now = time.Now
	}}, opts...)
	s := New(t, opts...)
	creds, err := demo.Load(context.Background(), s.App)
	if err != nil {
		t.Fatalf("load the demo: %v", err)
	}
	return s, creds
}

// ArtefactDir is an empty directory for what a browser test keeps
// (screenshots): $AGENTDESK_TEST_ARTEFACTS/name when set, else
// webDir/test-artefacts (ignored by git). The test logs where it is.
func ArtefactDir(t testing.TB, webDir, name string) string {
	t.Helper()
	dir := filepath.Join(webDir, "test-artefacts")
	if root := os.Getenv("AGENTDESK_TEST_ARTEFACTS"); root != "" {
		dir = filepath.Join(root, name)
	}
	dir, err := filepath.Abs(dir)
	if err == nil {
		_ = os.RemoveAll(dir)
		err = os.MkdirAll(dir, 0o755)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("browser test artefacts (screenshots): %s", dir)
	return dir
}

// RunNode runs `node script` in dir with env added, for at most timeout;
// its output goes to the test log, and a non-zero exit fails the test.
func RunNode(t testing.TB, dir, script string, env []string, timeout time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", script)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	cmd.WaitDelay = 5 * time.Second
	out, err := cmd.CombinedOutput()
	for _, line := range strings.Split(strings.TrimRight(string(out), "\n"), "\n") {
		t.Log(line)
	}
	if ctx.Err() != nil {
		t.Fatalf("node %s: no result within %s", script, timeout)
	}
	if err != nil {
		t.Fatalf("node %s: %v", script, err)
	}
}
