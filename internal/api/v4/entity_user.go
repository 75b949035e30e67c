package v4

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/lablet/lablet/internal/avatar"
	"github.com/lablet/lablet/internal/model"
)

// BasicUser is GitLab's UserBasic: what any list or reference shows.
type BasicUser struct {
	ID          int64   `json:"id"`
	Username    string  `json:"username"`
	PublicEmail *string `json:"public_email"`
	Name        string  `json:"name"`
	State       string  `json:"state"`
	Locked      bool    `json:"locked"`
	AvatarURL   *string `json:"avatar_url"`
	WebURL      string  `json:"web_url"`
}

func (a *API) basicUser(r *http.Request, u *model.User) BasicUser {
	return BasicUserAt(a.BaseURL(r), a.gravatar, u)
}

// BasicUserAt is BasicUser under a base URL the caller already has; its
// avatar is Gravatar's when gravatar is set (see package avatar).
func BasicUserAt(base string, gravatar bool, u *model.User) BasicUser {
	var pe *string
	if u.PublicEmail != "" {
		v := u.PublicEmail
		pe = &v
	}
	av := userAvatarURL(base, gravatar, u.ID, u.Email, u.Avatar)
	return BasicUser{ID: u.ID, Username: u.Username, PublicEmail: pe, Name: u.Name, State: u.State,
		Locked: false, AvatarURL: &av, WebURL: base + "/" + u.Username}
}

// UserEntity is GitLab's Entities::User: the public profile.
type UserEntity struct {
	BasicUser
	CreatedAt       *string `json:"created_at,omitempty"`
	Bio             string  `json:"bio"`
	Location        string  `json:"location"`
	Skype           string  `json:"skype"`
	Linkedin        string  `json:"linkedin"`
	Twitter         string  `json:"twitter"`
	Discord         string  `json:"discord"`
	WebsiteURL      string  `json:"website_url"`
	Organization    string  `json:"organization"`
	JobTitle        string  `json:"job_title"`
	Pronouns        *string `json:"pronouns"`
	Bot             bool    `json:"bot"`
	WorkInformation *string `json:"work_information"`
	Followers       int     `json:"followers"`
	Following       int     `json:"following"`
	IsFollowed      *bool   `json:"is_followed,omitempty"`
	LocalTime       *string `json:"local_time"`
}

// userSelfEntity is Entities::UserPublic: what a user sees of themselves.
type userSelfEntity struct {
	UserEntity
	LastSignInAt     *string          `json:"last_sign_in_at"`
	ConfirmedAt      *string          `json:"confirmed_at"`
	LastActivityOn   *string          `json:"last_activity_on"`
	Email            string           `json:"email"`
	ThemeID          int              `json:"theme_id"`
	ColorSchemeID    int              `json:"color_scheme_id"`
	ProjectsLimit    int              `json:"projects_limit"`
	CurrentSignInAt  *string          `json:"current_sign_in_at"`
	Identities       []identityEntity `json:"identities"`
	CanCreateGroup   bool             `json:"can_create_group"`
	CanCreateProject bool             `json:"can_create_project"`
	TwoFactorEnabled bool             `json:"two_factor_enabled"`
	External         bool             `json:"external"`
	PrivateProfile   bool             `json:"private_profile"`
	CommitEmail      string           `json:"commit_email"`
}

// userAdminEntity is Entities::UserDetailsWithAdmin: what admins see.
type userAdminEntity struct {
	userSelfEntity
	IsAdmin             bool       `json:"is_admin"`
	Note                string     `json:"note"`
	NamespaceID         int64      `json:"namespace_id"`
	CreatedBy           *BasicUser `json:"created_by"`
	EmailResetOfferedAt *string    `json:"email_reset_offered_at"`
	CurrentSignInIP     *string    `json:"current_sign_in_ip"`
	LastSignInIP        *string    `json:"last_sign_in_ip"`
	SignInCount         int        `json:"sign_in_count"`
	IsAuditor           bool       `json:"is_auditor"`
	UsingLicenseSeat    bool       `json:"using_license_seat"`
}

