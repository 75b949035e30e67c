package service

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/repo"
	"github.com/lablet/lablet/internal/store"
)

// Releases (GitLab's Release, Releases::CreateService, UpdateService,
// DestroyService and API::Releases): a named, described snapshot of one
// tag, with asset links and milestones. A release outlives its tag, as on
// GitLab; deleting the project deletes its releases.

// maxReleaseDescription is Release's description length limit.
const maxReleaseDescription = 1_000_000

// ReleaseView is a release with what its entity shows the caller.
type ReleaseView struct {
	Project    *model.Project
	Release    *model.Release
	Author     *model.User
	Commit     *repo.Commit // nil when the caller may not read code
	Milestones []*MilestoneView
	Links      []*model.ReleaseLink
	// ReadCode: the caller reads the repository (commit, paths, sources).
	ReadCode bool
	// CanUpdate: the caller may edit the release (edit_url).
	CanUpdate bool
	// DescriptionHTML is set when asked for (include_html_description).
	DescriptionHTML *string
}

// Upcoming reports whether the release is in the future.
func (v *ReleaseView) Upcoming(now time.Time) bool { return v.Release.ReleasedAt.After(now) }

// ReleaseRender says how to render releases: BaseURL for Markdown links;
// HTML adds description_html.
type ReleaseRender struct {
	HTML    bool
	BaseURL string
}

// ReleaseListOptions are the list's order and page.
type ReleaseListOptions struct {
	OrderBy string // released_at (default) or created_at
	Sort    string // desc (default) or asc
	Limit   int
	Offset  int
	ReleaseRender
}

// releaseProject finds the project and checks a release ability: 404 when
// hidden, 403 without the ability.
func (s *Service) releaseProject(ctx context.Context, id *auth.Identity, ref string, a access.Ability) (*model.Project, access.Level, error) {
	p, level, err := s.VisibleProject(ctx, id, ref)
	if err != nil {
		return nil, 0, err
	}
	if !ProjectCan(id, p, level, a) {
		return nil, 0, Forbidden("")
	}
	return p, level, nil
}

// ListReleases is GET /projects/:id/releases (read_release).
func (s *Service) ListReleases(ctx context.Context, id *auth.Identity, projectRef string, o ReleaseListOptions) ([]*ReleaseView, int, error) {
	p, level, err := s.releaseProject(ctx, id, projectRef, access.ReadRelease)
	if err != nil {
		return nil, 0, err
	}
	list, total, err := s.db.Queries().Releases(ctx, model.ReleaseFilter{ProjectIDs: []int64{p.ID}, OrderBy: o.OrderBy,
		Asc: o.Sort == "asc", Limit: o.Limit, Offset: o.Offset})
	if err != nil {
		return nil, 0, err
	}
	views, err := s.releaseViews(ctx, id, map[int64]*model.Project{p.ID: p}, map[int64]access.Level{p.ID: level}, list, o.ReleaseRender)
	return views, total, err
}

// GroupReleases is GET /groups/:id/releases: the releases of the group's
// projects (subgroups' too) the caller reads, newest first unless asc.
func (s *Service) GroupReleases(ctx context.Context, id *auth.Identity, groupRef string, o ReleaseListOptions) ([]*ReleaseView, int, error) {
	g, level, err := s.VisibleGroup(ctx, id, groupRef)
	if err != nil {
		return nil, 0, err
	}
	if !GroupCan(level, access.ReadRelease) {
		return nil, 0, Forbidden("")
	}
	pl, err := s.GroupProjects(ctx, id, itoa(g.ID), ProjectListOptions{IncludeSubgroups: true, Limit: 100_000})
	if err != nil {
		return nil, 0, err
	}
	projects := map[int64]*model.Project{}
	levels := map[int64]access.Level{}
	var ids []int64
	for _, p := range pl.Projects {
		l := access.Level(pl.Access[p.ID].Level())
		if id.IsAdmin() {
			l = access.Admin
		}
		if !ProjectCan(id, p, l, access.ReadRelease) {
			continue
		}
		projects[p.ID], levels[p.ID] = p, l
		ids = append(ids, p.ID)
	}
	list, total, err := s.db.Queries().Releases(ctx, model.ReleaseFilter{ProjectIDs: ids, Asc: o.Sort == "asc",
		Limit: o.Limit, Offset: o.Offset})
	if err != nil {
		return nil, 0, err
	}
	views, err := s.releaseViews(ctx, id, projects, levels, list, o.ReleaseRender)
	return views, total, err
}

