package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/agentdesk/agentdesk/internal/admin"
	"github.com/agentdesk/agentdesk/internal/provision"
	"github.com/agentdesk/agentdesk/internal/store/storetest"
	"github.com/agentdesk/agentdesk/internal/testserver"
)

// The example spec of the README, which these tests apply.
const exampleSpec = "../../docs/examples/tenant.yaml"

// applyTarget is where a test runs apply and export: the flags that name
// a migrated database, or a test server (with its root token in
// AGENTDESK_TOKEN).
func databaseTarget(t *testing.T) []string {
	t.Helper()
	db, err := storetest.URL(t)
	if err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"migrate", "--database", db}, nil, &out, &errOut); err != nil {
		t.Fatalf("migrate: %v %s", err, errOut.String())
	}
	return []string{"--database", db}
}

func serverTarget(t *testing.T) []string {
	t.Helper()
	s := testserver.New(t)
	t.Setenv("AGENTDESK_TOKEN", s.RootToken())
	return []string{"--server", s.HTTP.URL}
}

// cli runs the binary's run in-process; it returns stdout, stderr and the
// error, with dir written as DIR so that runs in two directories compare.
type cli struct {
	t      *testing.T
	target []string
	dir    string
	log    strings.Builder // every command and its output, for comparing targets
}

func (c *cli) run(args ...string) (stdout, stderr string, err error) {
	c.t.Helper()
	var out, errOut bytes.Buffer
	err = run(context.Background(), append(args, c.target...), nil, &out, &errOut)
	stdout = strings.ReplaceAll(out.String(), c.dir, "DIR")
	stderr = strings.ReplaceAll(errOut.String(), c.dir, "DIR")
	c.log.WriteString("$ " + strings.ReplaceAll(strings.Join(args, " "), c.dir, "DIR") + "\n" + stdout + stderr)
	return stdout, stderr, err
}

func (c *cli) ok(args ...string) string {
	c.t.Helper()
	out, errOut, err := c.run(args...)
	if err != nil {
		c.t.Fatalf("agentdesk %s: %v\n%s%s", strings.Join(args, " "), err, out, errOut)
	}
	return out
}

// file writes name in the test's directory from the example spec with
// edits (old, new pairs) and returns its path.
func (c *cli) file(name string, edits ...string) string {
	c.t.Helper()
	raw, err := os.ReadFile(exampleSpec)
	if err != nil {
		c.t.Fatal(err)
	}
	s := string(raw)
	for i := 0; i+1 < len(edits); i += 2 {
		if !strings.Contains(s, edits[i]) {
			c.t.Fatalf("the example has no %q", edits[i])
		}
		s = strings.Replace(s, edits[i], edits[i+1], 1)
	}
	p := filepath.Join(c.dir, name)
	if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
		c.t.Fatal(err)
	}
	return p
}

func mustContain(t *testing.T, what, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Fatalf("%s lacks %q:\n%s", what, w, got)
		}
	}
}

