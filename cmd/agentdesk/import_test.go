package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/agentdesk/agentdesk"
	"github.com/agentdesk/agentdesk/ent/team"
	"github.com/agentdesk/agentdesk/ent/user"
	"github.com/agentdesk/agentdesk/internal/admin"
	"github.com/agentdesk/agentdesk/internal/demo"
	"github.com/agentdesk/agentdesk/internal/provision"
	"github.com/agentdesk/agentdesk/internal/signin"
	"github.com/agentdesk/agentdesk/internal/station"
	"github.com/agentdesk/agentdesk/internal/store"
	"github.com/agentdesk/agentdesk/internal/store/storetest"
	"github.com/agentdesk/agentdesk/policy"
)

// importHeader is the header of the test files: every column.
const importHeader = "email,name,role,agentProfile,teams,defaultDialNumber,defaultExtension,skillProfile,contactCenterEnabled,active"

// importTenant makes a migrated database with the tenant slug (profile
// Inbound, teams Sales and Support, skill profile Tier 1) and returns its URL.
func importTenant(t testing.TB, slug string) string {
	t.Helper()
	dbURL, err := storetest.URL(t)
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := policy.System(context.Background(), "test set-up")
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	settings := admin.DefaultTenantSettings()
	settings.Name, settings.Slug, settings.EmailDomains = slug, slug, []string{slug + ".test"}
	if settings, err = settings.Validate(); err != nil {
		t.Fatal(err)
	}
	tn, err := admin.CreateTenantTx(ctx, db.Client, settings)
	if err != nil {
		t.Fatal(err)
	}
	c := db.Client
	c.AgentProfile.Create().SetTenantID(tn.ID).SetName("Inbound").SetLoginVoiceOptions([]station.Type{station.DialNumber}).ExecX(ctx)
	c.SkillProfile.Create().SetTenantID(tn.ID).SetName("Tier 1").SetSkills(nil).ExecX(ctx)
	c.Team.Create().SetTenantID(tn.ID).SetName("Sales").SetType(team.TypeAGENT).ExecX(ctx)
	c.Team.Create().SetTenantID(tn.ID).SetName("Support").SetType(team.TypeAGENT).ExecX(ctx)
	return dbURL
}

