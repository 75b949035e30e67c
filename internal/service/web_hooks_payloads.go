package service

import (
	"context"
	"regexp"
	"strings"
	"time"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/repo"
)

// Hook payloads in GitLab's shapes (Gitlab::DataBuilder::Push, Issuable,
// Note; doc/user/project/integrations/webhook_events.md).

// hookPushCommitLimit is how many commits a push payload lists (GitLab: 20).
const hookPushCommitLimit = 20

// hookTime is the timestamp format of issuable and note payloads.
const hookTime = "2006-01-02 15:04:05 UTC"

type hookProject struct {
	ID                int64   `json:"id"`
	Name              string  `json:"name"`
	Description       string  `json:"description"`
	WebURL            string  `json:"web_url"`
	AvatarURL         *string `json:"avatar_url"`
	GitSSHURL         string  `json:"git_ssh_url"`
	GitHTTPURL        string  `json:"git_http_url"`
	Namespace         string  `json:"namespace"`
	VisibilityLevel   int     `json:"visibility_level"`
	PathWithNamespace string  `json:"path_with_namespace"`
	DefaultBranch     *string `json:"default_branch"`
	CIConfigPath      *string `json:"ci_config_path"`
	Homepage          string  `json:"homepage"`
	URL               string  `json:"url"`
	SSHURL            string  `json:"ssh_url"`
	HTTPURL           string  `json:"http_url"`
}

type hookRepository struct {
	Name            string `json:"name"`
	URL             string `json:"url"`
	Description     string `json:"description"`
	Homepage        string `json:"homepage"`
	GitHTTPURL      string `json:"git_http_url,omitempty"`
	GitSSHURL       string `json:"git_ssh_url,omitempty"`
	VisibilityLevel *int   `json:"visibility_level,omitempty"`
}

type hookUser struct {
	ID        int64   `json:"id"`
	Name      string  `json:"name"`
	Username  string  `json:"username"`
	AvatarURL *string `json:"avatar_url"`
	Email     string  `json:"email"`
}

func (s *Service) hookProjectOf(p *model.Project) hookProject {
	web := s.externalURL + "/" + p.FullPath()
	host := strings.TrimPrefix(strings.TrimPrefix(s.externalURL, "https://"), "http://")
	host, _, _ = strings.Cut(host, "/")
	ssh := s.sshRepoURL(host, p.FullPath())
	return hookProject{ID: p.ID, Name: p.Name, Description: p.Description, WebURL: web, GitSSHURL: ssh,
		GitHTTPURL: web + ".git", Namespace: p.Namespace.FullName, VisibilityLevel: p.VisibilityLevel,
		PathWithNamespace: p.FullPath(), DefaultBranch: p.DefaultBranch, Homepage: web, URL: ssh, SSHURL: ssh,
		HTTPURL: web + ".git"}
}

func (s *Service) hookRepositoryOf(p *model.Project, full bool) hookRepository {
	hp := s.hookProjectOf(p)
	r := hookRepository{Name: p.Name, URL: hp.SSHURL, Description: p.Description, Homepage: hp.WebURL}
	if full {
		r.GitHTTPURL, r.GitSSHURL, r.VisibilityLevel = hp.HTTPURL, hp.SSHURL, &p.VisibilityLevel
	}
	return r
}

func hookUserOf(u *model.User) hookUser {
	return hookUser{ID: u.ID, Name: u.Name, Username: u.Username, Email: u.PublicEmail}
}

type hookCommit struct {
	ID        string   `json:"id"`
	Message   string   `json:"message"`
	Title     string   `json:"title"`
	Timestamp string   `json:"timestamp"`
	URL       string   `json:"url"`
	Author    hookName `json:"author"`
	Added     []string `json:"added"`
	Modified  []string `json:"modified"`
	Removed   []string `json:"removed"`
}

type hookName struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

// hookPush is Gitlab::DataBuilder::Push's data.
type hookPush struct {
	ObjectKind        string         `json:"object_kind"`
	EventName         string         `json:"event_name"`
	Before            string         `json:"before"`
	After             string         `json:"after"`
	Ref               string         `json:"ref"`
	RefProtected      bool           `json:"ref_protected"`
	CheckoutSHA       *string        `json:"checkout_sha"`
	Message           *string        `json:"message"`
	UserID            int64          `json:"user_id"`
	UserName          string         `json:"user_name"`
	UserUsername      string         `json:"user_username"`
	UserEmail         string         `json:"user_email"`
	UserAvatar        *string        `json:"user_avatar"`
	ProjectID         int64          `json:"project_id"`
	Project           hookProject    `json:"project"`
	Commits           []hookCommit   `json:"commits"`
	TotalCommitsCount int            `json:"total_commits_count"`
	PushOptions       map[string]any `json:"push_options"`
	Repository        hookRepository `json:"repository"`
}

