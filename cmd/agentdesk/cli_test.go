package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/agentdesk/agentdesk/internal/store"
	"github.com/agentdesk/agentdesk/internal/store/storetest"
)

// The tests in this file run the built binary, as an operator does: exit
// statuses and what reaches stdout and stderr are what they check.

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
	binDir    string
)

// removeBinary removes the built binary; TestMain calls it after the
// tests.
func removeBinary() {
	if binDir != "" {
		os.RemoveAll(binDir)
	}
}

// agentdeskBinary builds ./cmd/agentdesk once per test binary.
func agentdeskBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		binDir, buildErr = os.MkdirTemp("", "agentdesk-cli-test-")
		if buildErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "agentdesk")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = errors.New("go build: " + err.Error() + "\n" + string(out))
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// result is what one run of the binary did.
type result struct {
	code           int
	stdout, stderr string
}

// runBinary runs the binary with args and env (added to a clean
// environment: no AGENTDESK_* of the developer's shell leaks in).
func runBinary(t *testing.T, env []string, stdin string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, agentdeskBinary(t), args...)
	cmd.Env = append(cleanEnv(), env...)
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		t.Fatalf("agentdesk %v: %v", args, err)
	}
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

func cleanEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AGENTDESK_") {
			out = append(out, kv)
		}
	}
	return out
}

// TestHelpForEveryCommand: `help CMD` and `CMD -h` exit 0 and print the
// command's usage with every flag, the variable of each flag that has one,
// and its environment-only settings.
func TestHelpForEveryCommand(t *testing.T) {
	for _, c := range commands() {
		fs := newFlagSet(c.name)
		c.flags(fs)
		var want []string
		fs.VisitAll(func(f *flag.Flag) { want = append(want, "--"+f.Name) })
		for _, v := range fs.env {
			want = append(want, v)
		}
		for _, e := range c.envOnly {
			want = append(want, e.name)
		}
		for _, args := range [][]string{{"help", c.name}, {c.name, "-h"}, {c.name, "--help"}} {
			r := runBinary(t, nil, "", args...)
			if r.code != 0 {
				t.Errorf("agentdesk %s: exit %d, want 0; stderr %s", strings.Join(args, " "), r.code, r.stderr)
				continue
			}
			if !strings.HasPrefix(r.stdout, "usage: agentdesk "+c.name) {
				t.Errorf("agentdesk %s: %q does not start with the command's usage line", strings.Join(args, " "), firstLine(r.stdout))
			}
			for _, w := range want {
				if !strings.Contains(r.stdout, w) {
					t.Errorf("agentdesk %s does not show %s:\n%s", strings.Join(args, " "), w, r.stdout)
				}
			}
		}
	}
	// The general help, too, exits 0 and lists every command.
	r := runBinary(t, nil, "", "help")
	for _, c := range commands() {
		if r.code != 0 || !strings.Contains(r.stdout, "\n  "+c.name+" ") {
			t.Errorf("agentdesk help (exit %d) does not list %s:\n%s", r.code, c.name, r.stdout)
		}
	}
}

// TestEveryVariableIsExplained: each AGENTDESK_* variable the binary's
// source reads appears in the help of some command, so an environment-only
// setting cannot be added without saying so in `CMD -h`.
func TestEveryVariableIsExplained(t *testing.T) {
	var help strings.Builder
	for _, c := range commands() {
		fs := newFlagSet(c.name)
		c.flags(fs)
		c.help(&help, fs)
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`"(AGENTDESK_[A-Z_]+)"`)
	seen := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllStringSubmatch(string(src), -1) {
			seen++
			if !strings.Contains(help.String(), m[1]) {
				t.Errorf("%s reads %s, which no command's help mentions", f, m[1])
			}
		}
	}
	if seen < 10 {
		t.Fatalf("found only %d AGENTDESK_* names in the source: the pattern no longer matches how they are read", seen)
	}
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// TestWrongCommandLines exit 2 with a pointer to the help; a command that
// fails exits 1 with a message for people, without the API's error codes.
func TestWrongCommandLines(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{nil, `Run "agentdesk help"`},
		{[]string{"nonsense"}, `unknown command "nonsense"`},
		{[]string{"help", "nonsense"}, `no command "nonsense"`},
		{[]string{"migrate", "--bogus"}, `Run "agentdesk help migrate"`},
		{[]string{"serve", "extra"}, `serve takes no arguments`},
		{[]string{"admin", "create"}, `--email is required`},
		{[]string{"copy", "--from", "sqlite:a.db"}, `copy needs --from and --to`},
	} {
		r := runBinary(t, nil, "", c.args...)
		if r.code != 2 || !strings.Contains(r.stderr, c.want) {
			t.Errorf("agentdesk %v: exit %d, stderr %q; want exit 2 and %q", c.args, r.code, r.stderr, c.want)
		}
	}
	// A bad value in a variable names the variable.
	r := runBinary(t, []string{"AGENTDESK_RATE_LIMIT_TOKEN=fast"}, "", "serve", "--addr", "127.0.0.1:0", "--database", "sqlite:"+filepath.Join(t.TempDir(), "x.db"))
	if r.code != 1 || !strings.Contains(r.stderr, "AGENTDESK_RATE_LIMIT_TOKEN") {
		t.Errorf("bad AGENTDESK_RATE_LIMIT_TOKEN: exit %d, %s", r.code, r.stderr)
	}
}

