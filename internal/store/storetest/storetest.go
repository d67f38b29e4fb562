// Package storetest gives each test a database of its own: a fresh SQLite
// file, or — when AGENTDESK_TEST_DATABASE_URL names a PostgreSQL server —
// a fresh PostgreSQL database on that server, dropped when the test ends.
// Every test that opens a database goes through here, so the whole suite
// runs on either engine by setting one variable.
package storetest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"entgo.io/ent/dialect"

	"github.com/agentdesk/agentdesk/internal/store"
)

// EnvURL names the PostgreSQL server tests run on, for example
// postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable. Unset, tests
// use SQLite.
const EnvURL = "AGENTDESK_TEST_DATABASE_URL"

// dbPrefix starts the name of every database a test creates.
const dbPrefix = "agentdesk_test_"

// testPool keeps a test's pool small: many tests run at once on one server.
const testPool = "pool_max_open=4&pool_max_idle=4"

// Postgres returns the PostgreSQL server of the run, if one is given.
func Postgres() (serverURL string, ok bool) {
	u := os.Getenv(EnvURL)
	return u, u != ""
}

// Dialect is the dialect tests run on.
func Dialect() string {
	if _, ok := Postgres(); ok {
		return dialect.Postgres
	}
	return dialect.SQLite
}

// RequirePostgres skips t unless a PostgreSQL server is given, saying how
// to give one; it returns the server's URL.
func RequirePostgres(t testing.TB) string {
	t.Helper()
	u, ok := Postgres()
	if !ok {
		t.Skipf("PostgreSQL test skipped: set %s to a postgres:// URL of a server where databases may be created (CI does)", EnvURL)
	}
	return u
}

// The functions that make databases return their errors rather than fail
// the test: tests call them from goroutines that start servers at once,
// and only the test's own goroutine may fail it. t serves for clean-ups.

// EmptyURL returns the URL of a new database without any table.
func EmptyURL(t testing.TB) (string, error) {
	if server, ok := Postgres(); ok {
		return create(t, server, "")
	}
	return sqliteURL(t)
}

// URL returns the URL of a new database for a server that migrates at
// start: an empty SQLite file, or on PostgreSQL a copy of a database
// migrated once per set of migrations (copying is faster than migrating),
// on which migrating finds nothing to do.
func URL(t testing.TB) (string, error) {
	if server, ok := Postgres(); ok {
		tmpl, err := migratedTemplate(server)
		if err != nil {
			return "", err
		}
		return create(t, server, tmpl)
	}
	return sqliteURL(t)
}

// Open opens a new, migrated database; it closes with the test.
func Open(t testing.TB) *store.DB {
	t.Helper()
	u, err := URL(t)
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db
}

// Clone returns the URL of a copy of the database at dbURL, which nobody
// may be using while it is copied: a copied file on SQLite (the WAL must
// have been checkpointed), CREATE DATABASE … TEMPLATE on PostgreSQL.
func Clone(t testing.TB, dbURL string) (string, error) {
	if store.IsPostgres(dbURL) {
		server, _ := Postgres()
		if server == "" {
			server = dbURL
		}
		return create(t, server, databaseName(dbURL))
	}
	src := strings.TrimPrefix(strings.TrimPrefix(dbURL, "sqlite://"), "sqlite:")
	if i := strings.IndexByte(src, '?'); i >= 0 {
		src = src[:i]
	}
	b, err := os.ReadFile(src)
	if err != nil {
		return "", err
	}
	dst, err := sqliteURL(t)
	if err != nil {
		return "", err
	}
	return dst, os.WriteFile(strings.TrimPrefix(dst, "sqlite:"), b, 0o600)
}

// sqliteURL names a file in a directory removed after the test, registered
// before the test's servers so that it goes after they have stopped.
func sqliteURL(t testing.TB) (string, error) {
	dir, err := os.MkdirTemp("", "agentdesk-test-")
	if err != nil {
		return "", err
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return "sqlite:" + filepath.Join(dir, "agentdesk.db"), nil
}

// create makes a database (a copy of template when given) that is dropped
// after the test, and returns its URL with a small pool.
func create(t testing.TB, server, template string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	u, drop, err := store.CreateDatabase(ctx, server, dbPrefix, template)
	if err != nil {
		return "", err
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := drop(ctx); err != nil {
			t.Logf("drop test database: %v", err)
		}
	})
	return withPool(u), nil
}

func withPool(u string) string {
	if strings.Contains(u, "?") {
		return u + "&" + testPool
	}
	return u + "?" + testPool
}

func databaseName(dbURL string) string {
	rest := dbURL[strings.Index(dbURL, "://")+3:]
	rest = rest[strings.IndexByte(rest, '/')+1:]
	if i := strings.IndexByte(rest, '?'); i >= 0 {
		rest = rest[:i]
	}
	return rest
}

var templates sync.Map // server URL → template name

// migratedTemplate returns the name of a database on server with every
// migration applied, built once per set of migrations and kept for later
// runs (its name carries the migrations' checksum, so a changed migration
// builds a new one). Test processes building it at once take turns on an
// advisory lock; it is built under a temporary name and renamed, so a
// crashed build leaves no half-made template.
func migratedTemplate(server string) (string, error) {
	if name, ok := templates.Load(server); ok {
		return name.(string), nil
	}
	dir, err := store.MigrationDir(dialect.Postgres)
	if err != nil {
		return "", err
	}
	sum, err := dir.Checksum()
	if err != nil {
		return "", err
	}
	raw, err := sum.MarshalText()
	if err != nil {
		return "", err
	}
	h := sha256.Sum256(raw)
	name := "agentdesk_tmpl_" + hex.EncodeToString(h[:6])
	if err := buildTemplate(server, name); err != nil {
		return "", fmt.Errorf("migrated template database: %w", err)
	}
	templates.Store(server, name)
	return name, nil
}

func buildTemplate(server, name string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	admin, err := store.Open(server)
	if err != nil {
		return err
	}
	defer admin.Close()
	conn, err := admin.SQL.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	const lockKey = 0x61647470 // "adtp"
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, lockKey); err != nil {
		return err
	}
	defer conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock($1)`, lockKey)
	var exists bool
	if err := conn.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return err
	}
	if exists {
		return nil
	}
	u, drop, err := store.CreateDatabase(ctx, server, "agentdesk_tmpl_build_", "")
	if err != nil {
		return err
	}
	db, err := store.Open(u)
	if err != nil {
		_ = drop(ctx)
		return err
	}
	_, err = db.Migrate(ctx)
	db.Close()
	if err != nil {
		_ = drop(ctx)
		return err
	}
	if _, err := conn.ExecContext(ctx, fmt.Sprintf(`ALTER DATABASE %q RENAME TO %q`, databaseName(u), name)); err != nil {
		_ = drop(ctx)
		return err
	}
	return nil
}
