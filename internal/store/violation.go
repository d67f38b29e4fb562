package store

import (
	"errors"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/mattn/go-sqlite3"

	entmigrate "github.com/agentdesk/agentdesk/ent/migrate"
)

// ViolationKind is what kind of rule of the database a write broke.
type ViolationKind int

// The kinds of violation, the same on both engines.
const (
	// Unique: a unique index (a name, an e-mail, a dial number held by an
	// active desktop session) already has the value.
	Unique ViolationKind = iota + 1
	// ForeignKey: a referenced row does not exist (or is still referenced).
	ForeignKey
	// InvalidValue: the engine cannot store the value (PostgreSQL refuses a
	// NUL character in text, SQLite accepts it) or another check failed.
	InvalidValue
	// Contention: the engine gave up on the statement because of other
	// work, not because of what it wrote: PostgreSQL to break a deadlock
	// or a serialisation conflict, SQLite after waiting out its busy
	// timeout for the write lock. Trying again would succeed.
	Contention
)

// Violation is a database rule a write broke, in the same words on both
// engines: its kind and, for a unique index, the index's name as the ent
// schema calls it (desktopsession_active_dial_number, users_email_key).
// SQLite names the columns of a violated index and PostgreSQL its name; this
// is the one place that knows.
type Violation struct {
	Kind  ViolationKind
	Index string // "" when the engine does not say
}

// AsViolation reports the rule err broke, if any.
func AsViolation(err error) (Violation, bool) {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		switch {
		case pg.Code == "23505":
			return Violation{Kind: Unique, Index: pg.ConstraintName}, true
		case pg.Code == "23503":
			return Violation{Kind: ForeignKey, Index: pg.ConstraintName}, true
		case pg.Code == "40001", pg.Code == "40P01":
			return Violation{Kind: Contention}, true
		case strings.HasPrefix(pg.Code, "22"), strings.HasPrefix(pg.Code, "23"):
			// Class 22, data exception: a NUL byte, an invalid encoding, a
			// number out of range. Class 23: the other integrity rules.
			return Violation{Kind: InvalidValue, Index: pg.ConstraintName}, true
		}
		return Violation{}, false
	}
	var lite sqlite3.Error
	if !errors.As(err, &lite) {
		return Violation{}, false
	}
	switch lite.Code {
	case sqlite3.ErrBusy, sqlite3.ErrLocked:
		return Violation{Kind: Contention}, true
	case sqlite3.ErrConstraint:
		switch lite.ExtendedCode {
		case sqlite3.ErrConstraintUnique, sqlite3.ErrConstraintPrimaryKey:
			return Violation{Kind: Unique, Index: sqliteIndex(lite.Error())}, true
		case sqlite3.ErrConstraintForeignKey:
			return Violation{Kind: ForeignKey}, true
		}
		return Violation{Kind: InvalidValue}, true
	}
	return Violation{}, false
}

// IsUnique reports whether err is a unique index refusing a write.
func IsUnique(err error) bool {
	v, ok := AsViolation(err)
	return ok && v.Kind == Unique
}

// sqliteIndex finds the unique index SQLite's message names by its columns
// ("UNIQUE constraint failed: desktop_sessions.tenant_id,
// desktop_sessions.dial_number") in the ent schema, and returns its name as
// PostgreSQL would report it. A partial index and a whole-table one on the
// same columns cannot be told apart this way; the schema has none such.
func sqliteIndex(msg string) string {
	_, list, ok := strings.Cut(msg, "failed: ")
	if !ok {
		return ""
	}
	var table string
	var cols []string
	for _, qualified := range strings.Split(list, ",") {
		t, c, ok := strings.Cut(strings.TrimSpace(qualified), ".")
		if !ok {
			return ""
		}
		table = t
		cols = append(cols, c)
	}
	for _, t := range entmigrate.Tables {
		if t.Name != table {
			continue
		}
		if len(cols) == 1 {
			for _, c := range t.Columns {
				if c.Name == cols[0] && c.Unique {
					return t.Name + "_" + c.Name + "_key"
				}
			}
		}
		for _, idx := range t.Indexes {
			if !idx.Unique || len(idx.Columns) != len(cols) {
				continue
			}
			same := true
			for i, c := range idx.Columns {
				same = same && c.Name == cols[i]
			}
			if same {
				return idx.Name
			}
		}
	}
	return ""
}