// TestWeakAdminPasswordReadsAsAMessage: `admin create` with a weak password
// exits 1 saying why, in words, without WEAK_PASSWORD.
func TestWeakAdminPasswordReadsAsAMessage(t *testing.T) {
	db, err := storetest.URL(t)
	if err != nil {
		t.Fatal(err)
	}
	if r := runBinary(t, nil, "", "migrate", "--database", db); r.code != 0 {
		t.Fatalf("migrate: %d %s", r.code, r.stderr)
	}
	r := runBinary(t, nil, "password\n", "admin", "create", "--database", db, "--email", "root@example.test")
	if r.code != 1 || !strings.Contains(r.stderr, "agentdesk: admin password: This password is one of the most commonly used") ||
		strings.Contains(r.stderr, "WEAK_PASSWORD") {
		t.Fatalf("weak password: exit %d, stderr %q", r.code, r.stderr)
	}
}

// TestMigrateStatusListsEveryMigration: on a new database every migration is
// pending; after migrate every one is listed as applied.
func TestMigrateStatusListsEveryMigration(t *testing.T) {
	db, err := storetest.EmptyURL(t)
	if err != nil {
		t.Fatal(err)
	}
	versions := migrationVersions(t)
	r := runBinary(t, nil, "", "migrate", "--status", "--database", db)
	if r.code != 0 {
		t.Fatalf("status: exit %d %s", r.code, r.stderr)
	}
	for _, v := range versions {
		if !regexp.MustCompile(`(?m)^` + v + `\s+\S+\s+pending$`).MatchString(r.stdout) {
			t.Errorf("status on a new database does not list %s as pending:\n%s", v, r.stdout)
		}
	}
	if r := runBinary(t, nil, "", "migrate", "--database", db); r.code != 0 {
		t.Fatalf("migrate: %d %s", r.code, r.stderr)
	}
	r = runBinary(t, nil, "", "migrate", "--status", "--database", db)
	for _, v := range versions {
		if !regexp.MustCompile(`(?m)^` + v + `\s+\S+\s+applied \d{4}-\d\d-\d\dT`).MatchString(r.stdout) {
			t.Errorf("status after migrate does not list %s as applied:\n%s", v, r.stdout)
		}
	}
	if !strings.Contains(r.stdout, "all applied") {
		t.Errorf("status after migrate: %s", r.stdout)
	}
}

// migrationVersions are the versions of the migrations of the dialect the
// tests run on.
func migrationVersions(t *testing.T) []string {
	t.Helper()
	dir, err := store.MigrationDir(storetest.Dialect())
	if err != nil {
		t.Fatal(err)
	}
	files, err := dir.Files()
	if err != nil || len(files) == 0 {
		t.Fatalf("migration files: %v %v", files, err)
	}
	var out []string
	for _, f := range files {
		out = append(out, f.Version())
	}
	return out
}

// TestServeOnABusyPort names the flag and the variable that choose another
// address.
func TestServeOnABusyPort(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	r := runBinary(t, nil, "", "serve", "--addr", ln.Addr().String(), "--database", "sqlite:"+filepath.Join(t.TempDir(), "x.db"))
	if r.code != 1 || !strings.Contains(r.stderr, "--addr") || !strings.Contains(r.stderr, "AGENTDESK_ADDR") ||
		!strings.Contains(r.stderr, ln.Addr().String()) {
		t.Fatalf("busy port: exit %d, stderr %q", r.code, r.stderr)
	}
}

// TestServeWarnsWithoutAdmin: on a database without a platform admin serve
// says that nobody can sign in and how to create one; with a bootstrap
// admin it says nothing of the kind.
func TestServeWarnsWithoutAdmin(t *testing.T) {
	db, err := storetest.URL(t)
	if err != nil {
		t.Fatal(err)
	}
	stderr := serveUntilListening(t, nil, "--migrate", "--addr", "127.0.0.1:0", "--database", db)
	if !strings.Contains(stderr, "no platform admin") || !strings.Contains(stderr, "agentdesk admin create --email") {
		t.Fatalf("no warning without a platform admin:\n%s", stderr)
	}
	stderr = serveUntilListening(t, []string{"AGENTDESK_BOOTSTRAP_ADMIN_EMAIL=root@example.test",
		"AGENTDESK_BOOTSTRAP_ADMIN_PASSWORD=a long admin passphrase"}, "--addr", "127.0.0.1:0", "--database", db)
	if strings.Contains(stderr, "no platform admin") {
		t.Fatalf("warned although a platform admin exists:\n%s", stderr)
	}
}

// serveUntilListening starts `agentdesk serve args…`, waits until it logs
// that it listens, stops it with SIGTERM and returns its stderr until then.
func serveUntilListening(t *testing.T, env []string, args ...string) string {
	t.Helper()
	cmd := exec.Command(agentdeskBinary(t), append([]string{"serve"}, args...)...)
	cmd.Env = append(cleanEnv(), env...)
	pipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(pipe)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	var got strings.Builder
	timeout := time.After(2 * time.Minute)
	for done := false; !done; {
		select {
		case line, ok := <-lines:
			if !ok {
				t.Fatalf("serve exited before listening:\n%s", got.String())
			}
			got.WriteString(line + "\n")
			done = strings.Contains(line, "agentdesk listening")
		case <-timeout:
			_ = cmd.Process.Kill()
			t.Fatalf("serve did not start:\n%s", got.String())
		}
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	for range lines { // until serve closes stderr as it exits
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("serve after SIGTERM: %v", err)
	}
	return got.String()
}
