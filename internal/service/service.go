// Package service holds lablet's domain operations. Every adapter (REST,
// git over HTTP, pages) calls these, so validation and permission checks
// live in one place.
package service

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/blob"
	"github.com/lablet/lablet/internal/cache"
	"github.com/lablet/lablet/internal/mail"
	"github.com/lablet/lablet/internal/markdown"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/outbound"
	"github.com/lablet/lablet/internal/repo"
	"github.com/lablet/lablet/internal/store"
	"github.com/riverqueue/river"
)

// Service carries the dependencies of the domain operations. Its fields
// are private: adapters reach storage and repositories only through its
// methods, so every rule lives here.
type Service struct {
	db  *store.DB
	log *slog.Logger
	// rateLimits counts requests against the throttles; gitAuthBan is
	// Options.GitAuthBan.
	rateLimits *rateLimiter
	gitAuthBan GitAuthBan
	// now is the clock (Options.Now).
	now func() time.Time
	// startedAt is when this process's service was made: its background
	// worker's start in /sidekiq/process_metrics.
	startedAt time.Time
	// backgroundWorkers is the background queue's worker count once it
	// runs (0 in commands that run none).
	backgroundWorkers atomic.Int64
	// impersonationEnabled mirrors the instance setting.
	impersonationEnabled bool
	// repos holds the projects' git repositories; nil in tools that only
	// touch the database (token create).
	repos *repo.Store
	// markdown renders GitLab Flavored Markdown (markdown.go).
	markdown *markdown.Renderer
	// blobs keeps uploaded files; nil in tools that only touch the
	// database.
	blobs blob.Store
	// redirectDownloads: blob downloads redirect to presigned URLs
	// (downloadURL).
	redirectDownloads bool
	// maxAttachmentSize bounds an upload (uploads.go).
	maxAttachmentSize int64
	// maxArtifactsSize bounds a job's artifacts file (ci_artifacts.go).
	maxArtifactsSize int64
	// maxGenericPackageSize bounds a generic package file (packages.go).
	maxGenericPackageSize int64
	// ci holds CI/CD's in-process state: the wake-up of runners waiting
	// for jobs (ci_queue.go).
	ci ciState
	// signatures keeps commit signature verdicts (gpg_signatures.go).
	signatures *cache.Cache[signatureKey, *CommitSignature]
	// hookQueue inserts webhook deliveries, mail and repository
	// housekeeping runs into the job queue, in the transaction of the change
	// they report (web_hooks_deliver.go, housekeeping_repos.go).
	hookQueue *river.Client[*sql.Tx]
	// outbound keeps the HTTP clients of deliveries, so they reuse
	// connections.
	outbound *outbound.Clients
	// hookRecords batches the delivery logs' writes (web_hooks_record.go).
	hookRecords hookRecorder
	// externalURL and version name the instance in hook payloads and
	// headers (X-Gitlab-Instance, User-Agent).
	externalURL, version string
	sshRepoURL           func(host, fullPath string) string
	// mailRelay sends mail (emails on push); nil when no relay is
	// configured. mailFrom is the sender address.
	mailRelay *mail.Relay
	mailFrom  string
	// hookRetryDelay is the wait before a failed delivery's first retry
	// (Options.HookRetryDelay).
	hookRetryDelay time.Duration
}

// Options configure a Service.
type Options struct {
	DB  *store.DB
	Log *slog.Logger
	// Repos holds the repositories; nil for tools that only touch the
	// database.
	Repos *repo.Store
	// ImpersonationEnabled lets impersonation tokens authenticate.
	ImpersonationEnabled bool
	// Now replaces the clock (tests); nil means the system clock in UTC.
	Now func() time.Time
	// Blobs keeps uploaded files; nil for tools that only touch the
	// database.
	Blobs blob.Store
	// RedirectDownloads answers downloads of LFS objects, generic
	// package files, job artifacts archives, uploads and avatars with a
	// presigned URL of the blob store when it can make one (an object
	// store): --object-store-proxy-download=false.
	RedirectDownloads bool
	// MaxAttachmentSize bounds an upload, in bytes; 0 means
	// DefaultMaxAttachmentSize.
	MaxAttachmentSize int64
	// MaxArtifactsSize bounds a job's artifacts file, in bytes; 0 means
	// DefaultMaxArtifactsSize.
	MaxArtifactsSize int64
	// MaxGenericPackageSize bounds a generic package file, in bytes; 0
	// means DefaultMaxGenericPackageSize.
	MaxGenericPackageSize int64
	// CachesOff keeps no read caches (LABLET_CACHES=off).
	CachesOff bool
	// ExternalURL is the instance's URL in webhook payloads; empty means
	// http://localhost.
	ExternalURL string
	// Version is the server's version, sent in webhooks' User-Agent.
	Version string
	// MailRelay sends mail; nil sends none. MailFrom is the sender
	// address (empty: gitlab@localhost).
	MailRelay *mail.Relay
	MailFrom  string
	// HookRetryDelay is the wait before a failed webhook delivery's first
	// retry; 0 means defaultHookRetryDelay.
	HookRetryDelay time.Duration
	// GitAuthBan is git over HTTP's failed-authentication ban.
	GitAuthBan GitAuthBan
	// SSHRepoURL writes a project's SSH remote on host, as the API's
	// ssh_url_to_repo does (the SSH port is the adapter's to know); nil
	// writes the scp-like form git@host:path.git.
	SSHRepoURL func(host, fullPath string) string
}

