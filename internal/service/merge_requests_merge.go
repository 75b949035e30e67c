package service

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/markdown"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/repo"
	"github.com/lablet/lablet/internal/store"
)

// MergeInput is PUT …/merge_requests/:iid/merge's parameters; nil: not
// given.
type MergeInput struct {
	SHA                      *string
	Squash                   *bool
	MergeCommitMessage       *string
	SquashCommitMessage      *string
	ShouldRemoveSourceBranch *bool
	// AutoMerge is merge_when_pipeline_succeeds or auto_merge.
	AutoMerge bool
	// BaseURL is the instance's external URL, for %{url} in templates.
	BaseURL string
}

// Merge answers GitLab gives (lib/api/merge_requests.rb).
var (
	errMergeNotAllowed = &Error{Kind: KindMethodNotAllowed, Message: "405 Method Not Allowed"}
	errMergeFailed     = &Error{Kind: KindUnprocessable, Message: "Branch cannot be merged"}
)

// stuckMergeAfter is how long a merge request stays "locked" by a merge
// before the next attempt takes it for a merge that died (GitLab's
// StuckMergeJobsWorker): a merge takes well under a second.
const stuckMergeAfter = time.Minute

// MergeMergeRequest is PUT /projects/:id/merge_requests/:iid/merge: the
// caller must be able to merge into the target branch (its protected
// branch rules; 401 otherwise, GitLab's unauthorized!), sha when given
// must be the source head (409), and the merge request must be mergeable
// (CheckMergeRequest: open, not a draft, branches there, discussions
// resolved when the project asks, no conflicts, and for the ff and
// rebase_merge methods a source on top of the target; 405 otherwise).
// The project's merge_method, squash_option and commit templates shape
// the merge. The repository is merged by one compare-and-swap of the
// target branch (repo.Merge), so it is never left half-merged; the merge request is
// "locked" meanwhile, so of two concurrent merges exactly one runs and
// the other gets 405. Issues the description closes ("Closes #1") are
// closed when the target is the default branch, and the source branch is
// removed when asked.
func (s *Service) MergeMergeRequest(ctx context.Context, id *auth.Identity, ref string, iid int64, in MergeInput) (*MergeRequestInProject, error) {
	mp, err := s.VisibleMergeRequest(ctx, id, ref, iid)
	if err != nil {
		return nil, err
	}
	p, level, m := mp.Project, mp.Level, mp.MR
	if !id.Authenticated() || p.Archived {
		return nil, Unauthorized("")
	}
	rules, err := s.BranchRules(ctx, p)
	if err != nil {
		return nil, err
	}
	if !rules.CanMerge(level, m.TargetBranch) {
		return nil, Unauthorized("")
	}
	r := s.repos.Open(p.ID)
	if m.State == "locked" {
		if err := s.recoverStuckMerge(ctx, r, m); err != nil {
			return nil, err
		}
	}
	head, err := s.mergeRequestSourceHead(ctx, r, m)
	if err != nil {
		return nil, err
	}
	if in.SHA != nil && *in.SHA != head {
		return nil, Conflict("SHA does not match HEAD of source branch: " + head)
	}
	// squash=true asks for a squash (and keeps it on the merge request);
	// false leaves the merge request's own choice, as GitLab's
	// build_merge_params. The project's squash_option overrides both.
	squash := SquashOnMerge(p, m.Squash || in.Squash != nil && *in.Squash)
	// lablet has no auto-merge: refused as GitLab refuses one it finds
	// no strategy for (neither immediately_mergeable? nor auto-merge).
	if in.AutoMerge {
		return nil, errMergeNotAllowed
	}
	st, err := s.CheckMergeRequest(ctx, mp)
	if err != nil {
		return nil, err
	}
	if !st.Mergeable() {
		return nil, errMergeNotAllowed
	}
	// Merge the head the check saw; a push since the sha check above
	// is the same mismatch.
	head = *m.MergeStatusHead
	if in.SHA != nil && *in.SHA != head {
		return nil, Conflict("SHA does not match HEAD of source branch: " + head)
	}
	tpl := commitTemplateData{project: p, mr: m, closing: s.closingIssues(ctx, id, p, m), mergedBy: id.User, baseURL: in.BaseURL}
	if m.AuthorID != nil {
		if a, err := s.db.Queries().UserByID(ctx, *m.AuthorID); err == nil {
			tpl.author = a
		}
	}
	msg, squashMsg := mergeMessages(in, tpl)
	squashAuthor := repo.Signature{Name: id.User.Name, Email: id.User.Email}
	if squash && tpl.author != nil {
		squashAuthor = repo.Signature{Name: tpl.author.Name, Email: tpl.author.Email}
	}
	spec := repo.MergeSpec{Target: m.TargetBranch, Source: head, Squash: squash,
		SquashAuthor: squashAuthor, SquashMessage: squashMsg, Message: msg,
		Committer: repo.Signature{Name: id.User.Name, Email: id.User.Email}}
	switch p.MergeMethod {
	case "ff":
		spec.FastForward = true
	case "rebase_merge":
		// The merge commit must sit on the target the source was
		// rebased on.
		spec.ExpectTarget = *m.MergeStatusTarget
	}

	// Claim the merge: opened → locked, once.
	if err := s.setMergeState(ctx, m.ID, "opened", "locked", nil); err != nil {
		return nil, err
	}
	res, err := r.Merge(ctx, spec)
	if err != nil {
		if uerr := s.setMergeState(ctx, m.ID, "locked", "opened", nil); uerr != nil {
			s.log.Error("merge request stays locked after a failed merge", "merge_request", m.ID, "err", uerr)
		}
		if errors.Is(err, repo.ErrMergeConflict) || errors.Is(err, repo.ErrConflict) || errors.Is(err, repo.ErrNotFound) ||
			errors.Is(err, repo.ErrNotFastForward) {
			return nil, errMergeFailed
		}
		return nil, fmt.Errorf("service: merge: %w", err)
	}
	uid := id.User.ID
	done := mergeOutcome{head: head, commit: res.Commit, squash: res.Squash, squashed: squash, by: uid}
	if spec.FastForward {
		done.commit = "" // no merge commit: GitLab's FfMergeService leaves merge_commit_sha empty
	}
	if err := s.setMergeState(ctx, m.ID, "locked", "merged", &done); err != nil {
		return nil, err
	}
	// The target moved as by a push: its event, and the refresh of the
	// merge requests from it (GitLab's post-receive of the merge).
	s.recordAPIPush(ctx, &ProjectRepo{Project: p, Repo: r}, id.User, gitBranchPrefix+m.TargetBranch, res.Before, res.Commit)
	s.afterMerge(ctx, id, ref, p, m, tpl.closing, in.ShouldRemoveSourceBranch)
	return s.VisibleMergeRequest(ctx, id, ref, iid)
}

