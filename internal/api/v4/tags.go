package v4

import (
	"net/http"
	"strings"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// tagEntity is GitLab's Tag entity. Releases and protected tags are not
// stored: release is always null and protected false.
type tagEntity struct {
	Name      string        `json:"name"`
	Message   string        `json:"message"`
	Target    string        `json:"target"`
	Commit    *commitEntity `json:"commit"`
	Release   any           `json:"release"`
	Protected bool          `json:"protected"`
	CreatedAt *string       `json:"created_at"`
}

func (a *API) tagEntity(r *http.Request, p *model.Project, t *service.TagInfo) tagEntity {
	e := tagEntity{Name: t.Name, Target: t.Target}
	if t.Annotated {
		// Messages are shown as GitLab stores them: without the trailing
		// newline git requires in the object.
		e.Message = strings.TrimRight(t.Message, "\n")
		if !t.Tagger.Date.IsZero() {
			s := t.Tagger.Date.Format(commitTimeLayout)
			e.CreatedAt = &s
		}
	}
	if t.Commit != nil {
		ce := a.commitEntity(r, p, t.Commit)
		e.Commit = &ce
	}
	return e
}

func (a *API) listTags(w http.ResponseWriter, r *http.Request, c *Call) error {
	var f service.TagFilter
	var err error
	if f.Search, _, err = c.params.Text("search", maxRefParam); err != nil {
		return err
	}
	if f.OrderBy, _, err = c.params.OneOf("order_by", "name", "updated", "version"); err != nil {
		return err
	}
	if f.Sort, _, err = c.params.OneOf("sort", "asc", "desc"); err != nil {
		return err
	}
	pr, all, err := a.svc.Tags(r.Context(), c.id, r.PathValue("id"), f)
	if err != nil {
		return err
	}
	pg := PageOf(c.params)
	infos, err := a.svc.DescribeTags(r.Context(), pr, pageSlice(all, pg))
	if err != nil {
		return err
	}
	out := make([]tagEntity, 0, len(infos))
	for i := range infos {
		out = append(out, a.tagEntity(r, pr.Project, &infos[i]))
	}
	a.SetPageHeaders(w, r, pg, len(all))
	return WriteOK(w, out)
}

func (a *API) getTag(w http.ResponseWriter, r *http.Request, c *Call) error {
	pr, t, err := a.svc.Tag(r.Context(), c.id, r.PathValue("id"), r.PathValue("tag"))
	if err != nil {
		return err
	}
	return WriteOK(w, a.tagEntity(r, pr.Project, t))
}

// maxTagMessageParam bounds the message parameter.
const maxTagMessageParam = 1 << 20

func (a *API) createTag(w http.ResponseWriter, r *http.Request, c *Call) error {
	var in service.NewTag
	var err error
	if in.Name, err = c.params.Required("tag_name", maxRefParam); err != nil {
		return err
	}
	if in.Ref, err = c.params.Required("ref", maxRefParam); err != nil {
		return err
	}
	if in.Message, _, err = c.params.Text("message", maxTagMessageParam); err != nil {
		return err
	}
	pr, t, err := a.svc.CreateTag(r.Context(), c.id, r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return WriteCreated(w, a.tagEntity(r, pr.Project, t))
}

func (a *API) deleteTag(w http.ResponseWriter, r *http.Request, c *Call) error {
	if err := a.svc.DeleteTag(r.Context(), c.id, r.PathValue("id"), r.PathValue("tag")); err != nil {
		return err
	}
	return WriteNoContent(w)
}
