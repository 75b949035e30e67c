package v4

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/repo"
	"github.com/lablet/lablet/internal/store"
)

// projectNamespace is GitLab's NamespaceBasic as embedded in a project.
type projectNamespace struct {
	ID        int64   `json:"id"`
	Name      string  `json:"name"`
	Path      string  `json:"path"`
	Kind      string  `json:"kind"`
	FullPath  string  `json:"full_path"`
	ParentID  *int64  `json:"parent_id"`
	AvatarURL *string `json:"avatar_url"`
	WebURL    string  `json:"web_url"`
}

// basicProject is GitLab's BasicProjectDetails: the simple=true entity and
// what anonymous lists show.
type basicProject struct {
	ID                int64            `json:"id"`
	Description       string           `json:"description"`
	Name              string           `json:"name"`
	NameWithNamespace string           `json:"name_with_namespace"`
	Path              string           `json:"path"`
	PathWithNamespace string           `json:"path_with_namespace"`
	CreatedAt         string           `json:"created_at"`
	DefaultBranch     *string          `json:"default_branch"`
	TagList           []string         `json:"tag_list"`
	Topics            []string         `json:"topics"`
	SSHURLToRepo      string           `json:"ssh_url_to_repo"`
	HTTPURLToRepo     string           `json:"http_url_to_repo"`
	WebURL            string           `json:"web_url"`
	ReadmeURL         *string          `json:"readme_url"`
	ForksCount        int              `json:"forks_count"`
	AvatarURL         *string          `json:"avatar_url"`
	StarCount         int              `json:"star_count"`
	LastActivityAt    string           `json:"last_activity_at"`
	Visibility        string           `json:"visibility"`
	Namespace         projectNamespace `json:"namespace"`
}

// projectAccessEntity is one side of a project's permissions object.
type projectAccessEntity struct {
	AccessLevel       int `json:"access_level"`
	NotificationLevel int `json:"notification_level"`
}

// projectPermissions is the caller's access as GET /projects/:id shows it.
type projectPermissions struct {
	ProjectAccess *projectAccessEntity `json:"project_access"`
	GroupAccess   *projectAccessEntity `json:"group_access"`
}

// projectLinks are the API links of a project.
type projectLinks struct {
	Self          string `json:"self"`
	Issues        string `json:"issues,omitempty"`
	MergeRequests string `json:"merge_requests,omitempty"`
	RepoBranches  string `json:"repo_branches"`
	Labels        string `json:"labels"`
	Events        string `json:"events"`
	Members       string `json:"members"`
	ClusterAgents string `json:"cluster_agents"`
}