// Release is GET /projects/:id/releases/:tag_name: read_release, then
// read_code (GitLab's authorize_read_code!), then "404 Not Found".
func (s *Service) Release(ctx context.Context, id *auth.Identity, projectRef, tag string, o ReleaseRender) (*ReleaseView, error) {
	p, level, err := s.releaseProject(ctx, id, projectRef, access.ReadRelease)
	if err != nil {
		return nil, err
	}
	if !CanReadCode(id, p, level) {
		return nil, Forbidden("")
	}
	r, err := s.releaseByTag(ctx, s.db.Queries(), p, tag)
	if err != nil {
		return nil, err
	}
	return s.releaseView(ctx, id, p, level, r, o)
}

// LatestRelease is the release GET …/releases/permalink/latest redirects
// to: the newest by released_at.
func (s *Service) LatestRelease(ctx context.Context, id *auth.Identity, projectRef string) (*model.Project, *model.Release, error) {
	p, level, err := s.releaseProject(ctx, id, projectRef, access.ReadRelease)
	if err != nil {
		return nil, nil, err
	}
	if !CanReadCode(id, p, level) {
		return nil, nil, Forbidden("")
	}
	list, _, err := s.db.Queries().Releases(ctx, model.ReleaseFilter{ProjectIDs: []int64{p.ID}, Limit: 1})
	if err != nil {
		return nil, nil, err
	}
	if len(list) == 0 {
		return nil, nil, NotFound("")
	}
	return p, list[0], nil
}

func (s *Service) releaseByTag(ctx context.Context, q *store.Queries, p *model.Project, tag string) (*model.Release, error) {
	r, err := q.ReleaseByTag(ctx, p.ID, tag)
	if errors.Is(err, store.ErrNotFound) {
		return nil, NotFound("")
	}
	if err != nil {
		return nil, fmt.Errorf("service: load release: %w", err)
	}
	return r, nil
}

func (s *Service) releaseView(ctx context.Context, id *auth.Identity, p *model.Project, level access.Level, r *model.Release, o ReleaseRender) (*ReleaseView, error) {
	views, err := s.releaseViews(ctx, id, map[int64]*model.Project{p.ID: p}, map[int64]access.Level{p.ID: level},
		[]*model.Release{r}, o)
	if err != nil {
		return nil, err
	}
	return views[0], nil
}

// releaseViews loads what the releases' entities show with one query per
// kind (authors, links, milestones) and one commit read per project.
func (s *Service) releaseViews(ctx context.Context, id *auth.Identity, projects map[int64]*model.Project,
	levels map[int64]access.Level, list []*model.Release, o ReleaseRender) ([]*ReleaseView, error) {
	if len(list) == 0 {
		return []*ReleaseView{}, nil
	}
	q := s.db.Queries()
	ids := make([]int64, len(list))
	var authorIDs []int64
	shas := map[int64][]string{}
	for i, r := range list {
		ids[i] = r.ID
		if r.AuthorID != nil {
			authorIDs = append(authorIDs, *r.AuthorID)
		}
		if r.SHA != "" {
			shas[r.ProjectID] = append(shas[r.ProjectID], r.SHA)
		}
	}
	authors, err := s.UsersByIDs(ctx, authorIDs)
	if err != nil {
		return nil, err
	}
	links, err := q.ReleaseLinks(ctx, ids)
	if err != nil {
		return nil, err
	}
	milestones, err := q.ReleaseMilestones(ctx, ids)
	if err != nil {
		return nil, err
	}
	commits := map[int64]map[string]*repo.Commit{}
	for pid, list := range shas {
		p := projects[pid]
		if !CanReadCode(id, p, levels[pid]) {
			continue
		}
		cs, err := s.repos.Open(pid).CommitsByID(ctx, list)
		if err != nil {
			return nil, fmt.Errorf("service: release commits: %w", err)
		}
		commits[pid] = cs
	}
	today := s.Today()
	out := make([]*ReleaseView, len(list))
	for i, r := range list {
		p, level := projects[r.ProjectID], levels[r.ProjectID]
		v := &ReleaseView{Project: p, Release: r, Links: links[r.ID], ReadCode: CanReadCode(id, p, level),
			CanUpdate: ProjectCan(id, p, level, access.UpdateRelease)}
		if r.AuthorID != nil {
			v.Author = authors[*r.AuthorID]
		}
		if v.ReadCode {
			v.Commit = commits[r.ProjectID][r.SHA]
		}
		if ProjectCan(id, p, level, access.ReadMilestone) {
			for _, m := range milestones[r.ID] {
				v.Milestones = append(v.Milestones, &MilestoneView{Milestone: m,
					WebPath: MilestoneWebPath(m, p.FullPath(), ""), Expired: MilestoneExpired(m, today)})
			}
		}
		out[i] = v
	}
	if o.HTML {
		for _, v := range out {
			html, err := s.RenderMarkdown(ctx, id, MarkdownInput{Text: v.Release.Description, GFM: true,
				Project: itoa(v.Project.ID), BaseURL: o.BaseURL})
			if err != nil {
				return nil, err
			}
			v.DescriptionHTML = &html
		}
	}
	return out, nil
}