// applyScenario is the list, on one target: a dry run writes
// nothing; apply; apply again changes nothing; export, then apply the
// export with --prune changes nothing; a spec with an error in one entry
// applies nothing and names its line and column; --prune --dry-run lists
// and deletes nothing; --prune deletes (and deactivates). It returns the
// transcript.
func applyScenario(t *testing.T, target []string) string {
	c := &cli{t: t, target: target, dir: t.TempDir()}
	spec := c.file("tenant.yaml")

	dry := c.ok("apply", "-f", spec, "--dry-run")
	mustContain(t, "the dry run", dry, "  + tenant acme\n", "  + user ana@acme.example\n", "  + team Overflow\n",
		"  = dialPlan Any Format\n", "Plan: 10 to create, 0 to change, 0 to delete.\n", "Dry run: nothing was written.\n")
	if _, _, err := c.run("export", "--tenant", "acme"); err == nil {
		t.Fatal("the dry run created the tenant")
	}

	first := c.ok("apply", "-f", spec)
	if strings.ReplaceAll(first, "Applied.\n", "") != strings.ReplaceAll(dry, "Dry run: nothing was written.\n", "") {
		t.Fatalf("the apply's plan differs from the dry run's:\n%s\n%s", dry, first)
	}
	again := c.ok("apply", "-f", spec)
	mustContain(t, "the second apply", again, "  = user tia@acme.example\n", "Plan: 0 to create, 0 to change, 0 to delete.\n", "No changes")

	// A change shows its fields, old → new.
	changed := c.file("changed.yaml", "name: Ana Silva", "name: Ana Lima", "capacity: 20", "capacity: 25",
		"strippedChars: ' -()+'", "strippedChars: ' -'")
	mustContain(t, "the changed apply", c.ok("apply", "-f", changed, "--dry-run"),
		"  ~ user ana@acme.example\n      name: Ana Silva → Ana Lima\n",
		"  ~ team Overflow\n      capacity: 20 → 25\n",
		`      strippedChars: " -()+" → " -"`+"\n",
		"Plan: 0 to create, 3 to change, 0 to delete.\n")

	// The round trip.
	exported := filepath.Join(c.dir, "exported.yaml")
	c.ok("export", "--tenant", "acme", "-o", exported)
	raw, err := os.ReadFile(exported)
	if err != nil {
		t.Fatal(err)
	}
	mustContain(t, "the export", string(raw), "# Secrets are never exported", "slug: acme\n", "  - email: ben@acme.example\n")
	mustContain(t, "applying the export", c.ok("apply", "-f", exported, "--prune"), "No changes")

	// One bad entry (the second user's e-mail domain, found by the server)
	// after a good change (the tenant's name): nothing applies.
	bad := c.file("bad.yaml", "name: Acme Support", "name: Acme Renamed", "email: ben@acme.example", "email: ben@elsewhere.example")
	_, errOut, err := c.run("apply", "-f", bad)
	if !errors.Is(err, errReported) ||
		errOut != "DIR/bad.yaml:49:5: users[1].email: The e-mail domain elsewhere.example is not one of this organisation's domains (acme.example).\n" {
		t.Fatalf("bad entry: %v %q", err, errOut)
	}
	// An unknown key is found before anything is sent.
	typo := c.file("typo.yaml", "    role: SUPERVISOR\n", "    role: SUPERVISOR\n    team: Billing\n")
	if _, errOut, err := c.run("apply", "-f", typo); !errors.Is(err, errReported) || errOut != "DIR/typo.yaml:52:5: users[1].team: unknown field\n" {
		t.Fatalf("unknown key: %v %q", err, errOut)
	}
	mustContain(t, "after the errors", c.ok("apply", "-f", spec), "No changes")

	// Prune: Overflow, Ben and the US plan every tenant starts with are
	// not in the file.
	pruned := c.file("pruned.yaml", "  - name: Overflow\n    type: CAPACITY\n    capacity: 20\n", "",
		"  - email: ben@acme.example\n    name: Ben Okafor\n    role: SUPERVISOR\n    agentProfile: Supervisors\n    teams: [Billing]\n", "")
	wantPrune := []string{"  - team Overflow\n", "  - dialPlan US\n",
		"  - user ben@acme.example (deactivated, not deleted: not in the file)\n      active: true → false\n",
		"Plan: 0 to create, 0 to change, 2 to delete, 1 to deactivate.\n"}
	mustContain(t, "the pruning dry run", c.ok("apply", "-f", pruned, "--prune", "--dry-run"), append(wantPrune, "Dry run: nothing was written.\n")...)
	mustContain(t, "the export after the pruning dry run", c.ok("export", "--tenant", "acme"), "  - name: Overflow\n", "  - name: US\n")
	mustContain(t, "without --prune", c.ok("apply", "-f", pruned), "No changes")
	mustContain(t, "the prune", c.ok("apply", "-f", pruned, "--prune"), append(wantPrune, "Applied.\n")...)
	after := c.ok("export", "--tenant", "acme")
	if strings.Contains(after, "Overflow") || strings.Contains(after, "name: US") ||
		!strings.Contains(after, "  - email: ben@acme.example\n    name: Ben Okafor\n    role: SUPERVISOR\n    contactCenterEnabled: true\n    active: false\n") {
		t.Fatalf("the export after the prune:\n%s", after)
	}
	mustContain(t, "the prune again", c.ok("apply", "-f", pruned, "--prune"), "No changes")

	// --invite: the user the apply creates is invited, nobody else; a dry
	// run says how many would be.
	invited := c.file("invited.yaml", "  - name: Overflow\n    type: CAPACITY\n    capacity: 20\n", "",
		"  - email: ben@acme.example\n    name: Ben Okafor\n    role: SUPERVISOR\n    agentProfile: Supervisors\n    teams: [Billing]\n", "",
		"users:\n", "users:\n  - email: zoe@acme.example\n    name: Zoe Adams\n    role: AGENT\n    agentProfile: UK agents\n    teams: [Billing]\n")
	dryInvite := c.ok("apply", "-f", invited, "--invite", "--dry-run")
	mustContain(t, "apply --invite --dry-run", dryInvite, "  + user zoe@acme.example\n", "Plan: 1 to create, 0 to change, 0 to delete.\n",
		"Dry run: nothing was written.\n", "Invitations to set a password: 1 would be mailed.\n")
	mustContain(t, "apply --invite", c.ok("apply", "-f", invited, "--invite"), "  + user zoe@acme.example\n", "Applied.\n",
		"Invitations to set a password: 1 (the server's mail worker sends them).\n")
	if again := c.ok("apply", "-f", invited, "--invite"); !strings.Contains(again, "No changes") || strings.Contains(again, "Invitations") {
		t.Fatalf("applying again invited again:\n%s", again)
	}
	return c.log.String()
}

