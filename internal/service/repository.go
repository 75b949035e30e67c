package service

import (
	"context"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/repo"
)

// ProjectRepo is a visible project with its repository and the caller's
// level on it.
type ProjectRepo struct {
	Project *model.Project
	Repo    *repo.Repo
	Level   access.Level
}

// RepoForRead loads the project named by ref for reading its repository:
// anyone who sees a public or internal project may read its code; on a
// private project it takes Reporter or more (guests see no code), as in
// GitLab. Others get 404 Project Not Found.
func (s *Service) RepoForRead(ctx context.Context, id *auth.Identity, ref string) (*ProjectRepo, error) {
	p, level, err := s.VisibleProject(ctx, id, ref)
	if err != nil {
		return nil, err
	}
	if p.VisibilityLevel == access.Private && level < access.Reporter {
		return nil, NotFound("Project")
	}
	return &ProjectRepo{Project: p, Repo: s.repos.Open(p.ID), Level: level}, nil
}

// RepoForWrite loads the project for a write to its repository: Developer or
// more, and the project must not be archived. Which branches the caller may
// change is decided per branch by CanPushBranch.
func (s *Service) RepoForWrite(ctx context.Context, id *auth.Identity, ref string) (*ProjectRepo, error) {
	pr, err := s.RepoForRead(ctx, id, ref)
	if err != nil {
		return nil, err
	}
	if pr.Level < access.Developer || pr.Project.Archived {
		return nil, Forbidden("")
	}
	return pr, nil
}
