package store

import (
	"context"
	"database/sql"
	"fmt"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"

	"github.com/agentdesk/agentdesk/ent"
)

// WithTx runs fn in one transaction: committed when fn returns nil, rolled
// back when it returns an error or panics (the panic goes on).
func WithTx(ctx context.Context, client *ent.Client, fn func(tx *ent.Tx) error) (err error) {
	tx, err := client.Tx(ctx)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	defer func() {
		if v := recover(); v != nil {
			_ = tx.Rollback()
			panic(v)
		}
	}()
	if err := fn(tx); err != nil {
		if rerr := tx.Rollback(); rerr != nil {
			return fmt.Errorf("%w (rollback: %v)", err, rerr)
		}
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

// writeLockKey is the PostgreSQL advisory lock every transaction takes
// (any number agentdesk uses for nothing else).
const writeLockKey = 0x61677478 // "agtx"

// serialDriver is PostgreSQL's answer to SQLite's BEGIN IMMEDIATE: every
// transaction begins by taking one transaction-scoped advisory lock, so
// transactions that write run one at a time across every instance on the
// database, exactly as they do on SQLite, and commit or roll back releases
// it. Statements outside a transaction and reads do not take it, and run
// in parallel.
//
// Why one lock rather than SERIALIZABLE or row locks per place: the
// read-modify-write transactions — a takeover (read the agent's active
// session, end it, start another), a station login (is the number free,
// is the agent signed in elsewhere, then insert), a reset code (count the
// recent codes, then add one; read attempts left, then decrement), a
// tenant spec applied (plan against what is stored, then write hundreds of
// rows), an audited admin change (check a name is free, then write) — were
// all written and tested against a database with one writer at a time.
// SERIALIZABLE would abort some of them with 40001 and make every caller
// re-runnable (several collect events or reports in closures); a row lock
// per place would have to find every row each one reads, and a missed one
// is a race the tests cannot see. The lock keeps the behaviour of the API
// contract identical on both engines by construction. Its price is the
// same as SQLite's: writing transactions do not overlap (they last a few
// milliseconds: BENCHMARKS.md); reads, the bulk of the traffic, scale with
// instances. The partial unique indexes stay as the second line of defence.
type serialDriver struct{ *entsql.Driver }

// Tx begins a transaction holding the write lock.
func (d serialDriver) Tx(ctx context.Context) (dialect.Tx, error) { return d.BeginTx(ctx, nil) }

// BeginTx begins a transaction with opts holding the write lock.
func (d serialDriver) BeginTx(ctx context.Context, opts *sql.TxOptions) (dialect.Tx, error) {
	tx, err := d.Driver.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	if err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", []any{writeLockKey}, nil); err != nil {
		_ = tx.Rollback()
		return nil, fmt.Errorf("store: take the write lock: %w", err)
	}
	return tx, nil
}