// fullProject is GitLab's Project entity (ProjectWithAccess when
// Permissions is set), with the fields the official client reads.
type fullProject struct {
	basicProject
	Links                                     projectLinks        `json:"_links"`
	PackagesEnabled                           bool                `json:"packages_enabled"`
	EmptyRepo                                 bool                `json:"empty_repo"`
	Archived                                  bool                `json:"archived"`
	Owner                                     *basicUser          `json:"owner,omitempty"`
	ResolveOutdatedDiffDiscussions            bool                `json:"resolve_outdated_diff_discussions"`
	ContainerRegistryEnabled                  bool                `json:"container_registry_enabled"`
	ContainerRegistryAccessLevel              string              `json:"container_registry_access_level"`
	IssuesEnabled                             bool                `json:"issues_enabled"`
	MergeRequestsEnabled                      bool                `json:"merge_requests_enabled"`
	WikiEnabled                               bool                `json:"wiki_enabled"`
	JobsEnabled                               bool                `json:"jobs_enabled"`
	SnippetsEnabled                           bool                `json:"snippets_enabled"`
	ServiceDeskEnabled                        bool                `json:"service_desk_enabled"`
	CanCreateMergeRequestIn                   bool                `json:"can_create_merge_request_in"`
	IssuesAccessLevel                         string              `json:"issues_access_level"`
	RepositoryAccessLevel                     string              `json:"repository_access_level"`
	MergeRequestsAccessLevel                  string              `json:"merge_requests_access_level"`
	ForkingAccessLevel                        string              `json:"forking_access_level"`
	WikiAccessLevel                           string              `json:"wiki_access_level"`
	BuildsAccessLevel                         string              `json:"builds_access_level"`
	SnippetsAccessLevel                       string              `json:"snippets_access_level"`
	PagesAccessLevel                          string              `json:"pages_access_level"`
	AnalyticsAccessLevel                      string              `json:"analytics_access_level"`
	SecurityAndComplianceAccessLevel          string              `json:"security_and_compliance_access_level"`
	ReleasesAccessLevel                       string              `json:"releases_access_level"`
	EnvironmentsAccessLevel                   string              `json:"environments_access_level"`
	FeatureFlagsAccessLevel                   string              `json:"feature_flags_access_level"`
	InfrastructureAccessLevel                 string              `json:"infrastructure_access_level"`
	MonitorAccessLevel                        string              `json:"monitor_access_level"`
	ModelExperimentsAccessLevel               string              `json:"model_experiments_access_level"`
	ModelRegistryAccessLevel                  string              `json:"model_registry_access_level"`
	EmailsDisabled                            bool                `json:"emails_disabled"`
	EmailsEnabled                             bool                `json:"emails_enabled"`
	SharedRunnersEnabled                      bool                `json:"shared_runners_enabled"`
	LFSEnabled                                bool                `json:"lfs_enabled"`
	CreatorID                                 *int64              `json:"creator_id"`
	ImportURL                                 *string             `json:"import_url"`
	ImportType                                *string             `json:"import_type"`
	ImportStatus                              string              `json:"import_status"`
	ImportError                               *string             `json:"import_error"`
	OpenIssuesCount                           int                 `json:"open_issues_count"`
	UpdatedAt                                 string              `json:"updated_at"`
	CIDefaultGitDepth                         int                 `json:"ci_default_git_depth"`
	CIConfigPath                              *string             `json:"ci_config_path"`
	PublicJobs                                bool                `json:"public_jobs"`
	BuildTimeout                              int                 `json:"build_timeout"`
	AutoCancelPendingPipelines                string              `json:"auto_cancel_pending_pipelines"`
	SharedWithGroups                          []any               `json:"shared_with_groups"`
	OnlyAllowMergeIfPipelineSucceeds          bool                `json:"only_allow_merge_if_pipeline_succeeds"`
	AllowMergeOnSkippedPipeline               *bool               `json:"allow_merge_on_skipped_pipeline"`
	RequestAccessEnabled                      bool                `json:"request_access_enabled"`
	OnlyAllowMergeIfAllDiscussionsAreResolved bool                `json:"only_allow_merge_if_all_discussions_are_resolved"`
	RemoveSourceBranchAfterMerge              bool                `json:"remove_source_branch_after_merge"`
	PrintingMergeRequestLinkEnabled           bool                `json:"printing_merge_request_link_enabled"`
	MergeMethod                               string              `json:"merge_method"`
	SquashOption                              string              `json:"squash_option"`
	AutocloseReferencedIssues                 bool                `json:"autoclose_referenced_issues"`
	MarkedForDeletionAt                       *string             `json:"marked_for_deletion_at"`
	MarkedForDeletionOn                       *string             `json:"marked_for_deletion_on"`
	ComplianceFrameworks                      []string            `json:"compliance_frameworks"`
	Permissions                               *projectPermissions `json:"permissions,omitempty"`
}

// projectFeatureLevel is a feature's access level as the API names it.
func projectFeatureLevel(enabled bool) string {
	if enabled {
		return "enabled"
	}
	return "disabled"
}

// projectNamespaceWebURL is a namespace's page: /groups/… for groups, /user for users.
func projectNamespaceWebURL(base string, ns *store.Namespace) string {
	if ns.IsGroup() {
		return base + "/groups/" + ns.FullPath
	}
	return base + "/" + ns.FullPath
}

// projectBase is what every project entity of a request shares: the base
// URL and its host name (for ssh_url_to_repo), worked out once per request
// rather than once per project of a list.
type projectBase struct {
	url, host string
}

