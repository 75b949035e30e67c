package v4

import (
	"net/http"

	"github.com/lablet/lablet/internal/service"
)

// awardableRef reads the issue, and the note when the route has one,
// that award emoji routes address.
func awardableRef(r *http.Request) (service.AwardableRef, error) {
	ref, err := noteableRef(r, "issue_iid")
	if err != nil {
		return service.AwardableRef{}, err
	}
	out := service.AwardableRef{NoteableRef: ref}
	if r.PathValue("note_id") != "" {
		noteID, err := PathID(r, "note_id", "note_id")
		if err != nil {
			return out, err
		}
		out.NoteID = &noteID
	}
	return out, nil
}

func (a *API) listAwardEmoji(w http.ResponseWriter, r *http.Request, c *Call) error {
	ref, err := awardableRef(r)
	if err != nil {
		return err
	}
	pg := PageOf(c.params)
	list, err := a.svc.ListAwardEmoji(r.Context(), c.id, ref, pg.PerPage, pg.Offset())
	if err != nil {
		return err
	}
	a.SetPageHeaders(w, r, pg, list.Total)
	return WriteOK(w, a.awardsJSON(r, list))
}

func (a *API) getAwardEmoji(w http.ResponseWriter, r *http.Request, c *Call) error {
	ref, err := awardableRef(r)
	if err != nil {
		return err
	}
	awardID, err := PathID(r, "award_id", "award_id")
	if err != nil {
		return err
	}
	list, err := a.svc.GetAwardEmoji(r.Context(), c.id, ref, awardID)
	if err != nil {
		return err
	}
	return WriteOK(w, a.awardsJSON(r, list)[0])
}

func (a *API) createAwardEmoji(w http.ResponseWriter, r *http.Request, c *Call) error {
	ref, err := awardableRef(r)
	if err != nil {
		return err
	}
	name, ok, err := c.params.Text("name", 255)
	if err != nil {
		return err
	}
	if !ok {
		return service.ParamError("name is missing")
	}
	list, err := a.svc.CreateAwardEmoji(r.Context(), c.id, ref, name)
	if err != nil {
		return err
	}
	return WriteCreated(w, a.awardsJSON(r, list)[0])
}

func (a *API) deleteAwardEmoji(w http.ResponseWriter, r *http.Request, c *Call) error {
	ref, err := awardableRef(r)
	if err != nil {
		return err
	}
	awardID, err := PathID(r, "award_id", "award_id")
	if err != nil {
		return err
	}
	if err := a.svc.DeleteAwardEmoji(r.Context(), c.id, ref, awardID); err != nil {
		return err
	}
	return WriteNoContent(w)
}
