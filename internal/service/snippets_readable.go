package service

import (
	"context"
	"fmt"

	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// ListReadableSnippets lists every snippet the caller may read, personal
// and of projects, newest first: GitLab's SnippetsFinder without a
// project (GraphQL's Query.snippets), by canReadSnippet's rules in SQL.
// f.Personal keeps personal snippets only, onlyProject project ones.
func (s *Service) ListReadableSnippets(ctx context.Context, id *auth.Identity, f model.SnippetFilter,
	onlyProject bool) (*SnippetPage, error) {
	v := viewer(id)
	list, total, err := s.db.Queries().ReadableSnippets(ctx, f, onlyProject,
		store.SnippetsViewer{ID: id.UserID(), Admin: v.Admin, MinVisibility: v.MinVisibleLevel(), Today: s.Today()})
	if err != nil {
		return nil, err
	}
	var ids, projectIDs []int64
	for _, sn := range list {
		if sn.AuthorID != nil {
			ids = append(ids, *sn.AuthorID)
		}
		if sn.ProjectID != nil {
			projectIDs = append(projectIDs, *sn.ProjectID)
		}
	}
	users, err := s.UsersByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	// The listed snippets' projects are ones the caller sees (the SQL
	// above), shown beside them for their paths.
	projects := map[int64]*model.Project{}
	if len(projectIDs) > 0 {
		if projects, err = s.db.Queries().ProjectsByIDs(ctx, projectIDs); err != nil {
			return nil, fmt.Errorf("service: snippets' projects: %w", err)
		}
	}
	return &SnippetPage{Snippets: list, Total: total, Users: users, Projects: projects}, nil
}
