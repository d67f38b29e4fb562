package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	atlas "ariga.io/atlas/sql/migrate"
	"entgo.io/ent/dialect"

	"github.com/agentdesk/agentdesk/ent"
	"github.com/agentdesk/agentdesk/internal/station"
	"github.com/agentdesk/agentdesk/internal/store"
	"github.com/agentdesk/agentdesk/internal/store/storetest"
	"github.com/agentdesk/agentdesk/policy"
)

// openTemp opens a new empty database (PostgreSQL when
// AGENTDESK_TEST_DATABASE_URL is set).
func openTemp(t *testing.T) *store.DB {
	t.Helper()
	u, err := storetest.EmptyURL(t)
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestMigrateThenCurrent(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	if err := db.CheckCurrent(ctx); err == nil {
		t.Fatal("a fresh database must be reported as behind")
	}
	applied, err := db.Migrate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(applied) == 0 {
		t.Fatal("no migration applied on a fresh database")
	}
	if err := db.CheckCurrent(ctx); err != nil {
		t.Fatalf("after migrate: %v", err)
	}
	again, err := db.Migrate(ctx)
	if err != nil || len(again) != 0 {
		t.Fatalf("second migrate applied %v, err %v", again, err)
	}
	if _, err := db.Client.Tenant.Query().Count(policy.System(ctx, "test: count every tenant")); err != nil {
		t.Fatalf("query after migrate: %v", err)
	}
}

func TestSQLiteSettings(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open("sqlite:" + filepath.Join(t.TempDir(), "test.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for pragma, want := range map[string]string{"journal_mode": "wal", "foreign_keys": "1", "synchronous": "2", "busy_timeout": "10000"} {
		var got string
		if err := db.SQL.QueryRowContext(ctx, "PRAGMA "+pragma).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("PRAGMA %s = %s, want %s", pragma, got, want)
		}
	}
}

// TestMigrationsMatchSchema fails when ent/schema changed without a new
// migration for each dialect: diffing the committed migrations against the
// schema, replayed on a scratch database of the dialect, must find nothing
// to do. The PostgreSQL case needs a server (AGENTDESK_TEST_DATABASE_URL).
func TestMigrationsMatchSchema(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		dev, err := store.OpenSQLiteScratch()
		if err != nil {
			t.Fatal(err)
		}
		defer dev.Close()
		checkMigrationsMatch(t, dialect.SQLite, dev)
	})
	t.Run("postgres", func(t *testing.T) {
		storetest.RequirePostgres(t)
		u, err := storetest.EmptyURL(t)
		if err != nil {
			t.Fatal(err)
		}
		dev, err := store.Open(u)
		if err != nil {
			t.Fatal(err)
		}
		defer dev.Close()
		checkMigrationsMatch(t, dialect.Postgres, dev.SQL)
	})
}

func checkMigrationsMatch(t *testing.T, d string, dev *sql.DB) {
	src, err := store.MigrationDir(d)
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	files, err := src.Files()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(tmp, f.Name()), f.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	sum, err := src.Checksum()
	if err != nil {
		t.Fatal(err)
	}
	dir, err := atlas.NewLocalDir(tmp)
	if err != nil {
		t.Fatal(err)
	}
	if err := atlas.WriteSumFile(dir, sum); err != nil {
		t.Fatal(err)
	}
	if err := store.WriteMigration(context.Background(), d, dev, dir, "check"); err != nil {
		t.Fatalf("diff: %v", err)
	}
	after, err := dir.Files()
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != len(files) {
		t.Fatalf("ent/schema and the %s migrations differ: run `go run ./internal/store/diff.go NAME` (a diff wrote %s:\n%s)", d, after[len(after)-1].Name(), after[len(after)-1].Bytes())
	}
}

// TestConcurrentWritesNeverLocked: with BEGIN IMMEDIATE and a busy timeout,
// concurrent read-then-write transactions queue instead of failing.
func TestConcurrentWritesNeverLocked(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- store.WithTx(ctx, db.Client, func(tx *ent.Tx) error {
				// Read first, then write: the pattern that deadlocks under
				// deferred transactions.
				if _, err := tx.Tenant.Query().Count(ctx); err != nil {
					return err
				}
				return tx.Tenant.Create().SetName("t").SetSlug(fmt.Sprintf("t-%d", i)).SetStationTypes([]station.Type{station.DialNumber}).Exec(ctx)
			})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("concurrent write: %v", err)
		}
	}
	if n := db.Client.Tenant.Query().CountX(policy.System(ctx, "test: count every tenant")); n != 64 {
		t.Fatalf("tenants = %d, want 64", n)
	}
}

