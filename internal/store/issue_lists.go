package store

import (
	"context"
	"fmt"
	"time"
)

// IssueFilter selects issues for a list or for statistics. The viewer
// fields decide which projects' issues, and which confidential ones, are
// seen; the rest are the caller's filters. A project list (ProjectID set)
// has its project's visibility checked by the caller, which passes the
// viewer's level there as ProjectLevel.
type IssueFilter struct {
	ViewerID      int64 // 0 for anonymous callers
	Admin         bool
	MinVisibility int
	Today         string

	ProjectID    int64 // one project; 0: every project the viewer sees
	ProjectLevel int   // the viewer's level on ProjectID
	GroupID      int64 // a group and its subgroups' projects
	GroupOnly    bool  // with GroupID: the group's own projects only (GraphQL's includeSubgroups: false)
	NonArchived  bool  // leave out archived projects' issues

	State          string // "opened", "closed"; "" any
	LabelTitles    []string
	LabelsMode     string // "", "none", "any"
	NotLabelTitles []string
	MilestoneID    int64
	Milestone      string
	MilestoneMode  string // "", "none", "any", "started", "upcoming"
	NotMilestone   string
	AuthorID       *int64
	NotAuthorID    *int64
	AssigneeIDs    []int64 // every one of these is an assignee
	AssigneeMode   string  // "", "none", "any"
	NotAssigneeID  *int64
	Search         string
	SearchColumns  []string // "title", "description"
	CreatedAfter   *time.Time
	CreatedBefore  *time.Time
	UpdatedAfter   *time.Time
	UpdatedBefore  *time.Time
	IIDs           []int64
	Confidential   *bool
	IssueTypes     []string
	// LinkedTo keeps what merge_request_issues links to it: for issues a
	// merge request's id, for merge requests an issue's; LinkedClosing
	// keeps only the links that close.
	LinkedTo      int64
	LinkedClosing bool

	// OrderBy is created_at (default), updated_at, priority, due_date,
	// relative_position, label_priority, milestone_due, popularity, title
	// or id.
	OrderBy string
	Desc    bool
	Limit   int
	Offset  int
	Count   bool
	// After is a keyset cursor: rows strictly after (AfterValue, AfterID)
	// in the list's order (OrderBy id, created_at or updated_at).
	After      bool
	AfterValue int64
	AfterID    int64
}

// issueOrderExprs are the ORDER BY expressions of each order_by value;
// nullable ones sort their NULLs last in both directions, as GitLab does.
var issueOrderExprs = map[string]struct {
	expr     string
	nullable bool
	// then is a second nullable key (priority: label priority after the
	// milestone's due date).
	then string
}{
	"created_at":        {"issues.created_at", false, ""},
	"updated_at":        {"issues.updated_at", false, ""},
	"id":                {"issues.id", false, ""},
	"title":             {"issues.title", false, ""},
	"due_date":          {"issues.due_date", true, ""},
	"relative_position": {"issues.relative_position", true, ""},
	"popularity":        {"issues.upvotes", false, ""},
	"milestone_due":     {"(SELECT ms.due_date FROM milestones ms WHERE ms.id = issues.milestone_id)", true, ""},
	"label_priority":    {labelPriorityExpr, true, ""},
	// GitLab's priority: the milestone due first, then the highest label
	// priority (order_due_date_and_labels_priority).
	"priority": {"(SELECT ms.due_date FROM milestones ms WHERE ms.id = issues.milestone_id)", true, labelPriorityExpr},
}

// labelPriorityExpr is an issue's highest label priority in its project
// (the lowest number).
const labelPriorityExpr = `(SELECT min(lp.priority) FROM label_links ll JOIN label_priorities lp
	ON lp.label_id = ll.label_id AND lp.project_id = issues.project_id
	WHERE ll.target_type = 'Issue' AND ll.target_id = issues.id)`

// IssueOrderable reports whether order is a known order_by value.
func IssueOrderable(order string) bool {
	_, ok := issueOrderExprs[order]
	return ok
}

