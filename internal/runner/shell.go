package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"time"
)

// The colours GitLab Runner writes its own lines in.
const (
	ansiGreen  = "\x1b[32;1m"
	ansiRed    = "\x1b[31;1m"
	ansiYellow = "\x1b[0;33m"
	ansiCyan   = "\x1b[36;1m"
	ansiReset  = "\x1b[0;m"
	ansiClear  = "\x1b[0K"
)

// bashScript is one step as GitLab Runner's bash shell writes it: errexit
// and pipefail, each command echoed in green as "$ command" before it
// runs, the whole under `: | eval` so that no command reads the script
// from bash's stdin.
func bashScript(commands []string) string {
	var body strings.Builder
	for _, c := range commands {
		shown := c
		if first, _, multi := strings.Cut(strings.TrimSpace(c), "\n"); multi {
			shown = first + " # collapsed multi-line command"
		}
		body.WriteString("echo " + ansiC(ansiGreen+"$ "+shown+ansiReset) + "\n")
		body.WriteString(c + "\n")
	}
	return "set -eo pipefail\nset +o noclobber\n: | eval " + ansiC(body.String()) + "\nexit 0\n"
}

// ansiC quotes s as a bash $'…' string.
func ansiC(s string) string {
	var b strings.Builder
	b.WriteString("$'")
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' || c == '\'':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c == '\n':
			b.WriteString(`\n`)
		case c < 0x20 || c == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('\'')
	return b.String()
}

// leftoverWait bounds how long output of processes that escaped the
// process group may keep a step open after it ended.
const leftoverWait = 2 * time.Second

// runBash runs script with bash in dir, in a process group of its own,
// its output to out. It answers bash's exit code; when ctx ends first the
// whole group is killed and ctx's error returned.
func runBash(ctx context.Context, dir string, env []string, script string, out io.Writer) (int, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return -1, fmt.Errorf("start bash: %w", err)
	}
	defer r.Close()
	// Not a login shell, unlike GitLab Runner's: the runner's profile is
	// no part of a job.
	cmd := exec.CommandContext(ctx, "bash", "--noprofile", "--norc")
	cmd.Dir = dir
	cmd.Env = env
	cmd.Stdin = strings.NewReader(script)
	cmd.Stdout, cmd.Stderr = w, w
	ownGroup(cmd)
	err = cmd.Start()
	w.Close()
	if err != nil {
		return -1, fmt.Errorf("start bash: %w", err)
	}
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		_, _ = io.Copy(out, r)
	}()
	err = cmd.Wait()
	// Background processes the script left die with it, as in GitLab
	// Runner's shell executor; their output ends with them.
	_ = killGroup(cmd)
	select {
	case <-copied:
	case <-time.After(leftoverWait):
		r.Close()
		<-copied
	}
	if ctx.Err() != nil {
		return -1, ctx.Err()
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode(), nil
	}
	if err != nil {
		return -1, fmt.Errorf("run bash: %w", err)
	}
	return 0, nil
}
