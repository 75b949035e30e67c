package service

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/repo"
	"github.com/lablet/lablet/internal/store"
)

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
//
// Everything that can be read or built before the transaction is
// (prepareProject): on SQLite the transaction holds the only write lock, so
// it runs just the statements that must be atomic (placeProject).
func (s *Service) CreateProject(ctx context.Context, id *auth.Identity, in ProjectInput, forUser *int64) (*model.Project, error) {
	plan, err := s.prepareProject(ctx, id, in, forUser)
	if err != nil {
		return nil, err
	}
	if plan.repo != nil {
		defer s.repos.Discard(plan.repo) // unless placed
	}
	return s.placeProject(ctx, id, plan)
}

// projectPlan is a project ready to be placed: its row built from the
// input, its namespace and creator read and their rights checked, and its
// repository (with its first commit, if asked for) built aside.
type projectPlan struct {
	p       *model.Project
	ns      *model.Namespace
	creator *model.User
	forUser bool // an administrator creates it for creator
	branch  string
	readme  bool
	repo    *repo.Repo // nil without repositories (tools)
	fork    *forkOrigin
}

// prepareProject validates the input and reads what the project needs, as
// if the request had come a moment earlier; placeProject re-checks inside
// its transaction what could have changed since.
func (s *Service) prepareProject(ctx context.Context, id *auth.Identity, in ProjectInput, forUser *int64) (*projectPlan, error) {
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
	plan := &projectPlan{branch: DefaultBranch, readme: in.InitializeWithReadme != nil && *in.InitializeWithReadme,
		creator: id.User, forUser: forUser != nil}
	if in.DefaultBranch != nil {
		plan.branch = *in.DefaultBranch
	}
	p := &model.Project{Name: strings.TrimSpace(*in.Name), Path: *in.Path, VisibilityLevel: access.Private,
		EmptyRepo: true, ImportStatus: "none", IssuesEnabled: true, MergeRequestsEnabled: true, WikiEnabled: true, JobsEnabled: true,
		SnippetsEnabled: true, LFSEnabled: true, RequestAccessEnabled: true, Topics: []string{}, DefaultBranch: &plan.branch,
		AutoCancelPendingPipelines: true, MergeSettings: model.DefaultMergeSettings()}
	applyProjectInput(p, &in)
	// Without a visibility a project gets the instance's default,
	// lowered to its group's below (GitLab's default_project_visibility).
	defaulted := in.Visibility == nil && in.fork == nil
	if defaulted {
		settings, err := s.InstanceSettings(ctx)
		if err != nil {
			return nil, err
		}
		p.VisibilityLevel = defaultVisibility(settings.DefaultProjectVisibility)
	}
	if in.fork != nil {
		in.fork.apply(p)
	}
	plan.p = p
	plan.fork = in.fork
	q := s.db.Queries()
	if forUser != nil {
		u, err := q.UserByID(ctx, *forUser)
		if errors.Is(err, store.ErrNotFound) {
			return nil, NotFound("User")
		}
		if err != nil {
			return nil, fmt.Errorf("service: load user: %w", err)
		}
		plan.creator = u
	}
	ns, err := s.creationNamespace(ctx, q, id, plan.creator, in.Namespace, plan.forUser)
	if err != nil {
		if in.fork != nil && in.Namespace != nil && KindOf(err) == KindInvalid {
			return nil, NotFound("Target Namespace") // GitLab's valid_fork_target?
		}
		return nil, err
	}
	if in.fork != nil {
		p.VisibilityLevel = in.fork.visibility(in.Visibility, ns)
	}
	if defaulted && ns.IsGroup() {
		p.VisibilityLevel = min(p.VisibilityLevel, ns.VisibilityLevel)
	}
	if ns.IsGroup() && p.VisibilityLevel > ns.VisibilityLevel {
		return nil, Validation{"visibility_level": {fmt.Sprintf("%s is not allowed in a %s group.",
			access.VisibilityName(p.VisibilityLevel), access.VisibilityName(ns.VisibilityLevel))}}.Err()
	}
	if msg, err := s.visibilityRestricted(ctx, id, p.VisibilityLevel); err != nil || msg != "" {
		return nil, cmp.Or(err, Validation{"visibility_level": {msg}}.Err())
	}
	plan.ns = ns
	p.NamespaceID = ns.ID
	p.CreatorID = &plan.creator.ID
	// The repository is built aside; the transaction only renames it
	// into place.
	switch {
	case s.repos != nil && in.fork != nil:
		if plan.repo, err = s.prepareForkRepository(ctx, in.fork, plan.branch); err != nil {
			return nil, err
		}
	case s.repos != nil:
		if plan.repo, err = s.prepareRepository(ctx, p, plan.branch, plan.creator, plan.readme); err != nil {
			return nil, err
		}
		if plan.readme {
			p.EmptyRepo = false // the prepared repository has its commit
		}
	}
	return plan, nil
}