// writeUsersCSV writes usersCSV to a file.
func writeUsersCSV(t *testing.T, name, slug string, n int, edit func(i int, row string) string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(usersCSV(slug, n, edit)), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// usersCSV is a file of n agents of slug; edit may change row i (0-based,
// on line i+2).
func usersCSV(slug string, n int, edit func(i int, row string) string) string {
	var b strings.Builder
	b.WriteString(importHeader + "\n")
	for i := range n {
		row := fmt.Sprintf("agent%05d@%s.test,Agent %d,AGENT,Inbound,Sales;Support,,%d,Tier 1,true,true", i, slug, i, 10000+i)
		if edit != nil {
			row = edit(i, row)
		}
		b.WriteString(row + "\n")
	}
	return b.String()
}

// tenantUsers counts the users of the tenant slug.
func tenantUsers(t *testing.T, dbURL, slug string) int {
	t.Helper()
	db, err := store.Open(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := policy.System(context.Background(), "test counts users")
	n, err := db.Client.User.Query().Where(user.EmailHasSuffix("@" + slug + ".test")).Count(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestImportUsersThroughTheBinary: a 12,000-row file (three chunks) with
// two bad rows — one in the first chunk, one repeating the e-mail of the
// first row in the third — reports both with their lines, exits 1 and
// writes nothing; --dry-run writes nothing; the file without the bad rows
// imports all 12,000 users. Progress is a line per chunk (stderr is not a
// terminal here).
func TestImportUsersThroughTheBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("imports 12,000 users")
	}
	const slug, rows = "bulk", 12000
	dbURL := importTenant(t, slug)
	bad := writeUsersCSV(t, "bad.csv", slug, rows, func(i int, row string) string {
		switch i {
		case 99: // line 101
			return strings.Replace(row, ",AGENT,", ",CAPTAIN,", 1)
		case 10999: // line 11001, in the third chunk
			return strings.Replace(row, "agent10999@", "agent00000@", 1)
		}
		return row
	})
	good := writeUsersCSV(t, "users.csv", slug, rows, nil)

	start := time.Now()
	r := runBinary(t, nil, "", "import", "users", bad, "--tenant", slug, "--database", dbURL)
	if r.code != 1 {
		t.Fatalf("bad file: exit %d, want 1\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{
		bad + `:101: role: "CAPTAIN" is not a role`,
		bad + ":11001: email: agent00000@bulk.test is also on line 2",
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("bad file: stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	if !strings.Contains(r.stdout, "2 of 12000 rows have errors; nothing was written") {
		t.Errorf("bad file: stdout %q", r.stdout)
	}
	if n := tenantUsers(t, dbURL, slug); n != 0 {
		t.Fatalf("a file with bad rows wrote %d users", n)
	}
	t.Logf("bad file: %s", time.Since(start).Round(time.Millisecond))

	start = time.Now()
	r = runBinary(t, nil, "", "import", "users", good, "--tenant", slug, "--database", dbURL, "--dry-run")
	if r.code != 0 || !strings.Contains(r.stdout, "would create 12000 users") {
		t.Fatalf("dry run: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{"chunk 1 (lines 2–5001): 5000 rows, 0 with errors", "chunk 3 (lines 10002–12001): 2000 rows, 0 with errors"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("dry run: no progress line %q:\n%s", want, r.stderr)
		}
	}
	if n := tenantUsers(t, dbURL, slug); n != 0 {
		t.Fatalf("a dry run wrote %d users", n)
	}
	t.Logf("dry run: %s", time.Since(start).Round(time.Millisecond))

	start = time.Now()
	r = runBinary(t, nil, "", "import", "users", good, "--tenant", slug, "--database", dbURL)
	if r.code != 0 || !strings.Contains(r.stdout, "imported 12000 rows in 3 chunks: 12000 users created") {
		t.Fatalf("import: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stderr, "wrote "+good+" chunk 3 of 3 (lines 10002–12001): 2000 created") {
		t.Errorf("import: no progress line for the last chunk:\n%s", r.stderr)
	}
	if n := tenantUsers(t, dbURL, slug); n != rows {
		t.Fatalf("after the import the tenant has %d users, want %d", n, rows)
	}
	t.Logf("import: %s", time.Since(start).Round(time.Millisecond))
}

// TestImportUsersThroughTheServer: --server imports through importUsers with
// the token from AGENTDESK_TOKEN; a bad row is reported by its line.
func TestImportUsersThroughTheServer(t *testing.T) {
	const slug = "remote"
	dbURL := importTenant(t, slug)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	t.Setenv("AGENTDESK_BOOTSTRAP_ADMIN_PASSWORD", "a long admin passphrase")
	addr, done := startServe(t, ctx, func(string) bool { return true },
		"--addr", "127.0.0.1:0", "--database", dbURL, "--bootstrap-admin-email", "root@example.test")
	token := signInToken(t, "http://"+addr, "root@example.test", "a long admin passphrase")
	bad := writeUsersCSV(t, "small.csv", slug, 20, func(i int, row string) string {
		if i == 4 {
			return strings.Replace(row, "Tier 1", "Tier 9", 1)
		}
		return row
	})
	good := writeUsersCSV(t, "small-good.csv", slug, 20, nil)
	server := []string{"--server", "http://" + addr}

	r := runBinary(t, nil, "", append([]string{"import", "users", good, "--tenant", slug}, server...)...)
	if r.code != 1 || !strings.Contains(r.stderr, "AGENTDESK_TOKEN") {
		t.Errorf("without a token: exit %d %s", r.code, r.stderr)
	}
	env := []string{"AGENTDESK_TOKEN=" + token}
	r = runBinary(t, env, "", append([]string{"import", "users", bad, "--tenant", slug}, server...)...)
	if r.code != 1 || !strings.Contains(r.stderr, bad+`:6: skillProfile: There is no skill profile named "Tier 9"`) {
		t.Errorf("bad row through the server: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	r = runBinary(t, env, "", append([]string{"import", "users", good, "--tenant", "nosuch"}, server...)...)
	if r.code != 1 || !strings.Contains(r.stderr, `no tenant with the slug "nosuch"`) {
		t.Errorf("unknown tenant: exit %d %s", r.code, r.stderr)
	}
	r = runBinary(t, env, "", append([]string{"import", "users", good, "--tenant", slug}, server...)...)
	if r.code != 0 || !strings.Contains(r.stdout, "imported 20 rows in 1 chunks: 20 users created") {
		t.Fatalf("import through the server: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if n := tenantUsers(t, dbURL, slug); n != 20 {
		t.Fatalf("the tenant has %d users, want 20", n)
	}
}

func signInToken(t *testing.T, base, email, password string) string {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": `mutation($e:String!,$p:String!){ signIn(email:$e,password:$p){ token } }`,
		"variables": map[string]any{"e": email, "p": password}})
	res, err := http.Post(base+"/graphql", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out struct {
		Data struct{ SignIn struct{ Token string } }
	}
	raw, _ := io.ReadAll(res.Body)
	if err := json.Unmarshal(raw, &out); err != nil || out.Data.SignIn.Token == "" {
		t.Fatalf("sign in: %s", raw)
	}
	return out.Data.SignIn.Token
}

// failingImporter accepts every chunk of the check and fails the write of
// chunk failAt.
type failingImporter struct {
	failAt int
	writes int
}

func (*failingImporter) tenantID(context.Context, string) (string, error) { return "tnt", nil }

func (f *failingImporter) importChunk(_ context.Context, _, text string, opt provision.Options) (*provision.ImportReport, error) {
	rows := strings.Count(text, "\n") - 1
	if opt.DryRun {
		return &provision.ImportReport{Created: rows, DryRun: true}, nil
	}
	f.writes++
	if f.writes == f.failAt {
		return nil, errors.New("connection reset by peer")
	}
	return &provision.ImportReport{Created: rows}, nil
}

// TestImportSaysWhichChunksWereWritten: when the write of a chunk fails,
// the import stops and names the chunks written and those not.
func TestImportSaysWhichChunksWereWritten(t *testing.T) {
	path := writeUsersCSV(t, "users.csv", "acme", 12000, nil)
	var stdout, stderr bytes.Buffer
	c := &invocation{stdout: &stdout, stderr: &stderr}
	imp := &failingImporter{failAt: 2}
	err := importUsers(context.Background(), c, imp, importOptions{path: path, tenant: "acme"})
	if !errors.Is(err, errReported) {
		t.Fatalf("err = %v", err)
	}
	for _, want := range []string{
		"the import stopped at chunk 2 of 3 (lines 5002–10001): connection reset by peer",
		"written: chunks 1–1 (lines 2–5001): 5000 created",
		"not written: chunks 2–3 (lines 5002–12001)",
	} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
		}
	}
	if imp.writes != 2 {
		t.Errorf("%d chunk writes, want 2 (none after the failure)", imp.writes)
	}
}

// TestExampleUsersFileImportsIntoTheDemo keeps docs/examples/users.csv
// true: it imports into the demo tenant without an error.
func TestExampleUsersFileImportsIntoTheDemo(t *testing.T) {
	dbURL, err := storetest.URL(t)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	app, err := agentdesk.New(ctx, agentdesk.Config{DatabaseURL: dbURL, Migrate: true,
		BootstrapAdminEmail: "root@example.test", BootstrapAdminPassword: "a long admin passphrase",
		PasswordHash: &signin.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32},
		Logger:       slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Load(ctx, app); err != nil {
		app.Close()
		t.Fatal(err)
	}
	if err := app.Close(); err != nil {
		t.Fatal(err)
	}
	example, err := filepath.Abs("../../docs/examples/users.csv")
	if err != nil {
		t.Fatal(err)
	}
	r := runBinary(t, nil, "", "import", "users", example, "--tenant", demo.Slug, "--database", dbURL, "--invite")
	if r.code != 0 || !strings.Contains(r.stdout, "5 users created") || !strings.Contains(r.stdout, "invited") {
		t.Fatalf("example import: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
}

// TestImportFileProblems: a file that cannot be imported as a whole says
// why and writes nothing (exit 1); a wrong command line exits 2.
func TestImportFileProblems(t *testing.T) {
	const slug = "probs"
	dbURL := importTenant(t, slug)
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	row := "ana@probs.test,Ana\n"
	for _, c := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"unknown column", []string{write("col.csv", "email,name,shoeSize\n"+"ana@probs.test,Ana,42\n")}, 1, `Unknown column "shoeSize"`},
		{"empty file", []string{write("empty.csv", "")}, 1, "the file is empty"},
		{"header only", []string{write("header.csv", "email,name\n")}, 1, "a header but no rows"},
		{"bad quoting", []string{write("quote.csv", "email,name\n"+row+"bo@probs.test,\"Bo\n")}, 1, "quote.csv:3: csv: not valid CSV"},
		{"missing file", []string{filepath.Join(dir, "nope.csv")}, 1, "no such file"},
		{"number twice", []string{write("num.csv", "email,name,defaultDialNumber\n"+
			"ana@probs.test,Ana,+1 212 555 0141\nbo@probs.test,Bo,+1 212 555  0141\n")}, 1,
			"num.csv:3: defaultDialNumber: +12125550141 is also the default dial number on line 2."},
		{"e-mail twice", []string{write("mail.csv", "email,name\n"+row+"bo@probs.test,Bo\nANA@probs.test ,Ana\n")}, 1,
			"mail.csv:4: email: ana@probs.test is also on line 2; each user may appear once."},
		{"unknown tenant", []string{write("ok.csv", "email,name\n"+row), "--tenant", "nosuch"}, 1, `no tenant with the slug "nosuch"`},
		{"no tenant", []string{write("ok2.csv", "email,name\n"+row), "--tenant", ""}, 2, "--tenant is required"},
		{"two files", []string{write("ok3.csv", "email,name\n"+row), write("ok4.csv", "email,name\n"+row)}, 2, "agentdesk import users FILE.csv"},
	} {
		args := append([]string{"import", "users"}, c.args...)
		if !strings.Contains(strings.Join(c.args, " "), "--tenant") {
			args = append(args, "--tenant", slug)
		}
		r := runBinary(t, nil, "", append(args, "--database", dbURL)...)
		if r.code != c.code || !strings.Contains(r.stderr+r.stdout, c.want) {
			t.Errorf("%s: exit %d, want %d and %q:\n%s%s", c.name, r.code, c.code, c.want, r.stdout, r.stderr)
		}
	}
	if n := tenantUsers(t, dbURL, slug); n != 0 {
		t.Fatalf("%d users written", n)
	}
}

// TestImportShowsABarOnATerminal: with stderr on a terminal the import
// draws a progress bar for each pass instead of a line per chunk. The
// terminal is a pseudo-terminal from script(1) (Debian's bsdutils, which
// every Debian system has).
func TestImportShowsABarOnATerminal(t *testing.T) {
	script, err := exec.LookPath("script")
	if err != nil {
		t.Skip("script(1) is not installed (Debian's bsdutils): no terminal to give the import")
	}
	const slug = "tty"
	dbURL := importTenant(t, slug)
	csv := writeUsersCSV(t, "users.csv", slug, 6000, nil) // two chunks
	quote := func(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
	line := strings.Join([]string{quote(agentdeskBinary(t)), "import", "users", quote(csv), "--tenant", slug, "--database", quote(dbURL)}, " ")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, script, "-qefc", line, "/dev/null")
	cmd.Env = cleanEnv()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("import on a terminal: %v\n%s", err, out)
	}
	screen := string(out)
	for _, want := range []string{"checking users.csv", "importing users.csv", "100%", "imported 6000 rows in 2 chunks: 6000 users created"} {
		if !strings.Contains(screen, want) {
			t.Errorf("the terminal shows no %q:\n%s", want, screen)
		}
	}
	// The lines for logs and pipes are not drawn on a terminal.
	if strings.Contains(screen, "checked "+csv+" chunk") || strings.Contains(screen, "wrote "+csv+" chunk") {
		t.Errorf("the terminal shows the plain progress lines:\n%s", screen)
	}
	if n := tenantUsers(t, dbURL, slug); n != 6000 {
		t.Fatalf("after the import the tenant has %d users, want 6000", n)
	}
}
