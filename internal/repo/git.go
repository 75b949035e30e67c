package repo

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"strings"
	"time"
)

// gitBinary is resolved through PATH at exec time.
const gitBinary = "git"

// Env returns the fixed environment every git process runs with, plus extra
// ("KEY=value") entries. Nothing of the server's own environment leaks in
// except PATH (to find git and its helpers) and TZ, and no GIT_* variable is
// inherited: they could redirect the object store, the work tree or config.
func Env(extra ...string) []string {
	env := []string{
		"GIT_CONFIG_NOSYSTEM=1",
		"GIT_CONFIG_GLOBAL=" + os.DevNull, // git >= 2.32; HOME below covers older
		"GIT_TERMINAL_PROMPT=0",
		"GIT_ATTR_NOSYSTEM=1",
		"GIT_NO_REPLACE_OBJECTS=1", // refs/replace must not change what readers see
		"GIT_LITERAL_PATHSPECS=1",  // user paths are paths, never ":(magic)" pathspecs
		"LC_ALL=C",
		// A HOME nothing can be created under: no ~/.gitconfig, no credentials.
		"HOME=" + os.DevNull,
		"XDG_CONFIG_HOME=" + os.DevNull,
	}
	if p, ok := os.LookupEnv("PATH"); ok {
		env = append(env, "PATH="+p)
	}
	if tz, ok := os.LookupEnv("TZ"); ok {
		env = append(env, "TZ="+tz)
	}
	return append(env, extra...)
}

// Command builds a git command in dir (a bare repository, or "" for none)
// with the fixed environment. Callers that stream (the smart HTTP transport)
// use it directly; everything else goes through run.
func Command(ctx context.Context, dir string, extraEnv []string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, gitBinary, args...)
	cmd.Dir = dir
	cmd.Env = Env(extraEnv...)
	// Give git a moment to exit on its own after ctx ends before its pipes
	// are forcibly closed, so Wait never hangs on a stuck child.
	cmd.WaitDelay = 5 * time.Second
	return cmd
}

// gitCmd describes one git invocation.
type gitCmd struct {
	dir   string
	args  []string
	env   []string
	stdin io.Reader
}

// run executes the command and returns stdout; a failure carries stderr.
func (c gitCmd) run(ctx context.Context) ([]byte, error) {
	var stdout, stderr bytes.Buffer
	cmd := Command(ctx, c.dir, c.env, c.args...)
	cmd.Stdin = c.stdin
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			err = ctx.Err()
		}
		return stdout.Bytes(), &GitError{Args: c.args, Stderr: strings.TrimSpace(stderr.String()), Err: err}
	}
	return stdout.Bytes(), nil
}

// git runs a command in the repository and returns trimmed stdout.
func (r *Repo) git(ctx context.Context, args ...string) (string, error) {
	out, err := gitCmd{dir: r.path, args: args}.run(ctx)
	return strings.TrimSpace(string(out)), err
}

// exitCode reports git's exit status in err, or -1.
func exitCode(err error) int {
	var ge *GitError
	if errors.As(err, &ge) {
		return ge.ExitCode()
	}
	return -1
}
