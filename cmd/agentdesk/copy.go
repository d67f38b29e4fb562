package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/agentdesk/agentdesk/internal/store"
)

var copyCommand = &command{
	name:    "copy",
	summary: "copy a whole database into a new one: --from sqlite:./agentdesk.db --to postgres://…",
	usage:   "--from URL --to URL",
	about: `Moves a whole database to another, typically from SQLite to PostgreSQL.
Stop the servers using --from first; --to must be empty and is migrated
first. It checks that the row counts match on both sides.`,
	flags: func(fs *flagSet) func(context.Context, *invocation) error {
		from := fs.String("from", "", "the database to copy (sqlite:PATH or postgres://…); stop the servers using it first")
		to := fs.String("to", "", "the new, empty database to copy into; it is migrated first")
		return func(ctx context.Context, c *invocation) error {
			if *from == "" || *to == "" || len(c.args) > 0 {
				return usageErrorf("copy", "copy needs --from and --to, and no other arguments")
			}
			return copyDatabase(ctx, c.stdout, *from, *to)
		}
	},
}

// copyDatabase copies the database at from into to and prints the counts.
func copyDatabase(ctx context.Context, stdout io.Writer, from, to string) error {
	src, err := store.Open(from)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := store.Open(to)
	if err != nil {
		return err
	}
	defer dst.Close()
	counts, err := store.Copy(ctx, src, dst)
	w := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', tabwriter.AlignRight)
	total := 0
	for _, c := range counts {
		fmt.Fprintf(w, "%s\t%d\t\n", c.Table, c.Rows)
		total += c.Rows
	}
	w.Flush()
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "copied %d rows in %d tables from %s to %s; the counts match on both sides\n", total, len(counts), store.Redact(from), store.Redact(to))
	return nil
}
