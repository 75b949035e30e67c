package repo

import (
	"bufio"
	"context"
	"fmt"
	"strconv"
	"strings"
)

// Contributor is one commit author, grouped by email as GitLab does.
type Contributor struct {
	Name    string // the author name on their newest commit
	Email   string
	Commits int
}

// Contributors groups the non-merge commits reachable from commit (at most
// limit of them, newest first; 0 for all) by author email, in order of
// first appearance. The log is streamed, never buffered whole.
func (r *Repo) Contributors(ctx context.Context, commit string, limit int) ([]Contributor, error) {
	if !isHexID(commit, 40) {
		return nil, fmt.Errorf("%w: contributors of %q: not an object id", ErrInvalid, commit)
	}
	args := []string{"log", "--no-merges", "--format=%an%x00%ae"}
	if limit > 0 {
		args = append(args, "--max-count="+strconv.Itoa(limit))
	}
	args = append(args, "--end-of-options", commit, "--")
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	cmd := Command(ctx, r.path, nil, args...)
	stderr := &limitedWriter{n: 4096}
	cmd.Stderr = stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("contributors: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start log: %w", err)
	}
	var out []Contributor
	index := map[string]int{}
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		name, email, _ := strings.Cut(sc.Text(), "\x00")
		i, ok := index[email]
		if !ok {
			i = len(out)
			index[email] = i
			out = append(out, Contributor{Name: name, Email: email})
		}
		out[i].Commits++
	}
	if err := sc.Err(); err != nil {
		cancel() // git may be blocked writing to a pipe nobody reads
		_ = cmd.Wait()
		return nil, fmt.Errorf("contributors: %w", err)
	}
	if err := cmd.Wait(); err != nil {
		return nil, &GitError{Args: args, Stderr: strings.TrimSpace(stderr.String()), Err: err}
	}
	return out, nil
}
