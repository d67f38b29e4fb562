package store

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/postgres"
	"ariga.io/atlas/sql/sqlite"
	entdialect "entgo.io/ent/dialect"
)

// The versioned migrations of each dialect, written by
// `go run ./internal/store/diff.go NAME` from the one ent schema and checked
// by TestMigrationsMatchSchema.
//
//go:embed migrations
var migrationFiles embed.FS

// revisionsTable records the applied migrations.
const revisionsTable = "schema_revisions"

// MigrationDir is the migration directory of a dialect.
func MigrationDir(dialect string) (migrate.Dir, error) {
	name := map[string]string{entdialect.SQLite: "sqlite", entdialect.Postgres: "postgres"}[dialect]
	if name == "" {
		return nil, fmt.Errorf("store: no migrations for dialect %q", dialect)
	}
	sub, err := fs.Sub(migrationFiles, "migrations/"+name)
	if err != nil {
		return nil, err
	}
	dir := &migrate.MemDir{}
	entries, err := fs.ReadDir(sub, ".")
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		b, err := fs.ReadFile(sub, e.Name())
		if err != nil {
			return nil, err
		}
		if err := dir.WriteFile(e.Name(), b); err != nil {
			return nil, err
		}
	}
	return dir, nil
}

// Pending lists the versions of the migrations not yet applied.
func (db *DB) Pending(ctx context.Context) ([]string, error) {
	dir, err := MigrationDir(db.Dialect)
	if err != nil {
		return nil, err
	}
	// In a transaction under the migration lock, like Migrate, so that
	// instances starting together do not race to create the revisions table.
	tx, err := db.SQL.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("store: pending migrations: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	if err := lockMigrations(ctx, db.Dialect, tx); err != nil {
		return nil, err
	}
	if err := ensureRevisionsTable(ctx, tx); err != nil {
		return nil, err
	}
	ex, err := newExecutor(db.Dialect, tx, dir)
	if err != nil {
		return nil, err
	}
	files, err := ex.Pending(ctx)
	if err == nil || errors.Is(err, migrate.ErrNoPendingFiles) {
		if cerr := tx.Commit(); cerr != nil {
			return nil, fmt.Errorf("store: pending migrations: %w", cerr)
		}
	}
	if errors.Is(err, migrate.ErrNoPendingFiles) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: pending migrations: %w", err)
	}
	versions := make([]string, len(files))
	for i, f := range files {
		versions[i] = f.Version()
	}
	return versions, nil
}

// Migration is one migration this binary carries and whether the database
// has it.
type Migration struct {
	Version     string
	Description string
	Applied     bool
	// AppliedAt is when it was applied (zero when pending).
	AppliedAt time.Time
}

// Migrations lists every migration this binary carries, oldest first, each
// applied or pending (`agentdesk migrate --status`).
func (db *DB) Migrations(ctx context.Context) ([]Migration, error) {
	// Pending first: it creates the revisions table on a new database.
	pending, err := db.Pending(ctx)
	if err != nil {
		return nil, err
	}
	dir, err := MigrationDir(db.Dialect)
	if err != nil {
		return nil, err
	}
	files, err := dir.Files()
	if err != nil {
		return nil, fmt.Errorf("store: migration files: %w", err)
	}
	revs, err := revisions{db.SQL, db.Dialect}.ReadRevisions(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: read %s: %w", revisionsTable, err)
	}
	appliedAt := map[string]time.Time{}
	for _, r := range revs {
		appliedAt[r.Version] = r.ExecutedAt
	}
	isPending := map[string]bool{}
	for _, v := range pending {
		isPending[v] = true
	}
	out := make([]Migration, len(files))
	for i, f := range files {
		out[i] = Migration{Version: f.Version(), Description: f.Desc(), Applied: !isPending[f.Version()]}
		if out[i].Applied {
			out[i].AppliedAt = appliedAt[f.Version()]
		}
	}
	return out, nil
}