func (a *API) projectBase(r *http.Request) projectBase {
	base := a.baseURL(r)
	host := r.Host
	if u, err := url.Parse(base); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	return projectBase{url: base, host: host}
}

// basicProjectAt renders p under the request's projectBase.
func basicProjectAt(pb projectBase, p *store.Project) basicProject {
	base := pb.url
	full := p.FullPath()
	topics := p.Topics
	if topics == nil {
		topics = []string{}
	}
	// web_url is http_url_to_repo without ".git": one string serves both.
	git := base + "/" + full + ".git"
	ns := p.Namespace
	return basicProject{ID: p.ID, Description: p.Description, Name: p.Name, NameWithNamespace: p.FullName(),
		Path: p.Path, PathWithNamespace: full, CreatedAt: ts(p.CreatedAt), DefaultBranch: p.DefaultBranch,
		TagList: topics, Topics: topics, SSHURLToRepo: "git@" + pb.host + ":" + full + ".git",
		HTTPURLToRepo: git, WebURL: git[:len(git)-len(".git")], ForksCount: 0, StarCount: 0,
		LastActivityAt: ts(p.LastActivityAt), Visibility: access.VisibilityName(p.VisibilityLevel),
		Namespace: projectNamespace{ID: ns.ID, Name: ns.Name, Path: ns.Path, Kind: ns.Kind, FullPath: ns.FullPath,
			ParentID: ns.ParentID, WebURL: projectNamespaceWebURL(base, ns)}}
}

// fullProject renders p; owner is the personal namespace's owner (nil for
// group projects); perms, when set, adds the permissions object.
func (a *API) fullProject(r *http.Request, p *store.Project, owner *store.User, perms *store.ProjectAccess) fullProject {
	return fullProjectAt(a.projectBase(r), p, owner, perms)
}

// fullProjectAt is fullProject with the request's projectBase, for lists.
func fullProjectAt(pb projectBase, p *store.Project, owner *store.User, perms *store.ProjectAccess) fullProject {
	self := pb.url + Prefix + "/projects/" + strconv.FormatInt(p.ID, 10)
	f := fullProject{basicProject: basicProjectAt(pb, p),
		Links: projectLinks{Self: self, RepoBranches: self + "/repository/branches", Labels: self + "/labels",
			Events: self + "/events", Members: self + "/members", ClusterAgents: self + "/cluster_agents"},
		PackagesEnabled: true, EmptyRepo: p.EmptyRepo, Archived: p.Archived,
		ContainerRegistryEnabled: false, ContainerRegistryAccessLevel: "disabled",
		IssuesEnabled: p.IssuesEnabled, MergeRequestsEnabled: p.MergeRequestsEnabled, WikiEnabled: p.WikiEnabled,
		JobsEnabled: p.JobsEnabled, SnippetsEnabled: p.SnippetsEnabled,
		IssuesAccessLevel: projectFeatureLevel(p.IssuesEnabled), RepositoryAccessLevel: "enabled",
		MergeRequestsAccessLevel: projectFeatureLevel(p.MergeRequestsEnabled), ForkingAccessLevel: "enabled",
		WikiAccessLevel: projectFeatureLevel(p.WikiEnabled), BuildsAccessLevel: projectFeatureLevel(p.JobsEnabled),
		SnippetsAccessLevel: projectFeatureLevel(p.SnippetsEnabled), PagesAccessLevel: "private",
		AnalyticsAccessLevel: "enabled", SecurityAndComplianceAccessLevel: "private", ReleasesAccessLevel: "enabled",
		EnvironmentsAccessLevel: "enabled", FeatureFlagsAccessLevel: "enabled", InfrastructureAccessLevel: "enabled",
		MonitorAccessLevel: "enabled", ModelExperimentsAccessLevel: "enabled", ModelRegistryAccessLevel: "enabled",
		EmailsEnabled: true, SharedRunnersEnabled: true, LFSEnabled: p.LFSEnabled, CreatorID: p.CreatorID,
		ImportStatus: "none", UpdatedAt: ts(p.UpdatedAt), CIDefaultGitDepth: 20, BuildTimeout: 3600,
		AutoCancelPendingPipelines: "enabled", SharedWithGroups: []any{},
		RequestAccessEnabled: p.RequestAccessEnabled, PrintingMergeRequestLinkEnabled: true,
		MergeMethod: "merge", SquashOption: "default_off", AutocloseReferencedIssues: true,
		MarkedForDeletionAt: p.MarkedForDeletionOn, MarkedForDeletionOn: p.MarkedForDeletionOn,
		ComplianceFrameworks: []string{}}
	if p.IssuesEnabled {
		f.Links.Issues = self + "/issues"
	}
	if p.MergeRequestsEnabled {
		f.Links.MergeRequests = self + "/merge_requests"
	}
	if owner != nil {
		u := basicUserAt(pb.url, owner)
		f.Owner = &u
	}
	if perms != nil {
		f.Permissions = &projectPermissions{}
		// 3 is the "global" notification level GitLab reports by default.
		if perms.Project > 0 {
			f.Permissions.ProjectAccess = &projectAccessEntity{AccessLevel: perms.Project, NotificationLevel: 3}
		}
		if perms.Group > 0 && p.Namespace.IsGroup() {
			f.Permissions.GroupAccess = &projectAccessEntity{AccessLevel: perms.Group, NotificationLevel: 3}
		}
	}
	return f
}

