package service

import (
	"context"
	"fmt"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/repo"
	"github.com/lablet/lablet/internal/store"
)

// createRepository gives a new project, just inserted, its repository:
// the one prepareRepository built before the transaction is renamed into
// place; without one (a retried transaction) it is built here, with the
// README commit when asked. It runs inside the project's transaction so a
// failure leaves no project without a repository.
func (s *Service) createRepository(ctx context.Context, q *store.Queries, p *model.Project, creator *model.User, readme bool, prepared *repo.Repo) error {
	if s.repos == nil {
		return nil
	}
	if prepared != nil {
		if _, err := s.repos.Place(prepared, p.ID); err != nil {
			s.repos.Discard(prepared)
			return fmt.Errorf("service: create repository: %w", err)
		}
		return nil
	}
	branch := DefaultBranch
	if p.DefaultBranch != nil {
		branch = *p.DefaultBranch
	}
	r, err := s.repos.Create(ctx, p.ID, branch)
	if err != nil {
		return fmt.Errorf("service: create repository: %w", err)
	}
	if !readme {
		return nil
	}
	if err := s.initialCommit(ctx, r, p, branch, creator); err != nil {
		return err
	}
	if !p.EmptyRepo {
		return nil // inserted as not empty already
	}
	p.EmptyRepo = false
	return q.UpdateProjectRepository(ctx, p)
}

// prepareRepository builds a new project's repository, with the README
// commit when asked, in a temporary place (see repo.Store.Prepare), outside
// any transaction. The caller discards it unless createRepository places it.
func (s *Service) prepareRepository(ctx context.Context, p *model.Project, branch string, creator *model.User, readme bool) (*repo.Repo, error) {
	r, err := s.repos.Prepare(ctx, branch)
	if err != nil {
		return nil, fmt.Errorf("service: create repository: %w", err)
	}
	if readme {
		if err := s.initialCommit(ctx, r, p, branch, creator); err != nil {
			s.repos.Discard(r)
			return nil, err
		}
	}
	return r, nil
}

// initialCommit adds the README of initialize_with_readme.
func (s *Service) initialCommit(ctx context.Context, r *repo.Repo, p *model.Project, branch string, creator *model.User) error {
	content := "# " + p.Name + "\n"
	if p.Description != "" {
		content += "\n" + p.Description + "\n"
	}
	author := repo.Signature{Name: creator.Name, Email: creator.Email}
	if _, err := r.CommitFiles(ctx, repo.CommitRequest{Branch: branch, Message: "Initial commit", Author: author,
		Actions: []repo.Action{{Kind: repo.ActionCreate, Path: "README.md", Content: []byte(content)}}}); err != nil {
		return fmt.Errorf("service: initial commit: %w", err)
	}
	return nil
}

// deleteRepos removes the repositories of deleted projects. A failure is
// logged rather than returned: the rows are gone and a leftover directory
// harms nothing but disk space.
func (s *Service) deleteRepos(ctx context.Context, projectIDs ...int64) {
	// Their uploads' bytes go with them (the rows went by cascade).
	s.deleteProjectUploads(ctx, projectIDs...)
	s.deleteProjectWikis(ctx, projectIDs...)
	if s.repos == nil {
		return
	}
	for _, id := range projectIDs {
		if err := s.repos.Delete(ctx, id); err != nil {
			s.log.Error("delete repository", "project_id", id, "err", err)
		}
	}
}
