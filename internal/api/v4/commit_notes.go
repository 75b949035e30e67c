package v4

import (
	"net/http"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// A commit's discussions are the generic ones (discussions.go) with the
// commit as noteable (noteableRef reads {sha}); its comments, below, are
// GitLab's older commits API over the same notes.

// commitCommentEntity is GitLab's Entities::CommitNote.
type commitCommentEntity struct {
	Note      string     `json:"note"`
	Path      *string    `json:"path"`
	Line      *int       `json:"line"`
	LineType  *string    `json:"line_type"`
	Author    *BasicUser `json:"author"`
	CreatedAt string     `json:"created_at"`
}

func (a *API) commitCommentJSON(r *http.Request, n *model.Note, users map[int64]*model.User) commitCommentEntity {
	e := commitCommentEntity{Note: n.Body, CreatedAt: TS(n.CreatedAt)}
	if n.AuthorID != nil && users[*n.AuthorID] != nil {
		u := BasicUserAt(a.BaseURL(r), a.gravatar, users[*n.AuthorID])
		e.Author = &u
	}
	if pos := service.NotePosition(n); pos != nil {
		path, lt, line := pos.NewPath, pos.LineType(), int(pos.Line())
		e.Path, e.Line = &path, &line
		if lt != "" {
			e.LineType = &lt
		}
	}
	return e
}

func (a *API) listCommitComments(w http.ResponseWriter, r *http.Request, c *Call) error {
	ref, err := noteableRef(r, "sha")
	if err != nil {
		return err
	}
	pg := PageOf(c.params)
	list, err := a.svc.ListCommitComments(r.Context(), c.id, ref, pg.PerPage, pg.Offset())
	if err != nil {
		return err
	}
	a.SetPageHeaders(w, r, pg, list.Total)
	out := make([]commitCommentEntity, 0, len(list.Notes))
	for _, n := range list.Notes {
		out = append(out, a.commitCommentJSON(r, n, list.Users))
	}
	return WriteOK(w, out)
}

func (a *API) createCommitComment(w http.ResponseWriter, r *http.Request, c *Call) error {
	ref, err := noteableRef(r, "sha")
	if err != nil {
		return err
	}
	var in service.CommitCommentInput
	if in.Note, err = c.params.Required("note", maxNoteBytes); err != nil {
		return err
	}
	// The official client sends path, line and line_type as null when
	// not set; Grape takes null for an optional parameter as not given.
	given := func(name string) bool { v, ok := c.params.Raw(name); return ok && v != nil }
	if in.Path, _, err = c.params.Text("path", 4096); err != nil {
		return err
	}
	if given("line") {
		line, _, err := c.params.Int("line")
		if err != nil {
			return err
		}
		in.Line = int(line)
	}
	in.LineType = "new" // GitLab's default
	if given("line_type") {
		if in.LineType, _, err = c.params.OneOf("line_type", "new", "old"); err != nil {
			return err
		}
	}
	list, err := a.svc.CreateCommitComment(r.Context(), c.id, ref, in)
	if err != nil {
		return err
	}
	return WriteCreated(w, a.commitCommentJSON(r, list.Notes[0], list.Users))
}
