package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"strings"

	"github.com/agentdesk/agentdesk/internal/apperr"
)

// command is one subcommand of the binary. Its entry in commands() is all
// there is to it: dispatch, `agentdesk help CMD`, `CMD -h` and the list of
// commands all come from here, so a command cannot have flags its help does
// not show.
type command struct {
	// name is what is typed after agentdesk.
	name string
	// summary is its line in `agentdesk help`.
	summary string
	// usage follows the name in the usage line: "users FILE.csv --tenant SLUG [flags]".
	usage string
	// about is what help prints under the usage line (optional).
	about string
	// envOnly are the settings it reads only from the environment
	// (secrets, which never go on a command line, and rarely changed keys).
	envOnly []envSetting
	// flags declares the command's flags on fs and returns what runs the
	// command once they are parsed. help calls it too, and never runs the
	// result.
	flags func(fs *flagSet) func(ctx context.Context, c *invocation) error
}

// envSetting is a setting read from the environment only.
type envSetting struct{ name, usage string }

// invocation is one run of a command: its positional arguments (flags may
// come before, between or after them) and where it reads and writes.
type invocation struct {
	args   []string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	log    *slog.Logger
}

// flagSet is a command's flags with the AGENTDESK_* variable of each flag
// that has one. A flag given on the command line wins over its variable;
// the variable wins over the default.
type flagSet struct {
	*flag.FlagSet
	env map[string]string // flag name → environment variable
}

func newFlagSet(name string) *flagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	// Errors and help are printed by run and help, to the right stream.
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return &flagSet{FlagSet: fs, env: map[string]string{}}
}

// envString declares a string flag that the environment variable envVar
// sets when the flag is not given.
func (fs *flagSet) envString(name, envVar, def, usage string) *string {
	fs.env[name] = envVar
	return fs.String(name, def, usage)
}

// database declares --database, the flag of every command that opens the
// database directly.
func (fs *flagSet) database() *string {
	return fs.envString("database", "AGENTDESK_DATABASE_URL", "sqlite:./agentdesk.db",
		"the `URL` of the database: sqlite:PATH or postgres://user:pass@host:port/db?sslmode=…")
}

// fromEnv sets each flag not given on the command line from its variable,
// when that is set and not empty; a bad value names the variable.
func (fs *flagSet) fromEnv() error {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	names := make([]string, 0, len(fs.env))
	for name := range fs.env {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if given[name] {
			continue
		}
		if v, ok := os.LookupEnv(fs.env[name]); ok && v != "" {
			if err := fs.Set(name, v); err != nil {
				return fmt.Errorf("%s=%q: %w", fs.env[name], v, err)
			}
		}
	}
	return nil
}

// given reports whether flag name was given on the command line.
func (fs *flagSet) given(name string) bool {
	found := false
	fs.Visit(func(f *flag.Flag) { found = found || f.Name == name })
	return found
}

// parseArgs parses flags wherever they are among the arguments (Go's flag
// package stops at the first argument that is not a flag, and `import users
// FILE.csv --tenant acme` puts flags last). After "--" everything is an
// argument.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			return append(positional, rest...), nil
		}
		if len(rest) == 0 {
			return positional, nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// usageError is a wrong command line: an unknown command or flag, a
// missing argument. It exits with status 2 and points at the help.
type usageError struct {
	cmd string // "" when no command was recognised
	err error
}

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

func usageErrorf(cmd, format string, args ...any) error {
	return &usageError{cmd: cmd, err: fmt.Errorf(format, args...)}
}

// errReported is a failure the command has already explained on stderr
// (an import's row errors): main exits 1 without saying more.
var errReported = errors.New("failed; see above")

// exec runs c with args.
func (c *command) exec(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, log *slog.Logger) error {
	fs := newFlagSet(c.name)
	runCmd := c.flags(fs)
	positional, err := parseArgs(fs.FlagSet, args)
	if errors.Is(err, flag.ErrHelp) {
		c.help(stdout, fs)
		return nil
	}
	if err != nil {
		return &usageError{cmd: c.name, err: err}
	}
	if err := fs.fromEnv(); err != nil {
		return &usageError{cmd: c.name, err: err}
	}
	return runCmd(ctx, &invocation{args: positional, stdin: stdin, stdout: stdout, stderr: stderr, log: log})
}

// help prints the command's usage: every flag with its default and its
// variable, then the settings read only from the environment.
func (c *command) help(w io.Writer, fs *flagSet) {
	fmt.Fprintf(w, "usage: %s\n\n%s\n", strings.TrimSpace("agentdesk "+c.name+" "+c.usage), c.summary)
	if c.about != "" {
		fmt.Fprintf(w, "\n%s\n", strings.TrimSpace(c.about))
	}
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	if n > 0 {
		fmt.Fprintln(w, "\nflags (a flag given wins over its environment variable):")
		fs.VisitAll(func(f *flag.Flag) {
			arg, usage := flag.UnquoteUsage(f)
			fmt.Fprintf(w, "  --%s", f.Name)
			if arg != "" {
				fmt.Fprintf(w, " %s", arg)
			}
			fmt.Fprintf(w, "\n      %s", usage)
			switch def := f.DefValue; {
			case def == "" || def == "false" || def == "0":
			case strings.ContainsAny(def, " \t"):
				fmt.Fprintf(w, " (default %q)", def)
			default:
				fmt.Fprintf(w, " (default %s)", def)
			}
			fmt.Fprintln(w)
			if v := fs.env[f.Name]; v != "" {
				fmt.Fprintf(w, "      environment: %s\n", v)
			}
		})
	}
	if len(c.envOnly) > 0 {
		fmt.Fprintln(w, "\nsettings read only from the environment:")
		for _, e := range c.envOnly {
			fmt.Fprintf(w, "  %s\n      %s\n", e.name, e.usage)
		}
	}
}

// readable is err's text for people: an API error reads as its message,
// without the code that clients of the API branch on
// ("admin password: WEAK_PASSWORD: …" reads "admin password: …").
func readable(err error) string {
	s := err.Error()
	if e, ok := apperr.As(err); ok {
		human := e.Message
		if cause := e.Unwrap(); cause != nil {
			human += ": " + cause.Error()
		}
		s = strings.Replace(s, e.Error(), human, 1)
	}
	return s
}

// env is the value of an environment-only setting, or def when it is unset
// or empty.
func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return def
}
