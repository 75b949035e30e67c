package githttp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"

	"github.com/lablet/lablet/internal/repo"
)

// Git services a stream (SSH) may ask for.
const (
	SvcUploadPack    = svcUpload
	SvcReceivePack   = svcReceive
	SvcUploadArchive = "git-upload-archive"
)

// Stream is one git service over a two-way byte stream: an SSH session's
// channel.
type Stream struct {
	In     io.Reader
	Out    io.Writer
	Stderr io.Writer
	// Protocol is GIT_PROTOCOL as the client sent it ("version=2").
	Protocol string
}

// ServeStream serves svc for t over s, the way git's SSH transport
// expects, with what HTTP does for the same target: fetches run git
// upload-pack (v0 or, with Protocol, v2) on the stream; pushes are
// advertised by receive-pack, their commands vetted by t.AuthorizePush
// before git runs again statelessly on them and the pack (HTTP's two
// requests over one stream), and what landed goes to t.AfterPush. It
// returns git's exit status.
func (h *Handler) ServeStream(ctx context.Context, t *Target, svc string, s Stream) (int, error) {
	var env []string
	if s.Protocol != "" && gitProtocolRe.MatchString(s.Protocol) {
		env = append(env, "GIT_PROTOCOL="+s.Protocol)
	}
	switch svc {
	case SvcUploadPack:
		return runStream(ctx, t.Dir, env, []string{"upload-pack", "."}, s)
	case SvcUploadArchive:
		return runStream(ctx, t.Dir, env, []string{"upload-archive", "."}, s)
	case SvcReceivePack:
		return h.receiveStream(ctx, t, env, s)
	}
	return 1, fmt.Errorf("githttp: unknown service %q", svc)
}

func (h *Handler) receiveStream(ctx context.Context, t *Target, env []string, s Stream) (int, error) {
	adv := append(hideRefsArgs(t), "receive-pack", "--stateless-rpc", "--advertise-refs", ".")
	if code, err := runStream(ctx, t.Dir, env, adv, Stream{In: bytes.NewReader(nil), Out: s.Out, Stderr: s.Stderr}); code != 0 || err != nil {
		return code, err
	}
	pc, err := readCommands(s.In)
	if err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return 0, nil // the client hung up after the advertisement
		}
		_, _ = fmt.Fprintf(s.Stderr, "fatal: %v\n", err)
		return 128, nil
	}
	if len(pc.updates) == 0 {
		return 0, nil // nothing to push: the client sent a flush alone
	}
	var policy PushPolicy
	if t.AuthorizePush != nil {
		policy, err = t.AuthorizePush(ctx, pc.updates)
		var refused *RefusedError
		switch {
		case errors.As(err, &refused):
			_, werr := s.Out.Write(refusal(pc, refused.Message))
			return 1, werr
		case err != nil:
			return 1, fmt.Errorf("githttp: authorize push: %w", err)
		}
	}
	args := append(h.receiveArgs(t), "receive-pack", "--stateless-rpc", ".")
	report := newPushReport(pc)
	code, err := runStream(ctx, t.Dir, append(env, pushPolicyEnv(policy)...), args,
		Stream{In: io.MultiReader(bytes.NewReader(pc.raw), s.In), Out: io.MultiWriter(s.Out, report), Stderr: s.Stderr})
	h.logUnstored(ctx, t, report)
	h.afterReceive(ctx, t, pc)
	return code, err
}

// runStream runs git with args in dir on the stream. Its input is copied
// through a pipe closed when git exits, so a client that keeps the
// stream open does not hold git's end.
func runStream(ctx context.Context, dir string, env, args []string, s Stream) (int, error) {
	cmd := repo.Command(ctx, dir, env, args...)
	cmd.Stdout = s.Out
	stderr := &capped{max: 8 << 10}
	cmd.Stderr = stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return 1, fmt.Errorf("githttp: stdin: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return 1, fmt.Errorf("githttp: start git: %w", err)
	}
	go func() {
		_, _ = io.Copy(stdin, s.In)
		_ = stdin.Close()
	}()
	err = cmd.Wait()
	if msg := strings.TrimSpace(stderr.String()); msg != "" && s.Stderr != nil {
		_, _ = io.WriteString(s.Stderr, msg+"\n")
	}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode(), nil
	}
	if err != nil {
		return 1, fmt.Errorf("githttp: git %s: %w", args[0], err)
	}
	return 0, nil
}
