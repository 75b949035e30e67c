package v4

// Fuzz tests of the API's parameter parsing. They call only the parsing
// entry points (parseParamsLimit, the typed getters, pageOf and
// projectListOptions) so they survive the package being reorganized.

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/lablet/lablet/internal/service"
)

// fuzzRequest builds a request from fuzzed parts without the panics of
// httptest.NewRequest on a bad target.
func fuzzRequest(method, query, contentType string, body []byte) *http.Request {
	r := &http.Request{Method: method, URL: &url.URL{Path: "/api/v4/projects", RawQuery: query},
		Header: http.Header{}, Body: io.NopCloser(bytes.NewReader(body)), ContentLength: int64(len(body))}
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	return r.WithContext(httptest.NewRequest("GET", "/", nil).Context())
}

// checkParamsError fails t unless err is what a client may be told: a
// parameter error (4xx) or a too-large body, never an internal error.
func checkParamsError(t *testing.T, what string, err error) {
	t.Helper()
	if err == nil || service.KindOf(err) == service.KindTooLarge {
		return
	}
	if service.KindOf(err) == service.KindInternal {
		t.Fatalf("%s: internal error %v", what, err)
	}
}

var paramSeeds = []struct{ query, contentType, body string }{
	{"page=2&per_page=50", "", ""},
	{"name=query", "application/json", `{"name":"body","n":7,"b":true,"l":["a","b"],"d":"2024-01-31T10:00:00Z"}`},
	{"", "application/x-www-form-urlencoded", "name=a+b&scopes[]=api&scopes[]=sudo&flag=false&n=%20-3"},
	{"", "multipart/form-data; boundary=X", "--X\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nv\r\n--X--\r\n"},
	{"", "application/json", "null"},
	{"", "application/json", "[1,2]"},
	{"", "application/json", `{"n":1e400,"s":"\u0000"}`},
	{"a=%zz&b", "text/plain", "%"},
	{"pagination=keyset&order_by=id&id_after=&id_before=9223372036854775807", "", ""},
}

// FuzzParams checks the body and query decoder and the typed getters on
// anything a client can send: a 4xx or a value, never a panic or an
// internal error, and every value keeps its getter's promise.
func FuzzParams(f *testing.F) {
	for _, s := range paramSeeds {
		f.Add(s.query, s.contentType, []byte(s.body), "name")
	}
	f.Fuzz(func(t *testing.T, query, contentType string, body []byte, name string) {
		r := fuzzRequest("POST", query, contentType, body)
		p, err := parseParamsLimit(httptest.NewRecorder(), r, 1<<16)
		if r.MultipartForm != nil {
			defer r.MultipartForm.RemoveAll() // as the server does after a request
		}
		checkParamsError(t, "parseParams", err)
		if err != nil {
			return
		}
		names := []string{name, "name", "n", "b", "l", "d", "page", "per_page", "scopes", "flag", "id_after"}
		for k := range p.json {
			names = append(names, k)
		}
		for k := range p.form {
			names = append(names, strings.TrimSuffix(k, "[]"))
		}
		for _, n := range names {
			v, present := p.Raw(n)
			if present != p.Has(n) {
				t.Fatalf("has(%q) disagrees with raw", n)
			}
			if s, ok := p.Str(n); ok && !present {
				t.Fatalf("str(%q) = %q of an absent parameter", n, s)
			}
			if s, ok, err := p.Text(n, 64); err != nil {
				checkParamsError(t, "text "+n, err)
			} else if ok && (!utf8.ValidString(s) || strings.ContainsRune(s, 0) || len(s) > 64) {
				t.Fatalf("text(%q) = %q breaks its promise", n, s)
			}
			if _, err := p.Required(n, 64); err != nil {
				checkParamsError(t, "required "+n, err)
			}
			if i, ok, err := p.Int(n); err != nil {
				checkParamsError(t, "int "+n, err)
			} else if ok {
				s, _ := p.Str(n)
				if want, perr := strconv.ParseInt(strings.TrimSpace(s), 10, 64); perr != nil || want != i {
					t.Fatalf("int(%q) = %d from %#v", n, i, v)
				}
			}
			if _, _, err := p.Bool(n); err != nil {
				checkParamsError(t, "bool "+n, err)
			}
			if list, _, err := p.StrList(n); err != nil {
				checkParamsError(t, "strList "+n, err)
			} else if _, isStr := v.(string); isStr {
				for _, item := range list {
					if item == "" || strings.Contains(item, ",") || strings.TrimSpace(item) != item {
						t.Fatalf("strList(%q) item %q", n, item)
					}
				}
			}
			if d, _, err := p.date(n); err != nil {
				checkParamsError(t, "date "+n, err)
			} else if d != nil && !service.ValidDate(*d) {
				t.Fatalf("date(%q) = %q", n, *d)
			}
			if s, ok, err := p.OneOf(n, "asc", "desc"); err != nil {
				checkParamsError(t, "oneOf "+n, err)
			} else if ok && s != "asc" && s != "desc" {
				t.Fatalf("oneOf(%q) = %q", n, s)
			}
		}
	})
}

// FuzzPagination checks offset and keyset pagination parameters: page
// and per_page always land in range with an offset that cannot overflow,
// and a keyset request orders by id and reads one row more than a page.
func FuzzPagination(f *testing.F) {
	for _, s := range paramSeeds {
		f.Add(s.query)
	}
	f.Add("page=-1&per_page=0")
	f.Add("page=1073741824&per_page=1000000")
	f.Add("pagination=keyset&order_by=name")
	f.Add("pagination=keyset&id_after=12&sort=asc&per_page=2")
	f.Fuzz(func(t *testing.T, query string) {
		p, err := parseParamsLimit(httptest.NewRecorder(), fuzzRequest("GET", query, "", nil), 1<<16)
		if err != nil {
			t.Fatalf("query %q: %v", query, err)
		}
		pg := PageOf(p)
		if pg.Page < 1 || pg.Page >= 1<<30 || pg.PerPage < 1 || pg.PerPage > 100 || pg.Offset() < 0 {
			t.Fatalf("query %q: page %+v, offset %d", query, pg, pg.Offset())
		}
		o, lpg, keyset, err := projectListOptions(p)
		if err == errKeysetUnavailable {
			if !keyset {
				t.Fatalf("query %q: keyset refusal without keyset", query)
			}
			return
		}
		checkParamsError(t, "projectListOptions", err)
		if err != nil {
			return
		}
		if lpg != pg {
			t.Fatalf("query %q: list page %+v, page %+v", query, lpg, pg)
		}
		if keyset {
			if o.OrderBy != "id" || o.Limit != pg.PerPage+1 || o.Offset != 0 || o.Count {
				t.Fatalf("query %q: keyset options %+v", query, o)
			}
		} else if o.Limit != pg.PerPage || o.Offset != pg.Offset() || !o.Count {
			t.Fatalf("query %q: offset options %+v", query, o)
		}
	})
}
