package v4

import (
	"html"

	"github.com/lablet/lablet/internal/service"
)

// labelEntity is GitLab's Label entity (ProjectLabel adds priority and
// is_project_label; GroupLabel adds nothing). The issue counts appear
// only when asked for (with_counts).
type labelEntity struct {
	ID                     int64   `json:"id"`
	Name                   string  `json:"name"`
	Description            *string `json:"description"`
	DescriptionHTML        string  `json:"description_html"`
	TextColor              string  `json:"text_color"`
	Color                  string  `json:"color"`
	OpenIssuesCount        *int64  `json:"open_issues_count,omitempty"`
	ClosedIssuesCount      *int64  `json:"closed_issues_count,omitempty"`
	OpenMergeRequestsCount *int64  `json:"open_merge_requests_count,omitempty"`
	Subscribed             bool    `json:"subscribed"`
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

func labelJSON(v *service.LabelView, kind labelKind) any {
	l := v.Label
	e := labelEntity{ID: l.ID, Name: l.Title, TextColor: service.LabelTextColor(l.Color), Color: l.Color,
		// The markdown renderer is wired in later; until then the
		// description is shown as escaped text.
		DescriptionHTML: html.EscapeString(l.Description), Subscribed: v.Subscribed}
	if l.Description != "" {
		d := l.Description
		e.Description = &d
	}
	if v.WithCounts {
		open, closed, mrs := v.OpenIssues, v.ClosedIssues, int64(0)
		e.OpenIssuesCount, e.ClosedIssuesCount, e.OpenMergeRequestsCount = &open, &closed, &mrs
	}
	if kind == projectLabelEntity {
		return projectLabelJSON{labelEntity: e, Priority: v.Priority, IsProjectLabel: v.IsProjectLabel()}
	}
	return e
}

func labelsJSON(list []*service.LabelView, kind labelKind) []any {
	out := make([]any, len(list))
	for i, v := range list {
		out[i] = labelJSON(v, kind)
	}
	return out
}
