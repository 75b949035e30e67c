package v4

import (
	"net/http"

	"github.com/lablet/lablet/internal/service"
)

// Time tracking of issues and merge requests (GitLab's
// TimeTrackingEndpoints): the same handlers serve both, the route naming
// which.

type issueTimeStats struct {
	TimeEstimate        int64   `json:"time_estimate"`
	TotalTimeSpent      int64   `json:"total_time_spent"`
	HumanTimeEstimate   *string `json:"human_time_estimate"`
	HumanTotalTimeSpent *string `json:"human_total_time_spent"`
}

// timeStatsOf is IssuableTimeStats of an estimate and a time spent.
func timeStatsOf(estimate, spent int64) issueTimeStats {
	s := issueTimeStats{TimeEstimate: estimate, TotalTimeSpent: spent}
	if estimate != 0 {
		h := service.FormatDuration(estimate)
		s.HumanTimeEstimate = &h
	}
	if spent != 0 {
		h := service.FormatDuration(spent)
		s.HumanTotalTimeSpent = &h
	}
	return s
}

// trackTime answers one of the time tracking endpoints with the time stats.
func (a *API) trackTime(w http.ResponseWriter, r *http.Request, c *Call, act service.TimeAction) error {
	ref, err := noteableRef(r, "issue_iid")
	if err != nil {
		return err
	}
	st, err := a.svc.TrackTime(r.Context(), c.id, ref, act)
	if err != nil {
		return err
	}
	// Grape answers a POST 201 unless told otherwise, and these are not.
	WriteJSON(w, http.StatusCreated, timeStatsOf(st.Estimate, st.Spent))
	return nil
}

func (a *API) setTimeEstimate(w http.ResponseWriter, r *http.Request, c *Call) error {
	d, err := c.params.Required("duration", 256)
	if err != nil {
		return err
	}
	return a.trackTime(w, r, c, service.TimeAction{Estimate: &d})
}

func (a *API) resetTimeEstimate(w http.ResponseWriter, r *http.Request, c *Call) error {
	return a.trackTime(w, r, c, service.TimeAction{ResetEstimate: true})
}

func (a *API) addSpentTime(w http.ResponseWriter, r *http.Request, c *Call) error {
	d, err := c.params.Required("duration", 256)
	if err != nil {
		return err
	}
	summary, _, err := c.params.Text("summary", 255)
	if err != nil {
		return err
	}
	return a.trackTime(w, r, c, service.TimeAction{Spent: &d, Summary: summary})
}

func (a *API) resetSpentTime(w http.ResponseWriter, r *http.Request, c *Call) error {
	return a.trackTime(w, r, c, service.TimeAction{ResetSpent: true})
}

func (a *API) timeStats(w http.ResponseWriter, r *http.Request, c *Call) error {
	ref, err := noteableRef(r, "issue_iid")
	if err != nil {
		return err
	}
	st, err := a.svc.TimeStatsOf(r.Context(), c.id, ref)
	if err != nil {
		return err
	}
	return WriteOK(w, timeStatsOf(st.Estimate, st.Spent))
}
