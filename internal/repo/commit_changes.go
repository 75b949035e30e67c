package repo

import (
	"context"
	"fmt"
	"strings"
)

// CommitChanges lists, for each commit, the files it changed against its
// first parent (a root commit: against nothing), renames detected — what
// GitLab's push events carry as added, modified and removed. One
// "diff-tree --stdin" process serves every commit.
func (r *Repo) CommitChanges(ctx context.Context, commits []*Commit) (map[string][]FileDiff, error) {
	out := make(map[string][]FileDiff, len(commits))
	if len(commits) == 0 {
		return out, nil
	}
	var in strings.Builder
	for _, c := range commits {
		if !isHexID(c.ID, 40) {
			return nil, fmt.Errorf("%w: changes need commit ids", ErrInvalidRef)
		}
		in.WriteString(c.ID)
		if len(c.Parents) > 0 {
			in.WriteString(" " + c.Parents[0])
		}
		in.WriteByte('\n')
		out[c.ID] = nil
	}
	res, err := gitCmd{dir: r.path, args: []string{"diff-tree", "--stdin", "-r", "-z", "--root", "-M"},
		stdin: strings.NewReader(in.String())}.run(ctx)
	if err != nil {
		return nil, fmt.Errorf("diff-tree --stdin --raw: %w", err)
	}
	// With -z each commit's header ("<commit> [<parent>]") is a field of
	// its own; a raw entry's paths follow its ":"-led field, so a path
	// is never mistaken for a header.
	fields := strings.Split(string(res), "\x00")
	cur := ""
	for i := 0; i < len(fields); i++ {
		f := strings.TrimLeft(fields[i], "\n")
		if f == "" {
			continue
		}
		if !strings.HasPrefix(f, ":") {
			cur = strings.Fields(f)[0]
			continue
		}
		n := 2
		if status := strings.Fields(f); len(status) == 5 && (status[4][0] == 'R' || status[4][0] == 'C') {
			n = 3
		}
		if i+n > len(fields) {
			return nil, fmt.Errorf("diff-tree: truncated raw entry %q", f)
		}
		d, err := parseRawDiff(strings.Join(fields[i:i+n], "\x00"))
		if err != nil {
			return nil, err
		}
		out[cur] = append(out[cur], d...)
		i += n - 1
	}
	return out, nil
}
