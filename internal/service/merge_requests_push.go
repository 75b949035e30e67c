package service

import (
	"context"
	"errors"
	"fmt"
	"html"
	"strings"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/repo"
	"github.com/lablet/lablet/internal/store"
)

// maxNotedCommits bounds the commits a push's system note counts and
// lists.
const maxNotedCommits = 1000

// refreshMergeRequests is GitLab's MergeRequests::RefreshService for the
// branches a push moved: an open merge request from a pushed branch takes
// the new head (its diff_refs read again, refs/merge-requests/:iid/head
// moved, a system note "added N commits" listing them); one into a pushed
// branch that now holds its head was merged by the push, and is marked
// merged. Failures are logged: the push has landed.
func (s *Service) refreshMergeRequests(ctx context.Context, p *model.Project, pusher *model.User, r *repo.Repo, changes []RefChange) {
	for _, c := range changes {
		if !strings.HasPrefix(c.Ref, gitBranchPrefix) || c.IsDelete() {
			continue
		}
		branch := strings.TrimPrefix(c.Ref, gitBranchPrefix)
		if err := s.refreshSourceBranch(ctx, p, pusher, r, branch, c); err != nil {
			s.log.ErrorContext(ctx, "refresh merge requests from a pushed branch", "project_id", p.ID, "branch", branch, "err", err)
		}
		if err := s.mergeByPush(ctx, p, pusher, r, branch, c.New); err != nil {
			s.log.ErrorContext(ctx, "merge requests merged by a push", "project_id", p.ID, "branch", branch, "err", err)
		}
	}
}

func (s *Service) refreshSourceBranch(ctx context.Context, p *model.Project, pusher *model.User, r *repo.Repo, branch string, c RefChange) error {
	mrs, err := s.db.Queries().OpenMergeRequestsOnBranch(ctx, p.ID, branch, true)
	if err != nil || len(mrs) == 0 {
		return err
	}
	exclude := c.Old
	if c.IsCreate() {
		exclude = ""
	}
	commits, err := r.RevList(ctx, exclude, c.New, maxNotedCommits)
	if err != nil {
		return fmt.Errorf("list pushed commits: %w", err)
	}
	for _, m := range mrs {
		if m.HeadSHA != nil && *m.HeadSHA == c.New {
			continue // nothing new
		}
		// A fork's merge request lives in its target: the pushed head is
		// copied there (diffRefs) and read there.
		tr := r
		if m.TargetProjectID != p.ID {
			tr = s.repos.Open(m.TargetProjectID)
		}
		base, head, start, err := diffRefs(ctx, r, tr, m.SourceBranch, m.TargetBranch)
		if err != nil {
			var se *Error
			if errors.As(err, &se) {
				continue // a branch is gone meanwhile
			}
			return err
		}
		commitIDs, err := mergeRequestCommitIDs(ctx, tr, base, head)
		if err != nil {
			return err
		}
		version, err := newVersion(ctx, tr, base, head, start)
		if err != nil {
			return err
		}
		err = s.db.WithTx(ctx, func(q *store.Queries) error {
			cur, err := q.LockMergeRequest(ctx, m.ID)
			if err != nil {
				return err
			}
			if cur.State != "opened" {
				return nil
			}
			// Refreshes of pushes close together finish in any order: only
			// the one that read the branch's head as it still is writes, so
			// an older head never overwrites a newer one. The row lock
			// orders the check, the row and the ref.
			if now, err := r.RefValue(gitBranchPrefix + m.SourceBranch); err != nil || now != head {
				return err
			}
			if err := tr.WriteMergeRequestRef(ctx, m.IID, head); err != nil {
				return err
			}
			cur.BaseSHA, cur.HeadSHA, cur.StartSHA, cur.UpdatedAt = base, &head, &start, q.Now()
			if err := q.UpdateMergeRequest(ctx, cur); err != nil {
				return err
			}
			if err := recordVersion(ctx, q, cur.ID, version); err != nil {
				return err
			}
			if err := q.SetMergeRequestCommits(ctx, cur.ID, commitIDs); err != nil {
				return err
			}
			// The target's setting: a fork's merge request lives there.
			if err := resetApprovalsOnPush(ctx, q, cur.TargetProjectID, cur.ID); err != nil {
				return err
			}
			return mergeRequestEvents(ctx, q, cur, pusher.ID).note(addedCommitsNote(commits))
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// addedCommitsNote is SystemNotes::CommitService#add_commits without its
// link to the previous version: "added 2 commits" and the list of their
// short ids and titles, newest first (commits: oldest first, as RevList).
func addedCommitsNote(commits []*repo.Commit) string {
	word := "commits"
	if len(commits) == 1 {
		word = "commit"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "added %d %s\n\n<ul>", len(commits), word)
	for i := len(commits) - 1; i >= 0; i-- {
		b.WriteString("<li>" + commits[i].ID[:8] + " - " + html.EscapeString(commits[i].Title) + "</li>")
	}
	b.WriteString("</ul>")
	return b.String()
}

// mergeByPush marks merged the open merge requests into branch whose head
// the branch now holds: merged by a push (GitLab's
// post_merge_manually_merged), with the pusher as who merged.
func (s *Service) mergeByPush(ctx context.Context, p *model.Project, pusher *model.User, r *repo.Repo, branch, newHead string) error {
	mrs, err := s.db.Queries().OpenMergeRequestsOnBranch(ctx, p.ID, branch, false)
	if err != nil || len(mrs) == 0 {
		return err
	}
	// One (cached) for-each-ref --merged for all of them, not a git
	// process per merge request.
	merged, err := r.MergedBranches(ctx, newHead)
	if err != nil {
		return err
	}
	for _, m := range mrs {
		head, ok := pushMergedHead(ctx, r, m, merged, newHead)
		if !ok {
			continue
		}
		if err := s.setMergeState(ctx, m.ID, "opened", "merged", &mergeOutcome{head: head, by: pusher.ID}); err != nil &&
			!errors.Is(err, errMergeNotAllowed) {
			return err
		}
	}
	return nil
}

// pushMergedHead is the head of merge request m when the target branch
// pushed to newHead now holds it. A same-project source branch is found
// among the branches newHead merged; a fork's branch lives elsewhere, so
// its last known head (copied into r with the diff_refs) is checked by
// one ancestry test.
func pushMergedHead(ctx context.Context, r *repo.Repo, m *model.MergeRequest, merged map[string]bool, newHead string) (string, bool) {
	if m.FromFork() {
		if m.HeadSHA == nil {
			return "", false
		}
		merged, err := r.IsAncestor(ctx, *m.HeadSHA, newHead)
		return *m.HeadSHA, err == nil && merged
	}
	src, err := r.Branch(m.SourceBranch)
	if err != nil || !merged[m.SourceBranch] && src.Target != newHead {
		return "", false
	}
	return src.Target, true
}
