package service

import (
	"context"
	"errors"
	"fmt"

	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/repo"
)

// ListCommits lists commits for GitLab's commit list. An unknown ref_name
// or an empty repository gives an empty list, as GitLab's does.
func (s *Service) ListCommits(ctx context.Context, id *auth.Identity, projectRef string, o repo.HistoryOptions) (*ProjectRepo, []*repo.Commit, error) {
	pr, err := s.RepoForRead(ctx, id, projectRef)
	if err != nil {
		return nil, nil, err
	}
	if !o.All && o.Ref == "" {
		o.Ref = s.defaultBranch(ctx, pr)
	}
	if o.Path != "" && repo.ValidatePath(o.Path) != nil {
		return pr, nil, nil // no commit touches a path no file can have
	}
	cs, err := pr.Repo.History(ctx, o)
	if errors.Is(err, repo.ErrNotFound) || errors.Is(err, repo.ErrInvalidRef) {
		return pr, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("service: list commits: %w", err)
	}
	return pr, cs, nil
}

// GetCommit reads one commit by id, branch or tag: "404 Commit Not Found".
func (s *Service) GetCommit(ctx context.Context, id *auth.Identity, projectRef, sha string) (*ProjectRepo, *repo.Commit, error) {
	pr, err := s.RepoForRead(ctx, id, projectRef)
	if err != nil {
		return nil, nil, err
	}
	c, err := s.commitByRef(ctx, pr, sha)
	return pr, c, err
}

func (s *Service) commitByRef(ctx context.Context, pr *ProjectRepo, ref string) (*repo.Commit, error) {
	if ref == "" {
		return nil, NotFound("Commit")
	}
	c, err := pr.Repo.Commit(ctx, ref)
	if errors.Is(err, repo.ErrNotFound) || errors.Is(err, repo.ErrInvalidRef) || errors.Is(err, repo.ErrInvalid) {
		return nil, NotFound("Commit")
	}
	if err != nil {
		return nil, fmt.Errorf("service: read commit: %w", err)
	}
	return c, nil
}

// CommitStats returns line stats for commits of a repository.
func (s *Service) CommitStats(ctx context.Context, pr *ProjectRepo, cs []*repo.Commit) (map[string]repo.Stats, error) {
	// A commit just made through the API usually needs no diff.
	if st, ok := pr.Repo.KnownCommitStats(cs); ok && len(cs) > 0 {
		return st, nil
	}
	st, err := pr.Repo.CommitStats(ctx, cs)
	if err != nil {
		return nil, fmt.Errorf("service: commit stats: %w", err)
	}
	return st, nil
}

// CommitDiff returns the changes of one commit against its first parent.
func (s *Service) CommitDiff(ctx context.Context, id *auth.Identity, projectRef, sha string) ([]repo.FileDiff, error) {
	pr, c, err := s.GetCommit(ctx, id, projectRef, sha)
	if err != nil {
		return nil, err
	}
	d, err := pr.Repo.CommitDiff(ctx, c.ID)
	if err != nil {
		return nil, fmt.Errorf("service: commit diff: %w", err)
	}
	return d, nil
}

// CommitRefs lists the branches and/or tags containing a commit.
func (s *Service) CommitRefs(ctx context.Context, id *auth.Identity, projectRef, sha, kind string) ([]repo.NamedRef, error) {
	pr, c, err := s.GetCommit(ctx, id, projectRef, sha)
	if err != nil {
		return nil, err
	}
	refs, err := pr.Repo.RefsContaining(ctx, c.ID, kind != "tag", kind != "branch")
	if err != nil {
		return nil, fmt.Errorf("service: refs containing: %w", err)
	}
	return refs, nil
}

// PickInput is a cherry-pick or revert through the API.
type PickInput struct {
	SHA     string
	Branch  string
	Revert  bool
	DryRun  bool
	Message string
}

// PickError is a cherry-pick or revert that cannot be done automatically;
// Code is GitLab's error_code ("conflict" or "empty").
type PickError struct {
	Message string
	Code    string
	DryRun  bool
}

func (e *PickError) Error() string { return e.Message }

