// Command lablet is a GitLab-compatible forge in one binary.
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

	"github.com/lablet/lablet/internal/config"
)

const usage = `lablet — a GitLab-compatible forge

Usage:
  lablet serve [flags]            run the server
  lablet token create [flags]     print a new personal access token
  lablet routes                   list every route the server serves
  lablet backup create|verify|restore
                                  back the instance up, check a backup, restore one
  lablet runner register|run      register or run the built-in CI runner
  lablet version                  print the version
  lablet help [command]           print this help, or a command's

Run "lablet <command> --help" for a command's flags and settings.
`

func main() {
	// Before anything is created: the data dir holds the database, keys
	// and code, and git, which lablet runs, creates files too.
	privateFiles()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(exitStatus(run(ctx, os.Args[1:], os.Stdout, os.Stderr), os.Stderr))
}

// usageError is a bad command line or setting: exit status 2, as the flag
// package has it. Other failures exit with status 1.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// errUsageShown: the usage was printed already, there is nothing to add.
var errUsageShown = errors.New("usage shown")

// exitStatus reports err on stderr, on one line, and returns the status
// the process exits with.
func exitStatus(err error, stderr io.Writer) int {
	if err == nil {
		return 0
	}
	if errors.Is(err, errUsageShown) {
		return 2
	}
	fmt.Fprintln(stderr, "lablet:", err)
	var ue usageError
	var ve *config.ValueError
	if errors.As(err, &ue) || errors.As(err, &ve) {
		return 2
	}
	return 1
}

// run dispatches a command line; it is main without the process around it.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errUsageShown
	}
	switch args[0] {
	case "serve":
		return runServe(ctx, args[1:], stdout, stderr)
	case "token":
		if len(args) >= 2 && args[1] == "create" {
			return runTokenCreate(ctx, args[2:], stdout, stderr)
		}
		if len(args) == 2 && isHelp(args[1]) {
			fmt.Fprint(stdout, tokenCreateHelp())
			return nil
		}
		return usageError{errors.New(`usage: lablet token create --name NAME [flags] (see "lablet token create --help")`)}
	case "backup":
		return runBackup(ctx, args[1:], stdout, stderr)
	case "routes":
		return runRoutes(args[1:], stdout, stderr)
	case "runner":
		return runRunner(ctx, args[1:], stdout, stderr)
	case "version", "--version", "-v":
		if len(args) > 1 {
			if len(args) == 2 && isHelp(args[1]) {
				fmt.Fprint(stdout, versionHelp)
				return nil
			}
			return usageError{fmt.Errorf("version: unexpected argument %q (see \"lablet version --help\")", args[1])}
		}
		fmt.Fprintln(stdout, versionString())
		return nil
	case "help", "-h", "--help", "-help":
		if len(args) > 1 {
			return run(ctx, append(args[1:], "--help"), stdout, stderr)
		}
		fmt.Fprint(stdout, topHelp())
		return nil
	}
	fmt.Fprint(stderr, usage)
	return usageError{fmt.Errorf("unknown command %q", args[0])}
}

func isHelp(arg string) bool {
	switch arg {
	case "-h", "-help", "--help", "help":
		return true
	}
	return false
}

// newFlagSet returns a flag set that prints nothing: run reports errors
// on one line and prints help on request.
func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// parsed sorts out what config.Load (or a flag set) answered: help was
// printed (done), or err is a usage error.
func parsed(cmd string, err error, stdout io.Writer, help func() string) (done bool, _ error) {
	switch {
	case err == nil:
		return false, nil
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprint(stdout, help())
		return true, nil
	}
	var ve *config.ValueError
	if errors.As(err, &ve) {
		return true, fmt.Errorf("%s: %w", cmd, err)
	}
	return true, usageError{fmt.Errorf("%s: %w (see \"lablet %s --help\")", cmd, err, cmd)}
}

func newLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		l = slog.LevelInfo // config has checked it
	}
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l}))
}
