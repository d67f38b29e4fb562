package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/agentdesk/agentdesk"
	"github.com/agentdesk/agentdesk/internal/signin"
	"github.com/agentdesk/agentdesk/internal/store"
)

// adminCmd creates a platform admin. The password comes from
// AGENTDESK_ADMIN_PASSWORD or the first line of standard input, never from a
// flag (flags show in the process list and shell history).
func adminCmd(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, _ *slog.Logger) error {
	if len(args) == 0 || args[0] != "create" {
		return errors.New("usage: agentdesk admin create --email E [--name N]  (password on stdin or AGENTDESK_ADMIN_PASSWORD)")
	}
	fs := flag.NewFlagSet("admin create", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dbURL := fs.String("database", env("AGENTDESK_DATABASE_URL", "sqlite:./agentdesk.db"), "database URL (AGENTDESK_DATABASE_URL)")
	email := fs.String("email", "", "the admin's e-mail")
	name := fs.String("name", "Platform admin", "the admin's name")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *email == "" {
		return errors.New("--email is required")
	}
	password := env("AGENTDESK_ADMIN_PASSWORD", "")
	if password == "" {
		fmt.Fprintln(stderr, "password (one line):")
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && line == "" {
			return fmt.Errorf("read password: %w", err)
		}
		password = strings.TrimRight(line, "\r\n")
	}
	db, err := store.Open(*dbURL)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.CheckCurrent(ctx); err != nil {
		return err
	}
	hasher := signin.NewHasher(signin.DefaultParams(), 1, nil)
	u, err := agentdesk.CreatePlatformAdmin(ctx, db.Client, hasher, time.Now(), *email, *name, password)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "created platform admin %s (%s)\n", u.Email, u.ID)
	return nil
}
