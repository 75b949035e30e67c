package service

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/repo"
	"github.com/lablet/lablet/internal/templates"
)

// The kinds of GET /projects/:id/templates/:type (ProjectTemplates'
// TEMPLATE_TYPES); issues and merge_requests come from the project's
// repository (.gitlab/issue_templates, .gitlab/merge_request_templates).
var projectTemplateDirs = map[string]string{
	"issues":         ".gitlab/issue_templates",
	"merge_requests": ".gitlab/merge_request_templates",
}

// ProjectTemplateTypes are the :type values GitLab accepts.
var ProjectTemplateTypes = []string{"dockerfiles", "gitignores", "gitlab_ci_ymls", "licenses", "issues", "merge_requests"}

// FileTemplates lists the instance's templates of a kind other than
// licences (GET /templates/gitignores …); anyone may read them.
func (s *Service) FileTemplates(kind templates.Kind) []templates.Template {
	return templates.List(kind)
}

// FileTemplate returns one template; 404 "<kind> Not Found" as GitLab's
// not_found!(template_type.singularize).
func (s *Service) FileTemplate(kind templates.Kind, name string) (templates.Template, error) {
	t, ok := templates.Get(kind, name)
	if !ok {
		return t, NotFound(strings.TrimSuffix(string(kind), "s"))
	}
	return t, nil
}

// LicenseTemplate returns a licence with its placeholders filled: the
// project's name when given, fullname or else the caller's name, and
// this year (LicenseTemplate#resolve!).
func (s *Service) LicenseTemplate(id *auth.Identity, key, project, fullname string) (templates.License, error) {
	l, ok := templates.LicenseByKey(key)
	if !ok {
		return l, NotFound("License")
	}
	if fullname == "" && id.Authenticated() {
		fullname = id.User.Name
	}
	return l.Resolve(project, fullname, strconv.Itoa(s.now().Year())), nil
}

// ProjectTemplateNames lists a project's templates of kind (GET
// /projects/:id/templates/:type): the instance's for the file kinds, the
// repository's Markdown files for issues and merge requests.
func (s *Service) ProjectTemplateNames(ctx context.Context, id *auth.Identity, ref, kind string) ([]templates.Template, error) {
	if _, _, err := s.VisibleProject(ctx, id, ref); err != nil {
		return nil, err
	}
	switch kind {
	case "licenses":
		var out []templates.Template
		for _, l := range templates.LicenseList(nil) {
			out = append(out, templates.Template{Key: l.Key, Name: l.Name})
		}
		return out, nil
	case "issues", "merge_requests":
		return s.repoTemplates(ctx, id, ref, kind)
	}
	return templates.List(templates.Kind(kind)), nil
}

// ProjectTemplate returns one of a project's templates; a licence comes
// back resolved in License, anything else in Template.
func (s *Service) ProjectTemplate(ctx context.Context, id *auth.Identity, ref, kind, name, project, fullname string) (*templates.Template, *templates.License, error) {
	if _, _, err := s.VisibleProject(ctx, id, ref); err != nil {
		return nil, nil, err
	}
	switch kind {
	case "licenses":
		l, err := s.LicenseTemplate(id, name, project, fullname)
		if err != nil {
			return nil, nil, NotFound("Template")
		}
		return nil, &l, nil
	case "issues", "merge_requests":
		list, err := s.repoTemplates(ctx, id, ref, kind)
		if err != nil {
			return nil, nil, err
		}
		for _, t := range list {
			if t.Key == name {
				pr, err := s.RepoForRead(ctx, id, ref)
				if err != nil {
					return nil, nil, err
				}
				b, err := pr.Repo.Blob(ctx, *pr.Project.DefaultBranch, projectTemplateDirs[kind]+"/"+name+".md")
				if err != nil {
					return nil, nil, fmt.Errorf("service: read template %s: %w", name, err)
				}
				t.Content = string(b.Content)
				return &t, nil, nil
			}
		}
		return nil, nil, NotFound("Template")
	}
	t, ok := templates.Get(templates.Kind(kind), name)
	if !ok {
		return nil, nil, NotFound("Template")
	}
	return &t, nil, nil
}

// repoTemplates lists the Markdown files of the project's template
// directory on its default branch (none in an empty repository).
func (s *Service) repoTemplates(ctx context.Context, id *auth.Identity, ref, kind string) ([]templates.Template, error) {
	pr, err := s.RepoForRead(ctx, id, ref)
	if err != nil {
		return nil, err
	}
	if pr.Project.EmptyRepo || pr.Project.DefaultBranch == nil {
		return nil, nil
	}
	entries, err := pr.Repo.Tree(ctx, *pr.Project.DefaultBranch, projectTemplateDirs[kind], false)
	if errors.Is(err, repo.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("service: list %s templates: %w", kind, err)
	}
	var out []templates.Template
	for _, e := range entries {
		if key, ok := strings.CutSuffix(e.Name, ".md"); ok && e.Type == "blob" && key != "" {
			out = append(out, templates.Template{Key: key, Name: key})
		}
	}
	return out, nil
}
