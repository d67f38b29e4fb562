package store

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/sqlite"
	entdialect "entgo.io/ent/dialect"
)

// The versioned migrations, written by `go run ./internal/store/diff.go NAME`
// from the ent schema and checked by TestMigrationsMatchSchema.
//
//go:embed migrations/sqlite/*.sql migrations/sqlite/atlas.sum
var migrationFiles embed.FS

// revisionsTable records the applied migrations.
const revisionsTable = "schema_revisions"

// MigrationDir is the migration directory of a dialect.
func MigrationDir(dialect string) (migrate.Dir, error) {
	name := map[string]string{entdialect.SQLite: "sqlite"}[dialect]
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
	if err := ensureRevisionsTable(ctx, db.SQL); err != nil {
		return nil, err
	}
	ex, err := newExecutor(db.SQL, dir)
	if err != nil {
		return nil, err
	}
	files, err := ex.Pending(ctx)
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
func (db *DB) Migrate(ctx context.Context) ([]string, error) {
	dir, err := MigrationDir(db.Dialect)
	if err != nil {
		return nil, err
	}
	if err := ensureRevisionsTable(ctx, db.SQL); err != nil {
		return nil, err
	}
	var applied []string
	for {
		done, version, err := migrateOne(ctx, db.SQL, dir)
		if err != nil {
			return applied, err
		}
		if done {
			return applied, nil
		}
		applied = append(applied, version)
	}
}

func migrateOne(ctx context.Context, db *sql.DB, dir migrate.Dir) (done bool, version string, err error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return false, "", fmt.Errorf("store: migrate: %w", err)
	}
	defer func() {
		if err != nil || done {
			_ = tx.Rollback()
		}
	}()
	ex, err := newExecutor(tx, dir)
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

func newExecutor(conn execQuerier, dir migrate.Dir) (*migrate.Executor, error) {
	drv, err := sqlite.Open(conn)
	if err != nil {
		return nil, fmt.Errorf("store: migrate driver: %w", err)
	}
	// AllowDirty: the revisions table itself exists before the first
	// migration runs.
	return migrate.NewExecutor(drv, dir, revisions{conn}, migrate.WithAllowDirty(true))
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
type revisions struct{ db execQuerier }

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
	rows, err := r.db.QueryContext(ctx, `SELECT revision FROM `+revisionsTable+` WHERE version = ?`, version)
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
	_, err = r.db.ExecContext(ctx, `INSERT INTO `+revisionsTable+` (version, revision) VALUES (?, ?)
		ON CONFLICT (version) DO UPDATE SET revision = excluded.revision`, rev.Version, string(doc))
	return err
}

func (r revisions) DeleteRevision(ctx context.Context, version string) error {
	_, err := r.db.ExecContext(ctx, `DELETE FROM `+revisionsTable+` WHERE version = ?`, version)
	return err
}
