package service

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// MaxDescriptionLength is GitLab's limit for project descriptions.
const MaxDescriptionLength = 2000

// DefaultBranch is the instance's default branch name for new projects.
const DefaultBranch = "main"

// ProjectInput carries the attributes of a project create or update; nil
// fields are left as they are (or at their defaults on create).
type ProjectInput struct {
	Name                 *string
	Path                 *string
	Description          *string
	Visibility           *int
	DefaultBranch        *string
	InitializeWithReadme *bool
	IssuesEnabled        *bool
	MergeRequestsEnabled *bool
	WikiEnabled          *bool
	JobsEnabled          *bool
	SnippetsEnabled      *bool
	LFSEnabled           *bool
	RequestAccessEnabled *bool
	Topics               *[]string
	// MRDefaultTargetSelf is shown for forks only, as GitLab.
	MRDefaultTargetSelf *bool
	// AutoCancelPendingPipelines is auto_cancel_pending_pipelines
	// "enabled" (true) or "disabled".
	AutoCancelPendingPipelines *bool
	// Namespace is a namespace id or full path; create only.
	Namespace *string
	MergeSettingsInput

	// fork, when set, makes the new project a fork (ForkProject).
	fork *forkOrigin
}

// validate checks the fields that are present. name and path messages use
// GitLab's per-attribute shape.
func (in *ProjectInput) validate(v Validation) {
	if in.Name != nil {
		if msg := ValidName(*in.Name, "+"); msg != "" {
			v.Add("name", msg)
		}
	}
	if in.Path != nil {
		if msg := ValidPath(*in.Path, false); msg != "" {
			v.Add("path", msg)
		}
	}
	if in.Description != nil {
		if msg := ValidText(*in.Description, 4*MaxDescriptionLength); msg != "" {
			v.Add("description", msg)
		} else if utf8.RuneCountInString(*in.Description) > MaxDescriptionLength {
			v.Add("description", fmt.Sprintf("is too long (maximum is %d characters)", MaxDescriptionLength))
		}
	}
	if in.DefaultBranch != nil && !validProjectBranch(*in.DefaultBranch) {
		v.Add("default_branch", "is invalid")
	}
	in.MergeSettingsInput.validate(v)
	if in.Topics != nil {
		for _, t := range *in.Topics {
			if msg := ValidText(t, MaxNameLength); msg != "" || strings.Contains(t, ",") {
				v.Add("topics", "is invalid")
				break
			}
		}
	}
}

// validProjectBranch is a conservative subset of git check-ref-format.
func validProjectBranch(s string) bool {
	if s == "" || len(s) > MaxNameLength || !utf8.ValidString(s) || strings.HasPrefix(s, "-") ||
		strings.HasPrefix(s, "/") || strings.HasSuffix(s, "/") || strings.HasSuffix(s, ".") ||
		strings.HasSuffix(s, ".lock") || strings.Contains(s, "..") || strings.Contains(s, "//") ||
		strings.Contains(s, "@{") || s == "@" {
		return false
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f || strings.ContainsRune(" ~^:?*[\\", r) {
			return false
		}
	}
	return true
}

// normalizeProjectTopics trims topics and drops empty and duplicate ones
// (case-insensitively), keeping the first spelling as GitLab does.
func normalizeProjectTopics(in []string) []string {
	seen := map[string]bool{}
	out := []string{}
	for _, t := range in {
		t = strings.TrimSpace(t)
		if t == "" || seen[strings.ToLower(t)] {
			continue
		}
		seen[strings.ToLower(t)] = true
		out = append(out, t)
	}
	return out
}

// checkProjectUnique returns GitLab's validation error when name or path
// is taken in ns, by a project or (for path) by a subgroup.
func (s *Service) checkProjectUnique(ctx context.Context, q *store.Queries, ns *model.Namespace, name, path string, exceptID int64) error {
	v := Validation{}
	taken, err := q.ProjectNameTaken(ctx, ns.ID, name, exceptID)
	if err != nil {
		return err
	}
	if taken {
		v.Add("name", "has already been taken")
	}
	taken, err = q.ProjectPathTaken(ctx, ns.ID, path, exceptID)
	if err != nil {
		return err
	}
	if !taken {
		// A subgroup with the same path would own the same URL.
		_, err := q.NamespaceByFullPath(ctx, ns.FullPath+"/"+path)
		switch {
		case err == nil:
			taken = true
		case !errors.Is(err, store.ErrNotFound):
			return fmt.Errorf("service: check path: %w", err)
		}
	}
	if taken {
		v.Add("path", "has already been taken")
	}
	return v.Err()
}