// New returns a Service over o's storage.
func New(o Options) *Service {
	s := &Service{db: o.DB, log: o.Log, repos: o.Repos, impersonationEnabled: o.ImpersonationEnabled, now: o.Now,
		rateLimits: newRateLimiter(), gitAuthBan: o.GitAuthBan,
		markdown: markdown.New(), blobs: o.Blobs, maxAttachmentSize: o.MaxAttachmentSize, redirectDownloads: o.RedirectDownloads,
		maxArtifactsSize: o.MaxArtifactsSize, maxGenericPackageSize: o.MaxGenericPackageSize, ci: ciState{queue: newJobQueue()},
		outbound:   outbound.NewClients(),
		signatures: cache.New[signatureKey, *CommitSignature](cache.Options{MaxEntries: 20000, Off: o.CachesOff})}
	if s.maxAttachmentSize <= 0 {
		s.maxAttachmentSize = DefaultMaxAttachmentSize
	}
	if s.maxGenericPackageSize <= 0 {
		s.maxGenericPackageSize = DefaultMaxGenericPackageSize
	}
	if s.maxArtifactsSize <= 0 {
		s.maxArtifactsSize = DefaultMaxArtifactsSize
	}
	if s.now == nil {
		s.now = func() time.Time { return time.Now().UTC() }
	}
	s.startedAt = s.now()
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.externalURL, s.version = strings.TrimSuffix(o.ExternalURL, "/"), o.Version
	s.sshRepoURL = o.SSHRepoURL
	if s.sshRepoURL == nil {
		s.sshRepoURL = func(host, fullPath string) string { return "git@" + host + ":" + fullPath + ".git" }
	}
	if s.externalURL == "" {
		s.externalURL = "http://localhost"
	}
	if s.version == "" {
		s.version = "dev"
	}
	s.hookRetryDelay = cmp.Or(o.HookRetryDelay, defaultHookRetryDelay)
	if o.DB != nil {
		s.hookQueue = newHookQueue(o.DB, s.log)
	}
	s.mailRelay, s.mailFrom = o.MailRelay, o.MailFrom
	if s.mailFrom == "" {
		s.mailFrom = "gitlab@localhost"
	}
	logMailRelay(s.log, s.mailRelay, s.mailFrom)
	return s
}

// Now is the service's clock.
func (s *Service) Now() time.Time { return s.now() }

// Today is the current date as GitLab compares expiry dates.
func (s *Service) Today() string { return s.Now().Format("2006-01-02") }

// viewer describes id for visibility decisions.
func viewer(id *auth.Identity) access.Viewer {
	if !id.Authenticated() {
		return access.Viewer{}
	}
	return access.Viewer{Authenticated: true, External: id.User.External, Admin: id.IsAdmin()}
}

// ProjectLevel returns the caller's effective level on p: Admin for
// administrators, else the highest inherited membership.
func (s *Service) ProjectLevel(ctx context.Context, id *auth.Identity, p *model.Project) (access.Level, error) {
	if !id.Authenticated() {
		return access.NoAccess, nil
	}
	if id.IsAdmin() {
		return access.Admin, nil
	}
	l, err := s.db.Queries().ProjectAccessLevel(ctx, id.User.ID, p.ID, p.NamespaceID, s.Today())
	return access.Level(l), err
}

