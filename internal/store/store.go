// Package store opens agentdesk's database with the settings it needs, runs
// work inside transactions, and applies the versioned migrations.
//
// SQLite is the default. Its settings are chosen for an identity service:
//   - WAL, so readers never wait for the writer;
//   - foreign keys on, so ent's cascades and references hold;
//   - a busy timeout, so a writer waits for the lock instead of failing;
//   - transactions BEGIN IMMEDIATE, so a transaction takes the write lock
//     when it starts and never fails with "database is locked" when it later
//     upgrades from a read (the deadlock SQLite cannot resolve by waiting);
//   - synchronous=FULL: a committed sign-in, reset code or audit event
//     survives power loss, not only a process crash. Writes here are few and
//     small, so the extra fsync per commit is cheap (see the README).
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	_ "github.com/mattn/go-sqlite3" // the SQLite driver

	"github.com/agentdesk/agentdesk/ent"
)

// DB is an open database: the ent client and what is needed to migrate it.
type DB struct {
	Client  *ent.Client
	SQL     *sql.DB
	Dialect string
}

// Close closes the database.
func (db *DB) Close() error { return db.Client.Close() }

// Open opens the database named by rawURL: "sqlite:path", "sqlite://path" or
// "file:path". It does not migrate; see Migrate and CheckCurrent.
func Open(rawURL string) (*DB, error) {
	switch {
	case strings.HasPrefix(rawURL, "postgres://"), strings.HasPrefix(rawURL, "postgresql://"):
		return nil, errors.New("store: PostgreSQL is not supported yet: its migrations are not written; use sqlite:<path>")
	case strings.HasPrefix(rawURL, "sqlite:"), strings.HasPrefix(rawURL, "file:"):
		return openSQLite(rawURL)
	default:
		return nil, fmt.Errorf("store: unsupported database URL %q: want sqlite:<path>", redact(rawURL))
	}
}

// SQLiteDSN turns "sqlite:path" into a go-sqlite3 DSN with agentdesk's
// settings; settings already in the URL's query are kept.
func SQLiteDSN(rawURL string) (string, error) {
	path := strings.TrimPrefix(strings.TrimPrefix(rawURL, "sqlite://"), "sqlite:")
	path = strings.TrimPrefix(path, "file:")
	query := ""
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path, query = path[:i], path[i+1:]
	}
	if path == "" {
		return "", errors.New("store: empty SQLite path")
	}
	q, err := url.ParseQuery(query)
	if err != nil {
		return "", fmt.Errorf("store: bad SQLite options: %w", err)
	}
	defaults := map[string]string{
		"_journal_mode": "WAL",
		"_foreign_keys": "on",
		"_busy_timeout": "10000",
		"_txlock":       "immediate",
		"_synchronous":  "FULL",
	}
	if q.Get("mode") == "memory" {
		defaults["_journal_mode"] = "MEMORY"
	}
	for k, v := range defaults {
		if q.Get(k) == "" {
			q.Set(k, v)
		}
	}
	return "file:" + path + "?" + q.Encode(), nil
}

func openSQLite(rawURL string) (*DB, error) {
	dsn, err := SQLiteDSN(rawURL)
	if err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite3", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open sqlite: %w", err)
	}
	// SQLite has one writer; a handful of connections serve concurrent
	// readers under WAL while writers queue on the busy timeout.
	db.SetMaxOpenConns(8)
	db.SetMaxIdleConns(8)
	db.SetConnMaxIdleTime(5 * time.Minute)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: open sqlite: %w", err)
	}
	drv := entsql.OpenDB(dialect.SQLite, db)
	return &DB{Client: ent.NewClient(ent.Driver(drv)), SQL: db, Dialect: dialect.SQLite}, nil
}

// Ping reports whether the database answers; /readyz uses it.
func (db *DB) Ping(ctx context.Context) error { return db.SQL.PingContext(ctx) }

func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	u.User = url.User(u.User.Username())
	return u.String()
}