// TestApplyAndExport runs the scenario on the database and through a
// server, and the two print the same.
func TestApplyAndExport(t *testing.T) {
	var onDB, onServer string
	t.Run("database", func(t *testing.T) { onDB = applyScenario(t, databaseTarget(t)) })
	t.Run("server", func(t *testing.T) { onServer = applyScenario(t, serverTarget(t)) })
	if onDB != "" && onServer != "" && onDB != onServer {
		t.Fatalf("--database and --server print differently:\n--- database\n%s\n--- server\n%s", onDB, onServer)
	}
}

func TestApplyNeedsAToken(t *testing.T) {
	t.Setenv("AGENTDESK_TOKEN", "")
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"apply", "-f", exampleSpec, "--server", "http://127.0.0.1:1"}, nil, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "AGENTDESK_TOKEN") {
		t.Fatalf("no token: %v", err)
	}
}

// TestApplyBinary runs the built binary: exit 0 for a good file, 1 with
// FILE:LINE:COLUMN: message for a bad one, and 2 for a wrong command line.
func TestApplyBinary(t *testing.T) {
	db, err := storetest.URL(t)
	if err != nil {
		t.Fatal(err)
	}
	if r := runBinary(t, nil, "", "migrate", "--database", db); r.code != 0 {
		t.Fatalf("migrate: %d %s", r.code, r.stderr)
	}
	dir := t.TempDir()
	spec, err := filepath.Abs(exampleSpec)
	if err != nil {
		t.Fatal(err)
	}
	if r := runBinary(t, nil, "", "apply", "-f", spec, "--database", db); r.code != 0 || !strings.Contains(r.stdout, "Plan: 10 to create") {
		t.Fatalf("apply: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := runBinary(t, []string{"AGENTDESK_DATABASE_URL=" + db}, "", "apply", "-f", spec); r.code != 0 || !strings.Contains(r.stdout, "No changes") {
		t.Fatalf("apply again: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	raw, err := os.ReadFile(spec)
	if err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte(strings.Replace(string(raw), "role: SUPERVISOR", "role: BOSS", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	r := runBinary(t, nil, "", "apply", "-f", bad, "--database", db)
	if r.code != 1 || r.stderr != bad+":51:5: users[1].role: BOSS is not a valid Role\n" || r.stdout != "" {
		t.Fatalf("bad file: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if r := runBinary(t, nil, "", "apply", "--database", db); r.code != 2 {
		t.Fatalf("no -f: exit %d %s", r.code, r.stderr)
	}
	if r := runBinary(t, nil, "", "export", "--tenant", "nope", "--database", db); r.code != 1 || !strings.Contains(r.stderr, "agentdesk: export nope: not found") {
		t.Fatalf("export of an unknown tenant: exit %d %q", r.code, r.stderr)
	}
}

// TestExportLeavesSecretsOut: the file says where a secret was left out
// and never holds one, even when the spec read back has it.
func TestExportLeavesSecretsOut(t *testing.T) {
	secret := "s3cret"
	issuer := "https://teams.example"
	data, err := specYAML(&provision.TenantSpecInput{Slug: "acme", Name: "Acme", EmailDomains: []string{"acme.example"},
		Sso:              &admin.SsoSettingsInput{IssuerURL: "https://login.example", ClientID: "desk", ClientSecret: &secret},
		TeamsIntegration: &admin.TeamsIntegrationInput{Enabled: true, IssuerURL: &issuer, ClientSecret: &secret}})
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	mustContain(t, "the export", s, "# clientSecret is left out (a secret): an apply without it keeps the stored one.\nsso:\n",
		"# clientSecret is left out (a secret): an apply without it keeps the stored one.\nteamsIntegration:\n  enabled: true\n")
	if strings.Contains(s, secret) {
		t.Fatalf("the secret is in the file:\n%s", s)
	}
}
