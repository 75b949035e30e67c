package v4

import (
	"net/http"

	"github.com/lablet/lablet/internal/store"
)

// basicUser is GitLab's UserBasic: what any list or reference shows.
type basicUser struct {
	ID          int64   `json:"id"`
	Username    string  `json:"username"`
	PublicEmail *string `json:"public_email"`
	Name        string  `json:"name"`
	State       string  `json:"state"`
	Locked      bool    `json:"locked"`
	AvatarURL   *string `json:"avatar_url"`
	WebURL      string  `json:"web_url"`
}

func (a *API) basicUser(r *http.Request, u *store.User) basicUser {
	var pe *string
	if u.PublicEmail != "" {
		v := u.PublicEmail
		pe = &v
	}
	return basicUser{ID: u.ID, Username: u.Username, PublicEmail: pe, Name: u.Name, State: u.State,
		Locked: false, WebURL: a.baseURL(r) + "/" + u.Username}
}
