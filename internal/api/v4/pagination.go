package v4

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/lablet/lablet/internal/route"
)

// Page is an offset pagination request.
type Page struct {
	Page    int
	PerPage int
}

// Offset is the number of rows to skip.
func (pg Page) Offset() int { return (pg.Page - 1) * pg.PerPage }

// PageOf reads page and per_page, as GitLab does: bad or out-of-range values
// fall back to the defaults (page 1, 20 per page, at most 100).
func PageOf(p *Params) Page {
	pg := Page{Page: 1, PerPage: 20}
	if n, ok, err := p.Int("page"); ok && err == nil && n > 0 && n < 1<<30 {
		pg.Page = int(n)
	}
	if n, ok, err := p.Int("per_page"); ok && err == nil && n > 0 {
		pg.PerPage = int(min(n, 100))
	}
	return pg
}

// BaseURL is the external URL clients reach the server by.
func (a *API) BaseURL(r *http.Request) string { return route.ExternalURL(r, a.externalURL) }

// SetPageHeaders writes GitLab's offset pagination headers and Link.
func (a *API) SetPageHeaders(w http.ResponseWriter, r *http.Request, pg Page, total int) {
	totalPages := (total + pg.PerPage - 1) / pg.PerPage
	if totalPages == 0 {
		totalPages = 1
	}
	a.writePageHeaders(w, r, pg, pg.Page < totalPages, totalPages)
	w.Header().Set("X-Total", strconv.Itoa(total))
	w.Header().Set("X-Total-Pages", strconv.Itoa(totalPages))
}

// setPageHeadersWithoutCount writes the headers GitLab writes for a page
// of an uncounted collection (search results): no X-Total, X-Total-Pages
// or "last" link; a next page when more says one exists.
func (a *API) setPageHeadersWithoutCount(w http.ResponseWriter, r *http.Request, pg Page, more bool) {
	a.writePageHeaders(w, r, pg, more, 0)
}

// writePageHeaders writes the page, its neighbours and the Link header;
// lastPage 0 leaves the "last" link out.
func (a *API) writePageHeaders(w http.ResponseWriter, r *http.Request, pg Page, more bool, lastPage int) {
	h := w.Header()
	h.Set("X-Page", strconv.Itoa(pg.Page))
	h.Set("X-Per-Page", strconv.Itoa(pg.PerPage))
	next, prev := "", ""
	if more {
		next = strconv.Itoa(pg.Page + 1)
	}
	if pg.Page > 1 {
		prev = strconv.Itoa(pg.Page - 1)
	}
	h.Set("X-Next-Page", next)
	h.Set("X-Prev-Page", prev)

	var links []string
	u := a.newPageURLs(r, pg.PerPage)
	link := func(rel string, n int) {
		links = append(links, "<"+u.page(n)+`>; rel="`+rel+`"`)
	}
	if prev != "" {
		link("prev", pg.Page-1)
	}
	if next != "" {
		link("next", pg.Page+1)
	}
	link("first", 1)
	if lastPage > 0 {
		link("last", lastPage)
	}
	h.Set("Link", strings.Join(links, ", "))
}

// pageURLs are the request's URL on the external base with the page
// replaced, the query parsed and encoded once for all of a page's links.
type pageURLs struct {
	before, after string // the URL up to "page=" and after its number
}

func (a *API) newPageURLs(r *http.Request, perPage int) pageURLs {
	q := url.Values{}
	for k, v := range r.URL.Query() {
		if k == "private_token" || k == "access_token" {
			continue // never echo credentials into headers
		}
		q[k] = v
	}
	q.Set("page", "0")
	q.Set("per_page", strconv.Itoa(perPage))
	enc := q.Encode() // sorted by key: "page=0" once, where it sorts
	i := strings.Index("&"+enc, "&page=0")
	return pageURLs{before: a.BaseURL(r) + r.URL.EscapedPath() + "?" + enc[:i+len("page=")], after: enc[i+len("page=0"):]}
}

func (u pageURLs) page(n int) string { return u.before + strconv.Itoa(n) + u.after }

// setKeysetHeaders writes the Link header of keyset pagination; next is
// the query for the next page, or nil on the last page.
func (a *API) setKeysetHeaders(w http.ResponseWriter, r *http.Request, next url.Values) {
	if next == nil {
		return
	}
	q := url.Values{}
	for k, v := range r.URL.Query() {
		if k == "private_token" || k == "access_token" {
			continue
		}
		q[k] = v
	}
	for k, v := range next {
		q[k] = v
	}
	w.Header().Set("Link", "<"+a.BaseURL(r)+r.URL.EscapedPath()+"?"+q.Encode()+`>; rel="next"`)
}
