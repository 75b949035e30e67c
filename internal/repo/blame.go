package repo

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// BlameRange is a run of consecutive lines last changed by one commit.
type BlameRange struct {
	Commit *Commit
	Lines  []string
}

// Blame attributes each line of the file at p at rev (an object id) to the
// commit that last changed it, optionally only lines start..end (1-based,
// inclusive; 0 for whole file). One "git blame --porcelain" call; the
// commits come from the warm cat-file reader.
func (r *Repo) Blame(ctx context.Context, rev, p string, start, end int) ([]BlameRange, error) {
	if err := ValidatePath(p); err != nil {
		return nil, err
	}
	if !isHexID(rev, 40) {
		return nil, fmt.Errorf("%w: blame needs an object id", ErrInvalidRef)
	}
	args := []string{"blame", "--porcelain"}
	if start > 0 {
		args = append(args, "-L", strconv.Itoa(start)+","+strconv.Itoa(end))
	}
	args = append(args, rev, "--", p)
	out, err := gitCmd{dir: r.path, args: args}.run(ctx)
	if err != nil {
		var ge *GitError
		if errors.As(err, &ge) && strings.Contains(ge.Stderr, "has only") {
			return nil, fmt.Errorf("%w: range beyond end of file", ErrInvalid)
		}
		return nil, fmt.Errorf("blame: %w", err)
	}
	type line struct {
		sha  string
		text string
	}
	var lines []line
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 64<<10), 64<<20)
	cur := ""
	for sc.Scan() {
		t := sc.Text()
		if strings.HasPrefix(t, "\t") {
			lines = append(lines, line{sha: cur, text: t[1:]})
			continue
		}
		if f := strings.Fields(t); len(f) >= 3 && isHexID(f[0], 40) && len(f[0]) >= 40 {
			cur = f[0]
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("blame output: %w", err)
	}
	var ids []string
	seen := map[string]bool{}
	for _, l := range lines {
		if !seen[l.sha] {
			seen[l.sha] = true
			ids = append(ids, l.sha)
		}
	}
	cs, err := r.commits(ctx, ids)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]*Commit, len(cs))
	for _, c := range cs {
		byID[c.ID] = c
	}
	var ranges []BlameRange
	for i, l := range lines {
		if i == 0 || lines[i-1].sha != l.sha {
			ranges = append(ranges, BlameRange{Commit: byID[l.sha]})
		}
		last := &ranges[len(ranges)-1]
		last.Lines = append(last.Lines, l.text)
	}
	return ranges, nil
}
