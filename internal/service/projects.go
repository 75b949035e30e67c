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
	"github.com/lablet/lablet/internal/repo"
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
	// Namespace is a namespace id or full path; create only.
	Namespace *string
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

// projectCreationLevel is the level a group's project_creation_level demands;
// access.Admin means administrators only.
func projectCreationLevel(setting string) access.Level {
	switch setting {
	case "noone", "administrator":
		return access.Admin
	case "owner":
		return access.Owner
	case "maintainer":
		return access.Maintainer
	default:
		return access.Developer
	}
}

// CreateProject creates a project as the caller. forUser, when set, is the
// user whose personal namespace receives it (admins only, POST
// /projects/user/:user_id).
func (s *Service) CreateProject(ctx context.Context, id *auth.Identity, in ProjectInput, forUser *int64) (*model.Project, error) {
	if !id.Authenticated() {
		return nil, auth.ErrUnauthorized
	}
	if in.Name == nil && in.Path == nil {
		return nil, ParamError("name, path are missing, at least one parameter must be provided")
	}
	// One derives the other, as GitLab does.
	switch {
	case in.Name == nil:
		name := *in.Path
		in.Name = &name
	case in.Path == nil:
		path := PathFromName(*in.Name)
		in.Path = &path
	}
	v := Validation{}
	in.validate(v)
	if err := v.Err(); err != nil {
		return nil, err
	}
	p := &model.Project{Name: strings.TrimSpace(*in.Name), Path: *in.Path, VisibilityLevel: access.Private,
		EmptyRepo: true, IssuesEnabled: true, MergeRequestsEnabled: true, WikiEnabled: true, JobsEnabled: true,
		SnippetsEnabled: true, LFSEnabled: true, RequestAccessEnabled: true, Topics: []string{}}
	branch := DefaultBranch
	if in.DefaultBranch != nil {
		branch = *in.DefaultBranch
	}
	p.DefaultBranch = &branch
	applyProjectInput(p, &in)
	readme := in.InitializeWithReadme != nil && *in.InitializeWithReadme
	// Everything that can be read or built before the transaction is: on
	// SQLite it holds the only write lock, so it runs just the statements
	// that must be atomic. The namespace and the caller's right to create
	// there are read first (as if the request had come a moment earlier);
	// the transaction re-checks that the namespace is still there and that
	// name and path are free.
	q0 := s.db.Q()
	creator := id.User
	if forUser != nil {
		u, err := q0.UserByID(ctx, *forUser)
		if errors.Is(err, store.ErrNotFound) {
			return nil, NotFound("User")
		}
		if err != nil {
			return nil, fmt.Errorf("service: load user: %w", err)
		}
		creator = u
	}
	ns, err := s.creationNamespace(ctx, q0, id, creator, in.Namespace, forUser != nil)
	if err != nil {
		return nil, err
	}
	if ns.IsGroup() && p.VisibilityLevel > ns.VisibilityLevel {
		return nil, Validation{"visibility_level": {fmt.Sprintf("%s is not allowed in a %s group.",
			access.VisibilityName(p.VisibilityLevel), access.VisibilityName(ns.VisibilityLevel))}}.Err()
	}
	p.NamespaceID = ns.ID
	p.CreatorID = &creator.ID
	// The repository (and its first commit) is built before the
	// transaction too, which only renames it into place. It is discarded
	// unless placed.
	var prepared *repo.Repo
	if s.repos != nil {
		if prepared, err = s.prepareRepository(ctx, p, branch, creator, readme); err != nil {
			return nil, err
		}
		defer s.repos.Discard(prepared)
		if readme {
			p.EmptyRepo = false // the prepared repository has its commit
		}
	}
	// Repositories placed by attempts that did not commit are removed:
	// by the next attempt (which may get the same id), or at the end.
	var made []int64
	defer func() {
		var orphans []int64
		for _, rid := range made {
			if p.ID == 0 || rid != p.ID {
				orphans = append(orphans, rid)
			}
		}
		s.deleteRepos(context.WithoutCancel(ctx), orphans...)
	}()
	for attempt := 0; ; attempt++ {
		err = s.db.WithTx(ctx, func(q *store.Q) error {
			p.ID = 0
			s.deleteRepos(ctx, made...)
			made = nil
			chk, err := q.CheckNewProject(ctx, ns.ID, p.Name, p.Path, ns.MarkedForDeletionOn != nil)
			if err != nil {
				return err
			}
			if !chk.OK() {
				return newProjectError(chk)
			}
			var owner *model.Member
			if !ns.IsGroup() && ns.OwnerID != nil {
				// GitLab makes the namespace owner a direct Owner member
				// of a personal project.
				owner = &model.Member{UserID: *ns.OwnerID, AccessLevel: int(access.Owner), CreatedByID: &id.User.ID}
			}
			// The default branch is protected for Maintainers.
			rule := &model.ProtectedBranch{Name: branch, PushAccessLevel: int(access.Maintainer),
				MergeAccessLevel: int(access.Maintainer), UnprotectAccessLevel: int(access.Maintainer)}
			if err := q.CreateNewProject(ctx, store.NewProject{Project: p, Namespace: ns, Owner: owner, Rule: rule}); err != nil {
				if errors.Is(err, store.ErrConflict) {
					return errProjectRace // answered after the rollback
				}
				return err
			}
			made = append(made, p.ID)
			tmp := prepared
			prepared = nil // placed or not, a retry builds its own
			return s.createRepository(ctx, q, p, creator, readme, tmp)
		})
		if !errors.Is(err, errProjectRace) {
			break
		}
		// A concurrent create won the name or path between the check and
		// the insert (PostgreSQL; SQLite's lock serialises them). The
		// failed statement may have aborted the transaction, so the
		// answer is read after it.
		if err = s.checkProjectUnique(ctx, s.db.Q(), ns, p.Name, p.Path, 0); err != nil || attempt >= 2 {
			if err == nil {
				err = Conflict("Project could not be created, please retry")
			}
			break
		}
	}
	if err != nil {
		p.ID = 0
		return nil, err
	}
	return p, nil
}