// applyProjectInput copies the given fields onto p.
func applyProjectInput(p *model.Project, in *ProjectInput) {
	set := func(dst *bool, src *bool) {
		if src != nil {
			*dst = *src
		}
	}
	if in.Name != nil {
		p.Name = strings.TrimSpace(*in.Name)
	}
	if in.Path != nil {
		p.Path = *in.Path
	}
	if in.Description != nil {
		p.Description = *in.Description
	}
	if in.Visibility != nil {
		p.VisibilityLevel = *in.Visibility
	}
	if in.DefaultBranch != nil {
		b := *in.DefaultBranch
		p.DefaultBranch = &b
	}
	set(&p.InitializeWithReadme, in.InitializeWithReadme)
	set(&p.IssuesEnabled, in.IssuesEnabled)
	set(&p.MergeRequestsEnabled, in.MergeRequestsEnabled)
	set(&p.WikiEnabled, in.WikiEnabled)
	set(&p.JobsEnabled, in.JobsEnabled)
	set(&p.SnippetsEnabled, in.SnippetsEnabled)
	set(&p.LFSEnabled, in.LFSEnabled)
	set(&p.RequestAccessEnabled, in.RequestAccessEnabled)
	set(&p.MRDefaultTargetSelf, in.MRDefaultTargetSelf)
	set(&p.AutoCancelPendingPipelines, in.AutoCancelPendingPipelines)
	in.MergeSettingsInput.apply(&p.MergeSettings)
	if in.Topics != nil {
		p.Topics = normalizeProjectTopics(*in.Topics)
	}
}

// UpdateProject changes a project's settings (Maintainer+; renaming and
// visibility changes need Owner). Archived projects are read-only.
func (s *Service) UpdateProject(ctx context.Context, id *auth.Identity, ref string, in ProjectInput) (*model.Project, error) {
	v := Validation{}
	in.validate(v)
	if err := v.Err(); err != nil {
		return nil, err
	}
	var restricted string
	if in.Visibility != nil {
		var err error
		if restricted, err = s.visibilityRestricted(ctx, id, *in.Visibility); err != nil {
			return nil, err
		}
	}
	var out *model.Project
	err := s.db.WithTx(ctx, func(q *store.Queries) error {
		p, level, err := s.visibleProjectTx(ctx, q, id, ref)
		if err != nil {
			return err
		}
		if level < access.Maintainer {
			return Forbidden("")
		}
		if p.Archived {
			return Forbidden("")
		}
		renamed := in.Name != nil && strings.TrimSpace(*in.Name) != p.Name || in.Path != nil && *in.Path != p.Path
		if renamed && level < access.Owner {
			return Forbidden("")
		}
		if in.Visibility != nil && *in.Visibility != p.VisibilityLevel {
			if level < access.Owner {
				return Invalid("New visibility level not allowed!")
			}
			if p.Namespace.IsGroup() && *in.Visibility > p.Namespace.VisibilityLevel {
				return Validation{"visibility_level": {fmt.Sprintf("%s is not allowed in a %s group.",
					access.VisibilityName(*in.Visibility), access.VisibilityName(p.Namespace.VisibilityLevel))}}.Err()
			}
			if restricted != "" {
				return Validation{"visibility_level": {restricted}}.Err()
			}
		}
		oldPath := p.Path
		applyProjectInput(p, &in)
		if renamed {
			if err := s.checkProjectUnique(ctx, q, p.Namespace, p.Name, p.Path, p.ID); err != nil {
				return err
			}
		}
		var topicIDs []int64
		if in.Topics != nil {
			if topicIDs, p.Topics, err = q.EnsureTopics(ctx, p.Topics); err != nil {
				return err
			}
		}
		if err := q.UpdateProject(ctx, p); err != nil {
			if errors.Is(err, store.ErrConflict) {
				return s.checkProjectUnique(ctx, q, p.Namespace, p.Name, p.Path, p.ID)
			}
			return err
		}
		if in.Topics != nil {
			if err := q.LinkProjectTopics(ctx, p.ID, topicIDs); err != nil {
				return err
			}
		}
		out = p
		// A new path is a rename, anything else an update
		// (SystemHooksService).
		if p.Path != oldPath {
			// The old path keeps answering (GitLab's Route redirect on a
			// path change), as after a transfer.
			oldFull := p.Namespace.FullPath + "/" + oldPath
			if err := q.RedirectProject(ctx, p.ID, oldFull, p.FullPath()); err != nil {
				return err
			}
			return s.projectSystemHooks(ctx, q, p, "project_rename", oldFull)
		}
		return s.projectSystemHooks(ctx, q, p, "project_update", "")
	})
	return out, err
}

