package v4

import (
	"net/http"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// labelBasicEntity is GitLab's Entities::LabelBasic: a label as issues
// (with_labels_details) and label events show it.
type labelBasicEntity struct {
	ID              int64   `json:"id"`
	Name            string  `json:"name"`
	Description     *string `json:"description"`
	DescriptionHTML string  `json:"description_html"`
	TextColor       string  `json:"text_color"`
	Color           string  `json:"color"`
}

// labelBasicOf is the one rendering of a label's basic fields; descs are
// the rendered descriptions (labelDescriptions).
func labelBasicOf(l *model.Label, descs map[int64]string) labelBasicEntity {
	e := labelBasicEntity{ID: l.ID, Name: l.Title, TextColor: service.LabelTextColor(l.Color), Color: l.Color,
		DescriptionHTML: descs[l.ID]}
	if l.Description != "" {
		d := l.Description
		e.Description = &d
	}
	return e
}

// labelEntity is GitLab's Label entity (ProjectLabel adds priority and
// is_project_label; GroupLabel adds nothing). The issue counts appear
// only when asked for (with_counts).
type labelEntity struct {
	labelBasicEntity
	OpenIssuesCount        *int64 `json:"open_issues_count,omitempty"`
	ClosedIssuesCount      *int64 `json:"closed_issues_count,omitempty"`
	OpenMergeRequestsCount *int64 `json:"open_merge_requests_count,omitempty"`
	Subscribed             bool   `json:"subscribed"`
}

// labelKind says which of GitLab's label entities to render.
type labelKind int

const (
	basicLabelEntity   labelKind = iota // Entities::Label, Entities::GroupLabel
	projectLabelEntity                  // Entities::ProjectLabel
)

// projectLabelJSON is Entities::ProjectLabel: priority is null when unset.
type projectLabelJSON struct {
	labelEntity
	Priority       *int64 `json:"priority"`
	IsProjectLabel bool   `json:"is_project_label"`
}

// labelDescriptions renders the descriptions of labels an answer shows,
// for the caller, in one batch.
func (a *API) labelDescriptions(r *http.Request, c *Call, labels []*model.Label) (map[int64]string, error) {
	return a.svc.LabelDescriptionsHTML(r.Context(), c.id, a.BaseURL(r), labels)
}

// writeLabel writes the entity of one label with status.
func (a *API) writeLabel(w http.ResponseWriter, r *http.Request, c *Call, status int, v *service.LabelView, kind labelKind) error {
	descs, err := a.labelDescriptions(r, c, []*model.Label{v.Label})
	if err != nil {
		return err
	}
	WriteJSON(w, status, labelJSON(v, kind, descs))
	return nil
}

func labelJSON(v *service.LabelView, kind labelKind, descs map[int64]string) any {
	e := labelEntity{labelBasicEntity: labelBasicOf(v.Label, descs), Subscribed: v.Subscribed}
	if v.WithCounts {
		open, closed, mrs := v.OpenIssues, v.ClosedIssues, int64(0)
		e.OpenIssuesCount, e.ClosedIssuesCount, e.OpenMergeRequestsCount = &open, &closed, &mrs
	}
	if kind == projectLabelEntity {
		return projectLabelJSON{labelEntity: e, Priority: v.Priority, IsProjectLabel: v.IsProjectLabel()}
	}
	return e
}