func TestWithTxRollsBackOnErrorAndPanic(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	create := func(tx *ent.Tx, slug string) {
		tx.Tenant.Create().SetName("t").SetSlug(slug).SetStationTypes(nil).ExecX(ctx)
	}
	boom := errors.New("boom")
	if err := store.WithTx(ctx, db.Client, func(tx *ent.Tx) error { create(tx, "a"); return boom }); !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	func() {
		defer func() { _ = recover() }()
		_ = store.WithTx(ctx, db.Client, func(tx *ent.Tx) error { create(tx, "b"); panic("crash") })
	}()
	if n := db.Client.Tenant.Query().CountX(policy.System(ctx, "test: count every tenant")); n != 0 {
		t.Fatalf("rolled-back tenants persisted: %d", n)
	}
}

func TestOpenRejectsUnknownURL(t *testing.T) {
	for _, u := range []string{"mysql://x", "", "postgres://u:secret@127.0.0.1:1/db?sslmode=disable",
		"postgres://u@127.0.0.1:1/db?password=secret&sslmode=disable", "postgres://u:secret@127.0.0.1:1/db?pool_max_open=x",
		"postgres://u:secret@127.0.0.1:1/db?pool_max_lifetime=-1s", "postgres://u:secret@127.0.0.1:1/db?sslmode=bogus"} {
		_, err := store.Open(u)
		if err == nil {
			t.Errorf("Open(%q) succeeded", u)
		} else if u != "" && strings.Contains(err.Error(), "secret") {
			t.Errorf("error leaks the password: %v", err)
		}
	}
}

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		"postgres://u:secret@h:5432/db?sslmode=disable": "postgres://u:xxxxx@h:5432/db?sslmode=disable",
		"postgres://u@h/db?password=secret":             "postgres://u@h/db?password=xxxxx",
		"postgres://u@h/db":                             "postgres://u@h/db",
		"sqlite:./agentdesk.db":                         "sqlite:./agentdesk.db",
	} {
		if got := store.Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestPostgresPool: the pool_* parameters reach database/sql and not the
// server (which would refuse them as unknown settings).
func TestPostgresPool(t *testing.T) {
	storetest.RequirePostgres(t)
	u, err := storetest.EmptyURL(t)
	if err != nil {
		t.Fatal(err)
	}
	u = strings.Replace(u, "pool_max_open=4", "pool_max_open=3", 1) + "&pool_max_lifetime=1m&pool_max_idle_time=10s"
	db, err := store.Open(u)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if got := db.SQL.Stats().MaxOpenConnections; got != 3 {
		t.Fatalf("max open = %d, want 3", got)
	}
	var tz string
	if err := db.SQL.QueryRow("SHOW timezone").Scan(&tz); err != nil || tz != "UTC" {
		t.Fatalf("timezone = %q, %v; want UTC", tz, err)
	}
}

// TestViolationsReadAlikeOnBothEngines: a unique index refusing a write is
// named the same on SQLite (which reports columns) and PostgreSQL (which
// reports the index), so the domain's mapping to DIAL_NUMBER_IN_USE or
// CONFLICT is one switch.
func TestViolationsReadAlikeOnBothEngines(t *testing.T) {
	ctx := policy.System(context.Background(), "test: writes and ends sessions of every tenant")
	db := storetest.Open(t)
	c := db.Client
	tn := c.Tenant.Create().SetName("t").SetSlug("t").SetStationTypes(nil).SaveX(ctx)
	u1 := c.User.Create().SetTenantID(tn.ID).SetEmail("a@t.test").SetName("A").SetRole("AGENT").SaveX(ctx)
	u2 := c.User.Create().SetTenantID(tn.ID).SetEmail("b@t.test").SetName("B").SetRole("AGENT").SaveX(ctx)
	now := time.Now()
	session := func(userID, number string) error {
		return c.DesktopSession.Create().SetTenantID(tn.ID).SetUserID(userID).SetClientID("tab").
			SetStationType(station.DialNumber).SetDialNumber(number).SetTeamID("team").
			SetStateChangedAt(now).SetStartedAt(now).SetLastActivityAt(now).Exec(ctx)
	}
	if err := session(u1.ID, "+15551230001"); err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		err  error
		want store.Violation
	}{
		"slug":           {c.Tenant.Create().SetName("t").SetSlug("t").SetStationTypes(nil).Exec(ctx), store.Violation{Kind: store.Unique, Index: "tenants_slug_key"}},
		"email":          {c.User.Create().SetEmail("a@t.test").SetName("A").SetRole("AGENT").Exec(ctx), store.Violation{Kind: store.Unique, Index: "users_email_key"}},
		"number in use":  {session(u2.ID, "+15551230001"), store.Violation{Kind: store.Unique, Index: "desktopsession_active_dial_number"}},
		"second desk":    {session(u1.ID, "+15551230002"), store.Violation{Kind: store.Unique, Index: "desktopsession_active_user"}},
		"missing tenant": {c.Team.Create().SetTenantID("ten_missing").SetName("x").Exec(ctx), store.Violation{Kind: store.ForeignKey}},
	} {
		got, ok := store.AsViolation(tc.err)
		if tc.want.Kind == store.ForeignKey {
			got.Index = "" // PostgreSQL names the key, SQLite does not
		}
		if !ok || got != tc.want {
			t.Errorf("%s: %v read as %+v (%v), want %+v", name, tc.err, got, ok, tc.want)
		}
	}
	// An ended session frees the number: the index is partial.
	c.DesktopSession.Update().SetEndedAt(now).ExecX(ctx)
	if err := session(u2.ID, "+15551230001"); err != nil {
		t.Fatalf("number of an ended session: %v", err)
	}
	// PostgreSQL refuses NUL in text, SQLite stores it: on PostgreSQL it is
	// a value that cannot be stored, not an internal error.
	if err := c.Team.Create().SetTenantID(tn.ID).SetName("nul\x00").Exec(ctx); err != nil {
		if v, ok := store.AsViolation(err); !ok || v.Kind != store.InvalidValue {
			t.Fatalf("NUL in text: %v read as %+v", err, v)
		}
	}
}

