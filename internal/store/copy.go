package store

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"time"

	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql/schema"
	"entgo.io/ent/schema/field"

	entmigrate "github.com/agentdesk/agentdesk/ent/migrate"
)

// TableCount is how many rows of a table a copy wrote.
type TableCount struct {
	Table string
	Rows  int
}

// Copy copies every row of every table of the ent schema from one database
// to another (SQLite to PostgreSQL when moving, but any pair works): users
// with their password hashes, sessions, audit events, artwork, the mail
// outbox, everything. from must be current; to is migrated first and must
// hold no rows. The rows are written in one transaction on to, parents
// before children, so a failed copy leaves to empty; afterwards every
// table's count is read again on both sides and compared.
//
// It reads and writes with plain SQL below ent, so nothing ent adds (hooks,
// tenant filters) changes what is copied: the copy is the whole database.
// schema_revisions is not copied: migrating to writes its own.
func Copy(ctx context.Context, from, to *DB) ([]TableCount, error) {
	if err := from.CheckCurrent(ctx); err != nil {
		return nil, fmt.Errorf("copy: the source: %w", err)
	}
	if _, err := to.Migrate(ctx); err != nil {
		return nil, fmt.Errorf("copy: migrate the target: %w", err)
	}
	tables, err := copyOrder()
	if err != nil {
		return nil, err
	}
	for _, t := range tables {
		n, err := countRows(ctx, to.SQL, t.Name)
		if err != nil {
			return nil, err
		}
		if n > 0 {
			return nil, fmt.Errorf("copy: the target is not empty (%s has %d rows): copy only into a new database", t.Name, n)
		}
	}
	tx, err := to.SQL.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("copy: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	var counts []TableCount
	for _, t := range tables {
		n, err := copyTable(ctx, from, to.Dialect, tx, t)
		if err != nil {
			return nil, fmt.Errorf("copy %s: %w", t.Name, err)
		}
		counts = append(counts, TableCount{Table: t.Name, Rows: n})
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("copy: commit: %w", err)
	}
	for _, c := range counts {
		src, err := countRows(ctx, from.SQL, c.Table)
		if err != nil {
			return counts, err
		}
		dst, err := countRows(ctx, to.SQL, c.Table)
		if err != nil {
			return counts, err
		}
		if src != c.Rows || dst != c.Rows {
			return counts, fmt.Errorf("copy: %s: copied %d rows, but the source now has %d and the target %d (was the source written to during the copy?)", c.Table, c.Rows, src, dst)
		}
	}
	return counts, nil
}

// copyOrder is the schema's tables with every table after the tables its
// foreign keys reference.
func copyOrder() ([]*schema.Table, error) {
	tables := append([]*schema.Table(nil), entmigrate.Tables...)
	sort.Slice(tables, func(i, j int) bool { return tables[i].Name < tables[j].Name })
	var order []*schema.Table
	placed := map[string]bool{}
	for len(order) < len(tables) {
		progress := false
		for _, t := range tables {
			if placed[t.Name] {
				continue
			}
			ready := true
			for _, fk := range t.ForeignKeys {
				if fk.RefTable.Name != t.Name && !placed[fk.RefTable.Name] {
					ready = false
				}
			}
			if ready {
				order = append(order, t)
				placed[t.Name] = true
				progress = true
			}
		}
		if !progress {
			return nil, fmt.Errorf("copy: the schema's foreign keys form a cycle")
		}
	}
	return order, nil
}

func countRows(ctx context.Context, db *sql.DB, table string) (int, error) {
	var n int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM "`+table+`"`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count %s: %w", table, err)
	}
	return n, nil
}

// copyBatch is how many rows one INSERT carries: well under PostgreSQL's
// 65535 parameters for the widest table.
const copyBatch = 200

func copyTable(ctx context.Context, from *DB, toDialect string, tx *sql.Tx, t *schema.Table) (int, error) {
	names := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		names[i] = `"` + c.Name + `"`
	}
	cols := strings.Join(names, ", ")
	order := names[0]
	if len(t.PrimaryKey) > 0 {
		pk := make([]string, len(t.PrimaryKey))
		for i, c := range t.PrimaryKey {
			pk[i] = `"` + c.Name + `"`
		}
		order = strings.Join(pk, ", ")
	}
	rows, err := from.SQL.QueryContext(ctx, `SELECT `+cols+` FROM "`+t.Name+`" ORDER BY `+order)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	var (
		total int
		batch []any
		n     int
	)
	flush := func() error {
		if n == 0 {
			return nil
		}
		var b strings.Builder
		b.WriteString(`INSERT INTO "` + t.Name + `" (` + cols + `) VALUES `)
		p := 0
		for r := 0; r < n; r++ {
			if r > 0 {
				b.WriteString(", ")
			}
			b.WriteByte('(')
			for c := range t.Columns {
				if c > 0 {
					b.WriteString(", ")
				}
				p++
				if toDialect == dialect.Postgres {
					fmt.Fprintf(&b, "$%d", p)
				} else {
					b.WriteByte('?')
				}
			}
			b.WriteByte(')')
		}
		if _, err := tx.ExecContext(ctx, b.String(), batch...); err != nil {
			return err
		}
		total += n
		batch, n = batch[:0], 0
		return nil
	}
	for rows.Next() {
		vals := make([]any, len(t.Columns))
		ptrs := make([]any, len(t.Columns))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return total, err
		}
		for i, c := range t.Columns {
			v, err := copyValue(c, vals[i])
			if err != nil {
				return total, fmt.Errorf("column %s: %w", c.Name, err)
			}
			batch = append(batch, v)
		}
		if n++; n == copyBatch {
			if err := flush(); err != nil {
				return total, err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return total, err
	}
	return total, flush()
}

// copyValue turns what one driver read into what the other writes by the
// column's type in the ent schema: SQLite hands back its booleans as
// integers, its JSON as text, and may hand back times as text.
func copyValue(c *schema.Column, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch c.Type {
	case field.TypeBool:
		switch b := v.(type) {
		case int64:
			return b != 0, nil
		case bool:
			return b, nil
		}
	case field.TypeJSON:
		switch j := v.(type) {
		case []byte:
			return string(j), nil
		case string:
			return j, nil
		}
	case field.TypeBytes:
		switch b := v.(type) {
		case string:
			return []byte(b), nil
		case []byte:
			return b, nil
		}
	case field.TypeTime:
		switch tm := v.(type) {
		case time.Time:
			return tm, nil
		case string:
			for _, layout := range []string{"2006-01-02 15:04:05.999999999-07:00", time.RFC3339Nano, "2006-01-02 15:04:05.999999999"} {
				if parsed, err := time.Parse(layout, tm); err == nil {
					return parsed, nil
				}
			}
			return nil, fmt.Errorf("time %q in no known layout", tm)
		}
	default:
		if b, ok := v.([]byte); ok && c.Type != field.TypeBytes {
			return string(b), nil
		}
		return v, nil
	}
	return nil, fmt.Errorf("unexpected %T for a %s column", v, c.Type)
}
