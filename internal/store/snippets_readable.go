package store

import (
	"context"
	"fmt"

	"github.com/lablet/lablet/internal/model"
)

// SnippetsViewer is who lists snippets across projects.
type SnippetsViewer struct {
	ID            int64 // 0 for anonymous callers
	Admin         bool
	MinVisibility int // lowest visibility seen without membership or authorship
	Today         string
}

// ReadableSnippets lists, newest first, the snippets v may read across
// the instance, as GitLab's SnippetsFinder does without a project:
// personal ones (unless onlyProject) and those of the projects v sees
// with their snippets feature on (unless f.Personal). A snippet is read at
// or above MinVisibility, by its author, and (a project's) by the
// project's members; administrators read all. f's AuthorID, Visibility
// and window narrow it.
func (q *Queries) ReadableSnippets(ctx context.Context, f model.SnippetFilter, onlyProject bool,
	v SnippetsViewer) ([]*model.Snippet, int, error) {
	var c conds
	personal, project := "s.project_id IS NULL", "s.project_id IS NOT NULL"
	var pargs []any
	if !v.Admin {
		personal += " AND (s.visibility_level >= ? OR s.author_id = ?)"
		var pc conds
		pc.add("p.id = s.project_id")
		pc.projectVisible(viewerScope{ID: v.ID, Admin: v.Admin, MinVisibility: v.MinVisibility, Today: v.Today})
		pc.add("p.snippets_enabled = ?", true)
		if v.ID == 0 {
			pc.add("s.visibility_level >= ?", v.MinVisibility)
		} else {
			pc.add("(s.visibility_level >= ? OR s.author_id = ? OR "+projectMemberSQL+")",
				append([]any{v.MinVisibility, v.ID}, projectMemberArgs(v.ID, 10, v.Today)...)...)
		}
		project += " AND EXISTS (SELECT 1 FROM projects p" + pc.where() + ")"
		pargs = pc.args
	}
	switch {
	case f.Personal:
		c.add(personal, personalArgs(v)...)
	case onlyProject:
		c.add(project, pargs...)
	default:
		c.add("(("+personal+") OR ("+project+"))", append(personalArgs(v), pargs...)...)
	}
	if f.AuthorID != 0 {
		c.add("s.author_id = ?", f.AuthorID)
	}
	if f.Visibility != nil {
		c.add("s.visibility_level = ?", *f.Visibility)
	}
	var total int
	if err := q.queryRow(ctx, "SELECT COUNT(*) FROM snippets s"+c.where(), c.args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: count readable snippets: %w", wrapErr(err))
	}
	rows, err := q.query(ctx, "SELECT "+snippetColumns+" FROM snippets s"+c.where()+" ORDER BY s.id DESC LIMIT ? OFFSET ?",
		append(c.args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: list readable snippets: %w", err)
	}
	list, err := collect(rows, scanSnippet)
	return list, total, err
}

func personalArgs(v SnippetsViewer) []any {
	if v.Admin {
		return nil
	}
	return []any{v.MinVisibility, v.ID}
}
