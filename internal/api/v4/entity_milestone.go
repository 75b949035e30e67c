package v4

import (
	"net/http"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// milestoneEntity is GitLab's Milestone entity: project_id or group_id,
// whichever the milestone belongs to.
type milestoneEntity struct {
	ID          int64   `json:"id"`
	IID         int64   `json:"iid"`
	ProjectID   *int64  `json:"project_id,omitempty"`
	GroupID     *int64  `json:"group_id,omitempty"`
	Title       string  `json:"title"`
	Description *string `json:"description"`
	State       string  `json:"state"`
	CreatedAt   string  `json:"created_at"`
	UpdatedAt   string  `json:"updated_at"`
	DueDate     *string `json:"due_date"`
	StartDate   *string `json:"start_date"`
	Expired     bool    `json:"expired"`
	WebURL      string  `json:"web_url"`
}

func (a *API) milestoneJSON(r *http.Request, v *service.MilestoneView) milestoneEntity {
	return milestoneEntityOf(v.Milestone, a.BaseURL(r)+v.WebPath, v.Expired)
}

// milestoneEntityOf is the one rendering of a milestone: the milestones
// API, an issue's milestone and milestone events all show this entity.
func milestoneEntityOf(m *model.Milestone, webURL string, expired bool) milestoneEntity {
	e := milestoneEntity{ID: m.ID, IID: m.IID, ProjectID: m.ProjectID, GroupID: m.GroupID, Title: m.Title,
		State: m.State, CreatedAt: TS(m.CreatedAt), UpdatedAt: TS(m.UpdatedAt), DueDate: m.DueDate,
		StartDate: m.StartDate, Expired: expired, WebURL: webURL}
	if m.Description != "" {
		d := m.Description
		e.Description = &d
	}
	return e
}
