package server_test

import (
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/lablet/lablet/internal/labtest"
	"github.com/lablet/lablet/internal/route"
	"github.com/lablet/lablet/internal/server"
)

// The table `lablet routes` prints is the one the server serves, row for
// row, and every row is reachable: a request built from its pattern is
// routed to it, not to another row.
func TestRouteTableIsServed(t *testing.T) {
	s := labtest.Start(t)
	served := s.Srv.Routes()
	printed, err := server.RouteTable()
	if err != nil {
		t.Fatal(err)
	}
	if len(printed) != len(served) {
		t.Fatalf("printed %d routes, served %d", len(printed), len(served))
	}
	for i := range served {
		if got, want := printed[i].String(), served[i].String(); got != want {
			t.Errorf("row %d printed %q, served %q", i, got, want)
		}
	}
	rt, err := route.New(served, http.NotFoundHandler())
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range served {
		if r.Ability == "" || r.Auth == "" || r.Func == nil {
			t.Errorf("%s %s lacks its ability, auth or handler", r.Method, r.Pattern)
		}
		path := samplePath(r.Pattern)
		got, _, ok := rt.Match(r.Method, path)
		if !ok || got.Pattern != r.Pattern || got.Method != r.Method {
			t.Errorf("%s %s (as %s) routes to %v", r.Method, r.Pattern, path, got)
		}
	}
	t.Logf("%d routes served", len(served))
}

var wildcard = regexp.MustCompile(`\{[a-z_]+(\.\.\.)?\}`)

// samplePath fills a pattern's wildcards with values no literal segment
// has.
func samplePath(pattern string) string {
	if pattern == "/{$}" {
		return "/"
	}
	return wildcard.ReplaceAllStringFunc(pattern, func(w string) string {
		if strings.HasSuffix(w, "...}") {
			return "sample/multi"
		}
		return "sample%2Fone"
	})
}

// Routes are only ever registered through the tables: no ServeMux or
// Handle call elsewhere could serve a route the table does not list.
func TestNoRoutesOutsideTables(t *testing.T) {
	_, self, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(self), "..", "..")
	registration := regexp.MustCompile(`http\.NewServeMux\(|\.HandleFunc\(|\.Handle\("`)
	// pprof listens on its own address (serve.go); the bench's yardstick
	// is a separate program.
	allowed := map[string]bool{"cmd/lablet/serve.go": true, "bench/refserver/main.go": true}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if registration.Match(b) && !allowed[rel] {
			t.Errorf("%s registers routes outside a route table", rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