// SetProjectArchived archives or unarchives a project: Owners only, as
// GitLab's archive_project ability (owner_access) says.
func (s *Service) SetProjectArchived(ctx context.Context, id *auth.Identity, ref string, archived bool) (*model.Project, error) {
	var out *model.Project
	err := s.db.WithTx(ctx, func(q *store.Queries) error {
		p, level, err := s.visibleProjectTx(ctx, q, id, ref)
		if err != nil {
			return err
		}
		if level < access.Owner {
			return Forbidden("")
		}
		if p.Archived != archived {
			p.Archived = archived
			if err := q.UpdateProject(ctx, p); err != nil {
				return err
			}
		}
		out = p
		return nil
	})
	return out, err
}

// DeleteProject schedules a project for deletion (Owner or admin). It
// disappears for everyone else at once; PurgeDeletedProjects removes it.
func (s *Service) DeleteProject(ctx context.Context, id *auth.Identity, ref string) error {
	return s.db.WithTx(ctx, func(q *store.Queries) error {
		p, level, err := s.visibleProjectTx(ctx, q, id, ref)
		if err != nil {
			return err
		}
		if level < access.Owner {
			return Forbidden("")
		}
		if p.MarkedForDeletionOn != nil {
			return Invalid("Project has been already marked for deletion")
		}
		today := s.Today()
		p.MarkedForDeletionOn = &today
		return q.UpdateProject(ctx, p)
	})
}

// projectPurgeBatch bounds the work of one purge pass.
const projectPurgeBatch = 100

// PurgeDeletedProjects removes projects scheduled for deletion, with their
// memberships, each in its own transaction so one failure doesn't block
// the rest.
func (s *Service) PurgeDeletedProjects(ctx context.Context) error {
	ids, err := s.db.Queries().ProjectIDsMarkedForDeletion(ctx, projectPurgeBatch)
	if err != nil {
		return err
	}
	var errs []error
	for _, pid := range ids {
		var snippets []int64
		err := s.db.WithTx(ctx, func(q *store.Queries) error {
			if err := s.projectDestroyHooks(ctx, q, []int64{pid}); err != nil {
				return err
			}
			var err error
			if snippets, err = q.DeleteProjectSnippets(ctx, []int64{pid}); err != nil {
				return err
			}
			return q.DeleteProject(ctx, pid)
		})
		if err != nil {
			errs = append(errs, fmt.Errorf("service: purge project %d: %w", pid, err))
			continue
		}
		s.deleteRepos(ctx, pid)
		s.deleteSnippetRepos(ctx, snippets...)
	}
	return errors.Join(errs...)
}

// projectDestroyHooks queues project_destroy for each project about to be
// removed, in the transaction that removes them: alone, with their group
// or with their user.
func (s *Service) projectDestroyHooks(ctx context.Context, q *store.Queries, ids []int64) error {
	for _, pid := range ids {
		p, err := q.ProjectByID(ctx, pid)
		if err != nil {
			return err
		}
		if err := s.projectSystemHooks(ctx, q, p, "project_destroy", ""); err != nil {
			return err
		}
	}
	return nil
}

// ProjectPermissions returns the caller's direct project level and the
// level inherited from the project's group (0 when none).
func (s *Service) ProjectPermissions(ctx context.Context, id *auth.Identity, p *model.Project) (model.ProjectAccess, error) {
	var a model.ProjectAccess
	if !id.Authenticated() {
		return a, nil
	}
	q := s.db.Queries()
	m, err := q.MemberOf(ctx, model.SourceProject, p.ID, id.User.ID)
	switch {
	case err == nil:
		if m.ExpiresAt == nil || *m.ExpiresAt >= s.Today() {
			a.Project = m.AccessLevel
		}
	case !errors.Is(err, store.ErrNotFound):
		return a, fmt.Errorf("service: project member: %w", err)
	}
	a.Group, err = q.NamespaceAccessLevel(ctx, id.User.ID, p.NamespaceID, s.Today())
	return a, err
}

// ProjectListOptions are the filters of the project list endpoints.
type ProjectListOptions struct {
	Search           string
	SearchNamespaces bool
	Topic            string
	Owned            bool
	Membership       bool
	MinAccessLevel   int
	Visibility       *int
	Archived         *bool
	IDAfter          int64
	IDBefore         int64
	OrderBy          string
	Desc             bool
	Limit            int
	Offset           int
	Count            bool
	IncludeSubgroups bool
	// CustomAttributes filters administrators' lists only, as GitLab's
	// CustomAttributesFilter.
	CustomAttributes map[string]string

	forkedFrom int64 // ListForks
	// Starred keeps the caller's starred projects (starred=true).
	Starred    bool
	starredBy  int64 // StarredProjects
	sharedWith int64 // GroupSharedProjects
}

