package service

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/repo"
	"github.com/lablet/lablet/internal/store"
)

// Badges (GitLab's Badge, ProjectBadge, GroupBadge, API::Badges and
// Badges::*Service): a project's list holds its own badges and those of
// its group and the group's ancestors; reading takes seeing the source,
// writing admin_project (Maintainer) or admin_group (Owner).

var errBadgeNotFound = &Error{Kind: KindNotFound, Message: "Not found"}

// BadgeSource is the project or group a badge route names.
type BadgeSource struct {
	Project *model.Project    // set for /projects/:id/badges
	Group   *model.Namespace  // set for /groups/:id/badges
	repo    *repo.Repo        // the project's, for %{commit_sha} and %{latest_tag}
	values  map[string]string // placeholder values, filled on first render
}

// BadgeInput is a new badge or a change (nil fields unchanged).
type BadgeInput struct {
	Name     *string
	LinkURL  *string
	ImageURL *string
}

// badgeSource finds the project (group when group) ref names, visible to
// the caller; admin asks for the ability to change its badges as well.
func (s *Service) badgeSource(ctx context.Context, id *auth.Identity, ref string, group, admin bool) (*BadgeSource, error) {
	if group {
		g, level, err := s.VisibleGroup(ctx, id, ref)
		if err != nil {
			return nil, err
		}
		if admin && level < access.Owner {
			return nil, Forbidden("")
		}
		return &BadgeSource{Group: g}, nil
	}
	p, level, err := s.VisibleProject(ctx, id, ref)
	if err != nil {
		return nil, err
	}
	if admin && !ProjectCan(id, p, level, access.AdminProject) {
		return nil, Forbidden("")
	}
	return &BadgeSource{Project: p, repo: s.repos.Open(p.ID)}, nil
}

func (src *BadgeSource) ids() (projectID, namespaceID, groupID int64) {
	if src.Project != nil {
		return src.Project.ID, src.Project.NamespaceID, 0
	}
	return 0, 0, src.Group.ID
}

// Badges is GET …/badges: one page, named name when name is set, and the total.
func (s *Service) Badges(ctx context.Context, id *auth.Identity, ref string, group bool, name *string, limit, offset int) (*BadgeSource, []*model.Badge, int, error) {
	src, err := s.badgeSource(ctx, id, ref, group, false)
	if err != nil {
		return nil, nil, 0, err
	}
	p, ns, g := src.ids()
	badges, total, err := s.db.Queries().Badges(ctx, p, ns, g, name, limit, offset)
	return src, badges, total, err
}

// Badge is GET …/badges/:badge_id.
func (s *Service) Badge(ctx context.Context, id *auth.Identity, ref string, group bool, badgeID int64) (*BadgeSource, *model.Badge, error) {
	src, err := s.badgeSource(ctx, id, ref, group, false)
	if err != nil {
		return nil, nil, err
	}
	b, err := s.findBadge(ctx, s.db.Queries(), src, badgeID, false)
	return src, b, err
}

// findBadge finds a badge the source lists; own keeps the source's own
// badges only (a project's route changes its own, not its group's).
func (s *Service) findBadge(ctx context.Context, q *store.Queries, src *BadgeSource, badgeID int64, own bool) (*model.Badge, error) {
	p, ns, g := src.ids()
	b, err := q.Badge(ctx, p, ns, g, badgeID)
	if errors.Is(err, store.ErrNotFound) || err == nil && own && p != 0 && b.ProjectID != p {
		return nil, errBadgeNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("service: badge: %w", err)
	}
	return b, nil
}

// validateBadge checks a badge's URLs as GitLab's addressable_url
// validator does: http or https, with a host.
func validateBadge(b *model.Badge) error {
	v := Validation{}
	for _, f := range []struct{ field, value string }{{"link_url", b.LinkURL}, {"image_url", b.ImageURL}} {
		if msg := badgeURLError(f.value); msg != "" {
			v.Add(f.field, msg)
		}
	}
	if b.Name != nil && len(*b.Name) > MaxNameLength {
		v.Add("name", fmt.Sprintf("is too long (maximum is %d characters)", MaxNameLength))
	}
	return v.Err()
}

func badgeURLError(s string) string {
	if s == "" {
		return "can't be blank"
	}
	if len(s) > 2048 || ValidText(s, 2048) != "" {
		return "is blocked: URI is invalid"
	}
	u, err := url.Parse(badgePlaceholders.ReplaceAllString(s, "x"))
	if err != nil {
		return "is blocked: URI is invalid"
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "is blocked: Only allowed schemes are http, https"
	}
	if u.Host == "" {
		return "is blocked: Host cannot be nil"
	}
	return ""
}

// RenderBadge is GET …/badges/render: the badge as it would be, unsaved.
func (s *Service) RenderBadge(ctx context.Context, id *auth.Identity, ref string, group bool, linkURL, imageURL string) (*BadgeSource, *model.Badge, error) {
	src, err := s.badgeSource(ctx, id, ref, group, true)
	if err != nil {
		return nil, nil, err
	}
	b := &model.Badge{LinkURL: linkURL, ImageURL: imageURL}
	if err := validateBadge(b); err != nil {
		return nil, nil, err
	}
	return src, b, nil
}

