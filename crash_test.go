package agentdesk_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"entgo.io/ent/dialect"

	"github.com/agentdesk/agentdesk"
	"github.com/agentdesk/agentdesk/internal/store"
	"github.com/agentdesk/agentdesk/internal/store/storetest"
	"github.com/agentdesk/agentdesk/internal/testserver"
	"github.com/agentdesk/agentdesk/policy"
)

// The crash tests run the server in a child process (this test binary run
// again), kill it with SIGKILL while a large multi-row change is in flight,
// and check that the database holds all of the change or none of it, passes
// SQLite's integrity check, and serves again with nothing committed lost.
// They run on the test database of the run: SQLite, or PostgreSQL with
// AGENTDESK_TEST_DATABASE_URL, where the killed client's backend must roll
// the open transaction back when its connection drops.

const crashChildEnv = "AGENTDESK_CRASH_CHILD_DB_URL"

func TestMain(m *testing.M) {
	if db := os.Getenv(crashChildEnv); db != "" {
		runCrashChild(db)
		return
	}
	os.Exit(m.Run())
}

// runCrashChild serves on db until it is killed.
func runCrashChild(db string) {
	app, err := agentdesk.New(context.Background(), agentdesk.Config{
		DatabaseURL: db, Migrate: true,
		BootstrapAdminEmail: testserver.AdminEmail, BootstrapAdminPassword: testserver.AdminPassword,
		PasswordHash: &testserver.CheapHash,
		Logger:       slog.New(slog.NewTextHandler(io.Discard, nil)),
		RateLimit:    agentdesk.RateLimit{AnonymousPerSecond: 1e6, AnonymousBurst: 1e6, TokenPerSecond: 1e6, TokenBurst: 1e6},
	})
	if err != nil {
		fmt.Println("ERR", err)
		os.Exit(2)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Println("ERR", err)
		os.Exit(2)
	}
	fmt.Println("ADDR", ln.Addr().String())
	_ = http.Serve(ln, app.Handler)
}

type child struct {
	cmd  *exec.Cmd
	base string
}

func startChild(t *testing.T, db string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+db)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "ADDR ") {
		_ = cmd.Process.Kill()
		t.Fatalf("child did not start: %q %v", line, err)
	}
	return &child{cmd: cmd, base: "http://" + strings.TrimSpace(strings.TrimPrefix(line, "ADDR "))}
}

func (c *child) kill() {
	_ = c.cmd.Process.Kill() // SIGKILL: no deferred code, no shutdown
	_ = c.cmd.Wait()
}

func (c *child) do(t *testing.T, token, query string, vars map[string]any, out any) error {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, c.base+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	var env struct {
		Data   json.RawMessage
		Errors []struct{ Message string }
	}
	if err := json.NewDecoder(res.Body).Decode(&env); err != nil {
		return err
	}
	if len(env.Errors) > 0 {
		return fmt.Errorf("%s", env.Errors[0].Message)
	}
	if out != nil {
		return json.Unmarshal(env.Data, out)
	}
	return nil
}

func (c *child) signIn(t *testing.T) string {
	t.Helper()
	var out struct{ SignIn struct{ Token string } }
	if err := c.do(t, "", `mutation($e:String!,$p:String!){ signIn(email:$e,password:$p){ token } }`,
		map[string]any{"e": testserver.AdminEmail, "p": testserver.AdminPassword}, &out); err != nil {
		t.Fatal(err)
	}
	return out.SignIn.Token
}

// dbState is what the crash checks compare: row counts and, on SQLite, the
// integrity check's verdict. On PostgreSQL it first waits until the killed
// child's backends are gone, so that their transactions have ended one way
// or the other.
func dbState(t *testing.T, dbURL string) (users, tenants int) {
	t.Helper()
	db, err := store.Open(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := policy.System(context.Background(), "the crash tests count every row")
	if db.Dialect == dialect.Postgres {
		for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			var others int
			if err := db.SQL.QueryRow(`SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`).Scan(&others); err != nil {
				t.Fatal(err)
			}
			if others == 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the killed server's %d connection(s) are still open after 30 s", others)
			}
		}
	} else {
		var verdict string
		if err := db.SQL.QueryRow("PRAGMA integrity_check").Scan(&verdict); err != nil || verdict != "ok" {
			t.Fatalf("integrity_check: %q %v", verdict, err)
		}
	}
	return db.Client.User.Query().CountX(ctx), db.Client.Tenant.Query().CountX(ctx)
}

