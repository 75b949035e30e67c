package v4

import (
	"strconv"

	"github.com/lablet/lablet/internal/model"
)

// The project entity as a struct, and fullProjectAt, which builds it from
// a row: the specification. encoding/json of that struct is what GitLab's
// API answers. Production code never builds it: appendProjectEntity
// (project_encode_gen.go) is generated from these declarations and the
// functions fullProjectAt calls, and writes the same bytes straight from
// the row. After changing any of them, run go generate ./internal/api/v4.
// The generator evaluates fullProjectAt symbolically (internal/entitygen):
// keep it and what it calls to assignments, if/else and returns. Tests
// decode responses into these structs.

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
	BasicProject
	Links                                     projectLinks `json:"_links"`
	PackagesEnabled                           bool         `json:"packages_enabled"`
	EmptyRepo                                 bool         `json:"empty_repo"`
	Archived                                  bool         `json:"archived"`
	Owner                                     *BasicUser   `json:"owner,omitempty"`
	ResolveOutdatedDiffDiscussions            bool         `json:"resolve_outdated_diff_discussions"`
	ContainerRegistryEnabled                  bool         `json:"container_registry_enabled"`
	ContainerRegistryAccessLevel              string       `json:"container_registry_access_level"`
	IssuesEnabled                             bool         `json:"issues_enabled"`
	MergeRequestsEnabled                      bool         `json:"merge_requests_enabled"`
	WikiEnabled                               bool         `json:"wiki_enabled"`
	JobsEnabled                               bool         `json:"jobs_enabled"`
	SnippetsEnabled                           bool         `json:"snippets_enabled"`
	ServiceDeskEnabled                        bool         `json:"service_desk_enabled"`
	CanCreateMergeRequestIn                   bool         `json:"can_create_merge_request_in"`
	IssuesAccessLevel                         string       `json:"issues_access_level"`
	RepositoryAccessLevel                     string       `json:"repository_access_level"`
	MergeRequestsAccessLevel                  string       `json:"merge_requests_access_level"`
	ForkingAccessLevel                        string       `json:"forking_access_level"`
	WikiAccessLevel                           string       `json:"wiki_access_level"`
	BuildsAccessLevel                         string       `json:"builds_access_level"`
	SnippetsAccessLevel                       string       `json:"snippets_access_level"`
	PagesAccessLevel                          string       `json:"pages_access_level"`
	AnalyticsAccessLevel                      string       `json:"analytics_access_level"`
	SecurityAndComplianceAccessLevel          string       `json:"security_and_compliance_access_level"`
	ReleasesAccessLevel                       string       `json:"releases_access_level"`
	EnvironmentsAccessLevel                   string       `json:"environments_access_level"`
	FeatureFlagsAccessLevel                   string       `json:"feature_flags_access_level"`
	InfrastructureAccessLevel                 string       `json:"infrastructure_access_level"`
	MonitorAccessLevel                        string       `json:"monitor_access_level"`
	ModelExperimentsAccessLevel               string       `json:"model_experiments_access_level"`
	ModelRegistryAccessLevel                  string       `json:"model_registry_access_level"`
	EmailsDisabled                            bool         `json:"emails_disabled"`
	EmailsEnabled                             bool         `json:"emails_enabled"`
	SharedRunnersEnabled                      bool         `json:"shared_runners_enabled"`
	LFSEnabled                                bool         `json:"lfs_enabled"`
	CreatorID                                 *int64       `json:"creator_id"`
	ImportURL                                 *string      `json:"import_url"`
	ImportType                                *string      `json:"import_type"`
	ImportStatus                              string       `json:"import_status"`
	ImportError                               *string      `json:"import_error"`
	OpenIssuesCount                           int          `json:"open_issues_count"`
	UpdatedAt                                 string       `json:"updated_at"`
	CIDefaultGitDepth                         int          `json:"ci_default_git_depth"`
	CIConfigPath                              *string      `json:"ci_config_path"`
	PublicJobs                                bool         `json:"public_jobs"`
	BuildTimeout                              int          `json:"build_timeout"`
	AutoCancelPendingPipelines                string       `json:"auto_cancel_pending_pipelines"`
	SharedWithGroups                          []any        `json:"shared_with_groups"`
	OnlyAllowMergeIfPipelineSucceeds          bool         `json:"only_allow_merge_if_pipeline_succeeds"`
	AllowMergeOnSkippedPipeline               bool         `json:"allow_merge_on_skipped_pipeline"`
	RequestAccessEnabled                      bool         `json:"request_access_enabled"`
	OnlyAllowMergeIfAllDiscussionsAreResolved bool         `json:"only_allow_merge_if_all_discussions_are_resolved"`
	RemoveSourceBranchAfterMerge              bool         `json:"remove_source_branch_after_merge"`
	PrintingMergeRequestLinkEnabled           bool         `json:"printing_merge_request_link_enabled"`
	MergeMethod                               string       `json:"merge_method"`
	SquashOption                              string       `json:"squash_option"`
	MergeCommitTemplate                       *string      `json:"merge_commit_template"`
	SquashCommitTemplate                      *string      `json:"squash_commit_template"`
	AutocloseReferencedIssues                 bool         `json:"autoclose_referenced_issues"`
	MarkedForDeletionAt                       *string      `json:"marked_for_deletion_at"`
	MarkedForDeletionOn                       *string      `json:"marked_for_deletion_on"`
	ComplianceFrameworks                      []string     `json:"compliance_frameworks"`
	// ForkedFromProject and MRDefaultTargetSelf depend on the caller and
	// are spliced in per request (withForkedFrom), as Permissions are.
	ForkedFromProject   *BasicProject       `json:"forked_from_project,omitempty"`
	MRDefaultTargetSelf *bool               `json:"mr_default_target_self,omitempty"`
	Permissions         *projectPermissions `json:"permissions,omitempty"`
}