// TestReadThenWriteTransactionsRunOneAtATime: every transaction reads a
// count and writes a row named by it; if two overlapped, both would read
// the same count and the second insert would hit the unique slug. On SQLite
// BEGIN IMMEDIATE serialises them, on PostgreSQL the write lock does.
func TestReadThenWriteTransactionsRunOneAtATime(t *testing.T) {
	ctx := policy.System(context.Background(), "test: counts every tenant")
	db := storetest.Open(t)
	var wg sync.WaitGroup
	errs := make(chan error, 32)
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- store.WithTx(ctx, db.Client, func(tx *ent.Tx) error {
				n, err := tx.Tenant.Query().Count(ctx)
				if err != nil {
					return err
				}
				return tx.Tenant.Create().SetName("t").SetSlug(fmt.Sprintf("n-%d", n)).SetStationTypes(nil).Exec(ctx)
			})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("overlapping read-then-write: %v", err)
		}
	}
}

// TestBusyIsContention: a write that waited out SQLite's busy timeout
// reads as contention (CONFLICT, try again), not as an internal error.
func TestBusyIsContention(t *testing.T) {
	ctx := policy.System(context.Background(), "test: writes a tenant")
	path := filepath.Join(t.TempDir(), "busy.db")
	db, err := store.Open("sqlite:" + path + "?_busy_timeout=50")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	dsn, err := store.SQLiteDSN("sqlite:" + path)
	if err != nil {
		t.Fatal(err)
	}
	other, err := sql.Open("sqlite3", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })
	holder, err := other.BeginTx(ctx, nil) // BEGIN IMMEDIATE: holds the write lock
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Rollback()
	err = db.Client.Tenant.Create().SetName("t").SetSlug("t").SetStationTypes(nil).Exec(ctx)
	if v, ok := store.AsViolation(err); !ok || v.Kind != store.Contention {
		t.Fatalf("write while another holds the lock: %v read as %+v (%v), want contention", err, v, ok)
	}
}
