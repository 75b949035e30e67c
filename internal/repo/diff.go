package repo

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// emptyTreeOID is the id of the empty tree in a SHA-1 repository; git knows
// it without it being stored, so root commits diff against it.
const emptyTreeOID = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"

// FileDiff is one changed file between two trees, in GitLab's terms.
type FileDiff struct {
	OldPath     string
	NewPath     string
	AMode       string // "0" when the file is new, as GitLab shows it
	BMode       string // "0" when the file is deleted
	NewFile     bool
	RenamedFile bool
	DeletedFile bool
	// Diff is the unified diff body starting at the first hunk ("@@ …"),
	// or git's "Binary files … differ" line; empty for a pure rename or
	// mode change.
	Diff string
}

// CommitDiff lists the changes a commit made against its first parent (the
// empty tree for a root commit), as GitLab's commit diff does.
func (r *Repo) CommitDiff(ctx context.Context, rev string) ([]FileDiff, error) {
	c, err := r.Commit(ctx, rev)
	if err != nil {
		return nil, err
	}
	from := emptyTreeOID
	if len(c.Parents) > 0 {
		from = c.Parents[0]
	}
	return r.DiffTrees(ctx, from, c.ID)
}

// DiffTrees lists the changes from one tree-ish to another. Both must be
// object ids (callers resolve user revisions first), so the answer never
// changes: it is cached per repository and pair (cost: its size in KiB),
// and concurrent askers of one pair wait for one git run. Callers get
// their own slice.
func (r *Repo) DiffTrees(ctx context.Context, from, to string) ([]FileDiff, error) {
	if !isHexID(from, 40) || !isHexID(to, 40) {
		return nil, fmt.Errorf("%w: diff needs object ids", ErrInvalidRef)
	}
	key := diffKey{repo: r.path, from: from, to: to}
	if d, ok := r.cache.diffs.Get(key); ok {
		return slices.Clone(d), nil
	}
	d, err := r.cache.diffRuns.Do(ctx, key, diffTimeout, func(ctx context.Context) ([]FileDiff, error) {
		d, err := r.diffTrees(ctx, from, to)
		if err == nil {
			size := 0
			for _, f := range d {
				size += len(f.Diff) + len(f.OldPath) + len(f.NewPath) + 64
			}
			r.cache.diffs.PutCost(key, d, 1+size>>10)
		}
		return d, err
	})
	if err != nil {
		return nil, err
	}
	return slices.Clone(d), nil
}

// diffTimeout bounds one diff run that several callers may wait for.
const diffTimeout = 2 * time.Minute

// diffTrees runs git for DiffTrees. Two git processes run whatever the
// number of files: one for the raw entries (modes, statuses, exact paths)
// and one for the patch text, which comes in the same order.
func (r *Repo) diffTrees(ctx context.Context, from, to string) ([]FileDiff, error) {
	raw, err := r.git(ctx, "diff-tree", "-r", "-z", "-M", "--no-commit-id", from, to)
	if err != nil {
		return nil, fmt.Errorf("diff-tree --raw: %w", err)
	}
	diffs, err := parseRawDiff(raw)
	if err != nil {
		return nil, err
	}
	if len(diffs) == 0 {
		return diffs, nil
	}
	out, err := r.RawDiff(ctx, from, to)
	if err != nil {
		return nil, err
	}
	patches := splitPatch(out)
	if len(patches) != len(diffs) {
		return nil, fmt.Errorf("diff-tree: %d raw entries but %d patches", len(diffs), len(patches))
	}
	for i := range diffs {
		diffs[i].Diff = patchBody(patches[i])
	}
	return diffs, nil
}

// parseRawDiff decodes "diff-tree -r -z" raw output:
// ":<amode> <bmode> <aoid> <boid> <status>\0<path>\0[<path>\0]".
func parseRawDiff(raw string) ([]FileDiff, error) {
	fields := strings.Split(raw, "\x00")
	var out []FileDiff
	for i := 0; i < len(fields); i++ {
		meta := strings.TrimPrefix(strings.TrimLeft(fields[i], "\n"), ":")
		if meta == "" {
			continue
		}
		f := strings.Fields(meta)
		if len(f) != 5 || i+1 >= len(fields) {
			return nil, fmt.Errorf("diff-tree: malformed raw line %q", meta)
		}
		d := FileDiff{AMode: diffMode(f[0]), BMode: diffMode(f[1])}
		status := f[4]
		d.OldPath = fields[i+1]
		d.NewPath = d.OldPath
		i++
		switch status[0] {
		case 'R', 'C':
			if i+1 >= len(fields) {
				return nil, fmt.Errorf("diff-tree: rename without target")
			}
			d.NewPath = fields[i+1]
			d.RenamedFile = status[0] == 'R'
			d.NewFile = status[0] == 'C'
			i++
		case 'A':
			d.NewFile = true
		case 'D':
			d.DeletedFile = true
		}
		out = append(out, d)
	}
	return out, nil
}

