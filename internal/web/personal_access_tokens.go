package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

const personalTokensPath = "/-/user_settings/personal_access_tokens"

// tokensPage is what the token pages show.
type tokensPage struct {
	// Action is where the create form posts; revoke forms post to
	// Action/<id>/revoke.
	Action string
	// Heading names what the tokens are for.
	Heading string
	// Kind is "project" or "group" on the resource pages.
	Kind string
	// NewToken is the text of a token just created, shown this once.
	NewToken string
	Tokens   []tokenRow
	Scopes   []scopeOption
	// Levels are the roles offered for resource tokens (none for personal).
	Levels []levelOption
	Name   string
	// ExpiresAt is the date field's value; MinDate and MaxDate bound it.
	ExpiresAt, MinDate, MaxDate string
}

type tokenRow struct {
	ID                               int64
	Name, Scopes, Role               string
	CreatedAt, ExpiresAt, LastUsedAt string
}

type scopeOption struct {
	Name    string
	Checked bool
}

type levelOption struct {
	Value    int
	Name     string
	Selected bool
}

func newTokenRow(t *model.Token) tokenRow {
	row := tokenRow{ID: t.ID, Name: t.Name, Scopes: strings.Join(t.Scopes, ", "),
		CreatedAt: t.CreatedAt.Format("2006-01-02"), ExpiresAt: "Never", LastUsedAt: "Never"}
	if t.ExpiresAt != nil {
		row.ExpiresAt = *t.ExpiresAt
	}
	if t.LastUsedAt != nil {
		row.LastUsedAt = t.LastUsedAt.Format("2006-01-02 15:04")
	}
	return row
}

// scopeOptions marks the checked scopes among allowed.
func scopeOptions(allowed, checked []string) []scopeOption {
	out := make([]scopeOption, 0, len(allowed))
	for _, s := range allowed {
		c := false
		for _, v := range checked {
			c = c || v == s
		}
		out = append(out, scopeOption{Name: s, Checked: c})
	}
	return out
}

// tokenForm is the create form as posted.
type tokenForm struct {
	Name      string
	Scopes    []string
	ExpiresAt *string
	Level     int
}

func readTokenForm(r *http.Request) tokenForm {
	f := tokenForm{Name: strings.TrimSpace(r.PostFormValue("name")), Scopes: r.PostForm["scopes"]}
	if d := r.PostFormValue("expires_at"); d != "" {
		f.ExpiresAt = &d
	}
	f.Level, _ = strconv.Atoi(r.PostFormValue("access_level"))
	return f
}

// formError checks the form's shape, which the API's parameter parsing
// checks there, and returns the message to show.
func (f tokenForm) formError() string {
	switch {
	case f.Name == "":
		return "Name can't be blank."
	case len(f.Scopes) == 0:
		return "Select at least one scope."
	case f.ExpiresAt != nil && !service.ValidDate(*f.ExpiresAt):
		return "Expiration date is invalid."
	}
	return ""
}

// pageError turns a service failure into a sentence for the page.
func pageError(err error) string {
	var se *service.Error
	if !errors.As(err, &se) {
		return ""
	}
	if len(se.Fields) > 0 {
		var parts []string
		for k, v := range se.Fields {
			parts = append(parts, k+" "+strings.Join(v, ", "))
		}
		return strings.Join(parts, "; ")
	}
	return strings.TrimPrefix(se.Message, "400 Bad request - ")
}

func (h *Handler) personalPage(r *http.Request, s pageSession, form tokenForm) (tokensPage, error) {
	p := tokensPage{Action: personalTokensPath, Heading: "Personal access tokens", Name: form.Name,
		MinDate: h.svc.Today(), MaxDate: *h.svc.DefaultTokenExpiry(),
		Scopes: scopeOptions(service.PersonalScopesFor(s.id), form.Scopes)}
	if form.ExpiresAt != nil {
		p.ExpiresAt = *form.ExpiresAt
	}
	tokens, err := h.svc.ListOwnTokens(r.Context(), s.id)
	if err != nil {
		return p, err
	}
	for _, t := range tokens {
		p.Tokens = append(p.Tokens, newTokenRow(t))
	}
	return p, nil
}

func (h *Handler) personalTokens(w http.ResponseWriter, r *http.Request, s pageSession) {
	p, err := h.personalPage(r, s, tokenForm{Scopes: []string{auth.ScopeReadAPI}})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v := view{Title: "Personal access tokens", Data: p}
	if r.URL.Query().Get("revoked") == "1" {
		v.Flash = "Revoked the access token."
	}
	h.render(w, r, http.StatusOK, "personal_access_tokens", v)
}

func (h *Handler) createPersonalToken(w http.ResponseWriter, r *http.Request, s pageSession) {
	form := readTokenForm(r)
	msg := form.formError()
	var text string
	if msg == "" {
		_, t, err := h.svc.CreateOwnToken(r.Context(), s.id, service.OwnTokenInput{Name: form.Name,
			Scopes: form.Scopes, ExpiresAt: form.ExpiresAt})
		if msg = pageError(err); err != nil && msg == "" {
			h.fail(w, r, err)
			return
		}
		text = t
	}
	if msg != "" {
		p, err := h.personalPage(r, s, form)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		h.render(w, r, http.StatusUnprocessableEntity, "personal_access_tokens",
			view{Title: "Personal access tokens", Data: p, Error: msg})
		return
	}
	// The token is shown in this answer only; it is never stored.
	p, err := h.personalPage(r, s, tokenForm{})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p.NewToken = text
	h.render(w, r, http.StatusOK, "personal_access_tokens", view{Title: "Personal access tokens", Data: p,
		Flash: "Your new personal access token has been created."})
}

func (h *Handler) revokePersonalToken(w http.ResponseWriter, r *http.Request, s pageSession) {
	id, err := strconv.ParseInt(r.PathValue("token_id"), 10, 64)
	if err != nil || id <= 0 {
		h.notFound(w, r)
		return
	}
	// The service answers someone else's token like a missing one.
	if err := h.svc.RevokeTokenByID(r.Context(), s.id, id); err != nil {
		if service.KindOf(err) == service.KindInternal {
			h.fail(w, r, err)
			return
		}
		h.notFound(w, r)
		return
	}
	http.Redirect(w, r, personalTokensPath+"?revoked=1", http.StatusSeeOther)
}