// mergeOutcome is what a finished merge writes on its merge request.
type mergeOutcome struct {
	head, commit, squash string
	squashed             bool
	by                   int64
}

// setMergeState moves merge request id from state from to state to in
// one transaction; a merge request no longer in from is 405 (another
// merge took it). Reaching "merged" records the merge: its commits, who
// and when, the "merged" resource state event, event and system note.
func (s *Service) setMergeState(ctx context.Context, mrID int64, from, to string, done *mergeOutcome) error {
	return s.db.WithTx(ctx, func(q *store.Queries) error {
		cur, err := q.LockMergeRequest(ctx, mrID)
		if errors.Is(err, store.ErrNotFound) {
			return NotFound("Merge Request")
		}
		if err != nil {
			return err
		}
		if cur.State != from {
			return errMergeNotAllowed
		}
		cur.State = to
		cur.UpdatedAt = time.Time{}
		if done != nil {
			now := q.Now()
			cur.MergedAt, cur.MergedByID, cur.HeadSHA = &now, &done.by, &done.head
			if done.commit != "" { // "": merged by a push
				cur.MergeCommitSHA = &done.commit
			}
			if done.squash != "" {
				cur.SquashCommitSHA = &done.squash
			}
			cur.Squash = cur.Squash || done.squashed
		}
		if err := q.UpdateMergeRequest(ctx, cur); err != nil {
			if errors.Is(err, store.ErrConflict) {
				return errMergeNotAllowed
			}
			return err
		}
		if done == nil {
			return nil
		}
		ev := mergeRequestEvents(ctx, q, cur, done.by)
		if err := ev.state("merged"); err != nil {
			return err
		}
		if err := recordMergeRequestEvent(ctx, q, model.EventMerged, cur, done.by); err != nil {
			return err
		}
		p, err := q.ProjectByID(ctx, cur.TargetProjectID)
		if err != nil {
			return err
		}
		return s.mergeRequestHooks(ctx, q, p, cur, done.by, "merge")
	})
}

// recoverStuckMerge settles a merge request left "locked" by a merge that
// died: merged when its target holds its head, open again otherwise. A
// lock younger than stuckMergeAfter is a merge still running.
func (s *Service) recoverStuckMerge(ctx context.Context, r *repo.Repo, m *model.MergeRequest) error {
	if time.Since(m.UpdatedAt) < stuckMergeAfter {
		return errMergeNotAllowed
	}
	if m.HeadSHA != nil {
		if merged, err := r.IsAncestor(ctx, *m.HeadSHA, m.TargetBranch); err == nil && merged {
			target, err := r.Branch(m.TargetBranch)
			if err != nil {
				return err
			}
			by := int64(0)
			if m.AuthorID != nil {
				by = *m.AuthorID
			}
			if err := s.setMergeState(ctx, m.ID, "locked", "merged", &mergeOutcome{head: *m.HeadSHA, commit: target.Target, by: by}); err != nil {
				return err
			}
			m.State = "merged" // this attempt finds it merged: 405
			return nil
		}
	}
	if err := s.setMergeState(ctx, m.ID, "locked", "opened", nil); err != nil {
		return err
	}
	m.State = "opened"
	return nil
}

