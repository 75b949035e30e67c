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
// project (project id → iids), with their relations.
func (q *Queries) IssuesByProjectIIDs(ctx context.Context, want map[int64][]int64) ([]*model.Issue, error) {
	where, args := projectIIDs("project_id", want)
	if where == "" {
		return nil, nil
	}
	rows, err := q.query(ctx, "SELECT "+issueColumns+" FROM issues WHERE "+where+" ORDER BY id", args...)
	if err != nil {
		return nil, fmt.Errorf("store: issues by iids: %w", err)
	}
	return q.collectIssues(ctx, rows)
}

// MergeRequestsByProjectIIDs is IssuesByProjectIIDs for merge requests
// (by target project), without their relations.
func (q *Queries) MergeRequestsByProjectIIDs(ctx context.Context, want map[int64][]int64) ([]*model.MergeRequest, error) {
	where, args := projectIIDs("target_project_id", want)
	if where == "" {
		return nil, nil
	}
	rows, err := q.query(ctx, "SELECT "+mergeRequestColumns+" FROM merge_requests WHERE "+where+" ORDER BY id", args...)
	if err != nil {
		return nil, fmt.Errorf("store: merge requests by iids: %w", err)
	}
	return collect(rows, scanMergeRequest)
}

// projectIIDs is the condition "(project = ? AND iid IN (…)) OR …" of
// want (iids by project id), "" when it names none.
func projectIIDs(column string, want map[int64][]int64) (string, []any) {
	var parts []string
	var args []any
	for projectID, iids := range want {
		if len(iids) == 0 {
			continue
		}
		parts = append(parts, "("+column+" = ? AND iid IN ("+placeholders(len(iids))+"))")
		args = append(args, projectID)
		for _, iid := range iids {
			args = append(args, iid)
		}
	}
	return strings.Join(parts, " OR "), args
}

// AvailableMilestonesMatching returns the milestones a project may use —
// its own and those of its namespace's ancestors — titled one of titles,
// or its own with one of iids (GitLab's %123), in one query, project
// milestones first.
func (q *Queries) AvailableMilestonesMatching(ctx context.Context, projectID, namespaceID int64, titles []string, iids []int64) ([]*model.Milestone, error) {
	match, args := titlesOrIDs(titles, "(project_id = ? AND iid IN (%s))", iids, projectID)
	if match == "" {
		return nil, nil
	}
	rows, err := q.query(ctx, "SELECT "+milestoneColumns+` FROM milestones WHERE (project_id = ? OR group_id IN
		(SELECT ancestor_id FROM namespace_closure WHERE descendant_id = ?)) AND (`+match+`)
		ORDER BY project_id IS NULL, id`, append([]any{projectID, namespaceID}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("store: available milestones: %w", err)
	}
	return collect(rows, scanMilestone)
}

// AvailableLabelsMatching returns the labels a project may use titled
// one of titles or with one of ids (GitLab's ~123), in one query,
// project labels first.
func (q *Queries) AvailableLabelsMatching(ctx context.Context, projectID, namespaceID int64, titles []string, ids []int64) ([]*model.Label, error) {
	match, args := titlesOrIDs(titles, "id IN (%s)", ids)
	if match == "" {
		return nil, nil
	}
	rows, err := q.query(ctx, "SELECT "+labelColumns+` FROM labels WHERE (project_id = ? OR group_id IN
		(SELECT ancestor_id FROM namespace_closure WHERE descendant_id = ?)) AND (`+match+`)
		ORDER BY project_id IS NULL, id`, append([]any{projectID, namespaceID}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("store: available labels: %w", err)
	}
	return collect(rows, scanLabel)
}

// titlesOrIDs is "title IN (…) OR <idCond>" with its arguments; idCond's
// %s takes the ids' placeholders, after its own leading arguments.
func titlesOrIDs(titles []string, idCond string, ids []int64, lead ...any) (string, []any) {
	var parts []string
	var args []any
	if len(titles) > 0 {
		parts = append(parts, "title IN ("+placeholders(len(titles))+")")
		for _, t := range titles {
			args = append(args, t)
		}
	}
	if len(ids) > 0 {
		parts = append(parts, fmt.Sprintf(idCond, placeholders(len(ids))))
		args = append(args, lead...)
		for _, id := range ids {
			args = append(args, id)
		}
	}
	return strings.Join(parts, " OR "), args
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
