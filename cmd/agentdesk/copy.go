package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/agentdesk/agentdesk/internal/store"
)

// copyCmd moves a whole database to another, typically from SQLite to
// PostgreSQL: agentdesk copy --from sqlite:./agentdesk.db --to postgres://…
func copyCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("copy", flag.ContinueOnError)
	fs.SetOutput(stderr)
	from := fs.String("from", "", "the database to copy (sqlite:<path> or postgres://…); stop the servers using it first")
	to := fs.String("to", "", "the new, empty database to copy into; it is migrated first")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *from == "" || *to == "" {
		return errors.New("copy: --from and --to are both required")
	}
	src, err := store.Open(*from)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := store.Open(*to)
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
	fmt.Fprintf(stdout, "copied %d rows in %d tables from %s to %s; the counts match on both sides\n", total, len(counts), store.Redact(*from), store.Redact(*to))
	return nil
}
