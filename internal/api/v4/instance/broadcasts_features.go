package instance

import (
	"net/http"
	"strconv"
	"strings"

	v4 "github.com/lablet/lablet/internal/api/v4"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// broadcastMessageEntity is GitLab's Entities::System::BroadcastMessage.
type broadcastMessageEntity struct {
	Message            string  `json:"message"`
	StartsAt           string  `json:"starts_at"`
	EndsAt             string  `json:"ends_at"`
	Font               string  `json:"font"`
	ID                 int64   `json:"id"`
	Active             bool    `json:"active"`
	TargetAccessLevels []int64 `json:"target_access_levels"`
	TargetPath         string  `json:"target_path"`
	BroadcastType      string  `json:"broadcast_type"`
	Dismissable        bool    `json:"dismissable"`
	Theme              string  `json:"theme"`
}

func broadcastMessageEntityOf(a *v4.API, m *model.BroadcastMessage) broadcastMessageEntity {
	return broadcastMessageEntity{Message: m.Message, StartsAt: v4.TS(m.StartsAt), EndsAt: v4.TS(m.EndsAt), Font: m.Font, ID: m.ID,
		Active: m.Active(a.Service().Now()), TargetAccessLevels: m.TargetAccessLevels, TargetPath: m.TargetPath,
		BroadcastType: m.BroadcastType, Dismissable: m.Dismissable, Theme: m.Theme}
}

// broadcastIDParam reads :id (Grape types it Integer).
func broadcastIDParam(r *http.Request) (int64, error) {
	n, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return 0, service.ParamError("id is invalid")
	}
	return n, nil
}

// listBroadcastMessages is GET /broadcast_messages.
func listBroadcastMessages(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	pg := v4.PageOf(c.Params())
	list, total, err := a.Service().BroadcastMessages(r.Context(), pg.PerPage, pg.Offset())
	if err != nil {
		return err
	}
	a.SetPageHeaders(w, r, pg, total)
	out := make([]broadcastMessageEntity, len(list))
	for i, m := range list {
		out[i] = broadcastMessageEntityOf(a, m)
	}
	return v4.WriteOK(w, out)
}

// getBroadcastMessage is GET /broadcast_messages/:id.
func getBroadcastMessage(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	id, err := broadcastIDParam(r)
	if err != nil {
		return err
	}
	m, err := a.Service().BroadcastMessage(r.Context(), id)
	if err != nil {
		return err
	}
	return v4.WriteOK(w, broadcastMessageEntityOf(a, m))
}

// broadcastInput reads the parameters of POST and PUT.
func broadcastInput(p *v4.Params) (service.BroadcastMessageInput, error) {
	var in service.BroadcastMessageInput
	for _, f := range []struct {
		name string
		dst  **string
	}{{"message", &in.Message}, {"font", &in.Font}, {"target_path", &in.TargetPath}} {
		if s, ok, err := p.Text(f.name, v4.MaxParamText); err != nil {
			return in, err
		} else if ok {
			*f.dst = &s
		}
	}
	var err error
	if in.StartsAt, err = p.TimeParam("starts_at"); err != nil {
		return in, err
	}
	if in.EndsAt, err = p.TimeParam("ends_at"); err != nil {
		return in, err
	}
	if levels, ok, err := p.IntList("target_access_levels"); err != nil {
		return in, err
	} else if ok {
		in.TargetAccessLevels = &levels
	}
	if s, ok, err := p.OneOf("broadcast_type", service.BroadcastTypes...); err != nil {
		return in, err
	} else if ok {
		in.BroadcastType = &s
	}
	if s, ok, err := p.OneOf("theme", service.BroadcastThemes...); err != nil {
		return in, err
	} else if ok {
		in.Theme = &s
	}
	if b, ok, err := p.Bool("dismissable"); err != nil {
		return in, err
	} else if ok {
		in.Dismissable = &b
	}
	return in, nil
}

// createBroadcastMessage is POST /broadcast_messages.
func createBroadcastMessage(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	if _, err := c.Params().Required("message", v4.MaxParamText); err != nil {
		return err
	}
	in, err := broadcastInput(c.Params())
	if err != nil {
		return err
	}
	m, err := a.Service().CreateBroadcastMessage(r.Context(), c.Identity(), in)
	if err != nil {
		return err
	}
	return v4.WriteCreated(w, broadcastMessageEntityOf(a, m))
}

