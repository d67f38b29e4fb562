package main

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/agentdesk/agentdesk/internal/store"
)

var migrateCommand = &command{
	name:    "migrate",
	summary: "apply pending database migrations (--status lists every migration)",
	usage:   "[--status] [flags]",
	about: `Applies the migrations this binary carries that the database does not have
yet, each in its own transaction. Instances starting together on
PostgreSQL take turns. "serve --migrate" does the same at start.`,
	flags: func(fs *flagSet) func(context.Context, *invocation) error {
		dbURL := fs.database()
		status := fs.Bool("status", false, "list every migration as applied (with when) or pending, and apply nothing")
		return func(ctx context.Context, c *invocation) error {
			if len(c.args) > 0 {
				return usageErrorf("migrate", "migrate takes no arguments (got %q)", c.args[0])
			}
			db, err := store.Open(*dbURL)
			if err != nil {
				return err
			}
			defer db.Close()
			if *status {
				return migrationStatus(ctx, c, db)
			}
			applied, err := db.Migrate(ctx)
			for _, v := range applied {
				fmt.Fprintln(c.stdout, "applied", v)
			}
			if err != nil {
				return err
			}
			if len(applied) == 0 {
				fmt.Fprintln(c.stdout, "the database is up to date")
			}
			return nil
		}
	},
}

// migrationStatus prints one line per migration and a summary.
func migrationStatus(ctx context.Context, c *invocation, db *store.DB) error {
	list, err := db.Migrations(ctx)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(c.stdout, 2, 4, 2, ' ', 0)
	pending := 0
	for _, m := range list {
		state := "pending"
		if m.Applied {
			state = "applied"
			if !m.AppliedAt.IsZero() {
				state += " " + m.AppliedAt.UTC().Format(time.RFC3339)
			}
		} else {
			pending++
		}
		fmt.Fprintf(w, "%s\t%s\t%s\n", m.Version, m.Description, state)
	}
	w.Flush()
	if pending == 0 {
		fmt.Fprintf(c.stdout, "%d migrations, all applied: the database is up to date\n", len(list))
	} else {
		fmt.Fprintf(c.stdout, "%d migrations, %d pending: run \"agentdesk migrate\" (or serve --migrate)\n", len(list), pending)
	}
	return nil
}
