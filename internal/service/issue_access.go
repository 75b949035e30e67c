package service

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// IssueInProject is an issue with the project it lives in and the
// caller's level there: what every operation on an issue, or on its
// notes, award emoji and events, starts from.
type IssueInProject struct {
	Project *model.Project
	Level   access.Level
	Issue   *model.Issue
}

// VisibleIssue loads issue iid of the project named by ref, with its
// assignees and labels, for a caller who may read it: "404 Project Not
// Found" when the project is invisible, "404 Issue Not Found" when there
// is no such issue or it is confidential and the caller may not see it
// (GitLab hides confidential issues rather than refusing them).
func (s *Service) VisibleIssue(ctx context.Context, id *auth.Identity, ref string, iid int64) (*IssueInProject, error) {
	p, level, err := s.VisibleProject(ctx, id, ref)
	if err != nil {
		return nil, err
	}
	if !p.IssuesEnabled {
		// The issues feature is off: read_issue is prevented for
		// everyone (403, as GitLab's authorize!).
		return nil, Forbidden("")
	}
	q := s.db.Queries()
	issue, err := q.IssueByIID(ctx, p.ID, iid)
	if errors.Is(err, store.ErrNotFound) {
		return nil, NotFound("Issue")
	}
	if err != nil {
		return nil, fmt.Errorf("service: load issue: %w", err)
	}
	if !CanReadIssue(id, level, issue) {
		return nil, NotFound("Issue")
	}
	return &IssueInProject{Project: p, Level: level, Issue: issue}, nil
}

// CanReadIssue reports whether a caller with level on the issue's project,
// who sees the project, may read the issue: every issue but confidential
// ones, which take Reporter (read_confidential_issues), or being the
// author or an assignee. issue's AssigneeIDs must be loaded.
func CanReadIssue(id *auth.Identity, level access.Level, issue *model.Issue) bool {
	if !issue.Confidential || level >= access.Reporter {
		return true
	}
	if !id.Authenticated() {
		return false
	}
	uid := id.User.ID
	return issue.AuthorID != nil && *issue.AuthorID == uid || slices.Contains(issue.AssigneeIDs, uid)
}

// CanUpdateIssue is GitLab's update_issue: Reporter, or the issue's author
// or an assignee, on a project that is not archived.
func CanUpdateIssue(id *auth.Identity, p *model.Project, level access.Level, issue *model.Issue) bool {
	if ProjectCan(id, p, level, access.UpdateIssue) {
		return true
	}
	if p.Archived || !id.Authenticated() {
		return false
	}
	uid := id.User.ID
	return issue.AuthorID != nil && *issue.AuthorID == uid || slices.Contains(issue.AssigneeIDs, uid)
}

// NewDiscussionID returns a fresh discussion id: 40 hex digits, as GitLab's.
func NewDiscussionID() string {
	b := make([]byte, 20)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// canSetIssueMetadata is IssuePolicy's set_issue_metadata: admin_issue,
// and on an issue being created any project member (GitLab issue
// 300100: Guests set labels, milestone and assignees of their new issues).
func canSetIssueMetadata(id *auth.Identity, p *model.Project, level access.Level, persisted bool) bool {
	if ProjectCan(id, p, level, access.AdminIssue) {
		return true
	}
	return !persisted && id.Authenticated() && level >= access.Guest && ProjectCan(id, p, level, access.CreateIssue)
}
