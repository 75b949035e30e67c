package hooks

import (
	"encoding/json"
	"net/http"

	v4 "github.com/lablet/lablet/internal/api/v4"
	"github.com/lablet/lablet/internal/model"
)

// hookLogEntity is a hook's delivery as GET …/hooks/:hook_id/events shows
// it (GitLab's Entities::WebHookLog).
type hookLogEntity struct {
	ID                int64             `json:"id"`
	URL               string            `json:"url"`
	Trigger           string            `json:"trigger"`
	RequestHeaders    map[string]string `json:"request_headers"`
	RequestData       json.RawMessage   `json:"request_data"`
	ResponseHeaders   map[string]string `json:"response_headers"`
	ResponseBody      string            `json:"response_body"`
	ExecutionDuration float64           `json:"execution_duration"`
	ResponseStatus    string            `json:"response_status"`
}

func hookLogEntityOf(l *model.WebHookLog) hookLogEntity {
	data := json.RawMessage(l.RequestData)
	if !json.Valid(data) {
		data, _ = json.Marshal(l.RequestData)
	}
	return hookLogEntity{ID: l.ID, URL: l.URL, Trigger: l.Trigger, RequestHeaders: l.RequestHeaders, RequestData: data,
		ResponseHeaders: l.ResponseHeaders, ResponseBody: l.ResponseBody, ExecutionDuration: l.ExecutionDuration,
		ResponseStatus: l.ResponseStatus}
}

func listHookEventsOf(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call, kind string) error {
	id, err := v4.PathID(r, "hook_id", "hook_id")
	if err != nil {
		return err
	}
	statuses, _, err := c.Params().StrList("status")
	if err != nil {
		return err
	}
	logs, err := a.Service().HookLogs(r.Context(), c.Identity(), hookOwnerOf(r, kind), id, statuses)
	if err != nil {
		return err
	}
	page := v4.PaginateSlice(a, w, r, c, logs)
	out := make([]hookLogEntity, len(page))
	for i, l := range page {
		out[i] = hookLogEntityOf(l)
	}
	return v4.WriteOK(w, out)
}

func resendHookEventOf(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call, kind string) error {
	id, err := v4.PathID(r, "hook_id", "hook_id")
	if err != nil {
		return err
	}
	logID, err := v4.PathID(r, "hook_log_id", "hook_log_id")
	if err != nil {
		return err
	}
	status, err := a.Service().ResendHookLog(r.Context(), c.Identity(), hookOwnerOf(r, kind), id, logID)
	if err != nil {
		return err
	}
	return v4.WriteCreated(w, map[string]int{"response_status": status})
}

func listProjectHookEvents(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	return listHookEventsOf(a, w, r, c, model.HookOfProject)
}
func resendProjectHookEvent(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	return resendHookEventOf(a, w, r, c, model.HookOfProject)
}
func listGroupHookEvents(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	return listHookEventsOf(a, w, r, c, model.HookOfGroup)
}
func resendGroupHookEvent(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	return resendHookEventOf(a, w, r, c, model.HookOfGroup)
}
