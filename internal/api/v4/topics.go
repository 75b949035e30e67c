package v4

import (
	"net/http"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// topicEntity is GitLab's Entities::Projects::Topic. lablet keeps no
// organizations (every topic is the default one's, id 1).
type topicEntity struct {
	ID                 int64   `json:"id"`
	Name               string  `json:"name"`
	Title              string  `json:"title"`
	Description        *string `json:"description"`
	TotalProjectsCount int     `json:"total_projects_count"`
	OrganizationID     int64   `json:"organization_id"`
	AvatarURL          *string `json:"avatar_url"`
}

func topicEntityOf(base string, t *model.Topic) topicEntity {
	e := topicEntity{ID: t.ID, Name: t.Name, Title: t.Title, Description: t.Description,
		TotalProjectsCount: t.TotalProjectsCount, OrganizationID: 1}
	e.AvatarURL = TopicAvatarURL(base, t)
	return e
}

// TopicAvatarURL is topic t's uploaded avatar under base, nil for none
// (GraphQL's Topic.avatarUrl too).
func TopicAvatarURL(base string, t *model.Topic) *string {
	if t.Avatar == "" {
		return nil
	}
	u := uploadedAvatarURL(base, "projects/topic", t.ID, t.Avatar)
	return &u
}

// topicInput reads name, title and description; create requires the first two.
func topicInput(p *Params, create bool) (service.TopicInput, error) {
	var in service.TopicInput
	var pe ParamErrors
	for _, f := range []struct {
		name string
		dst  **string
	}{{"name", &in.Name}, {"title", &in.Title}, {"description", &in.Description}} {
		s, ok, err := p.Text(f.name, 1<<14)
		switch {
		case err != nil:
			pe.Add(err)
		case ok:
			*f.dst = &s
		case create && f.name != "description":
			pe.Add(service.ParamError(f.name + " is missing"))
		}
	}
	return in, pe.Err()
}

// listTopics is GET /topics.
func (a *API) listTopics(w http.ResponseWriter, r *http.Request, c *Call) error {
	pg := PageOf(c.params)
	f := model.TopicFilter{Limit: pg.PerPage, Offset: pg.Offset()}
	f.Search, _ = c.params.Str("search")
	var err error
	if f.WithoutProjects, _, err = c.params.Bool("without_projects"); err != nil {
		return err
	}
	topics, total, err := a.svc.ListTopics(r.Context(), f)
	if err != nil {
		return err
	}
	a.SetPageHeaders(w, r, pg, total)
	out := make([]topicEntity, len(topics))
	for i, t := range topics {
		out[i] = topicEntityOf(a.BaseURL(r), t)
	}
	return WriteOK(w, out)
}

// getTopic is GET /topics/:id.
func (a *API) getTopic(w http.ResponseWriter, r *http.Request, c *Call) error {
	id, err := PathID(r, "id", "id")
	if err != nil {
		return err
	}
	t, err := a.svc.Topic(r.Context(), id)
	if err != nil {
		return err
	}
	return WriteOK(w, topicEntityOf(a.BaseURL(r), t))
}

// createTopic is POST /topics.
func (a *API) createTopic(w http.ResponseWriter, r *http.Request, c *Call) error {
	in, err := topicInput(c.params, true)
	if err != nil {
		return err
	}
	av, err := readAvatarParam(c.params, "")
	if err != nil {
		return err
	}
	t, err := a.svc.CreateTopic(r.Context(), c.id, in)
	if err != nil {
		return err
	}
	if t.Avatar, err = a.applyAvatar(r, c, service.AvatarTopic, t.ID, av, t.Avatar); err != nil {
		return err
	}
	return WriteCreated(w, topicEntityOf(a.BaseURL(r), t))
}

// updateTopic is PUT /topics/:id.
func (a *API) updateTopic(w http.ResponseWriter, r *http.Request, c *Call) error {
	id, err := PathID(r, "id", "id")
	if err != nil {
		return err
	}
	in, err := topicInput(c.params, false)
	if err != nil {
		return err
	}
	av, err := readAvatarParam(c.params, "remove_avatar")
	if err != nil {
		return err
	}
	t, err := a.svc.UpdateTopic(r.Context(), c.id, id, in)
	if err != nil {
		return err
	}
	if t.Avatar, err = a.applyAvatar(r, c, service.AvatarTopic, t.ID, av, t.Avatar); err != nil {
		return err
	}
	return WriteOK(w, topicEntityOf(a.BaseURL(r), t))
}

// deleteTopic is DELETE /topics/:id.
func (a *API) deleteTopic(w http.ResponseWriter, r *http.Request, c *Call) error {
	id, err := PathID(r, "id", "id")
	if err != nil {
		return err
	}
	if err := a.svc.DeleteTopic(r.Context(), c.id, id); err != nil {
		return err
	}
	return WriteNoContent(w)
}

// mergeTopics is POST /topics/merge.
func (a *API) mergeTopics(w http.ResponseWriter, r *http.Request, c *Call) error {
	source, err := c.params.RequiredInt("source_topic_id")
	if err != nil {
		return err
	}
	target, err := c.params.RequiredInt("target_topic_id")
	if err != nil {
		return err
	}
	t, err := a.svc.MergeTopics(r.Context(), c.id, source, target)
	if err != nil {
		return err
	}
	return WriteCreated(w, topicEntityOf(a.BaseURL(r), t))
}