// PublicUser renders u's public profile; private profiles hide their
// details from everyone but the user and admins, as in GitLab.
func (a *API) PublicUser(r *http.Request, u *model.User, full bool) UserEntity {
	e := UserEntity{BasicUser: a.basicUser(r, u), Bot: u.Bot}
	if !full {
		return e
	}
	created := TS(u.CreatedAt)
	e.CreatedAt = &created
	e.Bio, e.Location, e.WebsiteURL = u.Bio, u.Location, u.WebsiteURL
	e.Organization, e.JobTitle = u.Organization, u.JobTitle
	return e
}

// selfUser renders what a user sees of themselves.
func (a *API) selfUser(r *http.Request, u *model.User) userSelfEntity {
	return userSelfEntity{
		UserEntity:       a.PublicUser(r, u, true),
		LastSignInAt:     TSP(u.LastSignInAt),
		ConfirmedAt:      TSP(u.ConfirmedAt),
		LastActivityOn:   u.LastActivityOn,
		Email:            u.Email,
		ThemeID:          3,
		ColorSchemeID:    1,
		ProjectsLimit:    u.ProjectsLimit,
		CurrentSignInAt:  TSP(u.CurrentSignInAt),
		Identities:       []identityEntity{},
		CanCreateGroup:   u.CanCreateGroup,
		CanCreateProject: u.ProjectsLimit > 0 && !u.External,
		External:         u.External,
		PrivateProfile:   u.PrivateProfile,
		CommitEmail:      u.Email,
	}
}

// identityEntity is one of the admin user entity's identities.
type identityEntity struct {
	Provider  string `json:"provider"`
	ExternUID string `json:"extern_uid"`
}

// adminUserOne is adminUser with u's identities loaded.
func (a *API) adminUserOne(r *http.Request, u *model.User, creator *model.User) (userAdminEntity, error) {
	ids, err := a.svc.UserIdentities(r.Context(), []int64{u.ID})
	if err != nil {
		return userAdminEntity{}, err
	}
	return a.adminUser(r, u, creator, ids[u.ID]), nil
}

// adminUser renders the admin view of u; creator is u's creator, if known,
// idents its identities.
func (a *API) adminUser(r *http.Request, u *model.User, creator *model.User, idents []model.Identity) userAdminEntity {
	e := userAdminEntity{userSelfEntity: a.selfUser(r, u), IsAdmin: u.IsAdmin, Note: u.Note, NamespaceID: u.NamespaceID}
	for _, i := range idents {
		e.Identities = append(e.Identities, identityEntity{Provider: i.Provider, ExternUID: i.ExternUID})
	}
	if creator != nil {
		b := a.basicUser(r, creator)
		e.CreatedBy = &b
	}
	return e
}

// Avatar URLs as the entity specification writes them (package avatar
// draws the images and hashes the addresses): plain string expressions,
// so that the generated project encoder (entitygen) writes them without
// allocating.

// userAvatarURL is a user's avatar_url: the uploaded avatar if any, then
// Gravatar's when the instance uses it and the user has an address, else
// lablet's identicon.
func userAvatarURL(base string, gravatar bool, id int64, email, uploaded string) string {
	if uploaded != "" {
		return uploadedAvatarURL(base, "user", id, uploaded)
	}
	if gravatar && strings.TrimSpace(email) != "" {
		return gravatarURL(base, email)
	}
	return identiconURL(base, id)
}

// uploadedAvatarURL is where an uploaded avatar is served, GitLab's
// /uploads/-/system/<kind>/avatar/<id>/<file name>.
func uploadedAvatarURL(base, kind string, id int64, name string) string {
	return base + "/uploads/-/system/" + kind + "/avatar/" + strconv.FormatInt(id, 10) + "/" + name
}

// identiconURL is the URL of user id's identicon under base.
func identiconURL(base string, id int64) string {
	return base + avatar.IdenticonPath + strconv.FormatInt(id, 10) + ".png"
}

// gravatarURL is GitLab's Gravatar URL for an address; hex digits and
// fixed ASCII only, so nothing in it needs escaping.
//
//entitygen:appender appendGravatarURL
func gravatarURL(base, email string) string {
	return string(avatar.AppendGravatarURL(nil, base, email))
}

func appendGravatarURL(dst []byte, base, email string) []byte {
	return avatar.AppendGravatarURL(dst, base, email)
}
