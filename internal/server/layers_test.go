package server_test

import (
	"go/build"
	"go/parser"
	"go/token"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/lablet/lablet/"

// The layers hold: adapters reach storage only through the service layer,
// the service layer knows no adapter, the store knows neither, and domain
// records import nothing of lablet's.
func TestLayers(t *testing.T) {
	_, self, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(self), "..", "..")
	// The REST API's domain packages: adapters that import the core,
	// never the reverse, nor each other.
	domains := []string{"internal/api/v4/cicd", "internal/api/v4/hooks", "internal/api/v4/instance", "internal/api/v4/integrations",
		"internal/api/v4/keys", "internal/api/v4/notifications", "internal/api/v4/projectops",
		"internal/api/v4/releases", "internal/api/v4/snippets", "internal/api/v4/wikis", "internal/api/v4/scim"}
	adapters := append([]string{"internal/api/v4", "internal/web", "internal/githttp", "internal/gitlfs", "internal/sshd", "internal/route",
		"internal/graphql", "internal/scim"}, domains...)
	rules := []struct {
		pkg       string
		forbidden []string
		onlyThese []string // when set, the only lablet packages it may import
	}{
		{pkg: "internal/model", onlyThese: []string{}},
		{pkg: "internal/cache", onlyThese: []string{}},
		{pkg: "internal/avatar", onlyThese: []string{}},
		{pkg: "internal/access", onlyThese: []string{}},
		{pkg: "internal/markdown", onlyThese: []string{}},
		{pkg: "internal/ci/config", onlyThese: []string{}},
		{pkg: "internal/ci/expr", onlyThese: []string{}},
		{pkg: "internal/ci/glob", onlyThese: []string{}},
		{pkg: "internal/ci/junit", onlyThese: []string{}},
		{pkg: "internal/ci/protocol", onlyThese: []string{}},
		{pkg: "internal/runner", onlyThese: []string{"internal/ci/protocol"}},
		{pkg: "internal/blob", onlyThese: []string{}},
		{pkg: "internal/templates", onlyThese: []string{"internal/ci/config"}},
		{pkg: "internal/outbound", onlyThese: []string{}},
		{pkg: "internal/mail", onlyThese: []string{}},
		{pkg: "internal/avatar", onlyThese: []string{}},
		{pkg: "internal/route", onlyThese: []string{"internal/access"}},
		{pkg: "internal/store", onlyThese: []string{"internal/cache", "internal/model"}},
		{pkg: "internal/repo", onlyThese: []string{"internal/cache"}},
		// Backups copy storage as it lies: the database and repositories.
		{pkg: "internal/backup", onlyThese: []string{"internal/store", "internal/repo"}},
		{pkg: "internal/service", forbidden: append(adapters, "internal/server", "internal/oauth")},
		{pkg: "internal/api/v4", forbidden: append([]string{"internal/store", "internal/server", "internal/web", "internal/oauth"}, domains...)},
		{pkg: "internal/web", forbidden: append([]string{"internal/store", "internal/server", "internal/api/v4"}, domains...)},
		// GraphQL: an adapter beside REST, reading through the service.
		{pkg: "internal/graphql", forbidden: append([]string{"internal/store", "internal/server", "internal/web", "internal/oauth"}, domains...)},
		{pkg: "internal/githttp", forbidden: []string{"internal/store", "internal/service", "internal/server"}},
		// Git LFS: an adapter next to githttp (whose path rules it shares).
		{pkg: "internal/gitlfs", forbidden: []string{"internal/store", "internal/server", "internal/api/v4", "internal/web"}},
		// git over SSH: the protocol, and githttp to run git; decisions
		// come through its Resolver.
		{pkg: "internal/sshd", onlyThese: []string{"internal/githttp"}},
		// SCIM: the protocol; every rule is the service's.
		{pkg: "internal/scim", onlyThese: []string{"internal/access", "internal/model", "internal/route", "internal/service"}},
		{pkg: "cmd/lablet", forbidden: []string{"internal/store", "internal/repo"}},
	}
	// A domain package of the REST API is an adapter like its core, which
	// it imports (the core never imports it), and knows no other domain.
	for _, d := range domains {
		others := slices.DeleteFunc(slices.Clone(domains), func(o string) bool { return o == d })
		rules = append(rules, struct {
			pkg       string
			forbidden []string
			onlyThese []string
		}{pkg: d, forbidden: append([]string{"internal/store", "internal/server", "internal/web", "internal/oauth"}, others...)})
	}
	for _, rule := range rules {
		p, err := build.ImportDir(filepath.Join(root, rule.pkg), 0)
		if err != nil {
			t.Fatalf("%s: %v", rule.pkg, err)
		}
		for _, imp := range p.Imports {
			rel, ok := strings.CutPrefix(imp, module)
			if !ok {
				continue
			}
			if slices.Contains(rule.forbidden, rel) {
				t.Errorf("%s imports %s", rule.pkg, rel)
			}
			if rule.onlyThese != nil && !slices.Contains(rule.onlyThese, rel) {
				t.Errorf("%s imports %s; it may import only %v", rule.pkg, rel, rule.onlyThese)
			}
		}
	}
}

// OAuth's storage adapter (storage.go) is the one file of internal/oauth
// that touches the store; the provider's domain reads go through the
// service layer.
func TestOAuthStorageAdapterAlone(t *testing.T) {
	_, self, _, _ := runtime.Caller(0)
	dir := filepath.Join(filepath.Dir(self), "..", "oauth")
	p, err := build.ImportDir(dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range p.GoFiles {
		f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(dir, name), nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			if strings.Trim(imp.Path.Value, `"`) == module+"internal/store" && name != "storage.go" {
				t.Errorf("internal/oauth/%s imports the store; only storage.go may", name)
			}
		}
	}
}
