package repo

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Pick failures GitLab reports with an error_code.
var (
	// ErrPickConflict: the change does not apply cleanly.
	ErrPickConflict = errors.New("pick conflicts")
	// ErrPickEmpty: the change is already there (nothing would change).
	ErrPickEmpty = errors.New("pick is empty")
)

// PickRequest cherry-picks (or, with Revert, reverts) Commit onto Branch.
type PickRequest struct {
	Branch    string
	Commit    string // object id
	Revert    bool
	Message   string    // "" for git's default message
	Committer Signature // also the author of a revert
	DryRun    bool      // build the result but do not move the branch
}

// Pick applies a commit's change (or its inverse) to a branch with a
// three-way merge done by "git merge-tree --write-tree" (no work tree),
// then "commit-tree" and "update-ref <ref> <new> <old>". Merge commits are
// picked against their first parent, as GitLab does. A lost race with
// another writer is retried on the new head. It returns the new commit, or
// nil for a successful dry run.
func (r *Repo) Pick(ctx context.Context, req PickRequest) (*Commit, error) {
	branchRef, err := BranchRef(req.Branch)
	if err != nil {
		return nil, err
	}
	if err := validateSignature(req.Committer); err != nil {
		return nil, err
	}
	c, err := r.Commit(ctx, req.Commit)
	if err != nil {
		return nil, err
	}
	if req.Committer.Date.IsZero() {
		req.Committer.Date = time.Now()
	}
	id, err := retryRaced(ctx, maxCommitAttempts, func() (string, error) { return r.pickOnce(ctx, req, branchRef, c) })
	switch {
	case errors.Is(err, errRaced):
		return nil, fmt.Errorf("pick onto %s: %w", req.Branch, ErrConflict)
	case err != nil:
		return nil, err
	case id == "":
		return nil, nil
	}
	return r.Commit(ctx, id)
}

func (r *Repo) pickOnce(ctx context.Context, req PickRequest, branchRef string, c *Commit) (string, error) {
	head, err := r.readRef(branchRef)
	if err != nil {
		return "", err
	}
	if head == "" {
		return "", fmt.Errorf("branch %q: %w", req.Branch, ErrNotFound)
	}
	h, err := r.Commit(ctx, head)
	if err != nil {
		return "", err
	}
	tree, err := r.pickTree(ctx, h.Tree, c, req.Revert)
	if errors.Is(err, ErrPickConflict) {
		return "", fmt.Errorf("%s onto %s: %w", c.ID, req.Branch, ErrPickConflict)
	}
	if err != nil {
		return "", err
	}
	if tree == h.Tree {
		return "", fmt.Errorf("%s onto %s: %w", c.ID, req.Branch, ErrPickEmpty)
	}
	if req.DryRun {
		return "", nil
	}
	msg := req.Message
	author := c.Author
	if req.Revert {
		author = req.Committer
		if msg == "" {
			msg = RevertMessage(c)
		}
	} else if msg == "" {
		msg = strings.TrimRight(c.Message, "\n") + "\n\n(cherry picked from commit " + c.ID + ")\n"
	}
	if !strings.HasSuffix(msg, "\n") {
		msg += "\n"
	}
	id, err := r.writeCommit(ctx, tree, []string{head}, author, req.Committer, msg)
	if err != nil {
		return "", err
	}
	if err := r.updateRef(ctx, branchRef, id, head); err != nil {
		return "", err
	}
	return id, nil
}

// pickTree is the tree onto (a tree) becomes with c's change applied, or
// with revert its inverse: a three-way merge by "git merge-tree
// --write-tree"; ErrPickConflict when the change does not apply.
func (r *Repo) pickTree(ctx context.Context, onto string, c *Commit, revert bool) (string, error) {
	parent := ""
	if len(c.Parents) > 0 {
		parent = c.Parents[0]
	}
	// git 2.39's merge-tree has no --merge-base, so the base is arranged:
	// two throwaway commits whose only common ancestor is the wanted base.
	// Cherry-pick: base = parent, ours = head's tree, theirs = the commit.
	// Revert: base = the commit, ours = head's tree, theirs = the parent's
	// tree. They stay unreachable (gc prunes them) and fsck stays clean.
	sig := Signature{Name: "lablet", Email: "lablet@localhost", Date: time.Unix(0, 0).UTC()}
	mk := func(tree, parent string) (string, error) {
		var parents []string
		if parent != "" {
			parents = []string{parent}
		}
		return r.writeCommit(ctx, tree, parents, sig, sig, "pick\n")
	}
	var ours, theirs string
	var err error
	if revert {
		if ours, err = mk(onto, c.ID); err != nil {
			return "", err
		}
		parentTree := emptyTreeOID
		if parent != "" {
			pc, err := r.Commit(ctx, parent)
			if err != nil {
				return "", err
			}
			parentTree = pc.Tree
		}
		if theirs, err = mk(parentTree, c.ID); err != nil {
			return "", err
		}
	} else {
		if ours, err = mk(onto, parent); err != nil {
			return "", err
		}
		theirs = c.ID
	}
	out, err := gitCmd{dir: r.path, args: []string{"merge-tree", "--write-tree", "--allow-unrelated-histories",
		"--no-messages", ours, theirs}}.run(ctx)
	if exitCode(err) == 1 {
		return "", fmt.Errorf("%s: %w", c.ID, ErrPickConflict)
	}
	if err != nil {
		return "", fmt.Errorf("merge-tree: %w", err)
	}
	tree, _, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
	return tree, nil
}

// RevertMessage is GitLab's message for a revert of c (Commit#revert_message
// with #revert_description): `Revert "<title>"`, a blank line, and "This
// reverts commit <sha>", without a full stop. The title is GitLab's: the
// first line, cut at a word before 81 characters with "..." when it runs
// to 100 or more. (GitLab names the merge request instead when c was
// merged by one; lablet has no merge requests.)
func RevertMessage(c *Commit) string {
	return "Revert \"" + strings.TrimSpace(gitlabTitle(c.Title)) + "\"\n\nThis reverts commit " + c.ID + "\n"
}

// gitlabTitle shortens a commit's first line as GitLab's Commit#title does:
// from 100 characters on, to what fits in 78 before the last space there,
// plus "...".
func gitlabTitle(full string) string {
	if utf8.RuneCountInString(full) < 100 {
		return full
	}
	runes := []rune(full)
	stop := 78 // Ruby's truncate(81, separator: " "): rindex(" ", 81 - 3)
	for i := stop; i >= 0; i-- {
		if runes[i] == ' ' {
			stop = i
			break
		}
	}
	return string(runes[:stop]) + "..."
}