// ProjectList is one page of projects with what rendering them needs.
type ProjectList struct {
	Projects []*model.Project
	Access   map[int64]model.ProjectAccess
	Total    int
}

// ListProjects lists the projects visible to the caller.
func (s *Service) ListProjects(ctx context.Context, id *auth.Identity, o ProjectListOptions) (*ProjectList, error) {
	return s.listProjects(ctx, id, o, 0)
}

// GroupProjects lists the visible projects of a visible group.
func (s *Service) GroupProjects(ctx context.Context, id *auth.Identity, groupRef string, o ProjectListOptions) (*ProjectList, error) {
	g, _, err := s.VisibleGroup(ctx, id, groupRef)
	if err != nil {
		return nil, err
	}
	return s.listProjects(ctx, id, o, g.ID)
}

// UserProjects lists the visible projects in a user's personal namespace.
func (s *Service) UserProjects(ctx context.Context, id *auth.Identity, userRef string, o ProjectListOptions) (*ProjectList, error) {
	if !validProjectRef(userRef) {
		return nil, NotFound("User")
	}
	u, err := s.db.Queries().UserByIDOrUsername(ctx, userRef)
	if errors.Is(err, store.ErrNotFound) || err == nil && u.NamespaceID == 0 {
		return nil, NotFound("User")
	}
	if err != nil {
		return nil, fmt.Errorf("service: load user: %w", err)
	}
	o.IncludeSubgroups = false
	return s.listProjects(ctx, id, o, u.NamespaceID)
}

func (s *Service) listProjects(ctx context.Context, id *auth.Identity, o ProjectListOptions, nsID int64) (*ProjectList, error) {
	v := viewer(id)
	f := model.ProjectFilter{ViewerID: id.UserID(), Admin: v.Admin, MinVisibility: v.MinVisibleLevel(),
		Today: s.Today(), NamespaceID: nsID, IncludeSubgroups: o.IncludeSubgroups, Search: o.Search,
		SearchNamespaces: o.SearchNamespaces, Topic: o.Topic, MinAccessLevel: o.MinAccessLevel, Visibility: o.Visibility,
		Archived: o.Archived, IDAfter: o.IDAfter, IDBefore: o.IDBefore, ForkedFromID: o.forkedFrom, OrderBy: o.OrderBy, Desc: o.Desc,
		Limit: o.Limit, Offset: o.Offset, Count: o.Count, StarredBy: o.starredBy,
		SharedWithGroupID: o.sharedWith}
	if v.Admin {
		f.CustomAttributes = o.CustomAttributes
	}
	if id.Authenticated() {
		if o.Starred {
			f.StarredBy = id.User.ID
		}
		// owned and membership narrow to the caller's own projects, even
		// for administrators.
		if o.Owned {
			f.MinAccessLevel = max(f.MinAccessLevel, int(access.Owner))
		}
		if o.Membership {
			f.MinAccessLevel = max(f.MinAccessLevel, int(access.Guest))
		}
	}
	projects, levels, total, err := s.db.Queries().ListProjects(ctx, f)
	if err != nil {
		return nil, err
	}
	return &ProjectList{Projects: projects, Access: levels, Total: total}, nil
}

// visibleProjectTx is VisibleProject inside a transaction, so that the
// checks and the write see the same row.
func (s *Service) visibleProjectTx(ctx context.Context, q *store.Queries, id *auth.Identity, ref string) (*model.Project, access.Level, error) {
	if !validProjectRef(ref) {
		return nil, 0, NotFound("Project")
	}
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
		return nil, 0, fmt.Errorf("service: load project: %w", err)
	}
	level := access.NoAccess
	switch {
	case id.IsAdmin():
		level = access.Admin
	case id.Authenticated():
		l, err := q.ProjectAccessLevel(ctx, id.User.ID, p.ID, p.NamespaceID, s.Today())
		if err != nil {
			return nil, 0, err
		}
		level = access.Level(l)
	}
	if !viewer(id).CanSee(p.VisibilityLevel, level) || p.MarkedForDeletionOn != nil && level < access.Owner {
		return nil, 0, NotFound("Project")
	}
	return p, level, nil
}

// validProjectRef reports whether ref could name anything: NUL bytes,
// invalid UTF-8 and overlong refs would only upset the database.
func validProjectRef(ref string) bool {
	return ref != "" && len(ref) <= 4096 && utf8.ValidString(ref) && !strings.ContainsRune(ref, 0)
}