// waitForWritingTransaction waits until a connection to the PostgreSQL
// database at dbURL holds a transaction that has written (it has a
// transaction id) and is not committing yet.
func waitForWritingTransaction(t *testing.T, dbURL string) {
	t.Helper()
	db, err := store.Open(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		var writing int
		if err := db.SQL.QueryRow(`SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database()
			AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL AND query NOT ILIKE 'commit%'`).Scan(&writing); err != nil {
			t.Fatal(err)
		}
		if writing > 0 {
			return
		}
	}
	t.Fatal("no writing transaction seen within 30 s")
}

// crashDB is the test's database for the child to serve on.
func crashDB(t *testing.T) string {
	t.Helper()
	u, err := storetest.EmptyURL(t)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func csvOf(n int, domain string) string {
	var b strings.Builder
	b.WriteString("email,name,role,defaultDialNumber\n")
	for i := range n {
		fmt.Fprintf(&b, "agent%05d@%s,Agent %d,AGENT,+1212%07d\n", i, domain, i, 3000000+i)
	}
	return b.String()
}

func TestCrashDuringImportIsAllOrNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	db := crashDB(t)
	c := startChild(t, db)
	root := c.signIn(t)
	var tn struct{ CreateTenant struct{ ID string } }
	if err := c.do(t, root, `mutation{ createTenant(input:{name:"Crash", slug:"crash", emailDomains:["crash.test"]}){ id } }`, nil, &tn); err != nil {
		t.Fatal(err)
	}
	c.kill()
	usersBefore, tenantsBefore := dbState(t, db)
	if usersBefore < 1 {
		t.Fatalf("the database shows %d users before the crash, not even the platform admin: the counts read nothing", usersBefore)
	}
	const rows = 5000
	csv := csvOf(rows, "crash.test")

	killedMidway := false
	for _, delay := range []time.Duration{50 * time.Millisecond, 150 * time.Millisecond, 400 * time.Millisecond, 900 * time.Millisecond} {
		c := startChild(t, db)
		root := c.signIn(t)
		done := make(chan error, 1)
		go func() {
			done <- c.do(t, root, `mutation($t:ID!,$csv:String!){ importUsers(tenantId:$t, csv:$csv){ created failed } }`,
				map[string]any{"t": tn.CreateTenant.ID, "csv": csv}, nil)
		}()
		time.Sleep(delay)
		c.kill()
		finished := false
		select {
		case err := <-done:
			finished = err == nil
		case <-time.After(5 * time.Second):
			t.Fatal("the request neither finished nor failed after the kill")
		}
		users, tenants := dbState(t, db)
		switch {
		case users == usersBefore:
			if finished {
				t.Fatalf("delay %s: the import answered success but nothing is stored", delay)
			}
			killedMidway = true
			t.Logf("killed after %s: nothing of the import is stored", delay)
		case users == usersBefore+rows:
			t.Logf("killed after %s: the import had committed whole", delay)
			// It committed before the kill; the next round starts from here.
			usersBefore = users
		default:
			t.Fatalf("delay %s: %d users after the crash, want %d or %d: a partial import", delay, users, usersBefore, usersBefore+rows)
		}
		if tenants != tenantsBefore {
			t.Fatalf("tenants %d, want %d", tenants, tenantsBefore)
		}
		if usersBefore > 1 {
			// Delete the committed import so the next round imports anew.
			break
		}
	}
	if !killedMidway {
		t.Log("every import committed before its kill; the machine is fast — all-or-nothing still held")
	}
	// The server starts again on the same file, and what was committed is there.
	c = startChild(t, db)
	defer c.kill()
	root = c.signIn(t)
	var got struct{ Tenant struct{ Slug string } }
	if err := c.do(t, root, `query($id:ID!){ tenant(id:$id){ slug } }`, map[string]any{"id": tn.CreateTenant.ID}, &got); err != nil || got.Tenant.Slug != "crash" {
		t.Fatalf("after restart: %+v %v", got, err)
	}
}