// CheckCurrent fails when the database is behind the migrations this binary
// carries: the server refuses to run on a schema it does not know.
func (db *DB) CheckCurrent(ctx context.Context) error {
	pending, err := db.Pending(ctx)
	if err != nil {
		return err
	}
	if len(pending) > 0 {
		return fmt.Errorf("store: the database is behind: %d migration(s) pending (%s…); run `agentdesk migrate`", len(pending), pending[0])
	}
	return nil
}

// Migrate applies every pending migration, each file in its own
// transaction with its revision, and returns the versions it applied.
//
// On PostgreSQL several instances may start at once: each transaction first
// takes an advisory lock, so one instance applies a file while the others
// wait and then find it applied.
func (db *DB) Migrate(ctx context.Context) ([]string, error) {
	dir, err := MigrationDir(db.Dialect)
	if err != nil {
		return nil, err
	}
	var applied []string
	for {
		done, version, err := migrateOne(ctx, db.Dialect, db.SQL, dir)
		if err != nil {
			return applied, err
		}
		if done {
			return applied, nil
		}
		applied = append(applied, version)
	}
}

// migrateLockKey is the PostgreSQL advisory lock migrations take (any
// number agentdesk uses for nothing else).
const migrateLockKey = 0x61676e74 // "agnt"

// lockMigrations takes the PostgreSQL migration lock until tx ends. SQLite
// needs none: its transactions begin with the write lock.
func lockMigrations(ctx context.Context, dialect string, tx *sql.Tx) error {
	if dialect != entdialect.Postgres {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, migrateLockKey); err != nil {
		return fmt.Errorf("store: migrate: lock: %w", err)
	}
	return nil
}

func migrateOne(ctx context.Context, dialect string, db *sql.DB, dir migrate.Dir) (done bool, version string, err error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return false, "", fmt.Errorf("store: migrate: %w", err)
	}
	defer func() {
		if err != nil || done {
			_ = tx.Rollback()
		}
	}()
	if err := lockMigrations(ctx, dialect, tx); err != nil {
		return false, "", err
	}
	if err := ensureRevisionsTable(ctx, tx); err != nil {
		return false, "", err
	}
	ex, err := newExecutor(dialect, tx, dir)
	if err != nil {
		return false, "", err
	}
	files, err := ex.Pending(ctx)
	if errors.Is(err, migrate.ErrNoPendingFiles) {
		return true, "", nil
	}
	if err != nil {
		return false, "", fmt.Errorf("store: migrate: %w", err)
	}
	if err := ex.Execute(ctx, files[0]); err != nil {
		return false, "", fmt.Errorf("store: migrate %s: %w", files[0].Version(), err)
	}
	if err := tx.Commit(); err != nil {
		return false, "", fmt.Errorf("store: migrate %s: commit: %w", files[0].Version(), err)
	}
	return false, files[0].Version(), nil
}

type execQuerier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func newExecutor(dialect string, conn execQuerier, dir migrate.Dir) (*migrate.Executor, error) {
	var (
		drv migrate.Driver
		err error
	)
	switch dialect {
	case entdialect.Postgres:
		drv, err = postgres.Open(conn)
	default:
		drv, err = sqlite.Open(conn)
	}
	if err != nil {
		return nil, fmt.Errorf("store: migrate driver: %w", err)
	}
	// AllowDirty: the revisions table itself exists before the first
	// migration runs.
	return migrate.NewExecutor(drv, dir, revisions{conn, dialect}, migrate.WithAllowDirty(true))
}