// diffMode shows a mode as GitLab does: "0" for absent, else the octal.
func diffMode(m string) string {
	if n, err := strconv.ParseUint(m, 8, 32); err == nil && n == 0 {
		return "0"
	}
	return m
}

// splitPatch cuts patch output into per-file sections. A line starting with
// "diff --git " can only be a header: content lines start with ' ', '+',
// '-', '\' or '@'.
func splitPatch(out []byte) [][]byte {
	var sections [][]byte
	start := -1
	for pos := 0; pos < len(out); {
		end := bytes.IndexByte(out[pos:], '\n')
		next := len(out)
		if end >= 0 {
			next = pos + end + 1
		}
		if bytes.HasPrefix(out[pos:], []byte("diff --git ")) {
			if start >= 0 {
				sections = append(sections, out[start:pos])
			}
			start = pos
		}
		pos = next
	}
	if start >= 0 {
		sections = append(sections, out[start:])
	}
	return sections
}

// patchBody drops a section's extended header, keeping what GitLab shows.
func patchBody(sec []byte) string {
	for pos := 0; pos < len(sec); {
		line := sec[pos:]
		if bytes.HasPrefix(line, []byte("@@")) || bytes.HasPrefix(line, []byte("Binary files ")) ||
			bytes.HasPrefix(line, []byte("GIT binary patch")) {
			return string(sec[pos:])
		}
		end := bytes.IndexByte(line, '\n')
		if end < 0 {
			break
		}
		pos += end + 1
	}
	return ""
}

// Stats are a commit's line counts against its first parent.
type Stats struct {
	Additions int64
	Deletions int64
}

// CommitStats computes stats for many commits with one "diff-tree --stdin"
// process: each input line names a commit and the parent to diff against.
func (r *Repo) CommitStats(ctx context.Context, commits []*Commit) (map[string]Stats, error) {
	out := make(map[string]Stats, len(commits))
	if len(commits) == 0 {
		return out, nil
	}
	var in strings.Builder
	for _, c := range commits {
		in.WriteString(c.ID)
		if len(c.Parents) > 0 {
			in.WriteString(" " + c.Parents[0])
		}
		in.WriteByte('\n')
		out[c.ID] = Stats{}
	}
	res, err := gitCmd{dir: r.path, args: []string{"diff-tree", "--stdin", "-r", "--root", "--numstat", "--no-renames"},
		stdin: strings.NewReader(in.String())}.run(ctx)
	if err != nil {
		return nil, fmt.Errorf("diff-tree --numstat: %w", err)
	}
	cur := ""
	for _, line := range strings.Split(string(res), "\n") {
		if line == "" {
			continue
		}
		if !strings.Contains(line, "\t") {
			cur = strings.Fields(line)[0]
			continue
		}
		f := strings.SplitN(line, "\t", 3)
		st := out[cur]
		if a, err := strconv.ParseInt(f[0], 10, 64); err == nil {
			st.Additions += a
		}
		if d, err := strconv.ParseInt(f[1], 10, 64); err == nil {
			st.Deletions += d
		}
		out[cur] = st
	}
	return out, nil
}

// ChangedFiles counts the files that differ from one tree-ish to another
// (object ids), renames as one: a merge request's changes_count, without
// reading any patch.
func (r *Repo) ChangedFiles(ctx context.Context, from, to string) (int, error) {
	if !isHexID(from, 40) || !isHexID(to, 40) {
		return 0, fmt.Errorf("%w: diff needs object ids", ErrInvalidRef)
	}
	key := diffKey{repo: r.path, from: from, to: to}
	if d, ok := r.cache.diffs.Get(key); ok {
		return len(d), nil
	}
	if n, ok := r.cache.changedFiles.Get(key); ok {
		return n, nil
	}
	raw, err := r.git(ctx, "diff-tree", "-r", "-z", "-M", "--no-commit-id", from, to)
	if err != nil {
		return 0, fmt.Errorf("diff-tree --raw: %w", err)
	}
	diffs, err := parseRawDiff(raw)
	if err != nil {
		return 0, err
	}
	r.cache.changedFiles.Put(key, len(diffs))
	return len(diffs), nil
}

// RawDiff is the plain-text patch from one tree-ish to another (object
// ids), as GitLab's raw diffs send it: git's headers with full index
// lines, renames detected.
func (r *Repo) RawDiff(ctx context.Context, from, to string) ([]byte, error) {
	if !isHexID(from, 40) || !isHexID(to, 40) {
		return nil, fmt.Errorf("%w: diff needs object ids", ErrInvalidRef)
	}
	out, err := gitCmd{dir: r.path, args: []string{"diff-tree", "-r", "-p", "-M", "--full-index", "--no-color",
		"--no-ext-diff", "--no-textconv", "--no-commit-id", from, to}}.run(ctx)
	if err != nil {
		return nil, fmt.Errorf("diff-tree -p: %w", err)
	}
	return out, nil
}