// projectOwners batch-loads the owners of the personal namespaces among
// projects, keyed by user id.
func (a *API) projectOwners(ctx context.Context, projects []*store.Project) (map[int64]*store.User, error) {
	var ids []int64
	seen := map[int64]bool{}
	for _, p := range projects {
		if o := p.Namespace.OwnerID; !p.Namespace.IsGroup() && o != nil && !seen[*o] {
			seen[*o] = true
			ids = append(ids, *o)
		}
	}
	return a.db.Q().UsersByIDs(ctx, ids)
}

// projectOwnerOf returns the personal owner of p from a batch-loaded map.
func projectOwnerOf(p *store.Project, owners map[int64]*store.User) *store.User {
	if p.Namespace.IsGroup() || p.Namespace.OwnerID == nil {
		return nil
	}
	return owners[*p.Namespace.OwnerID]
}

// readmeMarkup are README extensions GitLab renders, preferred over a
// plain README when a repository has several.
var readmeMarkup = map[string]bool{"md": true, "markdown": true, "mdown": true, "mkd": true, "rst": true,
	"adoc": true, "asciidoc": true, "org": true, "textile": true, "rdoc": true}

// readmeURL is <web_url>/-/blob/<default_branch>/<readme> when the default
// branch has a README at its root, else nil. It costs one root tree read on
// the repository's warm cat-file process, so it is computed for
// single-project answers only, never per project of a list.
func (a *API) readmeURL(r *http.Request, p *store.Project) *string {
	if p.EmptyRepo || p.DefaultBranch == nil || a.svc.Repos == nil {
		return nil
	}
	entries, err := a.svc.Repos.Open(p.ID).Tree(r.Context(), *p.DefaultBranch, "", false)
	if err != nil {
		// A missing branch or repository just means no README; anything
		// else is worth a log line but not a failed request.
		if !errors.Is(err, repo.ErrNotFound) {
			a.log.WarnContext(r.Context(), "readme lookup", "project_id", p.ID, "err", err)
		}
		return nil
	}
	best, bestMarkup := "", false
	for _, e := range entries {
		lower := strings.ToLower(e.Name)
		if e.Type != "blob" || lower != "readme" && !strings.HasPrefix(lower, "readme.") {
			continue
		}
		markup := readmeMarkup[strings.TrimPrefix(path.Ext(lower), ".")]
		if best == "" || markup && !bestMarkup {
			best, bestMarkup = e.Name, markup
		}
	}
	if best == "" {
		return nil
	}
	u := a.baseURL(r) + "/" + p.FullPath() + "/-/blob/" + *p.DefaultBranch + "/" + best
	return &u
}
