package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/lablet/lablet/internal/model"
)

// Batch lookups for Markdown references: a rendering collects every
// reference first and reads each kind with one of these.

// IssuesByProjectIIDs returns the issues with the given iids of each
// project (project id → iids), in one query, without their relations.
func (q *Queries) IssuesByProjectIIDs(ctx context.Context, want map[int64][]int64) ([]*model.Issue, error) {
	var parts []string
	var args []any
	for projectID, iids := range want {
		if len(iids) == 0 {
			continue
		}
		parts = append(parts, "(project_id = ? AND iid IN ("+placeholders(len(iids))+"))")
		args = append(args, projectID)
		for _, iid := range iids {
			args = append(args, iid)
		}
	}
	if len(parts) == 0 {
		return nil, nil
	}
	rows, err := q.query(ctx, "SELECT "+issueColumns+" FROM issues WHERE "+strings.Join(parts, " OR ")+" ORDER BY id", args...)
	if err != nil {
		return nil, fmt.Errorf("store: issues by iids: %w", err)
	}
	return collect(rows, scanIssue)
}

// AvailableMilestones returns the milestones a project may use — its own
// and those of its namespace's ancestors — with these titles, project
// milestones first.
func (q *Queries) AvailableMilestones(ctx context.Context, projectID, namespaceID int64, titles []string) ([]*model.Milestone, error) {
	if len(titles) == 0 {
		return nil, nil
	}
	args := []any{projectID, namespaceID}
	for _, t := range titles {
		args = append(args, t)
	}
	rows, err := q.query(ctx, "SELECT "+milestoneColumns+` FROM milestones WHERE (project_id = ? OR group_id IN
		(SELECT ancestor_id FROM namespace_closure WHERE descendant_id = ?)) AND title IN (`+placeholders(len(titles))+`)
		ORDER BY project_id IS NULL, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: available milestones: %w", err)
	}
	return collect(rows, scanMilestone)
}

// UsersByUsernames returns the users with these usernames, compared
// case-insensitively, in one query.
func (q *Queries) UsersByUsernames(ctx context.Context, usernames []string) ([]*model.User, error) {
	if len(usernames) == 0 {
		return nil, nil
	}
	args := make([]any, len(usernames))
	for i, u := range usernames {
		args[i] = strings.ToLower(u)
	}
	rows, err := q.query(ctx, "SELECT "+userColumns+" FROM users u WHERE lower(u.username) IN ("+placeholders(len(args))+") ORDER BY u.id", args...)
	if err != nil {
		return nil, fmt.Errorf("store: users by usernames: %w", err)
	}
	return collect(rows, scanUser)
}

// NamespacesByFullPaths returns the namespaces with these full paths,
// compared case-insensitively, in one query.
func (q *Queries) NamespacesByFullPaths(ctx context.Context, paths []string) ([]*model.Namespace, error) {
	if len(paths) == 0 {
		return nil, nil
	}
	args := make([]any, len(paths))
	for i, p := range paths {
		args[i] = strings.ToLower(p)
	}
	rows, err := q.query(ctx, "SELECT "+namespaceColumns+" FROM namespaces n WHERE lower(n.full_path) IN ("+placeholders(len(args))+") ORDER BY n.id", args...)
	if err != nil {
		return nil, fmt.Errorf("store: namespaces by paths: %w", err)
	}
	return collect(rows, scanNamespace)
}
