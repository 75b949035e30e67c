package repo

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
)

// ArchiveFormats maps every format name GitLab accepts to the archive git
// writes and its file extension.
var ArchiveFormats = map[string]string{
	"tar.gz": "tar.gz", "tgz": "tar.gz", "gz": "tar.gz",
	"tar.bz2": "tar.bz2", "tbz": "tar.bz2", "tbz2": "tar.bz2", "tb2": "tar.bz2", "bz2": "tar.bz2",
	"tar": "tar",
	"zip": "zip",
}

// ArchiveRequest describes a snapshot of a commit.
type ArchiveRequest struct {
	Commit string // full object id
	Format string // "tar", "tar.gz", "tar.bz2" or "zip"
	Prefix string // directory every entry is put under, e.g. "proj-main-<sha>/"
	Path   string // optional sub-path to restrict the archive to
}

// Archive starts "git archive" and returns its output as a stream; the
// archive is never held in memory. Everything that can fail (unknown path,
// bad input) is checked before the first byte, so a caller that has the
// stream may commit to a 200. Close the stream to stop git early.
func (r *Repo) Archive(ctx context.Context, req ArchiveRequest) (io.ReadCloser, error) {
	if !isHexID(req.Commit, 40) {
		return nil, fmt.Errorf("%w: archive of %q: not an object id", ErrInvalid, req.Commit)
	}
	if err := checkArchivePrefix(req.Prefix); err != nil {
		return nil, err
	}
	var args []string
	switch req.Format {
	case "tar", "zip", "tar.gz":
	case "tar.bz2":
		// git knows no bz2 filter of its own; configure one for this call.
		args = append(args, "-c", "tar.tar.bz2.command=bzip2 -c")
	default:
		return nil, fmt.Errorf("%w: archive format %q", ErrInvalid, req.Format)
	}
	if _, err := r.TreeEntryAt(ctx, req.Commit, req.Path); err != nil {
		return nil, err
	}
	args = append(args, "archive", "--format="+req.Format, "--prefix="+req.Prefix, req.Commit)
	if req.Path != "" {
		args = append(args, "--", req.Path)
	}
	ctx, cancel := context.WithCancel(ctx)
	cmd := Command(ctx, r.path, nil, args...)
	stderr := &limitedWriter{n: 4096}
	cmd.Stderr = stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		cancel()
		return nil, fmt.Errorf("archive: %w", err)
	}
	if err := cmd.Start(); err != nil {
		cancel()
		return nil, fmt.Errorf("start archive: %w", err)
	}
	s := &archiveStream{br: bufio.NewReaderSize(stdout, 64<<10), cmd: cmd, cancel: cancel, stderr: stderr, args: args}
	// Wait for the first bytes: a git that fails at once is reported as an
	// error rather than as an empty 200.
	if _, err := s.br.Peek(1); err != nil {
		werr := s.wait()
		if werr == nil {
			werr = fmt.Errorf("archive: no output: %w", err)
		}
		return nil, werr
	}
	return s, nil
}

type archiveStream struct {
	br     *bufio.Reader
	cmd    interface{ Wait() error }
	cancel context.CancelFunc
	stderr *limitedWriter
	args   []string
	done   bool
	err    error
}

func (s *archiveStream) Read(p []byte) (int, error) {
	n, err := s.br.Read(p)
	if errors.Is(err, io.EOF) {
		// git's exit status decides whether the stream was complete.
		if werr := s.wait(); werr != nil {
			return n, werr
		}
	}
	return n, err
}

func (s *archiveStream) wait() error {
	if !s.done {
		s.done = true
		if err := s.cmd.Wait(); err != nil {
			s.err = &GitError{Args: s.args, Stderr: strings.TrimSpace(s.stderr.String()), Err: err}
		}
		s.cancel()
	}
	return s.err
}

// Close stops git if it is still running and reaps it.
func (s *archiveStream) Close() error {
	if s.done {
		return nil
	}
	s.cancel()
	_ = s.wait()
	return nil
}

// checkArchivePrefix refuses prefixes that would place entries outside the
// archive's directory when extracted.
func checkArchivePrefix(prefix string) error {
	if strings.ContainsAny(prefix, "\x00\n\r\\") || strings.HasPrefix(prefix, "/") {
		return fmt.Errorf("%w: archive prefix %q", ErrInvalid, prefix)
	}
	for _, seg := range strings.Split(strings.TrimSuffix(prefix, "/"), "/") {
		if seg == ".." || seg == "." {
			return fmt.Errorf("%w: archive prefix %q", ErrInvalid, prefix)
		}
	}
	return nil
}