// fullProjectAt builds the entity of p as a struct: owner is the personal
// namespace's owner (nil for group projects), readme the readme_url (nil
// when unknown); perms, when set, adds the permissions object.
func fullProjectAt(pb ProjectBase, p *model.Project, owner *model.User, readme *string, perms *model.ProjectAccess) fullProject {
	self := pb.url + Prefix + "/projects/" + strconv.FormatInt(p.ID, 10)
	f := fullProject{BasicProject: BasicProjectAt(pb, p),
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
		ImportStatus: p.ImportStatus, UpdatedAt: TS(p.UpdatedAt), CIDefaultGitDepth: 20, BuildTimeout: 3600,
		AutoCancelPendingPipelines: projectFeatureLevel(p.AutoCancelPendingPipelines), SharedWithGroups: []any{},
		RequestAccessEnabled: p.RequestAccessEnabled, PrintingMergeRequestLinkEnabled: true,
		OnlyAllowMergeIfPipelineSucceeds:          p.OnlyAllowMergeIfPipelineSucceeds,
		AllowMergeOnSkippedPipeline:               p.AllowMergeOnSkippedPipeline,
		OnlyAllowMergeIfAllDiscussionsAreResolved: p.OnlyAllowMergeIfAllDiscussionsAreResolved,
		RemoveSourceBranchAfterMerge:              p.RemoveSourceBranchAfterMerge,
		MergeMethod:                               p.MergeMethod, SquashOption: p.SquashOption,
		MergeCommitTemplate: p.MergeCommitTemplate, SquashCommitTemplate: p.SquashCommitTemplate,
		AutocloseReferencedIssues: true,
		MarkedForDeletionAt:       p.MarkedForDeletionOn, MarkedForDeletionOn: p.MarkedForDeletionOn,
		ComplianceFrameworks: []string{}}
	f.ReadmeURL = readme
	if p.IssuesEnabled {
		f.Links.Issues = self + "/issues"
	}
	if p.MergeRequestsEnabled {
		f.Links.MergeRequests = self + "/merge_requests"
	}
	if owner != nil {
		u := BasicUserAt(pb.url, pb.gravatar, owner)
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
