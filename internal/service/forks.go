package service

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/repo"
	"github.com/lablet/lablet/internal/store"
)

// CanForkProject is GitLab's fork_project: whoever is signed in and may
// download the code (Reporter on a private project; any signed-in caller
// who reads a public project's code, or a non-external one an internal
// project's).
func CanForkProject(id *auth.Identity, p *model.Project, level access.Level) bool {
	return id.Authenticated() && CanReadCode(id, p, level)
}

// ForkInput is what POST /projects/:id/fork takes.
type ForkInput struct {
	// Namespace is the target namespace's id or full path; nil for the
	// caller's personal namespace.
	Namespace   *string
	Name        *string
	Path        *string
	Description *string
	Visibility  *int
	// Branch, when set, is the only branch the fork starts with.
	Branch              string
	MRDefaultTargetSelf *bool
}

// forkOrigin is the source of a project being created as a fork.
type forkOrigin struct {
	src    *model.Project
	branch string
	mrSelf bool
}

// apply copies onto the new project what a fork takes from its source.
func (f *forkOrigin) apply(p *model.Project) {
	src := f.src
	p.ForkedFromID = &src.ID
	p.ImportStatus = "finished" // forked before the answer, unlike GitLab's background job
	p.MRDefaultTargetSelf = f.mrSelf
	p.EmptyRepo = src.EmptyRepo
	p.IssuesEnabled, p.MergeRequestsEnabled, p.WikiEnabled = src.IssuesEnabled, src.MergeRequestsEnabled, src.WikiEnabled
	p.JobsEnabled, p.SnippetsEnabled, p.LFSEnabled = src.JobsEnabled, src.SnippetsEnabled, src.LFSEnabled
	p.RequestAccessEnabled = src.RequestAccessEnabled
	p.Topics = slices.Clone(src.Topics)
	if p.Topics == nil {
		p.Topics = []string{}
	}
}

// visibility is GitLab's target_visibility_level: never wider than the
// source, the target group, or the level asked for.
func (f *forkOrigin) visibility(asked *int, ns *model.Namespace) int {
	v := f.src.VisibilityLevel
	if asked != nil {
		v = min(v, *asked)
	}
	if ns.IsGroup() {
		v = min(v, ns.VisibilityLevel)
	}
	return v
}

// prepareForkRepository builds the fork's repository aside, borrowing the
// source's objects (repo.Store.PrepareFork).
func (s *Service) prepareForkRepository(ctx context.Context, f *forkOrigin, head string) (*repo.Repo, error) {
	r, err := s.repos.PrepareFork(ctx, f.src.ID, head, f.branch)
	if errors.Is(err, repo.ErrNotFound) && f.branch != "" {
		return nil, NotFound("Source Branch")
	}
	if err != nil {
		return nil, fmt.Errorf("service: fork repository: %w", err)
	}
	return r, nil
}

// ForkProject forks a project the caller may fork into the caller's
// personal namespace or the one given, through project creation: the fork
// is a new project whose repository borrows the source's objects.
func (s *Service) ForkProject(ctx context.Context, id *auth.Identity, ref string, in ForkInput) (*model.Project, error) {
	if !id.Authenticated() {
		return nil, auth.ErrUnauthorized
	}
	src, level, err := s.VisibleProject(ctx, id, ref)
	if err != nil {
		return nil, err
	}
	if !CanForkProject(id, src, level) || src.MarkedForDeletionOn != nil {
		return nil, &Error{Kind: KindNotFound, Message: "Not Found"}
	}
	if in.Branch != "" && s.repos != nil {
		if _, err := s.repos.Open(src.ID).Branch(in.Branch); err != nil {
			if errors.Is(err, repo.ErrNotFound) || errors.Is(err, repo.ErrInvalidRef) {
				return nil, NotFound("Source Branch")
			}
			return nil, fmt.Errorf("service: fork branch: %w", err)
		}
	}
	pin := ProjectInput{Name: cmp.Or(in.Name, &src.Name), Path: cmp.Or(in.Path, &src.Path),
		Description: cmp.Or(in.Description, &src.Description), Visibility: in.Visibility, Namespace: in.Namespace,
		fork: &forkOrigin{src: src, branch: in.Branch, mrSelf: in.MRDefaultTargetSelf != nil && *in.MRDefaultTargetSelf}}
	switch {
	case in.Branch != "":
		pin.DefaultBranch = &in.Branch
	case src.DefaultBranch != nil:
		pin.DefaultBranch = src.DefaultBranch
	}
	plan, err := s.prepareProject(ctx, id, pin, nil)
	if err != nil {
		return nil, forkError(err)
	}
	if plan.repo != nil {
		defer s.repos.Discard(plan.repo) // unless placed
	}
	p, err := s.placeProject(ctx, id, plan)
	if err != nil {
		return nil, forkError(err)
	}
	return p, nil
}