func TestCrashDuringApplyTenantIsAllOrNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	db := crashDB(t)
	const users = 3000
	spec := map[string]any{
		"slug": "big", "name": "Big", "emailDomains": []string{"big.test"},
		"dialPlans":     []map[string]any{{"name": "UK", "regularExpression": "44[0-9]{10}"}},
		"agentProfiles": []map[string]any{{"name": "Agents", "loginVoiceOptions": []string{"DIAL_NUMBER"}, "dialNumberValidation": "DIAL_PLAN", "dialPlans": []string{"UK"}}},
		"teams":         []map[string]any{{"name": "Support", "type": "AGENT"}, {"name": "Overflow", "type": "CAPACITY", "capacity": 5}},
	}
	var us []map[string]any
	for i := range users {
		us = append(us, map[string]any{"email": fmt.Sprintf("u%05d@big.test", i), "name": fmt.Sprintf("User %d", i), "role": "AGENT",
			"agentProfile": "Agents", "teams": []string{"Support"}, "defaultDialNumber": fmt.Sprintf("+4420%08d", 30000000+i)})
	}
	spec["users"] = us
	// Warm up: migrate and create the platform admin, then stop cleanly.
	c := startChild(t, db)
	c.kill()
	usersBefore, tenantsBefore := dbState(t, db)
	if usersBefore < 1 {
		t.Fatalf("the database shows %d users before the crash, not even the platform admin: the counts read nothing", usersBefore)
	}

	if store.IsPostgres(db) {
		// On PostgreSQL the kill can be aimed: wait until the child's
		// transaction has written rows, then kill it mid-transaction.
		c := startChild(t, db)
		root := c.signIn(t)
		done := make(chan error, 1)
		go func() {
			done <- c.do(t, root, `mutation($s: TenantSpecInput!){ applyTenant(spec:$s){ changes { action } } }`, map[string]any{"s": spec}, nil)
		}()
		waitForWritingTransaction(t, db)
		c.kill()
		<-done
		if got, tenants := dbState(t, db); got != usersBefore || tenants != tenantsBefore {
			t.Fatalf("killed mid-transaction: %d users and %d tenants, want %d and %d", got, tenants, usersBefore, tenantsBefore)
		}
		t.Log("killed while its transaction had written rows: nothing of the apply is stored")
	}

	applied := false
	for _, delay := range []time.Duration{100 * time.Millisecond, 300 * time.Millisecond, 700 * time.Millisecond} {
		c := startChild(t, db)
		root := c.signIn(t)
		done := make(chan error, 1)
		go func() {
			done <- c.do(t, root, `mutation($s: TenantSpecInput!){ applyTenant(spec:$s){ changes { action } } }`, map[string]any{"s": spec}, nil)
		}()
		time.Sleep(delay)
		c.kill()
		finished := false
		select {
		case err := <-done:
			finished = err == nil
		case <-time.After(5 * time.Second):
			t.Fatal("the request neither finished nor failed after the kill")
		}
		got, tenants := dbState(t, db)
		switch {
		case got == usersBefore && tenants == tenantsBefore:
			if finished {
				t.Fatalf("delay %s: applyTenant answered success but nothing is stored", delay)
			}
			t.Logf("killed after %s: nothing of the apply is stored", delay)
		case got == usersBefore+users && tenants == tenantsBefore+1:
			t.Logf("killed after %s: the apply had committed whole", delay)
			applied = true
		default:
			t.Fatalf("delay %s: %d users and %d tenants after the crash: a partial apply (before: %d, %d)", delay, got, tenants, usersBefore, tenantsBefore)
		}
		if applied {
			break
		}
	}
	if !applied {
		t.Log("every apply was killed before it committed")
	}
}