// CreateBadge is POST …/badges.
func (s *Service) CreateBadge(ctx context.Context, id *auth.Identity, ref string, group bool, in BadgeInput) (*BadgeSource, *model.Badge, error) {
	src, err := s.badgeSource(ctx, id, ref, group, true)
	if err != nil {
		return nil, nil, err
	}
	b := &model.Badge{Name: in.Name}
	b.ProjectID, _, b.GroupID = src.ids()
	if in.LinkURL != nil {
		b.LinkURL = *in.LinkURL
	}
	if in.ImageURL != nil {
		b.ImageURL = *in.ImageURL
	}
	if err := validateBadge(b); err != nil {
		return nil, nil, err
	}
	if err := s.db.Queries().CreateBadge(ctx, b); err != nil {
		return nil, nil, err
	}
	return src, b, nil
}

// UpdateBadge is PUT …/badges/:badge_id.
func (s *Service) UpdateBadge(ctx context.Context, id *auth.Identity, ref string, group bool, badgeID int64, in BadgeInput) (*BadgeSource, *model.Badge, error) {
	src, err := s.badgeSource(ctx, id, ref, group, true)
	if err != nil {
		return nil, nil, err
	}
	var b *model.Badge
	err = s.db.WithTx(ctx, func(q *store.Queries) error {
		if b, err = s.findBadge(ctx, q, src, badgeID, true); err != nil {
			return err
		}
		if in.Name != nil {
			b.Name = in.Name
		}
		if in.LinkURL != nil {
			b.LinkURL = *in.LinkURL
		}
		if in.ImageURL != nil {
			b.ImageURL = *in.ImageURL
		}
		if err := validateBadge(b); err != nil {
			return err
		}
		return q.UpdateBadge(ctx, b)
	})
	return src, b, err
}

// DeleteBadge is DELETE …/badges/:badge_id.
func (s *Service) DeleteBadge(ctx context.Context, id *auth.Identity, ref string, group bool, badgeID int64) error {
	src, err := s.badgeSource(ctx, id, ref, group, true)
	if err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(q *store.Queries) error {
		b, err := s.findBadge(ctx, q, src, badgeID, true)
		if err != nil {
			return err
		}
		return q.DeleteBadge(ctx, b.ID)
	})
}

// badgePlaceholders matches %{name}, and its percent-encoded forms
// %7Bname%7D and %25%7Bname%7D, as GitLab's StringPlaceholderReplacer
// does in URIs.
var badgePlaceholders = regexp.MustCompile(`%\{(project_path|project_title|project_name|project_id|project_namespace|group_name|gitlab_server|gitlab_pages_domain|default_branch|commit_sha|latest_tag)\}|%(?:25)?%7[bB](project_path|project_title|project_name|project_id|project_namespace|group_name|gitlab_server|gitlab_pages_domain|default_branch|commit_sha|latest_tag)%7[dD]`)

// pathPlaceholders expand into path components, unescaped (GitLab's
// uri_encode: false); every other value is percent-encoded.
var pathPlaceholders = map[string]bool{"project_path": true, "project_namespace": true, "group_name": true}

// RenderBadgeURL replaces the placeholders of url with the source
// project's values; a group's badges, and placeholders without a value
// (an empty repository's %{commit_sha}), stay as written. host is the
// instance's host (%{gitlab_server}, %{gitlab_pages_domain}).
func (s *Service) RenderBadgeURL(ctx context.Context, src *BadgeSource, raw, host string) string {
	if src == nil || src.Project == nil || !badgePlaceholders.MatchString(raw) {
		return raw
	}
	return badgePlaceholders.ReplaceAllStringFunc(raw, func(m string) string {
		sub := badgePlaceholders.FindStringSubmatch(m)
		name := sub[1] + sub[2]
		v, ok := s.badgeValue(ctx, src, name, host)
		if !ok {
			return m
		}
		if pathPlaceholders[name] {
			return v
		}
		return strings.ReplaceAll(url.QueryEscape(v), "+", "%20")
	})
}

func (s *Service) badgeValue(ctx context.Context, src *BadgeSource, name, host string) (string, bool) {
	p := src.Project
	switch name {
	case "project_path":
		return p.FullPath(), true
	case "project_title":
		return p.Name, true
	case "project_name":
		return p.Path, true
	case "project_id":
		return strconv.FormatInt(p.ID, 10), true
	case "project_namespace":
		return p.Namespace.FullPath, true
	case "group_name":
		if !p.Namespace.IsGroup() {
			return "", false
		}
		return p.Namespace.FullPath, true
	case "gitlab_server", "gitlab_pages_domain":
		return host, true
	case "default_branch":
		if p.DefaultBranch == nil {
			return "", false
		}
		return *p.DefaultBranch, true
	}
	if src.values == nil {
		src.values = map[string]string{}
		if p.DefaultBranch != nil && !p.EmptyRepo {
			if b, err := src.repo.Branch(*p.DefaultBranch); err == nil {
				src.values["commit_sha"] = b.Target
			}
			if tags, err := src.repo.TagsSorted(ctx, repo.SortUpdatedDesc); err == nil && len(tags) > 0 {
				src.values["latest_tag"] = tags[0].Name
			}
		}
	}
	v, ok := src.values[name]
	return v, ok
}
