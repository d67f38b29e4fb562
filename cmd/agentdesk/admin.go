package main

import (
	"bufio"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/agentdesk/agentdesk"
	"github.com/agentdesk/agentdesk/internal/signin"
	"github.com/agentdesk/agentdesk/internal/store"
)

var adminCommand = &command{
	name:    "admin",
	summary: "create a platform admin: agentdesk admin create --email E [--name N]",
	usage:   "create --email EMAIL [--name NAME] [flags]",
	about: `Creates a platform admin, who signs in to the console and creates tenants.
The password is read from AGENTDESK_ADMIN_PASSWORD or, when that is unset,
from the first line of standard input; never from a flag (flags show in the
process list and the shell history).`,
	envOnly: []envSetting{{"AGENTDESK_ADMIN_PASSWORD", "the new admin's password (else the first line of standard input)"}},
	flags: func(fs *flagSet) func(context.Context, *invocation) error {
		dbURL := fs.database()
		email := fs.String("email", "", "the admin's e-mail `address` (required)")
		name := fs.String("name", "Platform admin", "the admin's `name`")
		return func(ctx context.Context, c *invocation) error {
			if len(c.args) != 1 || c.args[0] != "create" {
				return usageErrorf("admin", "the admin command is: agentdesk admin create --email EMAIL")
			}
			if *email == "" {
				return usageErrorf("admin", "--email is required")
			}
			return adminCreate(ctx, c, *dbURL, *email, *name)
		}
	},
}

// adminCreate creates a platform admin with the password from
// AGENTDESK_ADMIN_PASSWORD or the first line of standard input.
func adminCreate(ctx context.Context, c *invocation, dbURL, email, name string) error {
	password := env("AGENTDESK_ADMIN_PASSWORD", "")
	if password == "" {
		fmt.Fprintln(c.stderr, "password (one line):")
		line, err := bufio.NewReader(c.stdin).ReadString('\n')
		if err != nil && line == "" {
			return fmt.Errorf("read password: %w", err)
		}
		password = strings.TrimRight(line, "\r\n")
	}
	db, err := store.Open(dbURL)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.CheckCurrent(ctx); err != nil {
		return err
	}
	hasher := signin.NewHasher(signin.DefaultParams(), 1, nil)
	u, err := agentdesk.CreatePlatformAdmin(ctx, db.Client, hasher, time.Now(), email, name, password)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "created platform admin %s (%s)\n", u.Email, u.ID)
	return nil
}
