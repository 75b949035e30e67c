package service

import (
	"context"
	"errors"
	"fmt"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// Snippets (GitLab's PersonalSnippet and ProjectSnippet, the Snippets::
// services and API::Snippets, API::ProjectSnippets): titled sets of files,
// each snippet a git repository of its own (snippets_repo.go) whose head
// holds the files. Rules follow PersonalSnippetPolicy and
// ProjectSnippetPolicy (snippets_access.go).

// SnippetRef names a snippet as a route addresses it: a project (id or
// full path; "" for a personal snippet) and the snippet's id.
type SnippetRef struct {
	Project string
	ID      int64
}

// SnippetView is a snippet the caller may read, with its project (nil
// for a personal snippet), the caller's level there and its author.
type SnippetView struct {
	Snippet *model.Snippet
	Project *model.Project
	Level   access.Level
	Author  *model.User
	// Editable: the caller may update and delete it.
	Editable bool
}

// SnippetPage is one page of snippets with their authors and projects.
type SnippetPage struct {
	Snippets []*model.Snippet
	Total    int
	Users    map[int64]*model.User
	// Projects are the project snippets' projects, by id.
	Projects map[int64]*model.Project
}

// snippetNotFound is GitLab's answer for a snippet the caller can't see.
func snippetNotFound() error { return NotFound("Snippet") }

// loadSnippet finds the snippet ref names for a caller who may read it:
// "404 Project Not Found" for a hidden project, "404 Snippet Not Found"
// for a snippet that is not there, not of that project (or not personal)
// or hidden from the caller.
func (s *Service) loadSnippet(ctx context.Context, q *store.Queries, id *auth.Identity, ref SnippetRef) (*SnippetView, error) {
	v := &SnippetView{}
	if ref.Project != "" {
		p, level, err := s.VisibleProject(ctx, id, ref.Project)
		if err != nil {
			return nil, err
		}
		v.Project, v.Level = p, level
	}
	sn, err := q.Snippet(ctx, ref.ID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, snippetNotFound()
	}
	if err != nil {
		return nil, fmt.Errorf("service: load snippet: %w", err)
	}
	switch {
	case v.Project == nil && sn.ProjectID != nil, v.Project != nil && (sn.ProjectID == nil || *sn.ProjectID != v.Project.ID):
		return nil, snippetNotFound()
	}
	v.Snippet = sn
	if !canReadSnippet(id, v) {
		return nil, snippetNotFound()
	}
	v.Editable = canAdminSnippet(id, v)
	if sn.AuthorID != nil {
		if v.Author, err = s.UserByID(ctx, *sn.AuthorID); err != nil && KindOf(err) != KindNotFound {
			return nil, err
		}
	}
	return v, nil
}

// GetSnippet is GET /snippets/:id and /projects/:id/snippets/:snippet_id.
func (s *Service) GetSnippet(ctx context.Context, id *auth.Identity, ref SnippetRef) (*SnippetView, error) {
	return s.loadSnippet(ctx, s.db.Queries(), id, ref)
}

// SnippetScope is which personal snippets a list shows.
type SnippetScope int

// Personal snippet lists.
const (
	// SnippetsMine: GET /snippets, the caller's own.
	SnippetsMine SnippetScope = iota
	// SnippetsPublic: GET /snippets/public, everyone's public ones.
	SnippetsPublic
	// SnippetsAll: GET /snippets/all, every snippet the caller may read.
	SnippetsAll
)

// SnippetListInput narrows and pages a list of snippets.
type SnippetListInput struct {
	CreatedAfter, CreatedBefore *int64 // Unix milliseconds
	Limit, Offset               int
}

// ListSnippets lists personal snippets by scope (GET /snippets,
// /snippets/public, /snippets/all). "all" shows what the caller reads of
// the personal snippets: public ones, internal ones to users who are not
// external, their own, and everything to administrators (project
// snippets are listed per project).
func (s *Service) ListSnippets(ctx context.Context, id *auth.Identity, scope SnippetScope, f model.SnippetFilter) (*SnippetPage, error) {
	f.Personal = true
	switch scope {
	case SnippetsMine:
		if !id.Authenticated() {
			return nil, auth.ErrUnauthorized
		}
		f.AuthorID = id.User.ID
	case SnippetsPublic:
		min := access.Public
		f.MinVisibility = &min
	case SnippetsAll:
		if !id.IsAdmin() {
			min := viewer(id).MinVisibleLevel()
			f.MinVisibility, f.ReadableBy = &min, id.UserID()
		}
	}
	return s.snippetPage(ctx, f)
}

// ListProjectSnippets is GET /projects/:id/snippets: the project's
// snippets the caller reads.
func (s *Service) ListProjectSnippets(ctx context.Context, id *auth.Identity, projectRef string, f model.SnippetFilter) (*SnippetPage, error) {
	p, level, err := s.VisibleProject(ctx, id, projectRef)
	if err != nil {
		return nil, err
	}
	if !snippetsFeature(id, p, level) {
		return nil, Forbidden("")
	}
	f.ProjectID = p.ID
	if !id.IsAdmin() && level < access.Guest {
		// Private snippets are the members' (and their authors').
		min := viewer(id).MinVisibleLevel()
		if min < access.Internal {
			min = access.Internal
		}
		f.MinVisibility, f.ReadableBy = &min, id.UserID()
	}
	page, err := s.snippetPage(ctx, f)
	if err != nil {
		return nil, err
	}
	page.Projects = map[int64]*model.Project{p.ID: p}
	return page, nil
}

func (s *Service) snippetPage(ctx context.Context, f model.SnippetFilter) (*SnippetPage, error) {
	list, total, err := s.db.Queries().Snippets(ctx, f)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for _, sn := range list {
		if sn.AuthorID != nil {
			ids = append(ids, *sn.AuthorID)
		}
	}
	users, err := s.UsersByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	return &SnippetPage{Snippets: list, Total: total, Users: users}, nil
}

// DeleteSnippet is DELETE /snippets/:id and
// /projects/:id/snippets/:snippet_id: the author, a project's
// Maintainer or an administrator. The row and its notes go in one
// transaction, then the repository.
func (s *Service) DeleteSnippet(ctx context.Context, id *auth.Identity, ref SnippetRef) error {
	v, err := s.GetSnippet(ctx, id, ref)
	if err != nil {
		return err
	}
	if !v.Editable {
		return Forbidden("")
	}
	if err := s.db.WithTx(ctx, func(q *store.Queries) error { return q.DeleteSnippet(ctx, v.Snippet.ID) }); err != nil {
		return err
	}
	if s.repos != nil {
		if err := s.repos.DeleteSnippet(ctx, v.Snippet.ID); err != nil {
			s.log.WarnContext(ctx, "snippet repository left behind", "snippet", v.Snippet.ID, "err", err)
		}
	}
	if v.Snippet.ProjectID != nil {
		s.statisticsChanged(ctx, *v.Snippet.ProjectID)
	}
	return nil
}

// SnippetUserAgentDetail is GET …/user_agent_detail (administrators):
// the user agent and address the snippet was created from.
func (s *Service) SnippetUserAgentDetail(ctx context.Context, id *auth.Identity, ref SnippetRef) (*SnippetView, error) {
	if err := requireAdmin(id); err != nil {
		return nil, err
	}
	return s.GetSnippet(ctx, id, ref)
}

// deleteSnippetRepos removes the repositories of snippets whose rows are
// gone (with their projects). A failure is logged: a leftover directory
// harms nothing but disk space.
func (s *Service) deleteSnippetRepos(ctx context.Context, snippetIDs ...int64) {
	if s.repos == nil {
		return
	}
	for _, id := range snippetIDs {
		if err := s.repos.DeleteSnippet(context.WithoutCancel(ctx), id); err != nil {
			s.log.WarnContext(ctx, "snippet repository left behind", "snippet", id, "err", err)
		}
	}
}