// errProjectRace is a project insert refused by a unique index.
var errProjectRace = errors.New("project name or path taken concurrently")

// newProjectError words a failed store.CheckNewProject as GitLab does.
func newProjectError(c store.NewProjectCheck) error {
	if c.NamespaceGone {
		return Validation{"namespace": {"is not valid"}}.Err()
	}
	v := Validation{}
	if c.NameTaken {
		v.Add("name", "has already been taken")
	}
	if c.PathTaken {
		v.Add("path", "has already been taken")
	}
	return v.Err()
}

// creationNamespace resolves where a new project goes and checks that the
// caller may create projects there. Unknown and forbidden namespaces get
// the same answer, as in GitLab, so that nothing leaks.
func (s *Service) creationNamespace(ctx context.Context, q *store.Q, id *auth.Identity, owner *model.User,
	ref *string, forUser bool) (*model.Namespace, error) {
	invalid := Validation{"namespace": {"is not valid"}}.Err()
	if ref == nil || *ref == "" || forUser {
		ns, err := q.NamespaceByID(ctx, owner.NamespaceID)
		if err != nil {
			return nil, fmt.Errorf("service: personal namespace: %w", err)
		}
		if owner.External && !id.IsAdmin() {
			return nil, Forbidden("")
		}
		return ns, nil
	}
	if !validProjectRef(*ref) {
		return nil, invalid
	}
	var ns *model.Namespace
	var err error
	if n, ok := parseID(*ref); ok {
		ns, err = q.NamespaceByID(ctx, n)
	} else {
		ns, err = q.NamespaceByFullPath(ctx, *ref)
	}
	if errors.Is(err, store.ErrNotFound) {
		return nil, invalid
	}
	if err != nil {
		return nil, fmt.Errorf("service: load namespace: %w", err)
	}
	if ns.MarkedForDeletionOn != nil {
		return nil, invalid
	}
	if id.IsAdmin() {
		return ns, nil
	}
	l, err := q.NamespaceAccessLevel(ctx, id.User.ID, ns.ID, s.Today())
	if err != nil {
		return nil, err
	}
	need := access.Owner
	if ns.IsGroup() {
		need = projectCreationLevel(ns.ProjectCreationLevel)
	}
	if access.Level(l) < need {
		return nil, invalid
	}
	return ns, nil
}