// issueFrom builds the FROM and WHERE of a filtered issue query; withState
// false leaves the state filter out (statistics count each state).
func issueFrom(d Dialect, f IssueFilter, withState bool) (string, conds) {
	var w conds
	from := " FROM issues"
	uid := f.ViewerID
	if f.ProjectID != 0 {
		w.add("issues.project_id = ?", f.ProjectID)
		if !f.Admin && f.ProjectLevel < 20 {
			w.add(`(issues.confidential = ? OR issues.author_id = ? OR EXISTS (SELECT 1 FROM issue_assignees cia
				WHERE cia.issue_id = issues.id AND cia.user_id = ?))`, false, uid, uid)
		}
	} else {
		// The viewer's levels (projectAccessCTE) decide which projects,
		// and which confidential issues, they see: one pass, however many
		// projects there are.
		w.args = append(w.args, uid, f.Today, uid, f.Today)
		from = " FROM issues JOIN projects p ON p.id = issues.project_id" + projectAccessJoin
		w.add("p.issues_enabled = ?", true)
		if !f.Admin {
			w.add("(p.visibility_level >= ? OR "+projectLevelExpr+" >= 10)", f.MinVisibility)
			w.add("(p.marked_for_deletion_on IS NULL OR " + projectLevelExpr + " >= 50)")
			w.add(`(issues.confidential = ? OR `+projectLevelExpr+` >= 20 OR issues.author_id = ? OR EXISTS (SELECT 1
				FROM issue_assignees cia WHERE cia.issue_id = issues.id AND cia.user_id = ?))`, false, uid, uid)
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
	if withState && f.State != "" {
		w.add("issues.state = ?", f.State)
	}
	issueFilterConds(d, &w, f)
	return from, w
}

// issuable names the tables of one kind of issuable (issues, merge
// requests), so the filters they share are written once.
type issuable struct {
	table     string // its table
	typ       string // its label_links.target_type
	assignees string // its assignees' table
	fk        string // the column of that table naming it
}

var (
	issueTable        = issuable{"issues", "Issue", "issue_assignees", "issue_id"}
	mergeRequestTable = issuable{"merge_requests", "MergeRequest", "merge_request_assignees", "merge_request_id"}
)

func (t issuable) col(name string) string { return t.table + "." + name }

func (t issuable) labelTitleExists() string {
	return `EXISTS (SELECT 1 FROM label_links ll JOIN labels l ON l.id = ll.label_id
	WHERE ll.target_type = '` + t.typ + `' AND ll.target_id = ` + t.col("id") + ` AND l.title = ?)`
}

func (t issuable) anyLabelExists() string {
	return `EXISTS (SELECT 1 FROM label_links ll WHERE ll.target_type = '` + t.typ + `' AND ll.target_id = ` + t.col("id") + `)`
}

func (t issuable) assigneeExists() string {
	return `EXISTS (SELECT 1 FROM ` + t.assignees + ` ia WHERE ia.` + t.fk + ` = ` + t.col("id") + ` AND ia.user_id = ?)`
}

func (t issuable) anyAssigneeExists() string {
	return `EXISTS (SELECT 1 FROM ` + t.assignees + ` ia WHERE ia.` + t.fk + ` = ` + t.col("id") + `)`
}

// issueFilterConds adds the caller's filters on the issue itself.
func issueFilterConds(d Dialect, w *conds, f IssueFilter) {
	issuableFilterConds(d, w, f, issueTable)
	if f.Confidential != nil {
		w.add("issues.confidential = ?", *f.Confidential)
	}
	if len(f.IssueTypes) > 0 {
		w.add("issues.issue_type IN ("+placeholders(len(f.IssueTypes))+")", toAny(f.IssueTypes)...)
	}
}

// issuableFilterConds adds the filters issues and merge requests share:
// labels, milestone, author, assignees, search, times and iids.
func issuableFilterConds(d Dialect, w *conds, f IssueFilter, t issuable) {
	for _, title := range f.LabelTitles {
		w.add(t.labelTitleExists(), title)
	}
	switch f.LabelsMode {
	case "none":
		w.add("NOT " + t.anyLabelExists())
	case "any":
		w.add(t.anyLabelExists())
	}
	for _, title := range f.NotLabelTitles {
		w.add("NOT "+t.labelTitleExists(), title)
	}
	milestone := t.col("milestone_id")
	if f.MilestoneID != 0 {
		w.add(milestone+" = ?", f.MilestoneID)
	}
	if f.Milestone != "" {
		w.add(milestone+" IN (SELECT ms.id FROM milestones ms WHERE ms.title = ?)", f.Milestone)
	}
	switch f.MilestoneMode {
	case "none":
		w.add(milestone + " IS NULL")
	case "any":
		w.add(milestone + " IS NOT NULL")
	case "started":
		// Milestone.started: active, started on or before today.
		w.add(milestone+" IN (SELECT ms.id FROM milestones ms WHERE ms.state = 'active' AND ms.start_date <= ?)", f.Today)
	case "upcoming":
		// Milestone.upcoming_ids: per project or group, the active
		// milestone due next.
		w.add(milestone+` IN (SELECT ms.id FROM milestones ms WHERE ms.state = 'active' AND ms.due_date > ?
			AND NOT EXISTS (SELECT 1 FROM milestones m2 WHERE m2.state = 'active' AND m2.due_date > ?
			AND m2.due_date < ms.due_date AND (m2.project_id = ms.project_id OR m2.group_id = ms.group_id)))`, f.Today, f.Today)
	}
	if f.NotMilestone != "" {
		w.add("("+milestone+" IS NULL OR "+milestone+" NOT IN (SELECT ms.id FROM milestones ms WHERE ms.title = ?))", f.NotMilestone)
	}
	if f.AuthorID != nil {
		w.add(t.col("author_id")+" = ?", *f.AuthorID)
	}
	if f.NotAuthorID != nil {
		w.add("("+t.col("author_id")+" IS NULL OR "+t.col("author_id")+" <> ?)", *f.NotAuthorID)
	}
	for _, id := range f.AssigneeIDs {
		// An IN over the assignee's index, not a correlated EXISTS: the
		// database can start from the user's assignments (assigned_to_me
		// across every project) instead of walking every issue.
		w.add(t.col("id")+" IN (SELECT ia."+t.fk+" FROM "+t.assignees+" ia WHERE ia.user_id = ?)", id)
	}
	switch f.AssigneeMode {
	case "none":
		w.add("NOT " + t.anyAssigneeExists())
	case "any":
		w.add(t.anyAssigneeExists())
	}
	if f.NotAssigneeID != nil {
		w.add("NOT "+t.assigneeExists(), *f.NotAssigneeID)
	}
	if f.Search != "" {
		cols := []string{}
		for _, c := range f.SearchColumns {
			cols = append(cols, t.col(c))
		}
		switch {
		case len(cols) == 1:
			// One of the two columns: a substring match of it.
			w.search(f.Search, cols...)
		case t == issueTable:
			// Both, the default: every word, through the full-text index.
			w.fullText(d, issueText, f.Search)
		default:
			// No full-text index (merge requests): a substring of either.
			w.search(f.Search, t.col("title"), t.col("description"))
		}
	}
	for _, b := range []struct {
		t  *time.Time
		op string
	}{{f.CreatedAfter, "created_at >= ?"}, {f.CreatedBefore, "created_at <= ?"},
		{f.UpdatedAfter, "updated_at >= ?"}, {f.UpdatedBefore, "updated_at <= ?"}} {
		if b.t != nil {
			w.add(t.col(b.op), ms(*b.t))
		}
	}
	if len(f.IIDs) > 0 {
		w.in(t.col("iid"), false, f.IIDs)
	}
	if f.LinkedTo != 0 {
		own, other := "issue_id", "merge_request_id"
		if t == mergeRequestTable {
			own, other = other, own
		}
		sub, args := "SELECT mri."+own+" FROM merge_request_issues mri WHERE mri."+other+" = ?", []any{f.LinkedTo}
		if f.LinkedClosing {
			sub, args = sub+" AND mri.closes = ?", append(args, true)
		}
		w.add(t.col("id")+" IN ("+sub+")", args...)
	}
}

func toAny[T any](vs []T) []any {
	out := make([]any, len(vs))
	for i, v := range vs {
		out[i] = v
	}
	return out
}

// ListIssues returns one page of the issues f selects, with their
// assignees and labels, and the total when f.Count is set: one query for
// the page with its relations and, unless the page shows where the list
// ends, one for the count — or none, when the same page was read since the
// last change to what it is read from (issue_list_cache.go).
func (q *Queries) ListIssues(ctx context.Context, f IssueFilter) (IssueList, error) {
	from, w := issueFrom(q.dialect, f, true)
	cte := ""
	if f.ProjectID == 0 {
		cte = projectAccessCTE
	}
	countSQL := cte + "SELECT count(*)" + from + w.where()
	countArgs := w.args
	o, ok := issueOrderExprs[f.OrderBy]
	if !ok {
		o = issueOrderExprs["created_at"]
	}
	dir := " ASC"
	if f.Desc {
		dir = " DESC"
	}
	if f.After {
		op := " > "
		if f.Desc {
			op = " < "
		}
		if o.expr == "issues.id" {
			w.add("issues.id"+op+"?", f.AfterID)
		} else {
			w.add("("+o.expr+op+"? OR ("+o.expr+" = ? AND issues.id"+op+"?))", f.AfterValue, f.AfterValue, f.AfterID)
		}
	}
	order := " ORDER BY "
	if o.nullable {
		order += "(" + o.expr + " IS NULL), "
	}
	order += o.expr + dir
	if o.then != "" {
		order += ", (" + o.then + " IS NULL), " + o.then + dir
	}
	if o.expr != "issues.id" {
		order += ", issues.id" + dir
	}
	pageSQL := cte + pageWithRelations(issueColumnsRelated, issueColumns, from+w.where(), order, "issues")
	args := append(w.args, f.Limit, f.Offset)

	load := func(ctx context.Context) (issueListEntry, error) {
		rows, err := q.query(ctx, pageSQL, args...)
		if err != nil {
			return issueListEntry{}, fmt.Errorf("store: list issues: %w", err)
		}
		list, err := collect(rows, scanIssueRelated)
		if err != nil {
			return issueListEntry{}, fmt.Errorf("store: list issues: %w", err)
		}
		total := 0
		if f.Count {
			known := false
			if !f.After { // a keyset page is not at an offset
				total, known = pageTotal(len(list), f.Limit, f.Offset)
			}
			if !known {
				if err := q.queryRow(ctx, countSQL, countArgs...).Scan(&total); err != nil {
					return issueListEntry{}, fmt.Errorf("store: count issues: %w", wrapErr(err))
				}
			}
		}
		return issueListEntry{issues: list, total: total}, nil
	}
	stamp, version, cached := q.issueListStamp()
	key := ""
	if cached {
		key = q.db.statementKey(pageSQL, append(args, f.Count))
	}
	if key == "" {
		e, err := load(ctx)
		return IssueList{Issues: e.issues, Total: e.total}, err
	}
	e, err := q.keptList(ctx, key, stamp, load)
	if err != nil {
		return IssueList{}, err
	}
	return IssueList{Issues: copyIssues(e.issues), Total: e.total, Key: key, Version: version}, nil
}

// pageWithRelations is the statement for one page of a list and each
// row's relations: the inner select picks the page (LIMIT ? OFFSET ?), the
// outer one, named alias as the table, adds the related columns' correlated
// aggregates for the page's rows only and keeps the order. One statement
// instead of a page and a second one for its relations: on PostgreSQL one
// round trip less for every list read from the database.
func pageWithRelations(related, columns, fromWhere, order, alias string) string {
	return "SELECT " + related + " FROM (SELECT " + columns + fromWhere + order + " LIMIT ? OFFSET ?) " + alias + order
}

// pageTotal is the number of rows a list holds when a page of it at
// offset, limit rows long, came back with n: a short page that is not
// past the end is the list's last one. ok is false when the page does not
// tell (full, or empty past the first).
func pageTotal(n, limit, offset int) (total int, ok bool) {
	if n < limit && (n > 0 || offset == 0) {
		return offset + n, true
	}
	return 0, false
}

// IssueCounts are the numbers of issues a filter selects, by state.
type IssueCounts struct{ All, Opened, Closed int64 }

// CountIssues counts the issues f selects (its State ignored) by state,
// in one query.
func (q *Queries) CountIssues(ctx context.Context, f IssueFilter) (IssueCounts, error) {
	from, w := issueFrom(q.dialect, f, false)
	cte := ""
	if f.ProjectID == 0 {
		cte = projectAccessCTE
	}
	var c IssueCounts
	err := q.queryRow(ctx, cte+`SELECT count(*),
		COALESCE(sum(CASE WHEN issues.state = 'opened' THEN 1 ELSE 0 END), 0),
		COALESCE(sum(CASE WHEN issues.state = 'closed' THEN 1 ELSE 0 END), 0)`+from+w.where(), w.args...).
		Scan(&c.All, &c.Opened, &c.Closed)
	if err != nil {
		return c, fmt.Errorf("store: count issues: %w", wrapErr(err))
	}
	return c, nil
}
