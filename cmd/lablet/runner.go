package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/lablet/lablet/internal/config"
	"github.com/lablet/lablet/internal/runner"
	"github.com/lablet/lablet/internal/server"
)

const runnerUsage = `usage: lablet runner register|run [flags] (see "lablet runner --help")`

// runnerRegisterFlags and runnerRunFlags are the subcommands' flags, for
// their help.
var (
	runnerRegisterFlags = []struct{ name, def, usage string }{
		{"--url URL", "none, required", "the server's URL, e.g. https://lablet.example.com"},
		{"--token TOKEN", "none, required", "the runner's authentication token (glrt-…), from creating the runner on the server"},
		{"--config FILE", runner.DefaultConfigPath, "the config file to write, 0600; an existing one gets the runner added"},
		{"--name NAME", "the host's name", "the runner's name in the config"},
	}
	runnerRunFlags = []struct{ name, def, usage string }{
		{"--config FILE", runner.DefaultConfigPath, "the config file \"lablet runner register\" wrote"},
		{"--concurrent N", "the config's concurrent, 1", "how many jobs run at once"},
		{"--builds-dir DIR", "the config's builds_dir", "where jobs run, each in <project id>/<job id>, removed after the job"},
	}
)

func runnerHelp() string {
	var b strings.Builder
	b.WriteString(`Usage: lablet runner register --url URL --token TOKEN [flags]
       lablet runner run [flags]

The built-in CI runner, a GitLab Runner with the shell executor: it runs
jobs with bash on this machine, as the user that starts it. "register"
checks the runner's authentication token with the server and writes the
config in GitLab Runner's config.toml shape; "run" asks the server for
jobs until SIGINT or SIGTERM, which aborts the running jobs (reported
failed, runner_system_failure).

register flags:
`)
	for _, f := range runnerRegisterFlags {
		config.WriteEntry(&b, f.name, "", f.def, f.usage)
	}
	b.WriteString("\nrun flags:\n")
	for _, f := range runnerRunFlags {
		config.WriteEntry(&b, f.name, "", f.def, f.usage)
	}
	b.WriteString(exitStatusHelp)
	return b.String()
}

// runRunner dispatches "lablet runner …".
func runRunner(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError{errors.New(runnerUsage)}
	}
	switch {
	case isHelp(args[0]):
		fmt.Fprint(stdout, runnerHelp())
		return nil
	case args[0] == "register":
		return runRunnerRegister(ctx, args[1:], stdout)
	case args[0] == "run":
		return runRunnerRun(ctx, args[1:], stdout, stderr)
	}
	return usageError{fmt.Errorf("runner: unknown subcommand %q; %s", args[0], runnerUsage)}
}

func runRunnerRegister(ctx context.Context, args []string, stdout io.Writer) error {
	fs := newFlagSet("runner register")
	url := fs.String("url", "", "")
	token := fs.String("token", "", "")
	path := fs.String("config", runner.DefaultConfigPath, "")
	name := fs.String("name", "", "")
	if done, err := parsed("runner", fs.Parse(args), stdout, runnerHelp); done {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("runner register: unexpected argument %q", fs.Arg(0))}
	}
	if *url == "" || *token == "" {
		return usageError{errors.New("runner register: --url and --token are required")}
	}
	var opts []runner.RegisterOption
	if *name != "" {
		opts = append(opts, runner.WithName(*name))
	}
	if err := runner.Register(ctx, *url, *token, *path, opts...); err != nil {
		return fmt.Errorf("runner %w", err)
	}
	fmt.Fprintf(stdout, "Runner registered; its config is in %s.\nStart it with: lablet runner run --config %s\n", *path, *path)
	return nil
}

func runRunnerRun(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("runner run")
	path := fs.String("config", runner.DefaultConfigPath, "")
	concurrent := fs.Int("concurrent", 0, "")
	buildsDir := fs.String("builds-dir", "", "")
	if done, err := parsed("runner", fs.Parse(args), stdout, runnerHelp); done {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("runner run: unexpected argument %q", fs.Arg(0))}
	}
	if *concurrent < 0 {
		return usageError{fmt.Errorf("runner run: invalid --concurrent %d: want a positive number", *concurrent)}
	}
	log := newLogger(stderr, "info")
	cfg, err := runner.LoadConfig(*path)
	var ignored *runner.IgnoredKeysError
	switch {
	case errors.As(err, &ignored):
		log.Warn(ignored.Error())
	case err != nil:
		return err
	}
	if *concurrent > 0 {
		cfg.Concurrent = *concurrent
	}
	if *buildsDir != "" {
		for i := range cfg.Runners {
			cfg.Runners[i].BuildsDir = *buildsDir
		}
	}
	cfg.Version = server.Version
	return runner.Run(ctx, cfg, log)
}