// afterMerge is GitLab's MergeRequests::PostMergeService as far as lablet
// has it: the issues the merge request closes are closed, and the source
// branch is removed when asked (should_remove_source_branch, else the
// merge request's remove_source_branch, else the project's
// remove_source_branch_after_merge). Their failures do not undo the
// merge; they are logged.
func (s *Service) afterMerge(ctx context.Context, id *auth.Identity, ref string, p *model.Project, m *model.MergeRequest,
	closing []closingIssue, removeSource *bool) {
	for _, c := range closing {
		if _, err := s.updateIssue(ctx, id, c.projectRef, c.iid, IssueInput{StateEvent: "close"}); err != nil {
			s.log.Info("merge: issue not closed", "project", c.projectRef, "issue", c.iid, "err", err)
		}
	}
	remove := p.RemoveSourceBranchAfterMerge
	if m.ForceRemoveSourceBranch != nil {
		remove = *m.ForceRemoveSourceBranch
	}
	if removeSource != nil {
		remove = *removeSource
	}
	if remove && (m.SourceProjectID == nil || *m.SourceProjectID == p.ID) {
		if err := s.DeleteBranch(ctx, id, ref, m.SourceBranch); err != nil {
			s.log.Info("merge: source branch kept", "branch", m.SourceBranch, "err", err)
		}
	}
}

// closingIssue is an issue a merge closes: its project, as a reference
// the service resolves, and iid.
type closingIssue struct {
	projectRef string
	iid        int64
	text       string // as the merge commit message names it
}

// closingIssues are the issues m's title and description close, as
// GitLab's closes_issues reads them (only for merges into the default
// branch, with the project's autoclose_referenced_issues, on by
// default), that the caller sees.
func (s *Service) closingIssues(ctx context.Context, id *auth.Identity, p *model.Project, m *model.MergeRequest) []closingIssue {
	if p.DefaultBranch == nil || *p.DefaultBranch != m.TargetBranch {
		return nil
	}
	var out []closingIssue
	for _, r := range markdown.ClosingRefs(m.Title + "\n" + m.Description) {
		projectRef := refProjectPath(p, r.Project)
		if _, err := s.VisibleIssue(ctx, id, projectRef, r.IID); err != nil {
			continue
		}
		text := "#" + strconv.FormatInt(r.IID, 10)
		if !strings.EqualFold(projectRef, p.FullPath()) {
			text = projectRef + text
		}
		out = append(out, closingIssue{projectRef: projectRef, iid: r.IID, text: text})
	}
	return out
}

// defaultMergeCommitMessage is MergeRequest#default_merge_commit_message:
// the branches, the title, the issues it closes and the merge request's
// full reference, as paragraphs.
func defaultMergeCommitMessage(p *model.Project, m *model.MergeRequest, closing []closingIssue) string {
	parts := []string{"Merge branch '" + m.SourceBranch + "' into '" + m.TargetBranch + "'", m.Title}
	if len(closing) > 0 {
		refs := make([]string, len(closing))
		for i, c := range closing {
			refs[i] = c.text
		}
		parts = append(parts, "Closes "+toSentence(refs))
	}
	parts = append(parts, "See merge request "+p.FullPath()+"!"+strconv.FormatInt(m.IID, 10))
	return strings.Join(parts, "\n\n")
}

// MergeRequestMergeRef is GET …/merge_ref: the merge GitLab's merge would
// make now, written to refs/merge-requests/:iid/merge (the target branch
// stays), and its commit id; a merge request that cannot be merged so is
// 400 "Merge request is not mergeable", as MergeabilityCheckService.
func (s *Service) MergeRequestMergeRef(ctx context.Context, id *auth.Identity, ref string, iid int64) (string, error) {
	mp, err := s.VisibleMergeRequest(ctx, id, ref, iid)
	if err != nil {
		return "", err
	}
	p, m := mp.Project, mp.MR
	notMergeable := &Error{Kind: KindInvalid, Message: "Merge request is not mergeable"}
	if m.State != "opened" {
		return "", notMergeable
	}
	r := s.repos.Open(p.ID)
	head, err := s.mergeRequestSourceHead(ctx, r, m)
	if err != nil {
		return "", err
	}
	if head == "" {
		return "", notMergeable
	}
	committer := repo.Signature{Name: "lablet", Email: "lablet@localhost"}
	if id.Authenticated() {
		committer = repo.Signature{Name: id.User.Name, Email: id.User.Email}
	}
	refName := "refs/merge-requests/" + strconv.FormatInt(m.IID, 10) + "/merge"
	res, err := r.Merge(ctx, repo.MergeSpec{Target: m.TargetBranch, Source: head, Ref: refName,
		Message: defaultMergeCommitMessage(p, m, nil), Committer: committer})
	if errors.Is(err, repo.ErrMergeConflict) || errors.Is(err, repo.ErrNotFound) {
		return "", notMergeable
	}
	if errors.Is(err, repo.ErrConflict) {
		// Concurrent requests kept writing the ref: what it holds now is
		// one of their merges of the same heads.
		if cur, rerr := r.RefValue(refName); rerr == nil && cur != "" {
			return cur, nil
		}
	}
	if err != nil {
		return "", fmt.Errorf("service: merge ref: %w", err)
	}
	return res.Commit, nil
}
