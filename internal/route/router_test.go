package route

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// named returns a route whose handler writes its pattern and path values.
func named(method, pattern string) Route {
	return Route{Method: method, Pattern: pattern, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var vals []string
		for _, n := range []string{"id", "user_id", "branch", "repo", "file_path", "full_path", "token_id"} {
			if v := r.PathValue(n); v != "" {
				vals = append(vals, n+"="+v)
			}
		}
		w.Write([]byte(pattern + " " + strings.Join(vals, " ")))
	})}
}

func testRouter(t *testing.T) *Router {
	t.Helper()
	rt, err := New([]Route{
		named("GET", "/{$}"),
		named("GET", "/api/v4/projects/{id}"),
		named("POST", "/api/v4/projects/user/{user_id}"),
		named("POST", "/api/v4/projects/{id}/archive"),
		named("GET", "/api/v4/projects/{id}/repository/branches/{branch...}"),
		named("HEAD", "/api/v4/projects/{id}/repository/branches/{branch...}"),
		named("GET", "/api/v4/projects/{id}/repository/files/{file_path}/raw"),
		named("GET", "/api/v4/users/{id}"),
		named("POST", "/api/v4/users/{user_id}/personal_access_tokens"),
		named("GET", "/{repo...}/info/refs"),
		named("GET", "/{full_path...}/-/settings/access_tokens"),
		named("GET", "/groups/{full_path...}/-/settings/access_tokens"),
	}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNotFound) }))
	if err != nil {
		t.Fatal(err)
	}
	return rt
}

func TestRouterMatches(t *testing.T) {
	rt := testRouter(t)
	for _, tc := range []struct{ method, target, want string }{
		{"GET", "/", "/{$} "},
		{"GET", "/api/v4/projects/5", "/api/v4/projects/{id} id=5"},
		// %2F stays inside its segment and is unescaped in the value.
		{"GET", "/api/v4/projects/group%2Fsub%2Fproj", "/api/v4/projects/{id} id=group/sub/proj"},
		// The literal "user" wins over {id}; {id} still matches "archive"
		// routes whose id is not "user".
		{"POST", "/api/v4/projects/user/7", "/api/v4/projects/user/{user_id} user_id=7"},
		{"POST", "/api/v4/projects/7/archive", "/api/v4/projects/{id}/archive id=7"},
		// Backtracking: "user" then {user_id} leads nowhere for archive's
		// method, so {id}=user is tried.
		{"POST", "/api/v4/projects/user/archive", "/api/v4/projects/user/{user_id} user_id=archive"},
		{"GET", "/api/v4/projects/5/repository/branches/feature/x", "/api/v4/projects/{id}/repository/branches/{branch...} id=5 branch=feature/x"},
		{"GET", "/api/v4/projects/5/repository/branches/feature%2Fx", "/api/v4/projects/{id}/repository/branches/{branch...} id=5 branch=feature/x"},
		{"GET", "/api/v4/projects/5/repository/files/a%2Fb.txt/raw", "/api/v4/projects/{id}/repository/files/{file_path}/raw id=5 file_path=a/b.txt"},
		// HEAD falls back to GET only where no HEAD route exists.
		{"HEAD", "/api/v4/users/3", "/api/v4/users/{id} id=3"},
		// Wildcards of one node are named per route.
		{"POST", "/api/v4/users/3/personal_access_tokens", "/api/v4/users/{user_id}/personal_access_tokens user_id=3"},
		// A multi-segment wildcard followed by literals: the longest match.
		{"GET", "/group/proj.git/info/refs", "/{repo...}/info/refs repo=group/proj.git"},
		{"GET", "/a/info/refs/info/refs", "/{repo...}/info/refs repo=a/info/refs"},
		{"GET", "/group/sub/proj/-/settings/access_tokens", "/{full_path...}/-/settings/access_tokens full_path=group/sub/proj"},
		{"GET", "/groups/team/-/settings/access_tokens", "/groups/{full_path...}/-/settings/access_tokens full_path=team"},
	} {
		rec := httptest.NewRecorder()
		rt.ServeHTTP(rec, httptest.NewRequest(tc.method, tc.target, nil))
		if rec.Code != http.StatusOK || rec.Body.String() != tc.want {
			t.Errorf("%s %s = %d %q, want %q", tc.method, tc.target, rec.Code, rec.Body.String(), tc.want)
		}
	}
}

