package v4

import (
	"net/http"

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
	m := v.Milestone
	e := milestoneEntity{ID: m.ID, IID: m.IID, ProjectID: m.ProjectID, GroupID: m.GroupID, Title: m.Title,
		State: m.State, CreatedAt: ts(m.CreatedAt), UpdatedAt: ts(m.UpdatedAt), DueDate: m.DueDate,
		StartDate: m.StartDate, Expired: v.Expired, WebURL: a.baseURL(r) + v.WebPath}
	if m.Description != "" {
		d := m.Description
		e.Description = &d
	}
	return e
}