// ReleaseInput is a new release (POST /projects/:id/releases).
type ReleaseInput struct {
	Tag         string
	Name        *string
	Description *string
	Ref         string
	TagMessage  string
	Milestones  *[]string
	ReleasedAt  *time.Time
	Links       []ReleaseLinkInput
}

// CreateRelease is Releases::CreateService: 409 for a second release of
// a tag, 400 for unknown milestones or bad links, the tag created from
// ref when missing (422 "Ref is not specified" without one). Everything
// is checked before the tag is made, so a refused release leaves no tag.
func (s *Service) CreateRelease(ctx context.Context, id *auth.Identity, projectRef string, in ReleaseInput) (*ReleaseView, error) {
	p, level, err := s.releaseProject(ctx, id, projectRef, access.CreateRelease)
	if err != nil {
		return nil, err
	}
	q := s.db.Queries()
	if _, err := q.ReleaseByTag(ctx, p.ID, in.Tag); err == nil {
		return nil, Conflict("Release already exists")
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("service: load release: %w", err)
	}
	var milestoneIDs []int64
	if in.Milestones != nil {
		if milestoneIDs, err = s.releaseMilestones(ctx, p, *in.Milestones); err != nil {
			return nil, err
		}
	}
	r := &model.Release{ProjectID: p.ID, Tag: in.Tag, Name: in.Tag, ReleasedAt: s.Now()}
	if in.Name != nil && *in.Name != "" {
		r.Name = *in.Name
	}
	if in.Description != nil {
		r.Description = *in.Description
	}
	if in.ReleasedAt != nil {
		r.ReleasedAt = *in.ReleasedAt
	}
	if uid := id.UserID(); uid != 0 {
		r.AuthorID = &uid
	}
	if err := validateRelease(r); err != nil {
		return nil, err
	}
	links := make([]*model.ReleaseLink, 0, len(in.Links))
	for _, li := range in.Links {
		l := &model.ReleaseLink{}
		applyReleaseLink(l, li)
		links = append(links, l)
	}
	if err := validateNewReleaseLinks(links); err != nil {
		return nil, err
	}
	sha, err := s.releaseTag(ctx, id, p, in)
	if err != nil {
		return nil, err
	}
	r.SHA = sha
	err = s.db.WithTx(ctx, func(q *store.Queries) error {
		if err := q.CreateRelease(ctx, r); err != nil {
			return err
		}
		if err := q.SetReleaseMilestones(ctx, r.ID, milestoneIDs); err != nil {
			return err
		}
		for _, l := range links {
			l.ReleaseID = r.ID
			if err := q.CreateReleaseLink(ctx, l); err != nil {
				return err
			}
		}
		return s.releaseHooks(ctx, q, p, r, "create")
	})
	if errors.Is(err, store.ErrConflict) {
		return nil, Conflict("Release already exists")
	}
	if err != nil {
		return nil, err
	}
	return s.releaseView(ctx, id, p, level, r, ReleaseRender{})
}

// releaseTag returns the commit of the release's tag, creating the tag
// from in.Ref when it does not exist (Tags::CreateService's answers).
func (s *Service) releaseTag(ctx context.Context, id *auth.Identity, p *model.Project, in ReleaseInput) (string, error) {
	rp := s.repos.Open(p.ID)
	t, err := rp.Tag(ctx, in.Tag)
	switch {
	case err == nil:
		return t.Commit, nil
	case !errors.Is(err, repo.ErrNotFound):
		return "", fmt.Errorf("service: release tag: %w", err)
	case in.Ref == "":
		return "", &Error{Kind: KindUnprocessable, Message: "Ref is not specified"}
	}
	_, ti, err := s.CreateTag(ctx, id, itoa(p.ID), NewTag{Name: in.Tag, Ref: in.Ref, Message: in.TagMessage})
	if err != nil {
		return "", err
	}
	return ti.Commit.ID, nil
}

