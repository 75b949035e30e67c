package graphql

import (
	"time"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/repo"
)

// Project is a project the caller may see, as the schema's Project. The
// generated field resolvers read from p; level is the caller's access.
type Project struct {
	p     *model.Project
	level int
	// readCode: the viewer may read the project's code (GitLab's read_code
	// on RepositoryType), decided when the node is built.
	readCode bool
	// set is the projects of the connection page it is on (gqlstats.go).
	set *projectSet

	ID                string     `json:"id"`
	Name              string     `json:"name"`
	Path              string     `json:"path"`
	FullPath          string     `json:"fullPath"`
	NameWithNamespace string     `json:"nameWithNamespace"`
	Description       *string    `json:"description"`
	Visibility        *string    `json:"visibility"`
	Archived          *bool      `json:"archived"`
	CreatedAt         *time.Time `json:"createdAt"`
	WebURL            *string    `json:"webUrl"`
	HTTPURLToRepo     *string    `json:"httpUrlToRepo"`
}

// Group is a group the caller may see.
type Group struct {
	g *model.Namespace

	ID          string     `json:"id"`
	Name        string     `json:"name"`
	Path        string     `json:"path"`
	FullName    string     `json:"fullName"`
	FullPath    string     `json:"fullPath"`
	Description *string    `json:"description"`
	Visibility  *string    `json:"visibility"`
	WebURL      string     `json:"webUrl"`
	CreatedAt   *time.Time `json:"createdAt"`
}

// Namespace is a group or a user's personal namespace.
type Namespace struct {
	ns *model.Namespace

	ID          string  `json:"id"`
	Name        string  `json:"name"`
	Path        string  `json:"path"`
	FullName    string  `json:"fullName"`
	FullPath    string  `json:"fullPath"`
	Description *string `json:"description"`
	Visibility  *string `json:"visibility"`
}

// Repository is a project's repository; the caller may read its code.
type Repository struct {
	project *Project
}

// Repository and RootRef are methods, not resolvers: gqlgen runs each
// resolver of a node in a goroutine of its own, and a page of projects
// asking for `repository { rootRef }` paid two per node for what needs
// neither the context nor the database.

// Repository is the project's repository when the viewer may read its
// code, else null.
func (p *Project) Repository() *Repository {
	if !p.readCode {
		return nil
	}
	return &Repository{project: p}
}

// RootRef is the repository's default branch.
func (r *Repository) RootRef() *string { return r.project.p.DefaultBranch }

// Tree is one directory of a repository at a commit.
type Tree struct {
	project *Project
	ref     string
	sha     string // the commit ref resolved to; path is the directory
	path    string
	entries []repo.TreeEntry
}

// ProjectMember is a member of a project.
type ProjectMember struct {
	projectID int64

	ID          string       `json:"id"`
	AccessLevel *AccessLevel `json:"accessLevel"`
	CreatedAt   *time.Time   `json:"createdAt"`
	ExpiresAt   *time.Time   `json:"expiresAt"`
	User        *UserCore    `json:"user"`
}

func (ProjectMember) IsMemberInterface() {}

// GetID etc. satisfy gqlgen's interface getters.
func (m ProjectMember) GetID() string                { return m.ID }
func (m ProjectMember) GetAccessLevel() *AccessLevel { return m.AccessLevel }
func (m ProjectMember) GetCreatedAt() *time.Time     { return m.CreatedAt }
func (m ProjectMember) GetExpiresAt() *time.Time     { return m.ExpiresAt }
func (m ProjectMember) GetUser() *UserCore           { return m.User }

// GroupMember is a member of a group.
type GroupMember struct {
	groupID int64

	ID          string       `json:"id"`
	AccessLevel *AccessLevel `json:"accessLevel"`
	CreatedAt   *time.Time   `json:"createdAt"`
	ExpiresAt   *time.Time   `json:"expiresAt"`
	User        *UserCore    `json:"user"`
}

func (GroupMember) IsMemberInterface() {}

func (m GroupMember) GetID() string                { return m.ID }
func (m GroupMember) GetAccessLevel() *AccessLevel { return m.AccessLevel }
func (m GroupMember) GetCreatedAt() *time.Time     { return m.CreatedAt }
func (m GroupMember) GetExpiresAt() *time.Time     { return m.ExpiresAt }
func (m GroupMember) GetUser() *UserCore           { return m.User }
