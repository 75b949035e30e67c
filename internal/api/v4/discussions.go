package v4

import (
	"net/http"

	"github.com/lablet/lablet/internal/service"
)

func (a *API) listIssueDiscussions(w http.ResponseWriter, r *http.Request, c *Call) error {
	ref, err := noteableRef(r, "noteable_id")
	if err != nil {
		return err
	}
	pg := PageOf(c.params)
	list, err := a.svc.ListDiscussions(r.Context(), c.id, ref, pg.PerPage, pg.Offset())
	if err != nil {
		return err
	}
	a.SetPageHeaders(w, r, pg, list.Total)
	out := make([]discussionEntity, 0, len(list.Discussions))
	for _, d := range list.Discussions {
		out = append(out, a.discussionJSON(r, list, d))
	}
	return WriteOK(w, out)
}

func (a *API) getIssueDiscussion(w http.ResponseWriter, r *http.Request, c *Call) error {
	ref, err := noteableRef(r, "noteable_id")
	if err != nil {
		return err
	}
	list, err := a.svc.GetDiscussion(r.Context(), c.id, ref, r.PathValue("discussion_id"))
	if err != nil {
		return err
	}
	return WriteOK(w, a.discussionJSON(r, list, list.Discussions[0]))
}

func (a *API) createIssueDiscussion(w http.ResponseWriter, r *http.Request, c *Call) error {
	ref, err := noteableRef(r, "noteable_id")
	if err != nil {
		return err
	}
	// GitLab's discussions API takes no internal flag.
	in, err := noteInput(c.params, false)
	if err != nil {
		return err
	}
	pos, err := positionParam(c.params)
	if err != nil {
		return err
	}
	list, err := a.svc.CreateDiscussion(r.Context(), c.id, ref, in, pos)
	if err != nil {
		return err
	}
	return WriteCreated(w, a.discussionJSON(r, list, list.Discussions[0]))
}

// listIssueDiscussionNotes is GET …/discussions/:id/notes: the notes of
// one discussion, "404 Notes Not Found" when the caller reads none.
func (a *API) listIssueDiscussionNotes(w http.ResponseWriter, r *http.Request, c *Call) error {
	ref, err := noteableRef(r, "noteable_id")
	if err != nil {
		return err
	}
	list, err := a.svc.GetDiscussion(r.Context(), c.id, ref, r.PathValue("discussion_id"))
	if se := service.Classify(err); err != nil && se.Kind == service.KindNotFound && se.Message == "Discussion Not Found" {
		return service.NotFound("Notes")
	}
	if err != nil {
		return err
	}
	d := list.Discussions[0]
	out := make([]noteEntity, 0, len(d.Notes))
	for _, n := range d.Notes {
		out = append(out, a.noteJSON(r, list.Noteable, n, list.Users).withSuggestions(n, list.Suggestions))
	}
	return WriteOK(w, out)
}

func (a *API) replyToIssueDiscussion(w http.ResponseWriter, r *http.Request, c *Call) error {
	ref, err := noteableRef(r, "noteable_id")
	if err != nil {
		return err
	}
	in, err := noteInput(c.params, false)
	if err != nil {
		return err
	}
	list, err := a.svc.ReplyToDiscussion(r.Context(), c.id, ref, r.PathValue("discussion_id"), in)
	if err != nil {
		return err
	}
	return WriteCreated(w, a.notesJSON(r, list)[0])
}

// The routes on one note of a discussion address the note by its id
// alone, as GitLab's do (the discussion id is not checked).

func (a *API) getIssueDiscussionNote(w http.ResponseWriter, r *http.Request, c *Call) error {
	return a.getIssueNote(w, r, c)
}

// updateIssueDiscussionNote takes exactly one of body and resolved.
func (a *API) updateIssueDiscussionNote(w http.ResponseWriter, r *http.Request, c *Call) error {
	ref, err := noteableRef(r, "noteable_id")
	if err != nil {
		return err
	}
	noteID, err := PathID(r, "note_id", "note_id")
	if err != nil {
		return err
	}
	body, hasBody, err := c.params.Text("body", maxNoteBytes)
	if err != nil {
		return err
	}
	resolved, hasResolved, err := c.params.Bool("resolved")
	if err != nil {
		return err
	}
	var list *service.Notes
	switch {
	case hasBody && hasResolved:
		return service.ParamError("body, resolved are mutually exclusive")
	case hasBody:
		list, err = a.svc.UpdateNote(r.Context(), c.id, ref, noteID, &body)
	case hasResolved:
		list, err = a.svc.ResolveNote(r.Context(), c.id, ref, noteID, resolved)
	default:
		return service.ParamError("body, resolved are missing, exactly one parameter must be provided")
	}
	if err != nil {
		return err
	}
	return WriteOK(w, a.notesJSON(r, list)[0])
}

func (a *API) deleteIssueDiscussionNote(w http.ResponseWriter, r *http.Request, c *Call) error {
	return a.deleteIssueNote(w, r, c)
}

// resolveDiscussion is PUT …/discussions/:discussion_id with resolved
// (required): every note of the discussion resolved or unresolved.
func (a *API) resolveDiscussion(w http.ResponseWriter, r *http.Request, c *Call) error {
	ref, err := noteableRef(r, "noteable_id")
	if err != nil {
		return err
	}
	resolved, ok, err := c.params.Bool("resolved")
	if err != nil {
		return err
	}
	if !ok {
		return service.ParamError("resolved is missing")
	}
	list, err := a.svc.ResolveDiscussion(r.Context(), c.id, ref, r.PathValue("discussion_id"), resolved)
	if err != nil {
		return err
	}
	return WriteOK(w, a.discussionJSON(r, list, list.Discussions[0]))
}
