package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static/*
var staticFS embed.FS

// pages holds one template set per page, each combined with the layout.
type pages struct {
	byName map[string]*template.Template
}

func loadPages() (*pages, error) {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	p := &pages{byName: map[string]*template.Template{}}
	for _, n := range names {
		base := path.Base(n)
		// Partials (_*.html) hold templates several pages share.
		if base == "layout.html" || strings.HasPrefix(base, "_") {
			continue
		}
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/_*.html", n)
		if err != nil {
			return nil, fmt.Errorf("web: parse %s: %w", n, err)
		}
		p.byName[strings.TrimSuffix(base, ".html")] = t
	}
	return p, nil
}

var funcs = template.FuncMap{
	"join": strings.Join,
}

// view is what every page template receives.
type view struct {
	Title string
	// User is the signed-in user, or nil.
	User any
	// CSRF is the token forms must send back as authenticity_token.
	CSRF string
	// Flash is a one-off notice ("Signed in successfully.").
	Flash string
	// Error is shown above the form that failed.
	Error string
	// AdminMode offers an administrator's session to "enter" or "leave"
	// Admin Mode; empty for everyone else.
	AdminMode string
	// Data is the page's own content.
	Data any
}

// render writes page name with status. The page is rendered into a buffer
// first so that a template error becomes a clean 500.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, name string, v view) {
	t, ok := h.pages.byName[name]
	if !ok {
		h.fail(w, r, fmt.Errorf("web: no page %q", name))
		return
	}
	s := h.session(r)
	if v.User == nil && s.id.Authenticated() {
		v.User = s.id.User
	}
	switch {
	case s.id.AdminModeRequired():
		v.AdminMode = "enter"
	case s.id.InAdminMode():
		v.AdminMode = "leave"
	}
	if v.CSRF == "" {
		v.CSRF = h.csrfToken(w, r, s)
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, v); err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// fail logs err and answers a plain 500 page.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	h.log.ErrorContext(r.Context(), "page failed", "path", r.URL.Path, "err", err)
	http.Error(w, "500 Internal Server Error", http.StatusInternalServerError)
}

// staticFiles serves the embedded stylesheet and images under /-/static/.
func staticFiles() http.Handler {
	sub, _ := fs.Sub(staticFS, "static")
	return http.StripPrefix("/-/static/", http.FileServerFS(sub))
}

func (h *Handler) static(w http.ResponseWriter, r *http.Request, s pageSession) {
	h.staticFiles.ServeHTTP(w, r)
}