// NamespaceLevel returns the caller's effective level on a namespace.
func (s *Service) NamespaceLevel(ctx context.Context, id *auth.Identity, ns *model.Namespace) (access.Level, error) {
	if !id.Authenticated() {
		return access.NoAccess, nil
	}
	if id.IsAdmin() {
		return access.Admin, nil
	}
	l, err := s.db.Queries().NamespaceAccessLevel(ctx, id.User.ID, ns.ID, s.Today())
	return access.Level(l), err
}

// VisibleProject loads a project by numeric id or full path and checks that
// the caller may see it; otherwise it answers "404 Project Not Found".
// It returns the caller's level too.
func (s *Service) VisibleProject(ctx context.Context, id *auth.Identity, ref string) (*model.Project, access.Level, error) {
	p, level, _, err := s.VisibleProjectAccess(ctx, id, ref)
	return p, level, err
}

// VisibleProjectAccess is VisibleProject returning also the two parts of the
// caller's membership level (direct and inherited), which GitLab shows as
// the project's "permissions". The project and the caller's access come
// from one statement.
func (s *Service) VisibleProjectAccess(ctx context.Context, id *auth.Identity, ref string) (*model.Project, access.Level, model.ProjectAccess, error) {
	var parts model.ProjectAccess
	if !validRef(ref) {
		return nil, 0, parts, NotFound("Project")
	}
	var uid int64
	if id.Authenticated() {
		uid = id.User.ID
	}
	var p *model.Project
	var err error
	if n, ok := parseID(ref); ok {
		p, parts, err = s.db.Queries().ProjectWithAccessByID(ctx, n, uid, s.Today())
	} else {
		p, parts, err = s.db.Queries().ProjectWithAccessByFullPath(ctx, ref, uid, s.Today())
		if errors.Is(err, store.ErrNotFound) {
			// A moved project answers at its old path (GitLab's
			// find_by_full_path with follow_redirects), git included.
			if moved, rerr := s.db.Queries().RedirectedProjectID(ctx, ref); rerr == nil {
				p, parts, err = s.db.Queries().ProjectWithAccessByID(ctx, moved, uid, s.Today())
			} else if !errors.Is(rerr, store.ErrNotFound) {
				err = rerr
			}
		}
	}
	if errors.Is(err, store.ErrNotFound) {
		return nil, 0, parts, NotFound("Project")
	}
	if err != nil {
		return nil, 0, parts, fmt.Errorf("service: load project: %w", err)
	}
	level := access.NoAccess
	if id.Authenticated() {
		level = access.Level(parts.Level())
		if id.IsAdmin() {
			level = access.Admin
		}
	}
	if !viewer(id).CanSee(p.VisibilityLevel, level) || p.MarkedForDeletionOn != nil && level < access.Owner {
		return nil, 0, model.ProjectAccess{}, NotFound("Project")
	}
	if id.CIJob != nil && id.CIJob.ProjectID != p.ID {
		in, err := s.db.Queries().JobTokenReaches(ctx, id.CIJob.ProjectID, p.ID)
		if err != nil {
			return nil, 0, model.ProjectAccess{}, fmt.Errorf("service: job token scope: %w", err)
		}
		if !in {
			// Outside the project's job token scope a job keeps what
			// anyone has (ProjectPolicy's prevent_all but the public
			// permissions): a public project, read as anonymous.
			if !(access.Viewer{}).CanSee(p.VisibilityLevel, access.NoAccess) {
				return nil, 0, model.ProjectAccess{}, NotFound("Project")
			}
			return p, access.NoAccess, model.ProjectAccess{}, nil
		}
	}
	return p, level, parts, nil
}

