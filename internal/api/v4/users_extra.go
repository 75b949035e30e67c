package v4

import (
	"net/http"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// emailEntity is GitLab's Entities::Email.
type emailEntity struct {
	ID          int64   `json:"id"`
	Email       string  `json:"email"`
	ConfirmedAt *string `json:"confirmed_at"`
}

func emailEntityOf(e *model.Email) emailEntity {
	return emailEntity{ID: e.ID, Email: e.Email, ConfirmedAt: TSP(e.ConfirmedAt)}
}

func (a *API) writeEmails(w http.ResponseWriter, r *http.Request, c *Call, userID int64) error {
	emails, err := a.svc.UserEmails(r.Context(), c.id, userID)
	if err != nil {
		return err
	}
	page := PaginateSlice(a, w, r, c, emails)
	out := make([]emailEntity, len(page))
	for i, e := range page {
		out[i] = emailEntityOf(e)
	}
	return WriteOK(w, out)
}

// listOwnEmails is GET /user/emails: the caller's secondary addresses.
func (a *API) listOwnEmails(w http.ResponseWriter, r *http.Request, c *Call) error {
	return a.writeEmails(w, r, c, 0)
}

// listUserEmails is GET /users/:id/emails (administrators).
func (a *API) listUserEmails(w http.ResponseWriter, r *http.Request, c *Call) error {
	userID, found := UserPathID(r, "id")
	if !found {
		return RouteNotFound(w)
	}
	return a.writeEmails(w, r, c, userID)
}

// getOwnEmail is GET /user/emails/:email_id.
func (a *API) getOwnEmail(w http.ResponseWriter, r *http.Request, c *Call) error {
	emailID, err := PathID(r, "email_id", "email_id")
	if err != nil {
		return err
	}
	e, err := a.svc.UserEmail(r.Context(), c.id, emailID)
	if err != nil {
		return err
	}
	return WriteOK(w, emailEntityOf(e))
}

// addEmail reads POST …/emails: email required; skip_confirmation is an
// administrator's (POST /users/:id/emails).
func (a *API) addEmail(w http.ResponseWriter, r *http.Request, c *Call, userID int64) error {
	address, err := c.params.Required("email", 1<<10)
	if err != nil {
		return err
	}
	skip := false
	if userID != 0 {
		if skip, _, err = c.params.Bool("skip_confirmation"); err != nil {
			return err
		}
	}
	e, err := a.svc.AddUserEmail(r.Context(), c.id, userID, address, skip)
	if err != nil {
		return err
	}
	return WriteCreated(w, emailEntityOf(e))
}

// addOwnEmail is POST /user/emails: the address stays unconfirmed (lablet
// sends no confirmation mail).
func (a *API) addOwnEmail(w http.ResponseWriter, r *http.Request, c *Call) error {
	return a.addEmail(w, r, c, 0)
}

// addUserEmail is POST /users/:id/emails (administrators).
func (a *API) addUserEmail(w http.ResponseWriter, r *http.Request, c *Call) error {
	userID, found := UserPathID(r, "id")
	if !found {
		return RouteNotFound(w)
	}
	return a.addEmail(w, r, c, userID)
}

func (a *API) deleteEmail(w http.ResponseWriter, r *http.Request, c *Call, userID int64) error {
	emailID, err := PathID(r, "email_id", "email_id")
	if err != nil {
		return err
	}
	if err := a.svc.DeleteUserEmail(r.Context(), c.id, userID, emailID); err != nil {
		return err
	}
	return WriteNoContent(w)
}

// deleteOwnEmail is DELETE /user/emails/:email_id.
func (a *API) deleteOwnEmail(w http.ResponseWriter, r *http.Request, c *Call) error {
	return a.deleteEmail(w, r, c, 0)
}

// deleteUserEmail is DELETE /users/:id/emails/:email_id (administrators).
func (a *API) deleteUserEmail(w http.ResponseWriter, r *http.Request, c *Call) error {
	userID, found := UserPathID(r, "id")
	if !found {
		return RouteNotFound(w)
	}
	return a.deleteEmail(w, r, c, userID)
}

// userStatusEntity is GitLab's Entities::UserStatus; every field is null
// when the user has no status.
type userStatusEntity struct {
	Emoji         *string `json:"emoji"`
	Availability  *string `json:"availability"`
	Message       *string `json:"message"`
	MessageHTML   *string `json:"message_html"`
	ClearStatusAt *string `json:"clear_status_at"`
}

// writeStatus renders st, its message through the shared Markdown
// renderer as the caller may see it.
func (a *API) writeStatus(w http.ResponseWriter, r *http.Request, c *Call, st *model.UserStatus) error {
	if st == nil {
		return WriteOK(w, userStatusEntity{})
	}
	html, err := a.svc.RenderMarkdown(r.Context(), c.id, service.MarkdownInput{Text: st.Message, GFM: true, BaseURL: a.BaseURL(r)})
	if err != nil {
		return err
	}
	e := userStatusEntity{Emoji: &st.Emoji, Availability: &st.Availability, MessageHTML: &html,
		ClearStatusAt: TSP(st.ClearStatusAt)}
	if st.Message != "" {
		e.Message = &st.Message
	}
	return WriteOK(w, e)
}

// getOwnStatus is GET /user/status.
func (a *API) getOwnStatus(w http.ResponseWriter, r *http.Request, c *Call) error {
	st, err := a.svc.CurrentUserStatus(r.Context(), c.id)
	if err != nil {
		return err
	}
	return a.writeStatus(w, r, c, st)
}

// getUserStatus is GET /users/:id_or_username/status.
func (a *API) getUserStatus(w http.ResponseWriter, r *http.Request, c *Call) error {
	st, err := a.svc.UserStatus(r.Context(), c.id, r.PathValue("id"))
	if err != nil {
		return err
	}
	return a.writeStatus(w, r, c, st)
}

func (a *API) setOwnStatus(w http.ResponseWriter, r *http.Request, c *Call, partial bool) error {
	var pe ParamErrors
	p := c.params
	in := service.StatusInput{Partial: partial, Emoji: pe.OptStr(p, "emoji"), Message: pe.OptStr(p, "message")}
	if s := pe.OneOf(p, "availability", model.AvailabilityNotSet, model.AvailabilityBusy); s != "" {
		in.Availability = &s
	}
	if s := pe.OneOf(p, "clear_status_after", service.ClearStatusAfter...); s != "" {
		in.ClearStatusAfter = &s
	}
	if err := pe.Err(); err != nil {
		return err
	}
	st, err := a.svc.SetUserStatus(r.Context(), c.id, in)
	if err != nil {
		return err
	}
	return a.writeStatus(w, r, c, st)
}

// putOwnStatus is PUT /user/status: what is not given is cleared.
func (a *API) putOwnStatus(w http.ResponseWriter, r *http.Request, c *Call) error {
	return a.setOwnStatus(w, r, c, false)
}

// patchOwnStatus is PATCH /user/status: only what is given changes.
func (a *API) patchOwnStatus(w http.ResponseWriter, r *http.Request, c *Call) error {
	return a.setOwnStatus(w, r, c, true)
}

// preferencesEntity is GitLab's Entities::UserPreferences.
type preferencesEntity struct {
	ID                        int64 `json:"id"`
	UserID                    int64 `json:"user_id"`
	ViewDiffsFileByFile       bool  `json:"view_diffs_file_by_file"`
	ShowWhitespaceInDiffs     bool  `json:"show_whitespace_in_diffs"`
	PassUserIdentitiesToCIJWT bool  `json:"pass_user_identities_to_ci_jwt"`
}

// preferencesEntityOf renders p; a user has one preferences record, so
// its id is the user's.
func preferencesEntityOf(p *model.UserPreferences) preferencesEntity {
	return preferencesEntity{ID: p.UserID, UserID: p.UserID, ViewDiffsFileByFile: p.ViewDiffsFileByFile,
		ShowWhitespaceInDiffs: p.ShowWhitespaceInDiffs, PassUserIdentitiesToCIJWT: p.PassUserIdentitiesToCIJWT}
}

// getOwnPreferences is GET /user/preferences.
func (a *API) getOwnPreferences(w http.ResponseWriter, r *http.Request, c *Call) error {
	p, err := a.svc.UserPreferences(r.Context(), c.id)
	if err != nil {
		return err
	}
	return WriteOK(w, preferencesEntityOf(p))
}

// preferenceNames are PUT /user/preferences' parameters, of which Grape
// requires at least one.
var preferenceNames = []string{"view_diffs_file_by_file", "show_whitespace_in_diffs", "pass_user_identities_to_ci_jwt"}

// putOwnPreferences is PUT /user/preferences.
func (a *API) putOwnPreferences(w http.ResponseWriter, r *http.Request, c *Call) error {
	p := c.params
	given := false
	for _, n := range preferenceNames {
		given = given || p.Has(n)
	}
	if !given {
		return service.ParamError("view_diffs_file_by_file, show_whitespace_in_diffs, pass_user_identities_to_ci_jwt are missing, at least one parameter must be provided")
	}
	var pe ParamErrors
	in := service.PreferencesInput{ViewDiffsFileByFile: pe.OptBool(p, preferenceNames[0]),
		ShowWhitespaceInDiffs: pe.OptBool(p, preferenceNames[1]), PassUserIdentitiesToCIJWT: pe.OptBool(p, preferenceNames[2])}
	if err := pe.Err(); err != nil {
		return err
	}
	prefs, err := a.svc.UpdateUserPreferences(r.Context(), c.id, in)
	if err != nil {
		return err
	}
	return WriteOK(w, preferencesEntityOf(prefs))
}

// getUserCounts is GET /user_counts; merge_requests is GitLab's legacy
// name for the assigned open merge requests.
func (a *API) getUserCounts(w http.ResponseWriter, r *http.Request, c *Call) error {
	n, err := a.svc.CurrentUserCounts(r.Context(), c.id)
	if err != nil {
		return err
	}
	return WriteOK(w, map[string]int{"merge_requests": n.AssignedMergeRequests, "assigned_issues": n.AssignedIssues,
		"assigned_merge_requests": n.AssignedMergeRequests, "review_requested_merge_requests": n.ReviewRequestedMergeRequests,
		"todos": n.Todos})
}
