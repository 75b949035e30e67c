package v4

import (
	"net/http"
	"time"

	"github.com/lablet/lablet/internal/service"
)

// maxNoteBytes bounds a note's body in bytes before the service counts
// its characters (GitLab's limit is 1,000,000 characters).
const maxNoteBytes = 4 * service.MaxNoteLength

func (a *API) listIssueNotes(w http.ResponseWriter, r *http.Request, c *Call) error {
	ref, err := noteableRef(r, "noteable_id")
	if err != nil {
		return err
	}
	in := service.NoteListInput{OrderBy: "created_at"}
	if v, ok, err := c.params.OneOf("order_by", "created_at", "updated_at"); err != nil {
		return err
	} else if ok {
		in.OrderBy = v
	}
	if v, ok, err := c.params.OneOf("sort", "asc", "desc"); err != nil {
		return err
	} else if ok {
		in.Asc = v == "asc"
	}
	if v, ok, err := c.params.OneOf("activity_filter", "all_notes", "only_comments", "only_activity"); err != nil {
		return err
	} else if ok && v != "all_notes" {
		system := v == "only_activity"
		in.System = &system
	}
	pg := PageOf(c.params)
	in.Limit, in.Offset = pg.PerPage, pg.Offset()
	list, err := a.svc.ListNotes(r.Context(), c.id, ref, in)
	if err != nil {
		return err
	}
	a.SetPageHeaders(w, r, pg, list.Total)
	return WriteOK(w, a.notesJSON(r, list))
}

func (a *API) getIssueNote(w http.ResponseWriter, r *http.Request, c *Call) error {
	ref, err := noteableRef(r, "noteable_id")
	if err != nil {
		return err
	}
	noteID, err := PathID(r, "note_id", "note_id")
	if err != nil {
		return err
	}
	list, err := a.svc.GetNote(r.Context(), c.id, ref, noteID)
	if err != nil {
		return err
	}
	return WriteOK(w, a.notesJSON(r, list)[0])
}

// noteInput reads a new note's body, internal (or its old name
// confidential) and created_at.
func noteInput(p *Params, withInternal bool) (service.NoteInput, error) {
	var in service.NoteInput
	body, ok, err := p.Text("body", maxNoteBytes)
	if err != nil {
		return in, err
	}
	if !ok {
		return in, service.ParamError("body is missing")
	}
	in.Body = body
	if withInternal {
		// internal overrides confidential; either one set marks it.
		for _, name := range []string{"confidential", "internal"} {
			v, ok, err := p.Bool(name)
			if err != nil {
				return in, err
			}
			if ok {
				in.Internal = in.Internal || v
			}
		}
	}
	if s, ok, err := p.Text("created_at", 64); err != nil {
		return in, err
	} else if ok && s != "" {
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil || !service.ValidNoteTime(t) {
			return in, service.ParamError("created_at is invalid")
		}
		in.CreatedAt = &t
	}
	return in, nil
}

func (a *API) createIssueNote(w http.ResponseWriter, r *http.Request, c *Call) error {
	ref, err := noteableRef(r, "noteable_id")
	if err != nil {
		return err
	}
	in, err := noteInput(c.params, true)
	if err != nil {
		return err
	}
	list, err := a.svc.CreateNote(r.Context(), c.id, ref, in)
	if err != nil {
		return err
	}
	if len(list.Notes) == 0 && list.Commands != nil {
		// Commands only: GitLab's 202 with Entities::NoteCommands.
		WriteJSON(w, http.StatusAccepted, noteCommands{Changes: list.Commands.Changes, Summary: list.Commands.Summary()})
		return nil
	}
	return WriteCreated(w, a.notesJSON(r, list)[0])
}

// noteBody reads an update's optional body, which may not be blank.
func noteBody(p *Params) (*string, error) {
	body, ok, err := p.Text("body", maxNoteBytes)
	if err != nil || !ok {
		return nil, err
	}
	if body == "" {
		return nil, service.ParamError("body is empty")
	}
	return &body, nil
}

func (a *API) updateIssueNote(w http.ResponseWriter, r *http.Request, c *Call) error {
	ref, err := noteableRef(r, "noteable_id")
	if err != nil {
		return err
	}
	noteID, err := PathID(r, "note_id", "note_id")
	if err != nil {
		return err
	}
	body, err := noteBody(c.params)
	if err != nil {
		return err
	}
	list, err := a.svc.UpdateNote(r.Context(), c.id, ref, noteID, body)
	if err != nil {
		return err
	}
	return WriteOK(w, a.notesJSON(r, list)[0])
}

func (a *API) deleteIssueNote(w http.ResponseWriter, r *http.Request, c *Call) error {
	ref, err := noteableRef(r, "noteable_id")
	if err != nil {
		return err
	}
	noteID, err := PathID(r, "note_id", "note_id")
	if err != nil {
		return err
	}
	if err := a.svc.DeleteNote(r.Context(), c.id, ref, noteID); err != nil {
		return err
	}
	return WriteNoContent(w)
}

// noteCommands is GitLab's Entities::NoteCommands.
type noteCommands struct {
	Changes map[string]any `json:"commands_changes"`
	Summary []string       `json:"summary"`
}
