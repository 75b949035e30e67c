package snippets

import (
	"strconv"

	"github.com/lablet/lablet/internal/access"
	v4 "github.com/lablet/lablet/internal/api/v4"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// snippetEntity is GitLab's Entities::Snippet (PersonalSnippet and
// ProjectSnippet show the same fields).
type snippetEntity struct {
	ID                int64               `json:"id"`
	Title             string              `json:"title"`
	Description       string              `json:"description"`
	Visibility        string              `json:"visibility"`
	Author            *v4.BasicUser       `json:"author"`
	CreatedAt         string              `json:"created_at"`
	UpdatedAt         string              `json:"updated_at"`
	ProjectID         *int64              `json:"project_id"`
	WebURL            string              `json:"web_url"`
	RawURL            string              `json:"raw_url"`
	SSHURLToRepo      string              `json:"ssh_url_to_repo"`
	HTTPURLToRepo     string              `json:"http_url_to_repo"`
	FileName          string              `json:"file_name"`
	Files             []snippetFileEntity `json:"files"`
	Imported          bool                `json:"imported"`
	ImportedFrom      string              `json:"imported_from"`
	RepositoryStorage string              `json:"repository_storage,omitempty"`
}

// snippetFileEntity is one of a snippet's files.
type snippetFileEntity struct {
	Path   string `json:"path"`
	RawURL string `json:"raw_url"`
}

// snippetJSON renders a snippet; p is its project (nil for a personal
// one), author nil when the author is gone. repository_storage shows to
// administrators only, as GitLab's.
func snippetJSON(a *v4.API, pb v4.ProjectBase, sn *model.Snippet, p *model.Project, author *model.User, admin bool) snippetEntity {
	base := pb.URL()
	id := strconv.FormatInt(sn.ID, 10)
	// GitLab's URL builder: /-/snippets/:id for personal snippets,
	// /<project>/-/snippets/:id for a project's; git the same with ".git".
	repoPath := "snippets/" + id
	web := base + "/-/snippets/" + id
	if p != nil {
		repoPath = p.FullPath() + "/-/snippets/" + id
		web = base + "/" + repoPath
	}
	e := snippetEntity{ID: sn.ID, Title: sn.Title, Description: sn.Description,
		Visibility: access.VisibilityName(sn.VisibilityLevel), CreatedAt: v4.TS(sn.CreatedAt), UpdatedAt: v4.TS(sn.UpdatedAt),
		ProjectID: sn.ProjectID, WebURL: web, RawURL: web + "/raw", SSHURLToRepo: pb.SSHURL(repoPath),
		HTTPURLToRepo: base + "/" + repoPath + ".git", ImportedFrom: "none", Files: []snippetFileEntity{}}
	if author != nil {
		u := v4.BasicUserAt(base, a.Gravatar(), author)
		e.Author = &u
	}
	for _, f := range sn.FilePaths {
		e.Files = append(e.Files, snippetFileEntity{Path: f, RawURL: web + "/raw/" + service.DefaultBranch + "/" + escapePath(f)})
	}
	if len(sn.FilePaths) > 0 {
		e.FileName = sn.FilePaths[0]
	}
	if admin {
		e.RepositoryStorage = "default"
	}
	return e
}
