package service

import (
	"context"
	"errors"
	"fmt"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/repo"
	"github.com/lablet/lablet/internal/store"
)

// Lookups by a global id alone (GraphQL's Query.snippets(ids:),
// Query.package(id:)): the row names its project, and the answer is the
// one the project's route gives, so the same rules decide.

// SnippetByID is a personal or project snippet by id, for a caller who
// may read it; "404 Snippet Not Found" otherwise, the project's absence
// included.
func (s *Service) SnippetByID(ctx context.Context, id *auth.Identity, snippetID int64) (*SnippetView, error) {
	q := s.db.Queries()
	sn, err := q.Snippet(ctx, snippetID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, snippetNotFound()
	}
	if err != nil {
		return nil, fmt.Errorf("service: load snippet: %w", err)
	}
	ref := SnippetRef{ID: snippetID}
	if sn.ProjectID != nil {
		ref.Project = itoa(*sn.ProjectID)
	}
	v, err := s.loadSnippet(ctx, q, id, ref)
	if KindOf(err) == KindNotFound {
		return nil, snippetNotFound()
	}
	return v, err
}

// SnippetBlobs reads the files of a snippet the caller was shown, at its
// head: paths, or every file when paths is empty. Git reads only.
func (s *Service) SnippetBlobs(ctx context.Context, sn *model.Snippet, paths []string) ([]*repo.Blob, error) {
	if len(paths) == 0 {
		paths = sn.FilePaths
	}
	r := s.repos.OpenSnippet(sn.ID)
	var out []*repo.Blob
	for _, p := range paths {
		if repo.ValidatePath(p) != nil {
			continue
		}
		b, err := r.Blob(ctx, snippetBranch, p)
		if errors.Is(err, repo.ErrNotFound) || errors.Is(err, repo.ErrInvalidRef) || errors.Is(err, repo.ErrInvalidPath) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("service: snippet blob: %w", err)
		}
		out = append(out, b)
	}
	return out, nil
}

// PackageByID is a package by id alone for a caller with ability a on its
// project (read_package to read, destroy_package to delete): a bare 404
// for a package that is not there or that the caller may not see.
func (s *Service) PackageByID(ctx context.Context, id *auth.Identity, packageID int64, a access.Ability) (*PackageView, error) {
	pid, err := s.db.Queries().PackageProjectID(ctx, packageID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, NotFound("")
	}
	if err != nil {
		return nil, fmt.Errorf("service: package: %w", err)
	}
	v, err := s.projectPackage(ctx, id, itoa(pid), packageID, a)
	if KindOf(err) == KindNotFound {
		return nil, NotFound("")
	}
	return v, err
}

// LastSuccessfulDeployments are the last successful deployments of a
// project's environments the caller listed, by environment id, with one
// read for all of them.
func (s *Service) LastSuccessfulDeployments(ctx context.Context, p *model.Project, envIDs []int64) (map[int64]*DeploymentView, error) {
	return s.LastDeploymentsIn(ctx, p, envIDs, model.DeploymentSuccess)
}

// LastDeploymentsIn is LastSuccessfulDeployments for deployments in
// status (GitLab's last_<status>_deployment).
func (s *Service) LastDeploymentsIn(ctx context.Context, p *model.Project, envIDs []int64, status string) (map[int64]*DeploymentView, error) {
	last, err := s.db.Queries().LastDeploymentsIn(ctx, envIDs, status)
	if err != nil {
		return nil, err
	}
	var list []*model.Deployment
	for _, d := range last {
		list = append(list, d)
	}
	views, err := s.deploymentViews(ctx, p, list)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]*DeploymentView, len(views))
	for _, v := range views {
		out[v.Deployment.EnvironmentID] = v
	}
	return out, nil
}
