package store_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	atlas "ariga.io/atlas/sql/migrate"
	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql/schema"

	"github.com/agentdesk/agentdesk/ent"
	entmigrate "github.com/agentdesk/agentdesk/ent/migrate"
	"github.com/agentdesk/agentdesk/internal/station"
	"github.com/agentdesk/agentdesk/internal/store"
)

func openTemp(t *testing.T) *store.DB {
	t.Helper()
	db, err := store.Open("sqlite:" + filepath.Join(t.TempDir(), "test.db"))
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
	if _, err := db.Client.Tenant.Query().Count(ctx); err != nil {
		t.Fatalf("query after migrate: %v", err)
	}
}

func TestSQLiteSettings(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
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
// migration: diffing the committed migrations against the schema must find
// nothing to do.
func TestMigrationsMatchSchema(t *testing.T) {
	src, err := store.MigrationDir(dialect.SQLite)
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
	err = entmigrate.NamedDiff(context.Background(), "sqlite://check?mode=memory&_fk=1", "check",
		schema.WithDir(dir), schema.WithMigrationMode(schema.ModeReplay), schema.WithDialect(dialect.SQLite))
	if err != nil && !errors.Is(err, atlas.ErrNoPlan) {
		t.Fatalf("diff: %v", err)
	}
	after, err := dir.Files()
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != len(files) {
		t.Fatalf("ent/schema and the migrations differ: run `go run ./internal/store/diff.go NAME` (a diff wrote %s)", after[len(after)-1].Name())
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
	if n := db.Client.Tenant.Query().CountX(ctx); n != 64 {
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
	if n := db.Client.Tenant.Query().CountX(ctx); n != 0 {
		t.Fatalf("rolled-back tenants persisted: %d", n)
	}
}

func TestOpenRejectsUnknownURL(t *testing.T) {
	for _, u := range []string{"mysql://x", "", "postgres://u:secret@h/db"} {
		_, err := store.Open(u)
		if err == nil {
			t.Errorf("Open(%q) succeeded", u)
		} else if u != "" && strings.Contains(err.Error(), "secret") {
			t.Errorf("error leaks the password: %v", err)
		}
	}
}