func ensureRevisionsTable(ctx context.Context, db execQuerier) error {
	_, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS `+revisionsTable+` (
		version TEXT PRIMARY KEY,
		revision TEXT NOT NULL
	)`)
	if err != nil {
		return fmt.Errorf("store: create %s: %w", revisionsTable, err)
	}
	return nil
}

// revisions keeps atlas's migration revisions in one small table, one JSON
// document per applied version. atlas's own table lives in its CLI, which
// does not install here.
type revisions struct {
	db      execQuerier
	dialect string
}

// bind numbers the ? placeholders of query as $1, $2… on PostgreSQL.
func (r revisions) bind(query string) string {
	if r.dialect != entdialect.Postgres {
		return query
	}
	var b strings.Builder
	n := 0
	for _, c := range query {
		if c == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}

func (revisions) Ident() *migrate.TableIdent { return &migrate.TableIdent{Name: revisionsTable} }

func (r revisions) ReadRevisions(ctx context.Context) ([]*migrate.Revision, error) {
	rows, err := r.db.QueryContext(ctx, `SELECT revision FROM `+revisionsTable+` ORDER BY version`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var revs []*migrate.Revision
	for rows.Next() {
		var doc string
		if err := rows.Scan(&doc); err != nil {
			return nil, err
		}
		rev, err := decodeRevision(doc)
		if err != nil {
			return nil, err
		}
		revs = append(revs, rev)
	}
	return revs, rows.Err()
}

func (r revisions) ReadRevision(ctx context.Context, version string) (*migrate.Revision, error) {
	rows, err := r.db.QueryContext(ctx, r.bind(`SELECT revision FROM `+revisionsTable+` WHERE version = ?`), version)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return nil, err
		}
		return nil, migrate.ErrRevisionNotExist
	}
	var doc string
	if err := rows.Scan(&doc); err != nil {
		return nil, err
	}
	return decodeRevision(doc)
}

// storedRevision is the JSON form of a migrate.Revision: its own JSON
// form leaves out the hashes and cannot read its type back.
type storedRevision struct {
	Version         string        `json:"version"`
	Description     string        `json:"description"`
	Type            uint          `json:"type"`
	Applied         int           `json:"applied"`
	Total           int           `json:"total"`
	ExecutedAt      time.Time     `json:"executedAt"`
	ExecutionTime   time.Duration `json:"executionTime"`
	Error           string        `json:"error,omitempty"`
	ErrorStmt       string        `json:"errorStmt,omitempty"`
	Hash            string        `json:"hash"`
	PartialHashes   []string      `json:"partialHashes,omitempty"`
	OperatorVersion string        `json:"operatorVersion"`
}

func decodeRevision(doc string) (*migrate.Revision, error) {
	var s storedRevision
	if err := json.Unmarshal([]byte(doc), &s); err != nil {
		return nil, fmt.Errorf("store: bad revision record: %w", err)
	}
	return &migrate.Revision{
		Version: s.Version, Description: s.Description, Type: migrate.RevisionType(s.Type),
		Applied: s.Applied, Total: s.Total, ExecutedAt: s.ExecutedAt, ExecutionTime: s.ExecutionTime,
		Error: s.Error, ErrorStmt: s.ErrorStmt, Hash: s.Hash, PartialHashes: s.PartialHashes,
		OperatorVersion: s.OperatorVersion,
	}, nil
}

func (r revisions) WriteRevision(ctx context.Context, rev *migrate.Revision) error {
	doc, err := json.Marshal(storedRevision{
		Version: rev.Version, Description: rev.Description, Type: uint(rev.Type),
		Applied: rev.Applied, Total: rev.Total, ExecutedAt: rev.ExecutedAt, ExecutionTime: rev.ExecutionTime,
		Error: rev.Error, ErrorStmt: rev.ErrorStmt, Hash: rev.Hash, PartialHashes: rev.PartialHashes,
		OperatorVersion: rev.OperatorVersion,
	})
	if err != nil {
		return err
	}
	_, err = r.db.ExecContext(ctx, r.bind(`INSERT INTO `+revisionsTable+` (version, revision) VALUES (?, ?)
		ON CONFLICT (version) DO UPDATE SET revision = excluded.revision`), rev.Version, string(doc))
	return err
}

func (r revisions) DeleteRevision(ctx context.Context, version string) error {
	_, err := r.db.ExecContext(ctx, r.bind(`DELETE FROM `+revisionsTable+` WHERE version = ?`), version)
	return err
}
