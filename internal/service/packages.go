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

// The package registry (GitLab's Packages::Package and its API): generic
// packages (packages_generic.go) and the packages API here.

// PackageTypes are the package_type values the packages API filters on
// (GitLab's Packages::Package.package_types).
var PackageTypes = []string{"maven", "npm", "conan", "nuget", "pypi", "composer", "generic", "golang", "debian",
	"rubygems", "helm", "terraform_module", "rpm", "ml_model", "cargo"}

// PackageStatuses are the status values the packages API filters on.
var PackageStatuses = []string{"default", "hidden", "processing", "error", "pending_destruction", "deprecated"}

// PackageView is a package with the project it belongs to.
type PackageView struct {
	Project *model.Project
	Package *model.Package
	// CanDestroy: the caller may delete it (its delete_api_path shows).
	CanDestroy bool
}

// PackageListOptions are the packages API's filters and page.
type PackageListOptions struct {
	PackageType        string
	Name               string
	Version            string
	IncludeVersionless bool
	Status             string
	OrderBy            string
	Desc               bool
	ExcludeSubgroups   bool
	Limit, Offset      int
}

func (o PackageListOptions) filter(projectIDs []int64) model.PackageFilter {
	return model.PackageFilter{ProjectIDs: projectIDs, PackageType: o.PackageType, Name: o.Name, Version: o.Version,
		IncludeVersionless: o.IncludeVersionless, Status: o.Status, OrderBy: o.OrderBy, Desc: o.Desc,
		Limit: o.Limit, Offset: o.Offset}
}

// packageProject loads the project a package request addresses and
// checks ability a there: 404 for a project the caller may not see, 403
// without the ability. A deploy token (allowed on the generic package
// routes only: deployTokens) reaches its project, or its group's
// projects, with read_package_registry to read and write_package_registry
// to read and write (GitLab's DeployTokenPolicy).
func (s *Service) packageProject(ctx context.Context, id *auth.Identity, ref string, a access.Ability, deployTokens bool) (*model.Project, access.Level, error) {
	if id != nil && id.DeployToken != nil {
		if !deployTokens {
			return nil, 0, auth.ErrUnauthorized
		}
		return s.deployTokenPackageProject(ctx, id.DeployToken, ref, a)
	}
	p, level, err := s.VisibleProject(ctx, id, ref)
	if err != nil {
		return nil, 0, err
	}
	if !ProjectCan(id, p, level, a) {
		return nil, 0, Forbidden("")
	}
	return p, level, nil
}

func (s *Service) deployTokenPackageProject(ctx context.Context, t *model.DeployToken, ref string, a access.Ability) (*model.Project, access.Level, error) {
	if !validRef(ref) {
		return nil, 0, NotFound("Project")
	}
	q := s.db.Queries()
	var p *model.Project
	var err error
	if n, ok := parseID(ref); ok {
		p, err = q.ProjectByID(ctx, n)
	} else {
		p, err = q.ProjectByFullPath(ctx, ref)
	}
	if errors.Is(err, store.ErrNotFound) {
		return nil, 0, NotFound("Project")
	}
	if err != nil {
		return nil, 0, fmt.Errorf("service: package project: %w", err)
	}
	reaches, err := s.deployTokenReaches(ctx, q, t, p)
	if err != nil {
		return nil, 0, err
	}
	if !reaches || p.MarkedForDeletionOn != nil {
		return nil, 0, NotFound("Project")
	}
	write := t.HasScope(auth.ScopeWritePackageRegistry)
	switch {
	case a == access.ReadPackage && (write || t.HasScope(auth.ScopeReadPackageRegistry)):
		return p, access.Reporter, nil
	case a == access.CreatePackage && write && !p.Archived:
		return p, access.Developer, nil
	}
	return nil, 0, Forbidden("")
}

// ProjectPackages is GET /projects/:id/packages.
func (s *Service) ProjectPackages(ctx context.Context, id *auth.Identity, projectRef string, o PackageListOptions) ([]*PackageView, int, error) {
	p, level, err := s.packageProject(ctx, id, projectRef, access.ReadPackage, false)
	if err != nil {
		return nil, 0, err
	}
	list, total, err := s.db.Queries().Packages(ctx, o.filter([]int64{p.ID}))
	if err != nil {
		return nil, 0, err
	}
	destroy := ProjectCan(id, p, level, access.DestroyPackage)
	views := make([]*PackageView, len(list))
	for i, pk := range list {
		views[i] = &PackageView{Project: p, Package: pk, CanDestroy: destroy}
	}
	return views, total, nil
}

