package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The files of deploy/ are what operators copy; these tests keep them in
// step with the binary: every command line they run parses, every setting
// they name is one the binary reads, and the unit is valid for systemd.

const deployDir = "../../deploy"

// checkCommandLine runs args with -h appended: the flags before it parse
// (an unknown flag or command fails), and nothing starts.
func checkCommandLine(t *testing.T, where string, args []string) {
	t.Helper()
	if len(args) == 0 {
		t.Fatalf("%s: no command", where)
	}
	withHelp := append(append([]string{}, args...), "-h")
	err := run(context.Background(), withHelp, strings.NewReader(""), io.Discard, io.Discard)
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		t.Errorf("%s: agentdesk %s: %v", where, strings.Join(args, " "), err)
	}
}

// unitLines are the Key=Value lines of a systemd unit.
func unitLines(t *testing.T, path string) map[string][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string][]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "[") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			t.Fatalf("%s: %q is not Key=Value", path, line)
		}
		out[k] = append(out[k], v)
	}
	return out
}

var settingRef = regexp.MustCompile(`AGENTDESK_[A-Z0-9_]+`)

// knownSettings are the AGENTDESK_* names the command's non-test sources
// and the server's read.
func knownSettings(t *testing.T) map[string]bool {
	t.Helper()
	known := map[string]bool{}
	for _, glob := range []string{"*.go", "../../*.go"} {
		files, err := filepath.Glob(glob)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range settingRef.FindAllString(string(b), -1) {
				known[m] = true
			}
		}
	}
	return known
}

func TestSystemdUnitRunsRealCommands(t *testing.T) {
	unit := filepath.Join(deployDir, "agentdesk.service")
	lines := unitLines(t, unit)
	for _, key := range []string{"ExecStartPre", "ExecStart"} {
		if len(lines[key]) == 0 {
			t.Fatalf("%s: no %s", unit, key)
		}
		for _, cmd := range lines[key] {
			fields := strings.Fields(cmd)
			if filepath.Base(fields[0]) != "agentdesk" {
				t.Fatalf("%s: %s runs %s, not agentdesk", unit, key, fields[0])
			}
			checkCommandLine(t, unit+" "+key, fields[1:])
		}
	}
	known := knownSettings(t)
	for _, env := range lines["Environment"] {
		name, _, _ := strings.Cut(env, "=")
		if !known[name] {
			t.Errorf("%s: Environment names %s, which agentdesk does not read", unit, name)
		}
	}
	if got := lines["User"]; len(got) > 0 {
		t.Errorf("%s: runs as User=%v; the unit uses DynamicUser", unit, got)
	}
	if got := lines["DynamicUser"]; len(got) != 1 || got[0] != "yes" {
		t.Errorf("%s: DynamicUser = %v, want yes (never root)", unit, got)
	}
}

// TestSystemdUnitVerifies asks systemd itself, where it is installed.
func TestSystemdUnitVerifies(t *testing.T) {
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze is not installed (Debian package systemd); the unit's syntax is not checked")
	}
	b, err := os.ReadFile(filepath.Join(deployDir, "agentdesk.service"))
	if err != nil {
		t.Fatal(err)
	}
	// verify wants the executables to exist: point them at this test's binary.
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	unit := filepath.Join(t.TempDir(), "agentdesk.service")
	if err := os.WriteFile(unit, []byte(strings.ReplaceAll(string(b), "/usr/local/bin/agentdesk", self)), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(analyze, "verify", unit).CombinedOutput()
	if err != nil || len(strings.TrimSpace(string(out))) > 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
}

func TestEnvironmentFileNamesRealSettings(t *testing.T) {
	path := filepath.Join(deployDir, "agentdesk.env")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	known := knownSettings(t)
	n := 0
	for i, line := range strings.Split(string(b), "\n") {
		line = strings.TrimPrefix(strings.TrimSpace(line), "#")
		name, _, ok := strings.Cut(line, "=")
		if !ok || !strings.HasPrefix(name, "AGENTDESK_") || strings.ContainsAny(name, " `") {
			continue
		}
		n++
		if !known[name] {
			t.Errorf("%s:%d: %s is not a setting agentdesk reads", path, i+1, name)
		}
	}
	if n < 5 {
		t.Fatalf("%s: found %d settings; expected the example to name the usual ones", path, n)
	}
}

// dockerInstruction is one instruction of a Dockerfile, continuations joined.
type dockerInstruction struct {
	op, args string
	line     int
}

func dockerInstructions(t *testing.T, path string) []dockerInstruction {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []dockerInstruction
	var cur strings.Builder
	start := 0
	for i, line := range strings.Split(string(b), "\n") {
		trimmed := strings.TrimSpace(line)
		if cur.Len() == 0 && (trimmed == "" || strings.HasPrefix(trimmed, "#")) {
			continue
		}
		if cur.Len() == 0 {
			start = i + 1
		}
		cont := strings.HasSuffix(trimmed, "\\")
		cur.WriteString(strings.TrimSuffix(trimmed, "\\"))
		cur.WriteString(" ")
		if cont {
			continue
		}
		op, args, _ := strings.Cut(strings.TrimSpace(cur.String()), " ")
		out = append(out, dockerInstruction{op: strings.ToUpper(op), args: strings.TrimSpace(args), line: start})
		cur.Reset()
	}
	return out
}

func TestDockerfile(t *testing.T) {
	path := filepath.Join(deployDir, "Dockerfile")
	ins := dockerInstructions(t, path)
	var stages, health int
	var user, entrypoint string
	var cmd []string
	known := knownSettings(t)
	for _, in := range ins {
		at := path + ":" + strconv.Itoa(in.line)
		switch in.op {
		case "FROM":
			stages++
			user = "" // USER is per stage: the last stage's counts
		case "USER":
			user = in.args
		case "HEALTHCHECK":
			health++
			if !strings.Contains(in.args, "/readyz") {
				t.Errorf("%s: HEALTHCHECK does not ask /readyz: %s", at, in.args)
			}
		case "ENTRYPOINT":
			var e []string
			if err := json.Unmarshal([]byte(in.args), &e); err != nil || len(e) != 1 {
				t.Fatalf("%s: ENTRYPOINT %s: want the exec form with the binary alone", at, in.args)
			}
			entrypoint = e[0]
		case "CMD":
			if err := json.Unmarshal([]byte(in.args), &cmd); err != nil {
				t.Fatalf("%s: CMD %s: want the exec form", at, in.args)
			}
		case "ENV":
			for _, m := range settingRef.FindAllString(in.args, -1) {
				if !known[m] {
					t.Errorf("%s: ENV names %s, which agentdesk does not read", at, m)
				}
			}
		case "RUN":
			if strings.Contains(in.args, "go build") {
				if !strings.Contains(in.args, "CGO_ENABLED=1") || !strings.Contains(in.args, "./cmd/agentdesk") {
					t.Errorf("%s: the build must be cgo (SQLite) of ./cmd/agentdesk: %s", at, in.args)
				}
			}
		}
	}
	if stages < 2 {
		t.Errorf("%s: %d stages; want a build stage and a runtime stage", path, stages)
	}
	if user == "" || user == "root" || strings.HasPrefix(user, "0") {
		t.Errorf("%s: the runtime stage runs as %q; want a non-root USER", path, user)
	}
	if health != 1 {
		t.Errorf("%s: %d HEALTHCHECKs, want one", path, health)
	}
	if filepath.Base(entrypoint) != "agentdesk" {
		t.Errorf("%s: ENTRYPOINT %q, want the agentdesk binary", path, entrypoint)
	}
	checkCommandLine(t, path+" CMD", cmd)
}