// releaseMilestones resolves titles to the project's milestones: 400
// "Milestone(s) not found: …" naming the missing ones.
func (s *Service) releaseMilestones(ctx context.Context, p *model.Project, titles []string) ([]int64, error) {
	found, err := s.db.Queries().ProjectMilestonesByTitle(ctx, p.ID, titles)
	if err != nil {
		return nil, err
	}
	byTitle := map[string]int64{}
	for _, m := range found {
		byTitle[m.Title] = m.ID
	}
	var ids []int64
	var missing []string
	seen := map[int64]bool{}
	for _, t := range titles {
		mid, ok := byTitle[t]
		switch {
		case !ok:
			missing = append(missing, t)
		case !seen[mid]:
			seen[mid] = true
			ids = append(ids, mid)
		}
	}
	if len(missing) > 0 {
		return nil, Invalid("Milestone(s) not found: " + strings.Join(missing, ", "))
	}
	return ids, nil
}

func validateRelease(r *model.Release) error {
	if utf8.RuneCountInString(r.Description) > maxReleaseDescription {
		return Invalid(fmt.Sprintf("Validation failed: Description is too long (maximum is %d characters)", maxReleaseDescription))
	}
	if utf8.RuneCountInString(r.Name) > 255 {
		return Invalid("Validation failed: Name is too long (maximum is 255 characters)")
	}
	return nil
}

// ReleaseUpdate is PUT /projects/:id/releases/:tag_name; nil fields stay.
type ReleaseUpdate struct {
	Name        *string
	Description *string
	ReleasedAt  *time.Time
	Milestones  *[]string
}

// editableRelease finds the release a write acts on. As GitLab authorizes
// update_release and destroy_release on the release found by tag, a
// missing release is 403 like a caller without the ability.
func (s *Service) editableRelease(ctx context.Context, id *auth.Identity, projectRef, tag string, a access.Ability) (*model.Project, access.Level, *model.Release, error) {
	p, level, err := s.releaseProject(ctx, id, projectRef, access.ReadRelease)
	if err != nil {
		return nil, 0, nil, err
	}
	r, err := s.releaseByTag(ctx, s.db.Queries(), p, tag)
	if KindOf(err) == KindNotFound || err == nil && !ProjectCan(id, p, level, a) {
		return nil, 0, nil, Forbidden("")
	}
	return p, level, r, err
}

// UpdateRelease is Releases::UpdateService.
func (s *Service) UpdateRelease(ctx context.Context, id *auth.Identity, projectRef, tag string, in ReleaseUpdate) (*ReleaseView, error) {
	p, level, r, err := s.editableRelease(ctx, id, projectRef, tag, access.UpdateRelease)
	if err != nil {
		return nil, err
	}
	if _, err := s.repos.Open(p.ID).Tag(ctx, tag); errors.Is(err, repo.ErrNotFound) {
		return nil, &Error{Kind: KindNotFound, Message: "Tag does not exist"}
	}
	var milestoneIDs []int64
	if in.Milestones != nil {
		if milestoneIDs, err = s.releaseMilestones(ctx, p, *in.Milestones); err != nil {
			return nil, err
		}
	}
	if in.Name != nil {
		r.Name = *in.Name
	}
	if in.Description != nil {
		r.Description = *in.Description
	}
	if in.ReleasedAt != nil {
		r.ReleasedAt = *in.ReleasedAt
	}
	if err := validateRelease(r); err != nil {
		return nil, err
	}
	err = s.db.WithTx(ctx, func(q *store.Queries) error {
		if err := q.UpdateRelease(ctx, r); err != nil {
			return err
		}
		if in.Milestones != nil {
			if err := q.SetReleaseMilestones(ctx, r.ID, milestoneIDs); err != nil {
				return err
			}
		}
		return s.releaseHooks(ctx, q, p, r, "update")
	})
	if err != nil {
		return nil, err
	}
	return s.releaseView(ctx, id, p, level, r, ReleaseRender{})
}

// DeleteRelease is Releases::DestroyService: the release goes, its tag
// stays; the answer is the release as it was.
func (s *Service) DeleteRelease(ctx context.Context, id *auth.Identity, projectRef, tag string) (*ReleaseView, error) {
	p, level, r, err := s.editableRelease(ctx, id, projectRef, tag, access.DestroyRelease)
	if err != nil {
		return nil, err
	}
	v, err := s.releaseView(ctx, id, p, level, r, ReleaseRender{})
	if err != nil {
		return nil, err
	}
	err = s.db.WithTx(ctx, func(q *store.Queries) error {
		// The event is built (links, commit) before the rows go.
		if err := s.releaseHooks(ctx, q, p, r, "delete"); err != nil {
			return err
		}
		return q.DeleteRelease(ctx, r.ID)
	})
	if err != nil {
		return nil, err
	}
	return v, nil
}
