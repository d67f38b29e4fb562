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
//
// PostgreSQL (postgres:// or postgresql:// URLs) is opened through pgx's
// database/sql driver under ent's postgres dialect, with a bounded pool
// whose settings ride on the URL (see PoolSettings). Where SQLite relies on
// BEGIN IMMEDIATE to serialise read-modify-write transactions, every
// PostgreSQL transaction takes one advisory lock; see serialDriver.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	_ "github.com/mattn/go-sqlite3" // the SQLite driver

	"github.com/agentdesk/agentdesk/ent"
)

// DB is an open database: the ent client and what is needed to migrate it.
type DB struct {
	Client  *ent.Client
	SQL     *sql.DB
	Dialect string
	// PG is a PostgreSQL database's connection settings, for a connection
	// of its own outside the pool (the desktop events' LISTEN); nil on
	// SQLite.
	PG *pgx.ConnConfig
}

// Close closes the database.
func (db *DB) Close() error { return db.Client.Close() }

// Open opens the database named by rawURL: "sqlite:path", "sqlite://path",
// "file:path", or "postgres://user:pass@host:port/db?sslmode=…" (also
// "postgresql://"). It does not migrate; see Migrate and CheckCurrent.
//
// The client it returns scopes every read of a tenant-owned table to the
// viewer's tenant (see tenantScope): work without a viewer needs
// policy.System.
func Open(rawURL string, opts ...Option) (*DB, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	switch {
	case IsPostgres(rawURL):
		return openPostgres(rawURL, o)
	case strings.HasPrefix(rawURL, "sqlite:"), strings.HasPrefix(rawURL, "file:"):
		return openSQLite(rawURL, o)
	default:
		return nil, fmt.Errorf("store: unsupported database URL %q: want sqlite:<path> or postgres://…", Redact(rawURL))
	}
}

// IsPostgres reports whether rawURL names a PostgreSQL database.
func IsPostgres(rawURL string) bool {
	return strings.HasPrefix(rawURL, "postgres://") || strings.HasPrefix(rawURL, "postgresql://")
}

// PoolSettings are the connection pool of a PostgreSQL database. They are
// query parameters of the database URL, taken off before the URL reaches
// the driver:
//
//	pool_max_open      connections open at most (default 20)
//	pool_max_idle      idle connections kept (default 10)
//	pool_max_lifetime  a connection is replaced after this long (default 30m)
//	pool_max_idle_time an idle connection is closed after this long (default 5m)
//
// The defaults let five instances share PostgreSQL's default
// max_connections (100); a lifetime makes connections move to a new
// primary after a failover and spreads them over a pooler's backends.
type PoolSettings struct {
	MaxOpen, MaxIdle         int
	MaxLifetime, MaxIdleTime time.Duration
}

// DefaultPool is the pool of a URL without pool_* parameters.
var DefaultPool = PoolSettings{MaxOpen: 20, MaxIdle: 10, MaxLifetime: 30 * time.Minute, MaxIdleTime: 5 * time.Minute}

// splitPoolSettings takes agentdesk's pool_* parameters off a PostgreSQL
// URL and returns the rest, which pgx parses.
func splitPoolSettings(rawURL string) (string, PoolSettings, error) {
	pool := DefaultPool
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", pool, errors.New("store: bad PostgreSQL URL (check that the password is URL-encoded)")
	}
	q := u.Query()
	ints := map[string]*int{"pool_max_open": &pool.MaxOpen, "pool_max_idle": &pool.MaxIdle}
	for k, dst := range ints {
		if v := q.Get(k); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				return "", pool, fmt.Errorf("store: %s=%q: want a positive whole number", k, v)
			}
			*dst = n
		}
		q.Del(k)
	}
	durations := map[string]*time.Duration{"pool_max_lifetime": &pool.MaxLifetime, "pool_max_idle_time": &pool.MaxIdleTime}
	for k, dst := range durations {
		if v := q.Get(k); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				return "", pool, fmt.Errorf("store: %s=%q: want a positive duration such as 30m", k, v)
			}
			*dst = d
		}
		q.Del(k)
	}
	if pool.MaxIdle > pool.MaxOpen {
		pool.MaxIdle = pool.MaxOpen
	}
	u.RawQuery = q.Encode()
	return u.String(), pool, nil
}

func openPostgres(rawURL string, o options) (*DB, error) {
	dsn, pool, err := splitPoolSettings(rawURL)
	if err != nil {
		return nil, err
	}
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		// pgx's message may quote the URL, password and all.
		return nil, fmt.Errorf("store: bad PostgreSQL URL %s", Redact(rawURL))
	}
	// Times are stored as timestamptz and read back in UTC, whatever the
	// server's or the machine's zone.
	cfg.RuntimeParams["timezone"] = "UTC"
	db := stdlib.OpenDB(*cfg)
	db.SetMaxOpenConns(pool.MaxOpen)
	db.SetMaxIdleConns(pool.MaxIdle)
	db.SetConnMaxLifetime(pool.MaxLifetime)
	db.SetConnMaxIdleTime(pool.MaxIdleTime)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: open %s: %s", Redact(rawURL), redactErr(err, cfg.Password))
	}
	drv := serialDriver{entsql.OpenDB(dialect.Postgres, db)}
	return &DB{Client: newClient(drv, o), SQL: db, Dialect: dialect.Postgres, PG: cfg}, nil
}

// redactErr is err's message without the password, which some connection
// errors repeat.
func redactErr(err error, password string) string {
	msg := err.Error()
	if password != "" {
		msg = strings.ReplaceAll(msg, password, "xxxxx")
	}
	return msg
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
		// Each connection keeps its 64 most recent prepared statements
		// (reset before they are kept): the hot reads are the same few
		// texts, and a prepare was a tenth of a desktop read
		// (BENCHMARKS.md, issue 9).
		"_stmt_cache_size": "64",
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

func openSQLite(rawURL string, o options) (*DB, error) {
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
	return &DB{Client: newClient(drv, o), SQL: db, Dialect: dialect.SQLite}, nil
}

// Ping reports whether the database answers; /readyz uses it.
func (db *DB) Ping(ctx context.Context) error { return db.SQL.PingContext(ctx) }

// Redact is a database URL fit for logs and errors: without a password,
// whether in the user part or the password query parameter. A URL that
// does not parse is not shown at all, since the password may be anywhere.
func Redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	if q := u.Query(); q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.String()
}
