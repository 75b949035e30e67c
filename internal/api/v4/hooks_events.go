package v4

import (
	"encoding/json"
	"net/http"

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

func (a *API) listHookEventsOf(w http.ResponseWriter, r *http.Request, c *Call, kind string) error {
	id, err := PathID(r, "hook_id", "hook_id")
	if err != nil {
		return err
	}
	statuses, _, err := c.params.StrList("status")
	if err != nil {
		return err
	}
	logs, err := a.svc.HookLogs(r.Context(), c.id, hookOwnerOf(r, kind), id, statuses)
	if err != nil {
		return err
	}
	page := PaginateSlice(a, w, r, c, logs)
	out := make([]hookLogEntity, len(page))
	for i, l := range page {
		out[i] = hookLogEntityOf(l)
	}
	return WriteOK(w, out)
}

func (a *API) resendHookEventOf(w http.ResponseWriter, r *http.Request, c *Call, kind string) error {
	id, err := PathID(r, "hook_id", "hook_id")
	if err != nil {
		return err
	}
	logID, err := PathID(r, "hook_log_id", "hook_log_id")
	if err != nil {
		return err
	}
	status, err := a.svc.ResendHookLog(r.Context(), c.id, hookOwnerOf(r, kind), id, logID)
	if err != nil {
		return err
	}
	return WriteCreated(w, map[string]int{"response_status": status})
}

func (a *API) listProjectHookEvents(w http.ResponseWriter, r *http.Request, c *Call) error {
	return a.listHookEventsOf(w, r, c, model.HookOfProject)
}
func (a *API) resendProjectHookEvent(w http.ResponseWriter, r *http.Request, c *Call) error {
	return a.resendHookEventOf(w, r, c, model.HookOfProject)
}
func (a *API) listGroupHookEvents(w http.ResponseWriter, r *http.Request, c *Call) error {
	return a.listHookEventsOf(w, r, c, model.HookOfGroup)
}
func (a *API) resendGroupHookEvent(w http.ResponseWriter, r *http.Request, c *Call) error {
	return a.resendHookEventOf(w, r, c, model.HookOfGroup)
}