// forkError words a failed creation as GitLab's fork API does: the new
// project's errors, as full messages, in a 409.
func forkError(err error) error {
	var e *Error
	if !errors.As(err, &e) {
		return err
	}
	switch {
	case e.Kind == KindInvalid && len(e.Fields) > 0:
		var list []string
		for _, field := range slices.Sorted(func(yield func(string) bool) {
			for f := range e.Fields {
				if !yield(f) {
					return
				}
			}
		}) {
			for _, msg := range e.Fields[field] {
				list = append(list, humanAttribute(field)+" "+msg)
			}
		}
		return &Error{Kind: KindConflict, Message: strings.Join(list, ", "), List: list}
	case e.Kind == KindForbidden && len(e.List) > 0: // the projects limit
		list := make([]string, len(e.List))
		for i, msg := range e.List {
			list[i] = "Limit reached " + msg
		}
		return &Error{Kind: KindConflict, Message: strings.Join(list, ", "), List: list}
	}
	return err
}

// humanAttribute is Rails' humanize of an attribute name.
func humanAttribute(field string) string {
	s := strings.ReplaceAll(strings.TrimSuffix(field, "_id"), "_", " ")
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// ListForks lists the forks of a visible project that the caller sees.
func (s *Service) ListForks(ctx context.Context, id *auth.Identity, ref string, o ProjectListOptions) (*ProjectList, error) {
	src, _, err := s.VisibleProject(ctx, id, ref)
	if err != nil {
		return nil, err
	}
	o.forkedFrom = src.ID
	return s.listProjects(ctx, id, o, 0)
}

// ForkSources returns, by id, the projects that projects were forked from
// and that the caller may see: what their entities show as
// forked_from_project.
func (s *Service) ForkSources(ctx context.Context, id *auth.Identity, projects []*model.Project) (map[int64]*model.Project, error) {
	var out map[int64]*model.Project
	for _, p := range projects {
		if p.ForkedFromID == nil {
			continue
		}
		if _, done := out[*p.ForkedFromID]; done {
			continue
		}
		if out == nil {
			out = map[int64]*model.Project{}
		}
		src, _, err := s.VisibleProject(ctx, id, strconv.FormatInt(*p.ForkedFromID, 10))
		switch {
		case err == nil:
			out[src.ID] = src
		case KindOf(err) == KindNotFound:
			out[*p.ForkedFromID] = nil // not shown
		default:
			return nil, err
		}
	}
	return out, nil
}

// LinkFork marks an existing project as a fork of another (POST
// /projects/:id/fork/:forked_from_id): its Owner (or an administrator),
// who may fork the source. The project's repository keeps its own
// objects.
func (s *Service) LinkFork(ctx context.Context, id *auth.Identity, ref, fromRef string) (*model.Project, error) {
	p, level, err := s.VisibleProject(ctx, id, ref)
	if err != nil {
		return nil, err
	}
	if level < access.Owner {
		return nil, Forbidden("")
	}
	src, srcLevel, err := s.VisibleProject(ctx, id, fromRef)
	if err != nil {
		return nil, err
	}
	if !CanForkProject(id, src, srcLevel) {
		return nil, Forbidden("")
	}
	if p.ForkedFromID != nil {
		return nil, Conflict("Project already forked")
	}
	if src.ID == p.ID {
		return nil, Invalid("Target project cannot be equal to source project")
	}
	err = s.db.WithTx(ctx, func(q *store.Queries) error {
		// A project forked, directly or not, from p cannot be its source:
		// the relation would loop.
		up, err := q.ForkAncestors(ctx, src.ID)
		if err != nil {
			return err
		}
		if slices.Contains(up, p.ID) {
			return Invalid("Target project cannot be a fork of the project")
		}
		linked, err := q.LinkFork(ctx, p.ID, src.ID)
		if err != nil {
			return err
		}
		if !linked {
			return Conflict("Project already forked")
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	p, _, err = s.VisibleProject(ctx, id, strconv.FormatInt(p.ID, 10))
	return p, err
}

// UnlinkFork removes a project's fork relation (DELETE /projects/:id/fork):
// Owners only; false when the project is no fork (GitLab's 304). Its
// repository gets its own copy of the objects it borrowed first, so that
// the source it leaves can go.
func (s *Service) UnlinkFork(ctx context.Context, id *auth.Identity, ref string) (bool, error) {
	p, level, err := s.VisibleProject(ctx, id, ref)
	if err != nil {
		return false, err
	}
	if level < access.Owner {
		return false, Forbidden("")
	}
	if p.ForkedFromID == nil {
		return false, nil
	}
	if s.repos != nil {
		if err := s.repos.Detach(ctx, p.ID); err != nil {
			return false, fmt.Errorf("service: unlink fork: %w", err)
		}
	}
	var unlinked bool
	err = s.db.WithTx(ctx, func(q *store.Queries) error {
		unlinked, err = q.UnlinkFork(ctx, p.ID, *p.ForkedFromID)
		return err
	})
	return unlinked, err
}
