package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"

	atlas "ariga.io/atlas/sql/migrate"
	entsql "entgo.io/ent/dialect/sql"
	"entgo.io/ent/dialect/sql/schema"

	entmigrate "github.com/agentdesk/agentdesk/ent/migrate"
)

// WriteMigration writes into dir a migration called name holding what the
// ent schema has and dir's migrations lack, in dialect's SQL. dev is a
// clean scratch database of that dialect: atlas replays dir on it, reads
// the result back and diffs it against the schema, so the SQL is what the
// engine itself reports (partial indexes, types, defaults). An index the
// schema no longer has is dropped (an index holds no data); a column or
// table never is. Nothing is written when nothing differs.
func WriteMigration(ctx context.Context, dialect string, dev *sql.DB, dir atlas.Dir, name string) error {
	return entmigrate.NewSchema(entsql.OpenDB(dialect, dev)).NamedDiff(ctx, name,
		schema.WithDir(dir),
		schema.WithMigrationMode(schema.ModeReplay),
		schema.WithDialect(dialect),
		schema.WithFormatter(atlas.DefaultFormatter),
		schema.WithDropIndex(true),
	)
}

// OpenSQLiteScratch opens an empty in-memory SQLite database for
// WriteMigration. One connection: each new one would be a new database.
func OpenSQLiteScratch() (*sql.DB, error) {
	db, err := sql.Open("sqlite3", "file:scratch?mode=memory&_fk=1")
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	return db, nil
}

// CreateDatabase creates a new, empty PostgreSQL database named prefix plus
// random letters on the server serverURL points at (any database of it),
// optionally as a copy of template, and returns its URL and a function that
// drops it (disconnecting whoever still uses it).
func CreateDatabase(ctx context.Context, serverURL, prefix, template string) (dbURL string, drop func(context.Context) error, err error) {
	u, err := url.Parse(serverURL)
	if err != nil || !IsPostgres(serverURL) {
		return "", nil, fmt.Errorf("store: %s is not a postgres:// URL", Redact(serverURL))
	}
	admin, err := Open(serverURL)
	if err != nil {
		return "", nil, err
	}
	defer admin.Close()
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", nil, err
	}
	name := prefix + hex.EncodeToString(b[:])
	stmt := `CREATE DATABASE "` + name + `"`
	if template != "" {
		stmt += ` TEMPLATE "` + template + `"`
	}
	if _, err := admin.SQL.ExecContext(ctx, stmt); err != nil {
		return "", nil, fmt.Errorf("store: create database %s: %w", name, err)
	}
	u.Path = "/" + name
	drop = func(ctx context.Context) error {
		admin, err := Open(serverURL)
		if err != nil {
			return err
		}
		defer admin.Close()
		_, err = admin.SQL.ExecContext(ctx, `DROP DATABASE IF EXISTS "`+name+`" WITH (FORCE)`)
		return err
	}
	return u.String(), drop, nil
}
