package v4

import (
	"net/http"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/model"
)

// groupAccessLevel is one entry of default_branch_protection_defaults.
type groupAccessLevel struct {
	AccessLevel int `json:"access_level"`
}

// branchProtectionDefaults is GitLab's default: Maintainers push and merge.
type branchProtectionDefaults struct {
	AllowedToPush           []groupAccessLevel `json:"allowed_to_push"`
	AllowForcePush          bool               `json:"allow_force_push"`
	AllowedToMerge          []groupAccessLevel `json:"allowed_to_merge"`
	DeveloperCanInitialPush bool               `json:"developer_can_initial_push"`
}

// groupEntity is GitLab's API::Entities::Group.
type groupEntity struct {
	ID                              int64                    `json:"id"`
	WebURL                          string                   `json:"web_url"`
	Name                            string                   `json:"name"`
	Path                            string                   `json:"path"`
	Description                     string                   `json:"description"`
	Visibility                      string                   `json:"visibility"`
	ShareWithGroupLock              bool                     `json:"share_with_group_lock"`
	RequireTwoFactorAuthentication  bool                     `json:"require_two_factor_authentication"`
	TwoFactorGracePeriod            int                      `json:"two_factor_grace_period"`
	ProjectCreationLevel            string                   `json:"project_creation_level"`
	AutoDevopsEnabled               *bool                    `json:"auto_devops_enabled"`
	SubgroupCreationLevel           string                   `json:"subgroup_creation_level"`
	EmailsDisabled                  bool                     `json:"emails_disabled"`
	EmailsEnabled                   bool                     `json:"emails_enabled"`
	MentionsDisabled                *bool                    `json:"mentions_disabled"`
	LFSEnabled                      bool                     `json:"lfs_enabled"`
	MathRenderingLimitsEnabled      bool                     `json:"math_rendering_limits_enabled"`
	LockMathRenderingLimitsEnabled  bool                     `json:"lock_math_rendering_limits_enabled"`
	DefaultBranch                   *string                  `json:"default_branch"`
	DefaultBranchProtection         int                      `json:"default_branch_protection"`
	DefaultBranchProtectionDefaults branchProtectionDefaults `json:"default_branch_protection_defaults"`
	AvatarURL                       *string                  `json:"avatar_url"`
	RequestAccessEnabled            bool                     `json:"request_access_enabled"`
	FullName                        string                   `json:"full_name"`
	FullPath                        string                   `json:"full_path"`
	CreatedAt                       string                   `json:"created_at"`
	ParentID                        *int64                   `json:"parent_id"`
	OrganizationID                  int                      `json:"organization_id"`
	SharedRunnersSetting            string                   `json:"shared_runners_setting"`
	MaxArtifactsSize                *int64                   `json:"max_artifacts_size"`
	LDAPCN                          *string                  `json:"ldap_cn"`
	LDAPAccess                      *int                     `json:"ldap_access"`
	WikiAccessLevel                 string                   `json:"wiki_access_level"`
	MarkedForDeletionOn             *string                  `json:"marked_for_deletion_on"`
}

// groupDetail is API::Entities::GroupDetail, returned for a single group.
type groupDetail struct {
	groupEntity
	SharedWithGroups                     []any   `json:"shared_with_groups"`
	RunnersToken                         *string `json:"runners_token,omitempty"`
	PreventSharingGroupsOutsideHierarchy bool    `json:"prevent_sharing_groups_outside_hierarchy"`
	Projects                             []any   `json:"projects"`
	SharedProjects                       []any   `json:"shared_projects"`
}

// groupWebURL is where a group's page lives.
func (a *API) groupWebURL(r *http.Request, fullPath string) string {
	return a.BaseURL(r) + "/groups/" + fullPath
}

func (a *API) group(r *http.Request, g *model.Namespace) groupEntity {
	maintainer := []groupAccessLevel{{AccessLevel: int(access.Maintainer)}}
	return groupEntity{
		ID: g.ID, WebURL: a.groupWebURL(r, g.FullPath), Name: g.Name, Path: g.Path, Description: g.Description,
		Visibility: access.VisibilityName(g.VisibilityLevel), TwoFactorGracePeriod: 48,
		ProjectCreationLevel: g.ProjectCreationLevel, SubgroupCreationLevel: g.SubgroupCreationLevel,
		EmailsEnabled: true, LFSEnabled: g.LFSEnabled, DefaultBranchProtection: 2,
		DefaultBranchProtectionDefaults: branchProtectionDefaults{AllowedToPush: maintainer, AllowedToMerge: maintainer},
		RequestAccessEnabled:            g.RequestAccessEnabled, FullName: g.FullName, FullPath: g.FullPath,
		CreatedAt: TS(g.CreatedAt), ParentID: g.ParentID, OrganizationID: 1, SharedRunnersSetting: "enabled",
		WikiAccessLevel: "enabled", MarkedForDeletionOn: g.MarkedForDeletionOn,
		AvatarURL: namespaceAvatar(a.BaseURL(r), g),
	}
}

func (a *API) groups(r *http.Request, gs []*model.Namespace) []groupEntity {
	out := make([]groupEntity, len(gs))
	for i, g := range gs {
		out[i] = a.group(r, g)
	}
	return out
}

// groupDetail renders one group. Its projects are listed by
// GET /groups/:id/projects; the deprecated arrays stay empty here.
func (a *API) groupDetail(r *http.Request, g *model.Namespace) groupDetail {
	return groupDetail{groupEntity: a.group(r, g), SharedWithGroups: []any{}, Projects: []any{}, SharedProjects: []any{}}
}

// BasicGroupEntity is GitLab's Entities::BasicGroupDetails, a group as
// other entities embed it.
type BasicGroupEntity struct {
	ID     int64  `json:"id"`
	WebURL string `json:"web_url"`
	Name   string `json:"name"`
}

func (a *API) BasicGroup(r *http.Request, g *model.Namespace) *BasicGroupEntity {
	return &BasicGroupEntity{ID: g.ID, WebURL: a.groupWebURL(r, g.FullPath), Name: g.Name}
}
