package store

import (
	"context"
	"fmt"
	"strconv"

	"github.com/lablet/lablet/internal/model"
)

// searchWhere starts the conditions every search shares: the words,
// where to look and which projects the viewer sees.
func (q *Queries) searchWhere(f model.SearchFilter, s searchable, driven bool) conds {
	var w conds
	w.fullTextMatch(q.dialect, s, f.Text, driven)
	switch {
	case f.ProjectID != 0:
		w.add("p.id = ?", f.ProjectID)
	case f.GroupID != 0:
		w.add("p.namespace_id IN (SELECT c.descendant_id FROM namespace_closure c WHERE c.ancestor_id = ?)", f.GroupID)
	}
	w.projectVisible(viewerOf(f))
	return w
}

func viewerOf(f model.SearchFilter) viewerScope {
	return viewerScope{ID: f.ViewerID, Admin: f.Admin, MinVisibility: f.MinVisibility, Today: f.Today}
}

// searchPage returns " ORDER BY … LIMIT … OFFSET …": newest first by
// creation, in id order, which the primary key serves: a common word
// matches a large share of the rows, and the page is found by walking
// ids until enough visible ones match rather than by sorting them all.
func searchPage(order string, f model.SearchFilter) string {
	dir := " DESC"
	if f.Asc {
		dir = ""
	}
	return " ORDER BY " + order + dir + " LIMIT " + strconv.Itoa(f.Limit+1) + " OFFSET " + strconv.Itoa(f.Offset)
}

// morePage trims the extra row searchPage asks for and reports whether
// there was one: searches are not counted, as GitLab's are not (its search
// results are paginated without counts: no X-Total), only whether a next
// page exists.
func morePage[T any](rows []T, f model.SearchFilter) ([]T, bool) {
	if len(rows) > f.Limit {
		return rows[:f.Limit], true
	}
	return rows, false
}

// SearchIssues returns a page of the issues holding every word of
// f.Text in their title or description that the viewer may read, through
// the full-text index, and whether more follow. Key and Version name the
// page as ListIssues names its pages, so that its rendering may be kept.
func (q *Queries) SearchIssues(ctx context.Context, f model.SearchFilter) (IssueList, bool, error) {
	// Within one project its issues drive, through the project's index
	// (the words' ids are collected once); across projects the full-text
	// table does, in id order.
	driven := f.ProjectID == 0
	w := q.searchWhere(f, issueText, driven)
	w.issueReadable(viewerOf(f))
	if f.State != "" {
		w.add("issues.state = ?", f.State)
	}
	if f.Confidential != nil {
		w.add("issues.confidential = ?", *f.Confidential)
	}
	from, order := " FROM issues", "issues.id"
	if driven {
		from, order = issueText.driving(q.dialect)
	}
	from += " JOIN projects p ON p.id = issues.project_id"
	query := "SELECT " + issueColumns + from + w.where() + searchPage(order, f)
	// Kept like issue list pages (issue_list_cache.go): the same words
	// searched again by the same viewer cost a lookup until something they
	// are read from changes.
	load := func(ctx context.Context) (issueListEntry, error) {
		rows, err := q.query(ctx, query, w.args...)
		if err != nil {
			return issueListEntry{}, fmt.Errorf("store: search issues: %w", err)
		}
		issues, err := collect(rows, scanIssue)
		if err != nil {
			return issueListEntry{}, err
		}
		issues, more := morePage(issues, f)
		if err := q.loadIssueRelations(ctx, issues); err != nil {
			return issueListEntry{}, err
		}
		return issueListEntry{issues: issues, more: more}, nil
	}
	stamp, version, cached := q.issueListStamp()
	key := ""
	if cached {
		key = q.db.statementKey(query, w.args)
	}
	if key == "" {
		e, err := load(ctx)
		return IssueList{Issues: e.issues}, e.more, err
	}
	e, err := q.keptList(ctx, key, stamp, load)
	if err != nil {
		return IssueList{}, false, err
	}
	return IssueList{Issues: copyIssues(e.issues), Key: key, Version: version}, e.more, nil
}

// SearchNotes returns a page, and the count, of the comments (not system notes) of one
// project holding every word of f.Text that the viewer may read: notes on
// issues the viewer may read, internal notes to Reporters.
func (q *Queries) SearchNotes(ctx context.Context, f model.SearchFilter) ([]*model.Note, int, error) {
	if f.ProjectID == 0 {
		return nil, 0, fmt.Errorf("store: search notes: notes are searched within a project")
	}
	w := q.searchWhere(f, noteText, false)
	w.add("notes.system = ?", false)
	w.add("notes.noteable_type = ?", model.NoteableIssue)
	w.issueReadable(viewerOf(f))
	if !f.Admin {
		if f.ViewerID == 0 {
			w.add("notes.internal = ?", false)
		} else {
			w.add("(notes.internal = ? OR "+projectMemberSQL+")", append([]any{false}, projectMemberArgs(f.ViewerID, 20, f.Today)...)...)
		}
	}
	from, order := " FROM notes JOIN issues ON issues.id = notes.noteable_id JOIN projects p ON p.id = notes.project_id", "notes.id"
	rows, err := q.query(ctx, "SELECT "+noteColumns+from+w.where()+searchPage(order, f), w.args...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: search notes: %w", err)
	}
	notes, err := collect(rows, scanNote)
	if err != nil {
		return nil, 0, err
	}
	notes, _ = morePage(notes, f)
	// A project's notes are counted, as GitLab counts them (its project
	// search pages notes with a count).
	var total int
	if err := q.queryRow(ctx, "SELECT count(*)"+from+w.where(), w.args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: count notes: %w", wrapErr(err))
	}
	return notes, total, nil
}

// SearchMilestones returns a page of the milestones holding every word of
// f.Text of the projects the viewer sees (within the group or project
// searched) and, outside a project search, of the groups the viewer sees
// (a private group's milestones to its members).
func (q *Queries) SearchMilestones(ctx context.Context, f model.SearchFilter) ([]*model.Milestone, bool, error) {
	// Project milestones: through the projects the viewer sees.
	w := q.searchWhere(f, milestoneText, false)
	inProjects := "SELECT milestones.id FROM milestones JOIN projects p ON p.id = milestones.project_id" + w.where()
	args := w.args
	if f.ProjectID == 0 {
		// Group milestones of the groups the viewer sees.
		var g conds
		g.fullText(q.dialect, milestoneText, f.Text)
		if f.GroupID != 0 {
			g.add("n.id IN (SELECT c.descendant_id FROM namespace_closure c WHERE c.ancestor_id = ?)", f.GroupID)
		}
		if !f.Admin {
			g.add("n.marked_for_deletion_on IS NULL")
			if f.ViewerID == 0 {
				g.add("n.visibility_level >= ?", f.MinVisibility)
			} else {
				g.add("(n.visibility_level >= ? OR "+memberOfNamespaceSQL+")", append([]any{f.MinVisibility}, memberOfNamespaceArgs(f.ViewerID, 10, f.Today)...)...)
			}
		}
		inProjects += " UNION SELECT milestones.id FROM milestones JOIN namespaces n ON n.id = milestones.group_id" + g.where()
		args = append(args, g.args...)
	}
	rows, err := q.query(ctx, "SELECT "+milestoneColumns+" FROM milestones WHERE milestones.id IN ("+inProjects+")"+
		searchPage("milestones.id", f), args...)
	if err != nil {
		return nil, false, fmt.Errorf("store: search milestones: %w", err)
	}
	ms, err := collect(rows, scanMilestone)
	ms, more := morePage(ms, f)
	return ms, more, err
}
