package service

import (
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

// GitLab's words for git access decisions; git shows them to the user as
// "remote: ..." (or "remote: GitLab: ..." for refused ref updates).
const (
	MsgGitDownloadNotAllowed    = "You are not allowed to download code from this project."
	MsgGitPushNotAllowed        = "You are not allowed to push code to this project."
	MsgGitPushArchived          = "You are not allowed to push code to an archived project."
	MsgGitPushProtectedBranch   = "You are not allowed to push code to protected branches on this project."
	MsgGitForcePushProtected    = "You are not allowed to force push code to a protected branch on this project."
	MsgGitDeleteProtectedNonWeb = "You can only delete protected branches using the web interface."
	MsgGitDeleteProtectedBranch = "You are not allowed to delete protected branches from this project. Only a project maintainer or owner can delete a protected branch."
	MsgGitDeleteDefaultBranch   = "The default branch of a project cannot be deleted."
	MsgGitCreateProtectedBranch = "You are not allowed to create protected branches on this project."
	gitBranchPrefix             = "refs/heads/"
	gitTagPrefix                = "refs/tags/"
)

// GitRepo is a project repository a git client was let into.
type GitRepo struct {
	Project *model.Project
	Level   access.Level
	Repo    *repo.Repo
	// HiddenRefs, set for pushes, are the ref prefixes GitLab keeps for
	// itself (ReservedRefPrefixes). The adapter runs receive-pack with
	// them as receive.hideRefs, as Gitaly does: git leaves them out of the
	// push advertisement and refuses each update of one ("deny updating a
	// hidden ref") while the push's other refs land.
	HiddenRefs []string
	// Pusher is the signed-in caller of a push: the author of its events.
	Pusher *model.User
	// PushOptions are the options of a push (git push -o), which
	// AfterGitPush applies (merge_requests_push_options.go).
	PushOptions []string
	// Collaboration, set for a pusher below Developer, are the only
	// branches they may update: those of merge requests allowing
	// commits from the target's members (merge_requests_collaboration.go).
	Collaboration map[string]bool
	// BaseURL is the server's URL as the client reached it: what pipelines
	// a push creates see as CI_SERVER_URL.
	BaseURL string
	// DeployKey is set for a deploy key's push: it updates unprotected
	// branches and tags only.
	DeployKey bool
	// Wiki marks a wiki's repository (wikis_git.go): Project is nil for a
	// group's, and pushes skip branch rules and the push's side effects.
	Wiki bool
	// RequestedPath is the project path the client named, which is an old
	// one when the project moved since (git_push_messages.go).
	RequestedPath string
	// RemoteURL, set by the adapter, is the git remote of a project path
	// in the protocol the client used (HTTP or SSH).
	RemoteURL func(fullPath string) string

	identity *auth.Identity
}

// ReservedRefPrefixes are the refs GitLab writes itself and no push may
// create, update or delete: Gitaly's internal references (merge request
// heads, environments, pipelines, keep-around, temporary and remote refs).
func ReservedRefPrefixes() []string {
	return []string{"refs/environments/", "refs/keep-around/", "refs/merge-requests/", "refs/pipelines/",
		"refs/remotes/", "refs/tmp/"}
}

// IsReservedRef reports whether ref is under one of ReservedRefPrefixes.
func IsReservedRef(ref string) bool {
	for _, p := range ReservedRefPrefixes() {
		if strings.HasPrefix(ref, p) {
			return true
		}
	}
	return false
}

// GitRepo decides whether the caller may fetch from (write false) or push
// to (write true) the project at fullPath, the way GitLab's git access
// checks do:
//
//   - a token counts for git only with read_repository, write_repository or
//     api (read_api does not grant code); otherwise the credentials are
//     refused (auth.ErrUnauthorized), so git asks again;
//   - a project the caller cannot see is auth.ErrUnauthorized for anonymous
//     callers (so git prompts for credentials) and 404 for signed-in ones;
//   - fetching takes code access (CanReadCode): Reporter on private
//     projects, and on internal ones for external users;
//   - pushing takes a signed-in Developer with write_repository or api, on
//     a project that is not archived.
//
// Refusals of visible projects are Forbidden with GitLab's message.
// Deploy keys (SSH) and deploy tokens (HTTP) act as no user and decide
// by their own links (git_deploy_keys.go, git_deploy_tokens.go).
func (s *Service) GitRepo(ctx context.Context, id *auth.Identity, fullPath string, write bool) (*GitRepo, error) {
	if id != nil && id.DeployKey != nil {
		return s.deployKeyGitRepo(ctx, id.DeployKey, fullPath, write)
	}
	if id != nil && id.DeployToken != nil {
		return s.deployTokenGitRepo(ctx, id.DeployToken, fullPath, write)
	}
	if id.Authenticated() && !id.HasAnyScope(auth.ScopeAPI, auth.ScopeReadRepository, auth.ScopeWriteRepository) {
		return nil, auth.ErrUnauthorized
	}
	if g, ok, err := s.snippetGitRepo(ctx, id, fullPath, write); ok {
		return g, err
	}
	if g, ok, err := s.wikiGitRepo(ctx, id, fullPath, write); ok {
		return g, err
	}
	// Git URLs name projects by full path only, never by numeric id.
	if !strings.Contains(fullPath, "/") {
		return nil, s.gitNotFound(id)
	}
	p, level, err := s.VisibleProject(ctx, id, fullPath)
	if err != nil {
		if KindOf(err) == KindNotFound {
			return nil, s.gitNotFound(id)
		}
		return nil, err
	}
	if !CanReadCode(id, p, level) {
		return nil, Forbidden(MsgGitDownloadNotAllowed)
	}
	var collaboration map[string]bool
	if write {
		switch {
		case !id.Authenticated():
			return nil, auth.ErrUnauthorized
		case !id.HasAnyScope(auth.ScopeAPI, auth.ScopeWriteRepository), id.CIJob != nil:
			return nil, Forbidden(MsgGitPushNotAllowed)
		case p.Archived:
			return nil, Forbidden(MsgGitPushArchived)
		case level < access.Developer:
			// GitAccess#check_push_access!: without push rights, a
			// branch that allows collaboration still takes pushes.
			if collaboration, err = s.collaborationBranches(ctx, id, p); err != nil {
				return nil, err
			}
			if len(collaboration) == 0 {
				return nil, Forbidden(MsgGitPushNotAllowed)
			}
		}
	}
	if s.repos == nil {
		return nil, errors.New("service: no repository store")
	}
	g := &GitRepo{Project: p, Level: level, Repo: s.repos.Open(p.ID), Collaboration: collaboration,
		RequestedPath: fullPath, identity: id}
	if write {
		g.HiddenRefs = ReservedRefPrefixes()
		g.Pusher = id.User
	}
	return g, nil
}

// gitNotFound hides a project: anonymous callers are asked for
// credentials, as GitLab does, so that private projects can be cloned.
func (s *Service) gitNotFound(id *auth.Identity) error {
	if !id.Authenticated() {
		return auth.ErrUnauthorized
	}
	return NotFound("Project")
}

// RefChange is one ref update of a push; Old or New is all zeros for a
// creation or a deletion.
type RefChange struct {
	Ref string
	Old string
	New string
}

func zeroOID(id string) bool { return strings.Trim(id, "0") == "" }

// IsCreate reports whether the change creates its ref.
func (c RefChange) IsCreate() bool { return zeroOID(c.Old) }

// IsDelete reports whether the change deletes its ref.
func (c RefChange) IsDelete() bool { return zeroOID(c.New) }

// PushRefusedError refuses a whole push with GitLab's message.
type PushRefusedError struct{ Message string }

func (e *PushRefusedError) Error() string { return "push refused: " + e.Message }

// PushDecision is what AuthorizeGitPush leaves to be checked while git
// runs: the refs whose non-fast-forward updates must be refused.
type PushDecision struct {
	NoForcePush []string
	// Messages are GitLab's post-receive messages for the push.
	Messages []string
}

// AuthorizeGitPush vets a push's ref updates against the protected
// branches before any object is received, as GitLab's change access
// checks do: protected branches take their push level; nobody deletes a
// protected branch or the default branch with git; force pushes to a
// protected branch are refused unless a matching rule allows them (the
// ancestry check itself happens once the objects are in, see PushDecision).
// Updates of reserved refs are left to git, which refuses each of them
// (GitRepo.HiddenRefs).
func (s *Service) AuthorizeGitPush(ctx context.Context, g *GitRepo, changes []RefChange) (*PushDecision, error) {
	if g.Wiki {
		return &PushDecision{}, nil
	}
	rules, err := s.BranchRules(ctx, g.Project)
	if err != nil {
		return nil, err
	}
	def := ""
	if g.Project.DefaultBranch != nil && !g.Project.EmptyRepo {
		def = *g.Project.DefaultBranch
	}
	d := &PushDecision{}
	for _, c := range changes {
		branch, ok := strings.CutPrefix(c.Ref, gitBranchPrefix)
		if g.Level < access.Developer && (!ok || c.IsDelete() || c.IsCreate() || !g.Collaboration[branch]) {
			// A collaborator updates the branches they were given, and
			// creates, deletes or tags nothing (no push_code).
			return nil, &PushRefusedError{Message: MsgGitPushNotAllowed}
		}
		if !ok {
			continue // tags and other refs: Developer access, checked already; reserved ones: git
		}
		if g.DeployKey && rules.Protected(branch) {
			// No protected branch rule here names deploy keys.
			return nil, &PushRefusedError{Message: MsgGitPushProtectedBranch}
		}
		switch {
		case c.IsDelete() && branch == def:
			return nil, &PushRefusedError{Message: MsgGitDeleteDefaultBranch}
		case !rules.Protected(branch):
		case c.IsDelete() && g.Level < access.Maintainer:
			return nil, &PushRefusedError{Message: MsgGitDeleteProtectedBranch}
		case c.IsDelete():
			return nil, &PushRefusedError{Message: MsgGitDeleteProtectedNonWeb}
		case !rules.CanPush(g.Level, branch) && c.IsCreate():
			return nil, &PushRefusedError{Message: MsgGitCreateProtectedBranch}
		case !rules.CanPush(g.Level, branch):
			return nil, &PushRefusedError{Message: MsgGitPushProtectedBranch}
		case !c.IsCreate() && !rules.ForcePushAllowed(branch):
			d.NoForcePush = append(d.NoForcePush, c.Ref)
		}
	}
	messages, err := s.pushMessages(ctx, g, changes)
	if err != nil {
		return nil, err
	}
	d.Messages = messages
	return d, nil
}

// AfterGitPush records a push that landed: the project is no longer empty
// (or is again, if every branch went), its activity time moves, and when
// HEAD names no existing branch, as in a fresh project whose first push
// did not include the configured default branch, the first pushed branch
// becomes the default branch in the repository and the database, taking
// the default branch's protection along.
func (s *Service) AfterGitPush(ctx context.Context, g *GitRepo, changes []RefChange) error {
	if g.Wiki {
		return s.wikiAfterPush(ctx, g, changes)
	}
	r := g.Repo
	empty, err := r.IsEmpty(ctx)
	if err != nil {
		return fmt.Errorf("service: after push: %w", err)
	}
	head, err := r.DefaultBranch(ctx)
	if err != nil {
		return fmt.Errorf("service: after push: %w", err)
	}
	headExists := false
	if v, err := r.RefValue(gitBranchPrefix + head); err == nil && v != "" {
		headExists = true
	}
	newDefault := ""
	if !headExists && !empty {
		var pushed []string
		for _, c := range changes {
			branch, ok := strings.CutPrefix(c.Ref, gitBranchPrefix)
			if !ok || c.IsDelete() {
				continue
			}
			if v, err := r.RefValue(c.Ref); err == nil && v != "" {
				pushed = append(pushed, branch)
			}
		}
		for i, b := range pushed {
			if i == 0 || g.Project.DefaultBranch != nil && b == *g.Project.DefaultBranch {
				newDefault = b
			}
		}
		if newDefault != "" {
			if err := r.SetDefaultBranch(ctx, newDefault); err != nil {
				return fmt.Errorf("service: set default branch: %w", err)
			}
		}
	}
	err = s.db.WithTx(ctx, func(q *store.Queries) error {
		p, err := q.ProjectByID(ctx, g.Project.ID)
		if err != nil {
			return err
		}
		p.EmptyRepo = empty
		if headExists && p.DefaultBranch == nil {
			p.DefaultBranch = &head
		}
		if newDefault != "" && (p.DefaultBranch == nil || *p.DefaultBranch != newDefault) {
			if p.DefaultBranch != nil {
				if err := s.moveDefaultBranchProtection(ctx, q, p.ID, *p.DefaultBranch, newDefault); err != nil {
					return err
				}
			}
			p.DefaultBranch = &newDefault
		}
		p.LastActivityAt = q.Now()
		return q.UpdateProjectRepository(ctx, p)
	})
	if err != nil {
		return err
	}
	if err := s.RecordPushes(ctx, g.Project, g.Pusher, r, changes); err != nil {
		return err
	}
	s.countPushForHousekeeping(ctx, g.Project.ID)
	s.statisticsChanged(ctx, g.Project.ID)
	// After RecordPushes, whose refresh moved the open merge requests.
	s.applyPushOptions(ctx, g, changes)
	s.createPushPipelines(ctx, g, changes)
	return nil
}