// MovedGroupPath returns the full path of the group that ref, one of its
// old full paths, redirects to, when the caller may see it; ok is false
// otherwise. GitLab follows group redirects on web GET requests only
// (RoutableActions#find_routable!): its API's find_group calls
// find_by_full_path without follow_redirects, so VisibleGroup does not
// follow them and web pages redirect to the path this returns.
func (s *Service) MovedGroupPath(ctx context.Context, id *auth.Identity, ref string) (path string, ok bool, err error) {
	if !validRef(ref) {
		return "", false, nil
	}
	if _, isID := parseID(ref); isID {
		return "", false, nil
	}
	nsID, err := s.db.Queries().RedirectedNamespaceID(ctx, ref)
	if errors.Is(err, store.ErrNotFound) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	g, _, err := s.VisibleGroup(ctx, id, strconv.FormatInt(nsID, 10))
	if KindOf(err) == KindNotFound {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	return g.FullPath, true, nil
}

// MovedProjectPath returns the full path of the project that ref, one of
// its old full paths, redirects to, when the caller may see it; ok is
// false otherwise, and when a project lives at ref itself. Web pages
// redirect there, as GitLab's find_routable! does on GET requests, where
// the API and git answer at the old path (VisibleProject follows it).
func (s *Service) MovedProjectPath(ctx context.Context, id *auth.Identity, ref string) (path string, ok bool, err error) {
	if !validRef(ref) || !strings.Contains(ref, "/") {
		return "", false, nil
	}
	q := s.db.Queries()
	pid, err := q.RedirectedProjectID(ctx, ref)
	if errors.Is(err, store.ErrNotFound) {
		return "", false, nil // the usual case: one indexed look-up
	}
	if err != nil {
		return "", false, err
	}
	if _, err := q.ProjectByFullPath(ctx, ref); err == nil {
		return "", false, nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return "", false, err
	}
	p, _, err := s.VisibleProject(ctx, id, strconv.FormatInt(pid, 10))
	if KindOf(err) == KindNotFound {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	return p.FullPath(), true, nil
}

// VisibleGroup loads a group by numeric id or full path and checks that the
// caller may see it; otherwise "404 Group Not Found".
func (s *Service) VisibleGroup(ctx context.Context, id *auth.Identity, ref string) (*model.Namespace, access.Level, error) {
	ns, err := s.namespaceByRef(ctx, ref)
	if err != nil || !ns.IsGroup() {
		if err == nil || errors.Is(err, store.ErrNotFound) {
			return nil, 0, NotFound("Group")
		}
		return nil, 0, err
	}
	level, err := s.NamespaceLevel(ctx, id, ns)
	if err != nil {
		return nil, 0, err
	}
	// Groups scheduled for deletion are gone for all but administrators.
	if ns.MarkedForDeletionOn != nil && level < access.Admin {
		return nil, 0, NotFound("Group")
	}
	if !viewer(id).CanSee(ns.VisibilityLevel, level) {
		// GitLab's has_projects: a member of a project in the group (or
		// below) may read the group, with no level on it.
		member, err := s.memberOfProjectIn(ctx, id, ns)
		if err != nil {
			return nil, 0, err
		}
		if !member {
			return nil, 0, NotFound("Group")
		}
	}
	return ns, level, nil
}

// memberOfProjectIn reports whether the caller is a member of a project in
// group ns or its subgroups.
func (s *Service) memberOfProjectIn(ctx context.Context, id *auth.Identity, ns *model.Namespace) (bool, error) {
	if !id.Authenticated() {
		return false, nil
	}
	ok, err := s.db.Queries().MemberOfProjectIn(ctx, id.User.ID, ns.ID, s.Today())
	if err != nil {
		return false, fmt.Errorf("service: %w", err)
	}
	return ok, nil
}

func (s *Service) projectByRef(ctx context.Context, ref string) (*model.Project, error) {
	if !validRef(ref) {
		return nil, NotFound("Project")
	}
	var p *model.Project
	var err error
	if n, ok := parseID(ref); ok {
		p, err = s.db.Queries().ProjectByID(ctx, n)
	} else {
		p, err = s.db.Queries().ProjectByFullPath(ctx, ref)
	}
	if errors.Is(err, store.ErrNotFound) {
		return nil, NotFound("Project")
	}
	if err != nil {
		return nil, fmt.Errorf("service: load project: %w", err)
	}
	return p, nil
}

func (s *Service) namespaceByRef(ctx context.Context, ref string) (*model.Namespace, error) {
	// A path no namespace can have (NUL, bad UTF-8, overlong) would only
	// upset the database; it names nothing.
	if !validRef(ref) {
		return nil, store.ErrNotFound
	}
	if n, ok := parseID(ref); ok {
		return s.db.Queries().NamespaceByID(ctx, n)
	}
	return s.db.Queries().NamespaceByFullPath(ctx, ref)
}

// validRef reports whether ref could name a namespace or project.
func validRef(ref string) bool {
	return ref != "" && len(ref) <= 4096 && utf8.ValidString(ref) && !strings.ContainsRune(ref, 0)
}

// parseID accepts a positive decimal id.
func parseID(ref string) (int64, bool) {
	if ref == "" || len(ref) > 18 {
		return 0, false
	}
	var n int64
	for _, c := range ref {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, n > 0
}
