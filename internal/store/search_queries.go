package store

import (
	"context"
	"fmt"
	"strconv"

	"github.com/lablet/lablet/internal/model"
)

// searchWhere starts the conditions every search shares: the words,
// where to look and which projects the viewer sees.
func (q *Queries) searchWhere(f model.SearchFilter, s searchable) conds {
	var w conds
	w.fullText(q.dialect, s, f.Text)
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
func searchPage(table string, f model.SearchFilter) string {
	dir := " DESC"
	if f.Asc {
		dir = ""
	}
	return " ORDER BY " + table + ".id" + dir + " LIMIT " + strconv.Itoa(f.Limit) + " OFFSET " + strconv.Itoa(f.Offset)
}

// SearchCountLimit caps the totals of searches, as GitLab's basic search
// limits its counts: counting every match of a common word would cost
// more than finding the page.
const SearchCountLimit = 1000

// searchCount counts the rows of a search's FROM and WHERE, up to
// SearchCountLimit.
func (q *Queries) searchCount(ctx context.Context, fromWhere string, args []any) (int, error) {
	var n int
	err := q.queryRow(ctx, "SELECT count(*) FROM (SELECT 1"+fromWhere+" LIMIT "+strconv.Itoa(SearchCountLimit)+") capped", args...).Scan(&n)
	return n, wrapErr(err)
}

// SearchIssues returns a page of the issues holding every word of
// f.Text in their title or description that the viewer may read, and how
// many there are, through the full-text index.
func (q *Queries) SearchIssues(ctx context.Context, f model.SearchFilter) ([]*model.Issue, int, error) {
	w := q.searchWhere(f, issueText)
	w.issueReadable(viewerOf(f))
	if f.State != "" {
		w.add("issues.state = ?", f.State)
	}
	if f.Confidential != nil {
		w.add("issues.confidential = ?", *f.Confidential)
	}
	from := " FROM issues JOIN projects p ON p.id = issues.project_id"
	total, err := q.searchCount(ctx, from+w.where(), w.args)
	if err != nil {
		return nil, 0, fmt.Errorf("store: search issues: %w", err)
	}
	rows, err := q.query(ctx, "SELECT "+issueColumns+from+w.where()+searchPage("issues", f), w.args...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: search issues: %w", err)
	}
	issues, err := collect(rows, scanIssue)
	if err != nil {
		return nil, 0, err
	}
	return issues, total, q.LoadIssueRelations(ctx, issues)
}

// SearchNotes returns a page of the comments (not system notes) of one
// project holding every word of f.Text that the viewer may read: notes on
// issues the viewer may read, internal notes to Reporters.
func (q *Queries) SearchNotes(ctx context.Context, f model.SearchFilter) ([]*model.Note, int, error) {
	if f.ProjectID == 0 {
		return nil, 0, fmt.Errorf("store: search notes: notes are searched within a project")
	}
	w := q.searchWhere(f, noteText)
	w.add("notes.system = ?", false)
	w.add("notes.noteable_type = ?", model.NoteableIssue)
	w.issueReadable(viewerOf(f))
	if !f.Admin {
		if f.ViewerID == 0 {
			w.add("notes.internal = ?", false)
		} else {
			w.add("(notes.internal = ? OR "+projectMemberSQL+")", false, f.ViewerID, 20, f.Today, f.ViewerID, 20, f.Today)
		}
	}
	from := " FROM notes JOIN issues ON issues.id = notes.noteable_id JOIN projects p ON p.id = notes.project_id"
	total, err := q.searchCount(ctx, from+w.where(), w.args)
	if err != nil {
		return nil, 0, fmt.Errorf("store: search notes: %w", err)
	}
	rows, err := q.query(ctx, "SELECT "+noteColumns+from+w.where()+searchPage("notes", f), w.args...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: search notes: %w", err)
	}
	notes, err := collect(rows, scanNote)
	return notes, total, err
}

// SearchMilestones returns a page of the milestones holding every word of
// f.Text of the projects the viewer sees (within the group or project
// searched) and, outside a project search, of the groups the viewer sees
// (a private group's milestones to its members).
func (q *Queries) SearchMilestones(ctx context.Context, f model.SearchFilter) ([]*model.Milestone, int, error) {
	// Project milestones: through the projects the viewer sees.
	w := q.searchWhere(f, milestoneText)
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
				g.add("(n.visibility_level >= ? OR "+memberOfNamespaceSQL+")", f.MinVisibility, f.ViewerID, 10, f.Today)
			}
		}
		inProjects += " UNION SELECT milestones.id FROM milestones JOIN namespaces n ON n.id = milestones.group_id" + g.where()
		args = append(args, g.args...)
	}
	total, err := q.searchCount(ctx, " FROM ("+inProjects+") found", args)
	if err != nil {
		return nil, 0, fmt.Errorf("store: search milestones: %w", err)
	}
	rows, err := q.query(ctx, "SELECT "+milestoneColumns+" FROM milestones WHERE milestones.id IN ("+inProjects+")"+
		searchPage("milestones", f), args...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: search milestones: %w", err)
	}
	ms, err := collect(rows, scanMilestone)
	return ms, total, err
}
