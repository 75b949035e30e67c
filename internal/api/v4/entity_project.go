package v4

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/route"
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

// BasicProject is GitLab's BasicProjectDetails: the simple=true entity and
// what anonymous lists show.
type BasicProject struct {
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

// projectFeatureLevel is a feature's access level as the API names it.
func projectFeatureLevel(enabled bool) string {
	if enabled {
		return "enabled"
	}
	return "disabled"
}

// projectNamespaceWebURL is a namespace's page: /groups/… for groups, /user for users.
func projectNamespaceWebURL(base string, ns *model.Namespace) string {
	if ns.IsGroup() {
		return base + "/groups/" + ns.FullPath
	}
	return base + "/" + ns.FullPath
}

// ProjectBase is what every project entity of a request shares: the base
// URL, its host name and the SSH port for ssh_url_to_repo (sshPort empty
// on port 22 or without SSH), worked out once per request rather than once
// per project of a list, and whether avatars are Gravatar's.
type ProjectBase struct {
	url, host, sshPort string
	gravatar           bool
}

func (a *API) ProjectBase(r *http.Request) ProjectBase {
	base := a.BaseURL(r)
	host := r.Host
	if u, err := url.Parse(base); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	pb := ProjectBase{url: base, host: host, gravatar: a.gravatar}
	if a.sshPort != 0 && a.sshPort != 22 {
		pb.sshPort = strconv.Itoa(a.sshPort)
	}
	return pb
}

// BasicProjectAt renders p under the request's ProjectBase.
func BasicProjectAt(pb ProjectBase, p *model.Project) BasicProject {
	base := pb.url
	full := p.FullPath()
	topics := p.Topics
	if topics == nil {
		topics = []string{}
	}
	// web_url is http_url_to_repo without ".git": one string serves both.
	git := base + "/" + full + ".git"
	ssh := route.SSHRepoURL(pb.host, pb.sshPort, full)
	ns := p.Namespace
	return BasicProject{ID: p.ID, Description: p.Description, Name: p.Name, NameWithNamespace: p.FullName(),
		Path: p.Path, PathWithNamespace: full, CreatedAt: TS(p.CreatedAt), DefaultBranch: p.DefaultBranch,
		TagList: topics, Topics: topics, SSHURLToRepo: ssh,
		HTTPURLToRepo: git, WebURL: git[:len(git)-len(".git")], ForksCount: p.ForksCount, StarCount: p.StarCount,
		AvatarURL:      projectAvatarURL(base, p),
		LastActivityAt: TS(p.LastActivityAt), Visibility: access.VisibilityName(p.VisibilityLevel),
		Namespace: projectNamespace{ID: ns.ID, Name: ns.Name, Path: ns.Path, Kind: ns.Kind, FullPath: ns.FullPath,
			ParentID: ns.ParentID, AvatarURL: namespaceAvatar(base, ns), WebURL: projectNamespaceWebURL(base, ns)}}
}

// projectAvatarURL is a project's uploaded avatar's URL, null without one.
func projectAvatarURL(base string, p *model.Project) *string {
	if p.Avatar == "" {
		return nil
	}
	u := uploadedAvatarURL(base, "project", p.ID, p.Avatar)
	return &u
}

// projectOwners batch-loads the owners of the personal namespaces among
// projects, keyed by user id.
func (a *API) projectOwners(ctx context.Context, projects []*model.Project) (map[int64]*model.User, error) {
	var ids []int64
	seen := map[int64]bool{}
	for _, p := range projects {
		if o := p.Namespace.OwnerID; !p.Namespace.IsGroup() && o != nil && !seen[*o] {
			seen[*o] = true
			ids = append(ids, *o)
		}
	}
	return a.svc.UsersByIDs(ctx, ids)
}

// projectOwnerOf returns the personal owner of p from a batch-loaded map.
func projectOwnerOf(p *model.Project, owners map[int64]*model.User) *model.User {
	if p.Namespace.IsGroup() || p.Namespace.OwnerID == nil {
		return nil
	}
	return owners[*p.Namespace.OwnerID]
}

// readmeURL is <web_url>/-/blob/<default_branch>/<readme> when the default
// branch has a README at its root, else nil; single-project answers only.
func (a *API) readmeURL(r *http.Request, p *model.Project) *string {
	best, err := a.svc.ReadmeName(r.Context(), p)
	if err != nil {
		// Worth a log line, not a failed request.
		a.log.WarnContext(r.Context(), "readme lookup", "project_id", p.ID, "err", err)
		return nil
	}
	if best == "" {
		return nil
	}
	u := a.BaseURL(r) + "/" + p.FullPath() + "/-/blob/" + *p.DefaultBranch + "/" + best
	return &u
}
