//go:build ignore

// diff.go writes the versioned migrations for a change of ent/schema, one
// per dialect, from the difference between each dialect's existing
// migrations and the schema:
//
//	go run ./internal/store/diff.go <name>
//
// Run it after changing ent/schema and `go generate ./ent`. It writes
// internal/store/migrations/sqlite/<version>_<name>.sql (replayed on an
// in-memory SQLite) and internal/store/migrations/postgres/<version>_<name>.sql
// (replayed on a scratch database it creates and drops on the PostgreSQL
// server named by -postgres, by default $AGENTDESK_DEV_DATABASE_URL or the
// shared development cluster). Commit both; TestMigrationsMatchSchema fails
// when either dialect lacks the change. -dialect sqlite or -dialect
// postgres writes only one (for example when regenerating one after a
// rebase).
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"

	atlas "ariga.io/atlas/sql/migrate"
	"entgo.io/ent/dialect"

	"github.com/agentdesk/agentdesk/internal/store"
)

func main() {
	only := flag.String("dialect", "", "write only this dialect's migration: sqlite or postgres")
	devURL := flag.String("postgres", envOr("AGENTDESK_DEV_DATABASE_URL", "postgres://postgres@127.0.0.1:55432/postgres?sslmode=disable"),
		"a PostgreSQL server to replay the migrations on (a scratch database is created and dropped)")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: go run ./internal/store/diff.go [-dialect sqlite|postgres] [-postgres URL] <name>")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	name := flag.Arg(0)
	ctx := context.Background()
	for _, d := range []string{dialect.SQLite, dialect.Postgres} {
		if *only != "" && *only != d {
			continue
		}
		if err := diff(ctx, d, *devURL, name); err != nil {
			log.Fatalf("%s: %v", d, err)
		}
	}
}

func diff(ctx context.Context, d, devURL, name string) error {
	path := filepath.Join("internal/store/migrations", map[string]string{dialect.SQLite: "sqlite", dialect.Postgres: "postgres"}[d])
	if err := os.MkdirAll(path, 0o755); err != nil {
		return err
	}
	dir, err := atlas.NewLocalDir(path)
	if err != nil {
		return fmt.Errorf("migration dir: %w", err)
	}
	var dev *sql.DB
	if d == dialect.SQLite {
		if dev, err = store.OpenSQLiteScratch(); err != nil {
			return err
		}
	} else {
		scratch, drop, err := store.CreateDatabase(ctx, devURL, "agentdesk_diff_", "")
		if err != nil {
			return err
		}
		defer drop(ctx)
		db, err := store.Open(scratch)
		if err != nil {
			return err
		}
		defer db.Close()
		dev = db.SQL
	}
	defer dev.Close()
	before, err := dir.Files()
	if err != nil {
		return err
	}
	if err := store.WriteMigration(ctx, d, dev, dir, name); err != nil {
		return err
	}
	after, err := dir.Files()
	if err != nil {
		return err
	}
	if len(after) == len(before) {
		log.Printf("%s: the migrations already match the schema", d)
	} else {
		log.Printf("%s: wrote %s", d, filepath.Join(path, after[len(after)-1].Name()))
	}
	return nil
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}