// pushHookData builds a push's payload as Gitlab::DataBuilder::Push does:
// the latest hookPushCommitLimit commits the push brought, oldest first,
// each with the files it added, modified and removed.
func (s *Service) pushHookData(ctx context.Context, p *model.Project, pusher *model.User, r *repo.Repo, c RefChange, protected bool) (*hookPush, error) {
	tag := strings.HasPrefix(c.Ref, "refs/tags/")
	d := &hookPush{ObjectKind: "push", EventName: "push", Before: c.Old, After: c.New, Ref: c.Ref,
		RefProtected: protected, UserID: pusher.ID, UserName: pusher.Name, UserUsername: pusher.Username,
		UserEmail: pusher.PublicEmail, ProjectID: p.ID, Project: s.hookProjectOf(p), Commits: []hookCommit{},
		PushOptions: map[string]any{}, Repository: s.hookRepositoryOf(p, true)}
	if tag {
		d.ObjectKind, d.EventName = "tag_push", "tag_push"
	}
	if c.IsDelete() {
		return d, nil
	}
	if tag {
		// An annotated tag's checkout_sha is the commit it points at.
		if sha, err := r.ResolveRef(ctx, c.New); err == nil {
			d.CheckoutSHA = &sha
		}
		return d, nil
	}
	d.CheckoutSHA = &c.New
	exclude := c.Old
	if c.IsCreate() {
		exclude = ""
		if p.DefaultBranch != nil && gitBranchPrefix+*p.DefaultBranch != c.Ref {
			exclude, _ = r.RefValue(gitBranchPrefix + *p.DefaultBranch)
		}
	}
	commits, err := r.RevList(ctx, exclude, c.New, maxCountedCommits)
	if err != nil {
		return nil, err
	}
	d.TotalCommitsCount = len(commits)
	commits = commits[max(0, len(commits)-hookPushCommitLimit):]
	changes, err := r.CommitChanges(ctx, commits)
	if err != nil {
		return nil, err
	}
	web := s.hookProjectOf(p).WebURL
	for _, cm := range commits {
		hc := hookCommit{ID: cm.ID, Message: cm.Message, Title: cm.Title,
			Timestamp: cm.Author.Date.Format(time.RFC3339), URL: web + "/-/commit/" + cm.ID,
			Author: hookName{Name: cm.Author.Name, Email: cm.Author.Email},
			Added:  []string{}, Modified: []string{}, Removed: []string{}}
		for _, f := range changes[cm.ID] {
			switch {
			case f.DeletedFile:
				hc.Removed = append(hc.Removed, f.OldPath)
			case f.RenamedFile || f.NewFile:
				hc.Added = append(hc.Added, f.NewPath)
			default:
				hc.Modified = append(hc.Modified, f.NewPath)
			}
		}
		d.Commits = append(d.Commits, hc)
	}
	return d, nil
}

// branchFilterMatches applies a hook's push_events_branch_filter.
func branchFilterMatches(h *model.WebHook, branch string) bool {
	switch h.BranchFilterStrategy {
	case "all_branches":
		return true
	case "regex":
		re, err := regexp.Compile(h.PushEventsBranchFilter)
		return err == nil && re.MatchString(branch)
	}
	return h.PushEventsBranchFilter == "" || BranchMatches(h.PushEventsBranchFilter, branch)
}

// pushHookEvent is the push or tag push event of one landed ref change
// (built before the transaction that queues it: it reads the repository).
func (s *Service) pushHookEvent(ctx context.Context, p *model.Project, pusher *model.User, r *repo.Repo, c RefChange, protected bool) hookEvent {
	// The payload reads the repository (the commits and their files):
	// built only once a hook takes the event.
	build := func() (any, error) { return s.pushHookData(ctx, p, pusher, r, c, protected) }
	if strings.HasPrefix(c.Ref, "refs/tags/") {
		return hookEvent{trigger: "tag_push_hooks", header: "Tag Push Hook",
			wants: func(h *model.WebHook) bool { return h.Events.TagPush }, build: build}
	}
	branch := strings.TrimPrefix(c.Ref, gitBranchPrefix)
	return hookEvent{trigger: "push_hooks", header: "Push Hook",
		wants: func(h *model.WebHook) bool { return h.Events.Push && branchFilterMatches(h, branch) },
		build: build}
}