// updateBroadcastMessage is PUT /broadcast_messages/:id.
func updateBroadcastMessage(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	id, err := broadcastIDParam(r)
	if err != nil {
		return err
	}
	in, err := broadcastInput(c.Params())
	if err != nil {
		return err
	}
	m, err := a.Service().UpdateBroadcastMessage(r.Context(), c.Identity(), id, in)
	if err != nil {
		return err
	}
	return v4.WriteOK(w, broadcastMessageEntityOf(a, m))
}

// deleteBroadcastMessage is DELETE /broadcast_messages/:id: GitLab
// answers 200 with the deleted message.
func deleteBroadcastMessage(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	id, err := broadcastIDParam(r)
	if err != nil {
		return err
	}
	m, err := a.Service().DeleteBroadcastMessage(r.Context(), c.Identity(), id)
	if err != nil {
		return err
	}
	return v4.WriteOK(w, broadcastMessageEntityOf(a, m))
}

// featureEntity is GitLab's Entities::Feature for a flag with a boolean
// gate; lablet ships no flag definitions (definition is null).
type featureEntity struct {
	Name       string        `json:"name"`
	State      string        `json:"state"`
	Gates      []featureGate `json:"gates"`
	Definition any           `json:"definition"`
}

type featureGate struct {
	Key   string `json:"key"`
	Value any    `json:"value"`
}

func featureEntityOf(f model.Feature) featureEntity {
	state := "off"
	if f.Enabled {
		state = "on"
	}
	return featureEntity{Name: f.Name, State: state, Gates: []featureGate{{Key: "boolean", Value: f.Enabled}}}
}

// listFeatures is GET /features.
func listFeatures(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	list, err := a.Service().Features(r.Context(), c.Identity())
	if err != nil {
		return err
	}
	out := make([]featureEntity, len(list))
	for i, f := range list {
		out[i] = featureEntityOf(f)
	}
	return v4.WriteOK(w, out)
}

// featureDefinitionEntity is GitLab's Entities::Feature::Definition.
type featureDefinitionEntity struct {
	Name            string `json:"name"`
	IntroducedByURL string `json:"introduced_by_url"`
	RolloutIssueURL string `json:"rollout_issue_url"`
	Milestone       string `json:"milestone"`
	LogStateChanges bool   `json:"log_state_changes"`
	Type            string `json:"type"`
	Group           string `json:"group"`
	DefaultEnabled  bool   `json:"default_enabled"`
}

// listFeatureDefinitions is GET /features/definitions.
func listFeatureDefinitions(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	list, err := a.Service().FeatureDefinitions(r.Context(), c.Identity())
	if err != nil {
		return err
	}
	out := make([]featureDefinitionEntity, len(list))
	for i, d := range list {
		out[i] = featureDefinitionEntity{Name: d.Name, IntroducedByURL: d.IntroducedByURL,
			RolloutIssueURL: d.RolloutIssueURL, Milestone: d.Milestone, LogStateChanges: d.LogStateChanges,
			Type: d.Type, Group: d.Group, DefaultEnabled: d.DefaultEnabled}
	}
	return v4.WriteOK(w, out)
}

// actorGateParams are the gates lablet does not keep: actors, groups
// and percentages need what no lablet feature reads.
var actorGateParams = []string{"key", "feature_group", "user", "group", "namespace", "project", "repository"}

// setFeature is POST /features/:name with a boolean value ("true",
// "false" or "0", as GitLab's gate_value reads them).
func setFeature(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	raw, ok := c.Params().Raw("value")
	if !ok {
		return service.ParamError("value is missing")
	}
	for _, name := range actorGateParams {
		if s, ok := c.Params().Str(name); ok && s != "" {
			return service.Invalid("lablet keeps boolean gates only; " + name + " is not supported")
		}
	}
	var enabled bool
	switch strings.ToLower(strings.TrimSpace(toText(raw))) {
	case "true":
		enabled = true
	case "false", "0":
	default:
		return service.Invalid("lablet keeps boolean gates only; value must be true or false")
	}
	f, err := a.Service().SetFeature(r.Context(), c.Identity(), r.PathValue("name"), enabled)
	if err != nil {
		return err
	}
	return v4.WriteCreated(w, featureEntityOf(f))
}

// toText is a parameter's value as Grape's String coercion gives it.
func toText(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case bool:
		return strconv.FormatBool(t)
	case interface{ String() string }:
		return t.String()
	}
	return ""
}

// deleteFeature is DELETE /features/:name.
func deleteFeature(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	if err := a.Service().DeleteFeature(r.Context(), c.Identity(), r.PathValue("name")); err != nil {
		return err
	}
	return v4.WriteNoContent(w)
}
