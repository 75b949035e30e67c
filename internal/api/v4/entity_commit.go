package v4

import (
	"net/http"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/repo"
)

// commitEntity is GitLab's Commit entity (the basic shape every list and
// reference uses).
type commitEntity struct {
	ID               string            `json:"id"`
	ShortID          string            `json:"short_id"`
	CreatedAt        string            `json:"created_at"`
	ParentIDs        []string          `json:"parent_ids"`
	Title            string            `json:"title"`
	Message          string            `json:"message"`
	AuthorName       string            `json:"author_name"`
	AuthorEmail      string            `json:"author_email"`
	AuthoredDate     string            `json:"authored_date"`
	CommitterName    string            `json:"committer_name"`
	CommitterEmail   string            `json:"committer_email"`
	CommittedDate    string            `json:"committed_date"`
	Trailers         map[string]string `json:"trailers"`
	ExtendedTrailers map[string]any    `json:"extended_trailers"`
	WebURL           string            `json:"web_url"`
}

// commitTime formats git dates as GitLab does: with the author's offset
// and milliseconds, e.g. 2026-11-22T09:06:12.000+01:00.
const commitTimeLayout = "2006-01-02T15:04:05.000-07:00"

func (a *API) commitEntity(r *http.Request, p *model.Project, c *repo.Commit) commitEntity {
	parents := c.Parents
	if parents == nil {
		parents = []string{}
	}
	short := c.ID
	if len(short) > 8 {
		short = short[:8]
	}
	return commitEntity{
		ID: c.ID, ShortID: short, CreatedAt: c.Committer.Date.Format(commitTimeLayout), ParentIDs: parents,
		Title: c.Title, Message: c.Message,
		AuthorName: c.Author.Name, AuthorEmail: c.Author.Email, AuthoredDate: c.Author.Date.Format(commitTimeLayout),
		CommitterName: c.Committer.Name, CommitterEmail: c.Committer.Email,
		CommittedDate: c.Committer.Date.Format(commitTimeLayout),
		Trailers:      map[string]string{}, ExtendedTrailers: map[string]any{},
		WebURL: a.BaseURL(r) + "/" + p.FullPath() + "/-/commit/" + c.ID,
	}
}