// Pick cherry-picks or reverts a commit onto a branch as GitLab does: the
// push rule first, then "404 Commit Not Found", then the branch ("The
// branch refname is invalid" or "404 Branch Not Found").
// A nil commit with a nil error is a successful dry run.
func (s *Service) Pick(ctx context.Context, id *auth.Identity, projectRef string, in PickInput) (*ProjectRepo, *repo.Commit, error) {
	pr, err := s.repoForBranchPush(ctx, id, projectRef, in.Branch)
	if err != nil {
		return nil, nil, err
	}
	c, err := s.commitByRef(ctx, pr, in.SHA)
	if err != nil {
		return nil, nil, err
	}
	ref, err := repo.BranchRef(in.Branch)
	if err != nil {
		return nil, nil, Invalid(MsgBranchRefnameInvalid)
	}
	v, err := pr.Repo.RefValue(ref)
	if err != nil || v == "" {
		return nil, nil, NotFound("Branch")
	}
	me := repo.Signature{Name: id.User.Name, Email: id.User.Email}
	out, err := pr.Repo.Pick(ctx, repo.PickRequest{Branch: in.Branch, Commit: c.ID, Revert: in.Revert,
		Message: in.Message, Committer: me, DryRun: in.DryRun})
	if err == nil {
		if !in.DryRun {
			s.recordAPIPush(ctx, pr, id.User, ref, v, out.ID)
		}
		return pr, out, nil
	}
	verb, done := "cherry-pick", "cherry-picked"
	if in.Revert {
		verb, done = "revert", "reverted"
	}
	msg := fmt.Sprintf("Sorry, we cannot %s this commit automatically. This commit may already have been %s, or a more recent commit may have updated some of its content.", verb, done)
	switch {
	case errors.Is(err, repo.ErrPickEmpty):
		return nil, nil, &PickError{Message: msg, Code: "empty", DryRun: in.DryRun}
	case errors.Is(err, repo.ErrPickConflict), errors.Is(err, repo.ErrConflict):
		return nil, nil, &PickError{Message: msg, Code: "conflict", DryRun: in.DryRun}
	case errors.Is(err, repo.ErrNotFound):
		return nil, nil, NotFound("Branch")
	}
	return nil, nil, fmt.Errorf("service: %s: %w", verb, err)
}

// Comparison is GitLab's compare result.
type Comparison struct {
	Repo    *ProjectRepo
	Head    *repo.Commit // nil when there is nothing to compare
	Commits []*repo.Commit
	Diffs   []repo.FileDiff
	SameRef bool
}

// maxCompareCommits bounds the commits a comparison lists, as GitLab's
// compare limits its commit list.
const maxCompareCommits = 1000

// Compare compares two refs: from the merge base (or, with straight, from
// from itself) to to. Unknown refs give "404 Ref Not Found".
func (s *Service) Compare(ctx context.Context, id *auth.Identity, projectRef, from, to string, straight bool) (*Comparison, error) {
	pr, err := s.RepoForRead(ctx, id, projectRef)
	if err != nil {
		return nil, err
	}
	resolve := func(ref string) (string, error) {
		sha, err := pr.Repo.ResolveRef(ctx, ref)
		if errors.Is(err, repo.ErrNotFound) || errors.Is(err, repo.ErrInvalidRef) || errors.Is(err, repo.ErrInvalid) {
			return "", NotFound("Ref")
		}
		return sha, err
	}
	fromSHA, err := resolve(from)
	if err != nil {
		return nil, err
	}
	toSHA, err := resolve(to)
	if err != nil {
		return nil, err
	}
	cmp := &Comparison{Repo: pr, SameRef: from == to}
	base := fromSHA
	if !straight {
		mb, err := pr.Repo.MergeBase(ctx, fromSHA, toSHA)
		if errors.Is(err, repo.ErrNotFound) {
			return cmp, nil // unrelated histories: nothing to compare
		}
		if err != nil {
			return nil, fmt.Errorf("service: compare: %w", err)
		}
		base = mb
	}
	if cmp.Commits, err = pr.Repo.RevList(ctx, base, toSHA, maxCompareCommits); err != nil {
		return nil, fmt.Errorf("service: compare commits: %w", err)
	}
	// GitLab's "commit" is the newest listed commit, null when none.
	if n := len(cmp.Commits); n > 0 {
		cmp.Head = cmp.Commits[n-1]
	}
	if cmp.Diffs, err = pr.Repo.DiffTrees(ctx, base, toSHA); err != nil {
		return nil, fmt.Errorf("service: compare diff: %w", err)
	}
	return cmp, nil
}