// placeProject writes the plan's project in one transaction — the
// projects limit, name and path checked again, the row, its owner member,
// its default branch's protection — and renames its repository into
// place; a name or path taken concurrently is retried (PostgreSQL) and
// answered as GitLab does.
func (s *Service) placeProject(ctx context.Context, id *auth.Identity, plan *projectPlan) (*model.Project, error) {
	p, ns, creator := plan.p, plan.ns, plan.creator
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
	var err error
	for attempt := 0; ; attempt++ {
		err = s.db.WithTx(ctx, func(q *store.Queries) error {
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
			rule := &model.ProtectedBranch{Name: plan.branch, PushAccessLevel: int(access.Maintainer),
				MergeAccessLevel: int(access.Maintainer), UnprotectAccessLevel: int(access.Maintainer)}
			// A project's topics are topics rows, made when new.
			topicIDs, names, err := q.EnsureTopics(ctx, p.Topics)
			if err != nil {
				return err
			}
			if len(names) > 0 {
				p.Topics = names
			}
			var counted int64
			if err := q.CreateNewProject(ctx, store.NewProject{Project: p, Namespace: ns, Owner: owner, Rule: rule,
				NamespaceProjects: &counted}); err != nil {
				if errors.Is(err, store.ErrConflict) {
					return errProjectRace // answered after the rollback
				}
				return err
			}
			made = append(made, p.ID)
			if len(topicIDs) > 0 {
				if err := q.LinkProjectTopics(ctx, p.ID, topicIDs); err != nil {
					return err
				}
			}
			if p.ForkedFromID != nil {
				if err := q.CountNewFork(ctx, *p.ForkedFromID); err != nil {
					return err
				}
				// A fork downloads its source's LFS objects (GitLab links them).
				if err := q.CopyLFSLinks(ctx, *p.ForkedFromID, p.ID); err != nil {
					return err
				}
			}
			if err := recordProjectCreated(ctx, q, p, id.User); err != nil {
				return err
			}
			if err := s.projectSystemHooks(ctx, q, p, "project_create", ""); err != nil {
				return err
			}
			// GitLab checks the limit first (creationNamespace, before
			// this transaction); checked again here with this project
			// counted, so concurrent creators cannot both pass it.
			if ns.ID == creator.NamespaceID && counted > int64(creator.ProjectsLimit) {
				return projectsLimitError(creator, plan.forUser)
			}
			prepared := plan.repo
			plan.repo = nil // placed or not, a retry builds its own
			if prepared == nil && plan.fork != nil && s.repos != nil {
				var err error
				if prepared, err = s.prepareForkRepository(ctx, plan.fork, plan.branch); err != nil {
					return err
				}
			}
			return s.createRepository(ctx, q, p, creator, plan.readme, prepared)
		})
		if !errors.Is(err, errProjectRace) {
			break
		}
		// A concurrent create won the name or path between the check and
		// the insert (PostgreSQL; SQLite's lock serialises them). The
		// failed statement may have aborted the transaction, so the
		// answer is read after it.
		if err = s.checkProjectUnique(ctx, s.db.Queries(), ns, p.Name, p.Path, 0); err != nil || attempt >= 2 {
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
// the same answer, as in GitLab, so that nothing leaks. creator is whose
// project it is: the caller, or the user of POST /projects/user/:user_id.
func (s *Service) creationNamespace(ctx context.Context, q *store.Queries, id *auth.Identity, creator *model.User,
	ref *string, forUser bool) (*model.Namespace, error) {
	invalid := Validation{"namespace": {"is not valid"}}.Err()
	if ref == nil || *ref == "" || forUser {
		ns, err := q.NamespaceByID(ctx, creator.NamespaceID)
		if err != nil {
			return nil, fmt.Errorf("service: personal namespace: %w", err)
		}
		if creator.Bot {
			return nil, invalid
		}
		// Read again, and counted atomically, in the creating transaction.
		if err := s.checkProjectsLimit(ctx, q, creator.ID, forUser); err != nil {
			return nil, err
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
	if !ns.IsGroup() {
		bot, err := s.botNamespace(ctx, q, ns)
		if err != nil || bot {
			return nil, cmp.Or(err, invalid)
		}
		if err := s.checkProjectsLimit(ctx, q, creator.ID, false); err != nil {
			return nil, err
		}
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

// botNamespace reports whether a personal namespace is a bot's: nobody,
// administrators included, creates projects there, as GitLab's
// UserNamespacePolicy prevents create_projects in a bot_user_namespace. A
// project or group access token's bot acts for its resource only, and
// nothing it made in a namespace of its own would go with its token.
func (s *Service) botNamespace(ctx context.Context, q *store.Queries, ns *model.Namespace) (bool, error) {
	if ns.IsGroup() || ns.OwnerID == nil {
		return false, nil
	}
	owner, err := q.UserByID(ctx, *ns.OwnerID)
	if err != nil {
		return false, fmt.Errorf("service: namespace owner: %w", err)
	}
	return owner.Bot, nil
}

// checkProjectsLimit is GitLab's check_personal_projects_limit: a project
// in a personal namespace counts against its creator's projects_limit
// (the projects of the creator's own namespace). The user is read again
// so that a limit just lowered holds. POST /projects answers 403 with
// the message in a list; POST /projects/user/:user_id a validation error.
// placeProject checks again with the count its insert returns, which
// orders concurrent creations (the count row's lock on PostgreSQL, the
// write lock on SQLite), so the limit holds however many race for it.
func (s *Service) checkProjectsLimit(ctx context.Context, q *store.Queries, creatorID int64, forUser bool) error {
	u, err := q.UserByID(ctx, creatorID)
	if err != nil {
		return fmt.Errorf("service: load creator: %w", err)
	}
	n, err := q.CountNamespaceProjects(ctx, u.NamespaceID)
	if err != nil {
		return err
	}
	if n < u.ProjectsLimit {
		return nil
	}
	return projectsLimitError(u, forUser)
}

// projectsLimitError is GitLab's answer when u's personal namespace holds
// its projects_limit (422 with limit_reached when an administrator
// creates the project for u).
func projectsLimitError(u *model.User, forUser bool) error {
	msg := "You cannot create projects in your personal namespace. Contact your GitLab administrator."
	if u.ProjectsLimit > 0 {
		msg = fmt.Sprintf("You've reached your limit of %d projects created. Contact your GitLab administrator.", u.ProjectsLimit)
	}
	if forUser {
		return Validation{"limit_reached": {msg}}.Err()
	}
	return &Error{Kind: KindForbidden, Message: msg, List: []string{msg}}
}