func TestRouterNotFound(t *testing.T) {
	rt := testRouter(t)
	for _, tc := range []struct{ method, target string }{
		{"DELETE", "/api/v4/projects/5"},        // a path of another method: 404, never 405
		{"GET", "/api/v4/projects/5/archive"},   // only POST
		{"GET", "/api/v4/projects/"},            // empty {id}
		{"GET", "/api/v4//projects/5"},          // empty segment
		{"GET", "/api/v4/projects/5/../6"},      // dot segments never route
		{"GET", "/api/v4/projects/%2e%2e"},      // … escaped or not
		{"GET", "/../info/refs"},                // a wildcard never captures ".."
		{"GET", "/" + strings.Repeat("a/", 70)}, // too deep
	} {
		rec := httptest.NewRecorder()
		rt.ServeHTTP(rec, httptest.NewRequest(tc.method, tc.target, nil))
		if rec.Code != http.StatusNotFound {
			t.Errorf("%s %s = %d %q, want 404", tc.method, tc.target, rec.Code, rec.Body.String())
		}
	}
	// A bad escape (net/http refuses such requests before routing).
	if _, _, ok := rt.Match("GET", "/api/v4/projects/%zz"); ok {
		t.Error("a bad escape routed")
	}
}

func TestRouterRefusesDuplicates(t *testing.T) {
	h := http.NotFoundHandler()
	for _, routes := range [][]Route{
		{{Method: "GET", Pattern: "/a/{x}", Handler: h}, {Method: "GET", Pattern: "/a/{y}", Handler: h}},
		{{Method: "GET", Pattern: "/a", Handler: h}, {Method: "GET", Pattern: "/a", Handler: h}},
		{{Method: "GET", Pattern: "a", Handler: h}},
		{{Method: "GET", Pattern: "/a//b", Handler: h}},
		{{Method: "GET", Pattern: "/a/{b", Handler: h}},
		{{Method: "GET", Pattern: "/a"}},
	} {
		if _, err := New(routes, h); err == nil {
			t.Errorf("New(%v) accepted", routes)
		}
	}
}

func TestFuncName(t *testing.T) {
	got := FuncName(TestFuncName)
	if !strings.HasPrefix(got, "TestFuncName(internal/route/router_test.go:") {
		t.Fatalf("FuncName = %q", got)
	}
	closure := func() func() { return func() {} }()
	if got := FuncName(closure); !strings.HasPrefix(got, "TestFuncName(internal/route/router_test.go:") {
		t.Fatalf("FuncName(closure) = %q", got)
	}
}

func FuzzRouter(f *testing.F) {
	rt, err := New([]Route{
		named("GET", "/api/v4/projects/{id}/repository/branches/{branch...}"),
		named("GET", "/{repo...}/info/refs"),
		named("GET", "/api/v4/projects/{id}"),
	}, http.NotFoundHandler())
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{"/api/v4/projects/1", "/a/b/info/refs", "/api/v4/projects/a%2Fb/repository/branches/x/y", "/%2e%2e/info/refs"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, path string) {
		r, vals, ok := rt.Match("GET", path)
		if !ok {
			return
		}
		if r == nil {
			t.Fatal("ok without a route")
		}
		// Multi-segment values are clean relative paths; single segments
		// ({id}) may hold anything %2F-escaped: their handlers validate.
		for _, name := range []string{"repo", "branch"} {
			v, ok := vals[name]
			if ok && !cleanPath(v) {
				t.Fatalf("%s: %s = %q is not a clean path", path, name, v)
			}
		}
	})
}
