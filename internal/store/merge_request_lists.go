package store

import (
	"context"
	"fmt"

	"github.com/lablet/lablet/internal/model"
)

// MergeRequestFilter selects merge requests for a list. The filters merge
// requests share with issues (labels, milestone, author, assignees,
// search, times, iids, the viewer and the scope) are an IssueFilter's,
// applied by the same code; Confidential and IssueTypes do not apply.
type MergeRequestFilter struct {
	IssueFilter
	// States: "opened", "closed", "locked", "merged"; none: any.
	States       []string
	ReviewerID   *int64
	ReviewerMode string // "", "none", "any"
	SourceBranch string
	TargetBranch string
	Draft        *bool
	// CommitSHA keeps the merge requests holding a commit (a full id):
	// GitLab's by_related_commit_sha.
	CommitSHA string
}

// mergeRequestOrderExprs are the ORDER BY expressions of each order_by
// value; merged_at sorts its NULLs last.
var mergeRequestOrderExprs = map[string]struct {
	expr     string
	nullable bool
}{
	"created_at": {"merge_requests.created_at", false},
	"updated_at": {"merge_requests.updated_at", false},
	"title":      {"merge_requests.title", false},
	"merged_at":  {"merge_requests.merged_at", true},
	"popularity": {"merge_requests.upvotes", false},
}

// MergeRequestOrderable reports whether order is a known order_by value.
func MergeRequestOrderable(order string) bool {
	_, ok := mergeRequestOrderExprs[order]
	return ok
}

// mergeRequestFrom builds the FROM and WHERE of a filtered merge request
// query. Across projects the viewer sees merge requests where they may
// read them: read_merge_request is Reporter on a project, or a project
// whose code the viewer reads by its visibility (public to everyone,
// internal to signed-in users who are not external).
func mergeRequestFrom(d Dialect, f MergeRequestFilter) (string, conds) {
	var w conds
	from := " FROM merge_requests"
	if f.ProjectID != 0 {
		w.add("merge_requests.target_project_id = ?", f.ProjectID)
	} else {
		w.args = append(w.args, f.ViewerID, f.Today, f.ViewerID, f.Today)
		from = " FROM merge_requests JOIN projects p ON p.id = merge_requests.target_project_id" + projectAccessJoin
		w.add("p.merge_requests_enabled = ?", true)
		if !f.Admin {
			w.add("(p.visibility_level >= ? OR "+projectLevelExpr+" >= 20)", f.MinVisibility)
			w.add("(p.marked_for_deletion_on IS NULL OR " + projectLevelExpr + " >= 50)")
		}
		if f.GroupID != 0 && f.GroupOnly {
			w.add("p.namespace_id = ?", f.GroupID)
		} else if f.GroupID != 0 {
			w.add("p.namespace_id IN (SELECT c.descendant_id FROM namespace_closure c WHERE c.ancestor_id = ?)", f.GroupID)
		}
		if f.NonArchived {
			w.add("p.archived = ?", false)
		}
	}
	if len(f.States) > 0 {
		w.add("merge_requests.state IN ("+placeholders(len(f.States))+")", toAny(f.States)...)
	}
	issuableFilterConds(d, &w, f.IssueFilter, mergeRequestTable)
	if f.ReviewerID != nil {
		w.add("merge_requests.id IN (SELECT r.merge_request_id FROM merge_request_reviewers r WHERE r.user_id = ?)", *f.ReviewerID)
	}
	anyReviewer := "EXISTS (SELECT 1 FROM merge_request_reviewers r WHERE r.merge_request_id = merge_requests.id)"
	switch f.ReviewerMode {
	case "none":
		w.add("NOT " + anyReviewer)
	case "any":
		w.add(anyReviewer)
	}
	if f.SourceBranch != "" {
		w.add("merge_requests.source_branch = ?", f.SourceBranch)
	}
	if f.TargetBranch != "" {
		w.add("merge_requests.target_branch = ?", f.TargetBranch)
	}
	if f.Draft != nil {
		w.add("merge_requests.draft = ?", *f.Draft)
	}
	if f.CommitSHA != "" {
		// Three indexed lookups (merge_request_commits_sha and the
		// merge and squash commit indexes), not a scan of the project's.
		w.add(`merge_requests.id IN (SELECT c.merge_request_id FROM merge_request_commits c WHERE c.sha = ?
			UNION SELECT m.id FROM merge_requests m WHERE m.merge_commit_sha = ?
			UNION SELECT m.id FROM merge_requests m WHERE m.squash_commit_sha = ?)`, f.CommitSHA, f.CommitSHA, f.CommitSHA)
	}
	return from, w
}

// MergeRequestList is one page of merge requests, the total when it was
// asked for, and what a rendering of it may be cached under (as IssueList).
type MergeRequestList struct {
	shared  []*model.MergeRequest // a kept page's: never written
	Total   int
	Key     string
	Version model.Version
}

// MergeRequests are the page's merge requests, the caller's own to change.
// They are copied from the kept page when asked for, which a page served
// from its kept rendering never is.
func (l MergeRequestList) MergeRequests() []*model.MergeRequest { return copyMergeRequests(l.shared) }

// ListMergeRequests returns one page of the merge requests f selects, with
// their relations, and the total when f.Count is set; pages are kept in
// the issue list cache under the same versions (issue_list_cache.go).
func (q *Queries) ListMergeRequests(ctx context.Context, f MergeRequestFilter) (MergeRequestList, error) {
	from, w := mergeRequestFrom(q.dialect, f)
	cte := ""
	if f.ProjectID == 0 {
		cte = projectAccessCTE
	}
	o, ok := mergeRequestOrderExprs[f.OrderBy]
	if !ok {
		o = mergeRequestOrderExprs["created_at"]
	}
	dir := " ASC"
	if f.Desc {
		dir = " DESC"
	}
	order := " ORDER BY "
	if o.nullable {
		order += "(" + o.expr + " IS NULL), "
	}
	order += o.expr + dir + ", merge_requests.id" + dir
	countSQL := cte + "SELECT count(*)" + from + w.where()
	pageSQL := cte + pageWithRelations(mergeRequestColumnsRelated, mergeRequestColumns, from+w.where(), order, "merge_requests")
	args := append(append([]any{}, w.args...), f.Limit, f.Offset)

	load := func(ctx context.Context) (issueListEntry, error) {
		rows, err := q.query(ctx, pageSQL, args...)
		if err != nil {
			return issueListEntry{}, fmt.Errorf("store: list merge requests: %w", err)
		}
		list, err := collect(rows, scanMergeRequestRelated)
		if err != nil {
			return issueListEntry{}, fmt.Errorf("store: list merge requests: %w", err)
		}
		total := 0
		if f.Count {
			// A short page that is not past the end tells the total.
			known := false
			if total, known = pageTotal(len(list), f.Limit, f.Offset); !known {
				if err := q.queryRow(ctx, countSQL, w.args...).Scan(&total); err != nil {
					return issueListEntry{}, fmt.Errorf("store: count merge requests: %w", wrapErr(err))
				}
			}
		}
		return issueListEntry{mrs: list, total: total}, nil
	}
	stamp, version, cached := q.issueListStamp()
	key := ""
	if cached {
		key = q.db.statementKey(pageSQL, append(args, f.Count))
	}
	if key == "" {
		e, err := load(ctx)
		return MergeRequestList{shared: e.mrs, Total: e.total}, err
	}
	e, err := q.keptList(ctx, key, stamp, load)
	if err != nil {
		return MergeRequestList{}, err
	}
	return MergeRequestList{shared: e.mrs, Total: e.total, Key: key, Version: version}, nil
}
