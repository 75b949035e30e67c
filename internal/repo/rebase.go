package repo

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// RebaseSpec rebases a branch onto a commit (a merge request's source
// branch onto its target's head).
type RebaseSpec struct {
	Branch string
	Onto   string // an object id
	// ExpectHead, when set, is the commit Branch must still point at.
	ExpectHead string
	Committer  Signature
}

// Rebase replays the commits of spec.Branch that spec.Onto lacks on top of
// it, oldest first, as "git rebase" does without a work tree: each
// commit's change is applied with the three-way merge of Pick, keeping its
// author and message; merge commits and commits whose change is already
// there are dropped, as git rebase drops them. The branch moves with one
// compare-and-swap, so a push meanwhile makes the rebase ErrConflict
// rather than lose the pushed commits. A branch that contains Onto already
// is left as it is. It returns the branch's new head.
func (r *Repo) Rebase(ctx context.Context, spec RebaseSpec) (string, error) {
	branchRef, err := BranchRef(spec.Branch)
	if err != nil {
		return "", err
	}
	if err := validateSignature(spec.Committer); err != nil {
		return "", err
	}
	if !isHexID(spec.Onto, 40) {
		return "", fmt.Errorf("%w: %q is not a commit id", ErrInvalid, spec.Onto)
	}
	onto, err := r.Commit(ctx, spec.Onto)
	if err != nil {
		return "", err
	}
	if spec.Committer.Date.IsZero() {
		spec.Committer.Date = time.Now()
	}
	head, err := r.readRef(branchRef)
	if err != nil {
		return "", err
	}
	if head == "" {
		return "", fmt.Errorf("branch %q: %w", spec.Branch, ErrNotFound)
	}
	if spec.ExpectHead != "" && head != spec.ExpectHead {
		return "", fmt.Errorf("branch %q moved: %w", spec.Branch, ErrConflict)
	}
	if ok, err := r.IsAncestor(ctx, onto.ID, head); err != nil || ok {
		return head, err
	}
	out, err := r.git(ctx, "rev-list", "--reverse", "--topo-order", "--no-merges", "--end-of-options", head, "^"+onto.ID)
	if err != nil {
		return "", fmt.Errorf("rebase: list commits: %w", err)
	}
	cur := onto
	for _, id := range strings.Fields(out) {
		c, err := r.Commit(ctx, id)
		if err != nil {
			return "", err
		}
		tree, err := r.pickTree(ctx, cur.Tree, c, false)
		if errors.Is(err, ErrPickConflict) {
			return "", fmt.Errorf("rebase %s onto %s: %w", spec.Branch, onto.ID, ErrMergeConflict)
		}
		if err != nil {
			return "", err
		}
		if tree == cur.Tree {
			continue // its change is there already
		}
		nid, err := r.writeCommit(ctx, tree, []string{cur.ID}, c.Author, spec.Committer, withNewline(c.Message))
		if err != nil {
			return "", err
		}
		cur = &Commit{ID: nid, Tree: tree}
	}
	if err := r.updateRef(ctx, branchRef, cur.ID, head); err != nil {
		if errors.Is(err, errRaced) {
			return "", fmt.Errorf("rebase %s: %w", spec.Branch, ErrConflict)
		}
		return "", err
	}
	return cur.ID, nil
}