// checkProjectUnique returns GitLab's validation error when name or path
// is taken in ns, by a project or (for path) by a subgroup.
func (s *Service) checkProjectUnique(ctx context.Context, q *store.Q, ns *model.Namespace, name, path string, exceptID int64) error {
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
	var out *model.Project
	err := s.db.WithTx(ctx, func(q *store.Q) error {
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
		}
		applyProjectInput(p, &in)
		if renamed {
			if err := s.checkProjectUnique(ctx, q, p.Namespace, p.Name, p.Path, p.ID); err != nil {
				return err
			}
		}
		if err := q.UpdateProject(ctx, p); err != nil {
			if errors.Is(err, store.ErrConflict) {
				return s.checkProjectUnique(ctx, q, p.Namespace, p.Name, p.Path, p.ID)
			}
			return err
		}
		out = p
		return nil
	})
	return out, err
}

// SetProjectArchived archives or unarchives a project: Owners only, as
// GitLab's archive_project ability (owner_access) says.
func (s *Service) SetProjectArchived(ctx context.Context, id *auth.Identity, ref string, archived bool) (*model.Project, error) {
	var out *model.Project
	err := s.db.WithTx(ctx, func(q *store.Q) error {
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
	return s.db.WithTx(ctx, func(q *store.Q) error {
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
	ids, err := s.db.Q().ProjectIDsMarkedForDeletion(ctx, projectPurgeBatch)
	if err != nil {
		return err
	}
	var errs []error
	for _, pid := range ids {
		err := s.db.WithTx(ctx, func(q *store.Q) error { return q.DeleteProject(ctx, pid) })
		if err != nil {
			errs = append(errs, fmt.Errorf("service: purge project %d: %w", pid, err))
			continue
		}
		s.deleteRepos(ctx, pid)
	}
	return errors.Join(errs...)
}

// ProjectPermissions returns the caller's direct project level and the
// level inherited from the project's group (0 when none).
func (s *Service) ProjectPermissions(ctx context.Context, id *auth.Identity, p *model.Project) (model.ProjectAccess, error) {
	var a model.ProjectAccess
	if !id.Authenticated() {
		return a, nil
	}
	q := s.db.Q()
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
	u, err := s.db.Q().UserByIDOrUsername(ctx, userRef)
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
		Archived: o.Archived, IDAfter: o.IDAfter, IDBefore: o.IDBefore, OrderBy: o.OrderBy, Desc: o.Desc,
		Limit: o.Limit, Offset: o.Offset, Count: o.Count}
	if id.Authenticated() {
		// owned and membership narrow to the caller's own projects, even
		// for administrators.
		if o.Owned {
			f.MinAccessLevel = max(f.MinAccessLevel, int(access.Owner))
		}
		if o.Membership {
			f.MinAccessLevel = max(f.MinAccessLevel, int(access.Guest))
		}
	}
	projects, levels, total, err := s.db.Q().ListProjects(ctx, f)
	if err != nil {
		return nil, err
	}
	return &ProjectList{Projects: projects, Access: levels, Total: total}, nil
}

// visibleProjectTx is VisibleProject inside a transaction, so that the
// checks and the write see the same row.
func (s *Service) visibleProjectTx(ctx context.Context, q *store.Q, id *auth.Identity, ref string) (*model.Project, access.Level, error) {
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
