package v4

import (
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/lablet/lablet/internal/service"
)

func newParams(t *testing.T, method, target, contentType, body string) (*Params, error) {
	t.Helper()
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	return parseParams(httptest.NewRecorder(), r)
}

func TestParamsSources(t *testing.T) {
	t.Parallel()
	t.Run("JSONBodyWinsOverQuery", func(t *testing.T) {
		p, err := newParams(t, "POST", "/x?name=query", "application/json", `{"name":"body","n":7,"b":true}`)
		if err != nil {
			t.Fatal(err)
		}
		if s, _ := p.Str("name"); s != "body" {
			t.Fatalf("name = %q", s)
		}
		if n, ok, err := p.Int("n"); !ok || err != nil || n != 7 {
			t.Fatalf("n = %d %v %v", n, ok, err)
		}
		if b, ok, err := p.Bool("b"); !ok || err != nil || !b {
			t.Fatalf("b = %v %v %v", b, ok, err)
		}
	})
	t.Run("Form", func(t *testing.T) {
		p, err := newParams(t, "POST", "/x", "application/x-www-form-urlencoded", "name=a+b&scopes[]=api&scopes[]=sudo&flag=false")
		if err != nil {
			t.Fatal(err)
		}
		if s, _ := p.Str("name"); s != "a b" {
			t.Fatalf("name = %q", s)
		}
		if l, _, _ := p.StrList("scopes"); !reflect.DeepEqual(l, []string{"api", "sudo"}) {
			t.Fatalf("scopes = %v", l)
		}
		if b, ok, _ := p.Bool("flag"); !ok || b {
			t.Fatalf("flag = %v %v", b, ok)
		}
	})
	t.Run("JSONNullInteger", func(t *testing.T) {
		// Clients that serialise unset fields send null: absent, not invalid.
		p, err := newParams(t, "PUT", "/x", "application/json", `{"milestone_id":null}`)
		if err != nil {
			t.Fatal(err)
		}
		if n, ok, err := p.Int("milestone_id"); ok || err != nil || n != 0 {
			t.Fatalf("milestone_id = %d %v %v", n, ok, err)
		}
	})
	t.Run("CommaList", func(t *testing.T) {
		p, _ := newParams(t, "GET", "/x?scopes=api,read_user", "", "")
		if l, _, _ := p.StrList("scopes"); !reflect.DeepEqual(l, []string{"api", "read_user"}) {
			t.Fatalf("scopes = %v", l)
		}
	})
}

func TestParamsErrors(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct{ ct, body string }{
		"MalformedJSON": {"application/json", `{"name":`},
		"TrailingJSON":  {"application/json", `{"a":1} {"b":2}`},
		"JSONArray":     {"application/json", `[1,2]`},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := newParams(t, "POST", "/x", tc.ct, tc.body); err == nil {
				t.Fatal("accepted")
			}
		})
	}
	t.Run("TooLarge", func(t *testing.T) {
		big := `{"a":"` + strings.Repeat("x", MaxBodyBytes) + `"}`
		if _, err := newParams(t, "POST", "/x", "application/json", big); service.KindOf(err) != service.KindTooLarge {
			t.Fatalf("err = %v", err)
		}
	})
	p, _ := newParams(t, "POST", "/x", "application/json", `{"n":"seven","b":"maybe","l":[1],"d":"2026-13-01","t":"a\u0000b","o":{"x":1}}`)
	if _, _, err := p.Int("n"); err == nil {
		t.Error("int accepted a word")
	}
	if _, _, err := p.Bool("b"); err == nil {
		t.Error("bool accepted maybe")
	}
	if _, _, err := p.StrList("l"); err == nil {
		t.Error("list accepted numbers")
	}
	if _, _, err := p.date("d"); err == nil {
		t.Error("date accepted month 13")
	}
	if _, _, err := p.Text("t", 100); err == nil {
		t.Error("text accepted NUL")
	}
	if _, _, err := p.Text("o", 100); err == nil {
		t.Error("text accepted an object")
	}
	if _, err := p.Required("missing", 10); err == nil || err.Error() != "missing is missing" {
		t.Errorf("required = %v", err)
	}
}

func TestPageOf(t *testing.T) {
	t.Parallel()
	for query, want := range map[string]Page{
		"":                       {1, 20},
		"page=3&per_page=50":     {3, 50},
		"per_page=1000":          {1, 100},
		"page=-1&per_page=0":     {1, 20},
		"page=abc&per_page=x":    {1, 20},
		"page=99999999999999999": {1, 20},
	} {
		p, _ := newParams(t, "GET", "/x?"+query, "", "")
		if got := PageOf(p); got != want {
			t.Errorf("%q: %+v, want %+v", query, got, want)
		}
	}
}

func TestPageHeaders(t *testing.T) {
	t.Parallel()
	a := &API{externalURL: "https://forge.example.com"}
	r := httptest.NewRequest("GET", "/api/v4/projects?page=2&per_page=10&private_token=secret&search=x", nil)
	w := httptest.NewRecorder()
	a.SetPageHeaders(w, r, Page{Page: 2, PerPage: 10}, 35)
	h := w.Header()
	want := http.Header{
		"X-Page": {"2"}, "X-Per-Page": {"10"}, "X-Total": {"35"}, "X-Total-Pages": {"4"},
		"X-Next-Page": {"3"}, "X-Prev-Page": {"1"},
	}
	for k, v := range want {
		if !reflect.DeepEqual(h[k], v) {
			t.Errorf("%s = %v, want %v", k, h[k], v)
		}
	}
	link := h.Get("Link")
	for _, rel := range []string{`rel="prev"`, `rel="next"`, `rel="first"`, `rel="last"`} {
		if !strings.Contains(link, rel) {
			t.Errorf("Link lacks %s: %s", rel, link)
		}
	}
	if !strings.Contains(link, "<https://forge.example.com/api/v4/projects?page=3&per_page=10&search=x>") {
		t.Errorf("Link next URL wrong: %s", link)
	}
	if strings.Contains(link, "secret") {
		t.Errorf("Link leaks the token: %s", link)
	}
}
