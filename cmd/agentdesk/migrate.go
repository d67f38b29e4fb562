package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/agentdesk/agentdesk/internal/store"
)

func migrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dbURL := fs.String("database", env("AGENTDESK_DATABASE_URL", "sqlite:./agentdesk.db"), "database URL (AGENTDESK_DATABASE_URL)")
	status := fs.Bool("status", false, "list pending migrations without applying them")
	if err := fs.Parse(args); err != nil {
		return err
	}
	db, err := store.Open(*dbURL)
	if err != nil {
		return err
	}
	defer db.Close()
	if *status {
		pending, err := db.Pending(ctx)
		if err != nil {
			return err
		}
		if len(pending) == 0 {
			fmt.Fprintln(stdout, "the database is up to date")
		}
		for _, v := range pending {
			fmt.Fprintln(stdout, "pending", v)
		}
		return nil
	}
	applied, err := db.Migrate(ctx)
	for _, v := range applied {
		fmt.Fprintln(stdout, "applied", v)
	}
	if err != nil {
		return err
	}
	if len(applied) == 0 {
		fmt.Fprintln(stdout, "the database is up to date")
	}
	return nil
}
