// Command agentdesk is the one binary of the service. `agentdesk help`
// lists its commands; `agentdesk help CMD` and `agentdesk CMD -h` print a
// command's usage with every flag, the AGENTDESK_* variable of each, and
// the settings read only from the environment.
//
// Exit status: 0 on success (help included), 1 when the command failed,
// 2 when the command line is wrong (an unknown command or flag, a missing
// argument).
package main

import (
	"context"
	"errors"
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
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(exitStatus(os.Stderr, err))
}

// commands are the binary's commands, in the order help lists them. To
// add one, write its *command (see command) and list it here.
func commands() []*command {
	return []*command{
		serveCommand,
		migrateCommand,
		adminCommand,
		importCommand,
		applyCommand,
		exportCommand,
		copyCommand,
		benchCommand,
		versionCommand,
	}
}

func lookupCommand(name string) *command {
	for _, c := range commands() {
		if c.name == name {
			return c
		}
	}
	return nil
}

// usage is the general help: the commands with their summaries.
func usage(w io.Writer) {
	fmt.Fprint(w, "usage: agentdesk <command> [arguments] [flags]\n\ncommands:\n")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, `  help      print a command's usage: agentdesk help <command>

"agentdesk help <command>" or "agentdesk <command> -h" prints the command's
flags, the AGENTDESK_* environment variable of each, and the settings read
only from the environment. Exit status: 0 success, 1 failure, 2 a wrong
command line.
`)
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		usage(stderr)
		return &usageError{err: errors.New("no command given")}
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	switch args[0] {
	case "-h", "-help", "--help":
		usage(stdout)
		return nil
	case "help":
		if len(args) == 1 {
			usage(stdout)
			return nil
		}
		c := lookupCommand(args[1])
		if c == nil {
			return &usageError{err: fmt.Errorf("no command %q to explain", args[1])}
		}
		fs := newFlagSet(c.name)
		c.flags(fs)
		c.help(stdout, fs)
		return nil
	}
	c := lookupCommand(args[0])
	if c == nil {
		return &usageError{err: fmt.Errorf("unknown command %q", args[0])}
	}
	return c.exec(ctx, args[1:], stdin, stdout, stderr, logger)
}

// exitStatus prints err for people and returns the process's exit status.
func exitStatus(w io.Writer, err error) int {
	var ue *usageError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ue):
		fmt.Fprintln(w, "agentdesk:", readable(err))
		if ue.cmd != "" {
			fmt.Fprintf(w, "Run \"agentdesk help %s\" for its usage.\n", ue.cmd)
		} else {
			fmt.Fprintln(w, "Run \"agentdesk help\" for the list of commands.")
		}
		return 2
	case errors.Is(err, errReported):
		return 1
	default:
		fmt.Fprintln(w, "agentdesk:", readable(err))
		return 1
	}
}

var versionCommand = &command{
	name:    "version",
	summary: "print the version",
	flags: func(*flagSet) func(context.Context, *invocation) error {
		return func(_ context.Context, c *invocation) error {
			fmt.Fprintln(c.stdout, "agentdesk", version)
			return nil
		}
	},
}
