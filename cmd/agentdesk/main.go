// Command agentdesk is the one binary of the service:
//
//	agentdesk serve [--demo] [--migrate]   run the server
//	agentdesk migrate [--status]           apply (or list) database migrations
//	agentdesk admin create --email E       create a platform admin
//	agentdesk bench [--duration 60s]        a bounded soak test on loopback
//	agentdesk version
//
// Every flag has an AGENTDESK_* environment variable; a flag wins.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "agentdesk:", err)
		}
		os.Exit(1)
	}
}

const usage = `usage: agentdesk <command> [flags]

commands:
  serve     run the server (--demo loads a demo tenant)
  migrate   apply pending database migrations (--status lists them)
  admin     create a platform admin: agentdesk admin create --email E [--name N]
  copy      copy a whole database into a new one: --from sqlite:./agentdesk.db --to postgres://…
  bench     a bounded soak test on loopback (--duration, --agents)
  version   print the version

Run "agentdesk <command> -h" for a command's flags.
`

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command")
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	switch args[0] {
	case "serve":
		return serve(ctx, args[1:], stdout, stderr, logger)
	case "migrate":
		return migrate(ctx, args[1:], stdout, stderr)
	case "admin":
		return adminCmd(ctx, args[1:], stdin, stdout, stderr, logger)
	case "copy":
		return copyCmd(ctx, args[1:], stdout, stderr)
	case "bench":
		return bench(ctx, args[1:], stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "agentdesk", version)
		return nil
	case "-h", "--help", "help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown command %q", args[0])
	}
}

// env is the value of an AGENTDESK_* variable, or def.
func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return def
}
