package repo

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Merge failures GitLab tells apart.
var (
	// ErrMergeConflict: the two sides change the same lines (406 for a
	// merge request).
	ErrMergeConflict = errors.New("merge conflicts")
	// ErrNotFastForward: a fast-forward was asked for and the target has
	// commits the source lacks.
	ErrNotFastForward = errors.New("not a fast-forward")
)

// MergeSpec merges a commit (a merge request's head) into a branch, as
// GitLab's merge methods do: a merge commit, or a fast-forward, each
// optionally of one squashed commit instead of the source's commits.
type MergeSpec struct {
	Target string // the branch merged into
	Source string // the commit merged, an object id
	// ExpectTarget, when set, is the commit Target must still point at:
	// a target that moved meanwhile is ErrConflict, not merged anew.
	ExpectTarget string
	// FastForward moves Target to the result instead of writing a merge
	// commit; a target that is not an ancestor of the source is
	// ErrNotFastForward.
	FastForward bool
	// Squash first writes one commit with the source's changes on top of
	// the target (GitLab's squash commit: its author SquashAuthor, its
	// message SquashMessage), and merges that instead.
	Squash        bool
	SquashAuthor  Signature
	SquashMessage string
	Message       string    // the merge commit's message
	Committer     Signature // also the merge commit's author
	// Ref, when set, receives the result and Target stays where it is
	// (a merge request's refs/merge-requests/:iid/merge).
	Ref string
}

// MergeResult is what a merge wrote: the commit Target (or Ref) now points
// at, and the squash commit when one was made.
type MergeResult struct {
	Commit string
	Squash string
	Before string // the target's head the merge was made on
}

// Merge merges spec.Source into spec.Target without a work tree: "git
// merge-tree --write-tree" computes the merged tree (git's own merge, merge
// bases and renames included), commits are written as commit-tree would,
// and the branch moves with one compare-and-swap update-ref. A target that
// moved meanwhile is merged again on its new head, unless ExpectTarget pins
// it. Conflicts are ErrMergeConflict and write nothing a ref points at.
func (r *Repo) Merge(ctx context.Context, spec MergeSpec) (*MergeResult, error) {
	targetRef, err := BranchRef(spec.Target)
	if err != nil {
		return nil, err
	}
	if err := validateSignature(spec.Committer); err != nil {
		return nil, err
	}
	if spec.Squash {
		if err := validateSignature(spec.SquashAuthor); err != nil {
			return nil, err
		}
	}
	if !isHexID(spec.Source, 40) {
		return nil, fmt.Errorf("%w: source %q is not a commit id", ErrInvalid, spec.Source)
	}
	if _, err := r.Commit(ctx, spec.Source); err != nil {
		return nil, err
	}
	if spec.Committer.Date.IsZero() {
		spec.Committer.Date = time.Now()
	}
	if spec.SquashAuthor.Date.IsZero() {
		spec.SquashAuthor.Date = spec.Committer.Date
	}
	res, err := retryRaced(ctx, maxCommitAttempts, func() (*MergeResult, error) { return r.mergeOnce(ctx, spec, targetRef) })
	if errors.Is(err, errRaced) {
		return nil, fmt.Errorf("merge into %s: %w", spec.Target, ErrConflict)
	}
	return res, err
}