// GroupPackages is GET /groups/:id/packages: the packages of the group's
// projects (and its subgroups' unless ExcludeSubgroups) whose packages the
// caller reads.
func (s *Service) GroupPackages(ctx context.Context, id *auth.Identity, groupRef string, o PackageListOptions) ([]*PackageView, int, error) {
	g, level, err := s.VisibleGroup(ctx, id, groupRef)
	if err != nil {
		return nil, 0, err
	}
	if !GroupCan(level, access.ReadPackage) {
		return nil, 0, Forbidden("")
	}
	pl, err := s.GroupProjects(ctx, id, itoa(g.ID), ProjectListOptions{IncludeSubgroups: !o.ExcludeSubgroups, Limit: 100_000})
	if err != nil {
		return nil, 0, err
	}
	projects := map[int64]*model.Project{}
	destroy := map[int64]bool{}
	var ids []int64
	for _, p := range pl.Projects {
		l := access.Level(pl.Access[p.ID].Level())
		if id.IsAdmin() {
			l = access.Admin
		}
		if ProjectCan(id, p, l, access.ReadPackage) {
			projects[p.ID] = p
			destroy[p.ID] = ProjectCan(id, p, l, access.DestroyPackage)
			ids = append(ids, p.ID)
		}
	}
	list, total, err := s.db.Queries().Packages(ctx, o.filter(ids))
	if err != nil {
		return nil, 0, err
	}
	views := make([]*PackageView, len(list))
	for i, pk := range list {
		views[i] = &PackageView{Project: projects[pk.ProjectID], Package: pk, CanDestroy: destroy[pk.ProjectID]}
	}
	return views, total, nil
}

// projectPackage loads a package of a project for ability a; an unknown
// package is GitLab's bare "404 Not Found".
func (s *Service) projectPackage(ctx context.Context, id *auth.Identity, projectRef string, packageID int64, a access.Ability) (*PackageView, error) {
	p, level, err := s.packageProject(ctx, id, projectRef, a, false)
	if err != nil {
		return nil, err
	}
	pk, err := s.db.Queries().PackageByID(ctx, p.ID, packageID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, NotFound("")
	}
	if err != nil {
		return nil, fmt.Errorf("service: package: %w", err)
	}
	return &PackageView{Project: p, Package: pk, CanDestroy: ProjectCan(id, p, level, access.DestroyPackage)}, nil
}

// Package is GET /projects/:id/packages/:package_id.
func (s *Service) Package(ctx context.Context, id *auth.Identity, projectRef string, packageID int64) (*PackageView, error) {
	return s.projectPackage(ctx, id, projectRef, packageID, access.ReadPackage)
}

// PackageFiles is GET /projects/:id/packages/:package_id/package_files.
func (s *Service) PackageFiles(ctx context.Context, id *auth.Identity, projectRef string, packageID int64,
	orderBy string, desc bool, limit, offset int) (*PackageView, []*model.PackageFile, int, error) {
	v, err := s.projectPackage(ctx, id, projectRef, packageID, access.ReadPackage)
	if err != nil {
		return nil, nil, 0, err
	}
	files, total, err := s.db.Queries().PackageFiles(ctx, packageID, orderBy, desc, limit, offset)
	return v, files, total, err
}

// DeletePackage is DELETE /projects/:id/packages/:package_id: the rows go
// in one transaction, the files' blobs after it.
func (s *Service) DeletePackage(ctx context.Context, id *auth.Identity, projectRef string, packageID int64) error {
	v, err := s.projectPackage(ctx, id, projectRef, packageID, access.DestroyPackage)
	if err != nil {
		return err
	}
	var keys []string
	err = s.db.WithTx(ctx, func(q *store.Queries) error {
		keys, err = q.DeletePackage(ctx, v.Project.ID, packageID)
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return NotFound("")
	}
	if err != nil {
		return err
	}
	for _, k := range keys {
		s.removeBlob(ctx, k)
	}
	s.statisticsChanged(ctx, v.Project.ID)
	return nil
}

// DeletePackageFile is DELETE …/packages/:package_id/package_files/:id.
func (s *Service) DeletePackageFile(ctx context.Context, id *auth.Identity, projectRef string, packageID, fileID int64) error {
	v, err := s.projectPackage(ctx, id, projectRef, packageID, access.DestroyPackage)
	if err != nil {
		return err
	}
	var key string
	err = s.db.WithTx(ctx, func(q *store.Queries) error {
		f, err := q.PackageFileByID(ctx, v.Package.ID, fileID)
		if err != nil {
			return err
		}
		key = f.BlobKey
		return q.DeletePackageFile(ctx, v.Package.ID, fileID)
	})
	if errors.Is(err, store.ErrNotFound) {
		return NotFound("")
	}
	if err != nil {
		return err
	}
	s.removeBlob(ctx, key)
	s.statisticsChanged(ctx, v.Project.ID)
	return nil
}

// packagesPrefix is where a project's package files are kept in blob
// storage; deleteProjectUploads removes it with the project.
func packagesPrefix(projectID int64) string { return fmt.Sprintf("packages/%d", projectID) }