func (r *Repo) mergeOnce(ctx context.Context, spec MergeSpec, targetRef string) (*MergeResult, error) {
	head, err := r.readRef(targetRef)
	if err != nil {
		return nil, err
	}
	if head == "" {
		return nil, fmt.Errorf("branch %q: %w", spec.Target, ErrNotFound)
	}
	if spec.ExpectTarget != "" && head != spec.ExpectTarget {
		return nil, fmt.Errorf("branch %q moved: %w", spec.Target, ErrConflict)
	}
	res := &MergeResult{Before: head}
	source := spec.Source
	if spec.Squash {
		tree, err := r.mergeTrees(ctx, head, source)
		if err != nil {
			return nil, err
		}
		msg := withNewline(spec.SquashMessage)
		if res.Squash, err = r.writeCommit(ctx, tree, []string{head}, spec.SquashAuthor, spec.Committer, msg); err != nil {
			return nil, err
		}
		source = res.Squash
	}
	if spec.FastForward {
		ok, err := r.IsAncestor(ctx, head, source)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, fmt.Errorf("%s onto %s: %w", spec.Source, spec.Target, ErrNotFastForward)
		}
		res.Commit = source
	} else {
		tree, err := r.mergeTrees(ctx, head, source)
		if err != nil {
			return nil, err
		}
		res.Commit, err = r.writeCommit(ctx, tree, []string{head, source}, spec.Committer, spec.Committer, withNewline(spec.Message))
		if err != nil {
			return nil, err
		}
	}
	if spec.Ref != "" {
		if err := r.setRef(ctx, spec.Ref, res.Commit); err != nil {
			return nil, err
		}
		return res, nil
	}
	if err := r.updateRef(ctx, targetRef, res.Commit, head); err != nil {
		return nil, err
	}
	return res, nil
}

// HasConflicts reports whether merging source into target would conflict.
func (r *Repo) HasConflicts(ctx context.Context, target, source string) (bool, error) {
	_, err := r.mergeTrees(ctx, target, source)
	if errors.Is(err, ErrMergeConflict) {
		return true, nil
	}
	return false, err
}

// mergeTrees is the tree of a merge of two commits, as git merges them.
func (r *Repo) mergeTrees(ctx context.Context, ours, theirs string) (string, error) {
	// The merge of two commit ids never changes, so a mergeability check
	// and the merge that follows it run merge-tree once. A kept tree is
	// looked up first (warm cat-file, no process): it is unreachable until
	// a merge commit names it, and housekeeping may have dropped it.
	key := mergeKey{repo: r.path, ours: ours, theirs: theirs}
	cacheable := isHexID(ours, 40) && isHexID(theirs, 40)
	if tree, ok := r.cache.mergeTrees.Get(key); ok && cacheable {
		if tree == "" {
			return "", fmt.Errorf("%s with %s: %w", ours, theirs, ErrMergeConflict)
		}
		err := r.withCatFile(ctx, func(c *catFile) error {
			_, _, err := c.do(ctx, "info", tree)
			return err
		})
		if err == nil {
			return tree, nil
		}
	}
	out, err := gitCmd{dir: r.path, args: []string{"merge-tree", "--write-tree", "--no-messages", "--end-of-options",
		ours, theirs}}.run(ctx)
	if exitCode(err) == 1 {
		if cacheable {
			r.cache.mergeTrees.Put(key, "")
		}
		return "", fmt.Errorf("%s with %s: %w", ours, theirs, ErrMergeConflict)
	}
	if err != nil {
		return "", fmt.Errorf("merge-tree: %w", err)
	}
	tree, _, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
	if !isHexID(tree, 40) {
		return "", fmt.Errorf("merge-tree: unexpected output %q", tree)
	}
	if cacheable {
		r.cache.mergeTrees.Put(key, tree)
	}
	return tree, nil
}

// setRef points ref at id whatever it held, for refs lablet alone writes
// (refs/merge-requests/…).
func (r *Repo) setRef(ctx context.Context, ref, id string) error {
	return retryRacedErr(ctx, func() error {
		cur, err := r.readRef(ref)
		if err != nil {
			return err
		}
		return r.updateRef(ctx, ref, id, cur)
	})
}

func retryRacedErr(ctx context.Context, once func() error) error {
	_, err := retryRaced(ctx, maxCommitAttempts, func() (struct{}, error) { return struct{}{}, once() })
	return err
}

func withNewline(msg string) string {
	if !strings.HasSuffix(msg, "\n") {
		msg += "\n"
	}
	return msg
}
