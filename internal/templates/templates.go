// Package templates holds the file templates lablet offers through
// GitLab's template APIs: licences, .gitignore files, Dockerfiles and
// (from internal/ci/config, the one source include:template reads too)
// CI/CD configurations. The texts are embedded, so nothing is read from
// the host at run time.
package templates

import (
	"embed"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/lablet/lablet/internal/ci/config"
)

//go:embed licenses gitignores dockerfiles
var files embed.FS

// Kind names a family of templates as GitLab's API does.
type Kind string

const (
	Licenses     Kind = "licenses"
	Gitignores   Kind = "gitignores"
	GitlabCIYmls Kind = "gitlab_ci_ymls"
	Dockerfiles  Kind = "dockerfiles"
)

// Template is one file template: Key is what the API's :name takes.
type Template struct {
	Key     string
	Name    string
	Content string
}

// List returns the templates of a kind other than licences, sorted by
// key (licences: LicenseList).
func List(kind Kind) []Template {
	var out []Template
	switch kind {
	case GitlabCIYmls:
		for _, name := range config.TemplateNames() {
			if t, ok := Get(kind, name); ok {
				out = append(out, t)
			}
		}
	case Gitignores, Dockerfiles:
		entries, _ := fs.ReadDir(files, string(kind))
		for _, e := range entries {
			key := strings.TrimSuffix(e.Name(), path.Ext(e.Name()))
			if t, ok := Get(kind, key); ok {
				out = append(out, t)
			}
		}
	}
	slices.SortFunc(out, func(a, b Template) int { return strings.Compare(a.Key, b.Key) })
	return out
}

// validName is GitLab's requirement on a template's :name ([\w.-]+).
var validName = regexp.MustCompile(`^[\w.-]+$`)

// Get returns the template of kind named key (exact case, as GitLab's
// finders look files up); false when there is none.
func Get(kind Kind, key string) (Template, bool) {
	if !validName.MatchString(key) || strings.HasPrefix(key, ".") {
		return Template{}, false
	}
	var b []byte
	var err error
	switch kind {
	case GitlabCIYmls:
		b, err = config.Template(key + ".gitlab-ci.yml")
	case Gitignores:
		b, err = files.ReadFile("gitignores/" + key + ".gitignore")
	case Dockerfiles:
		b, err = files.ReadFile("dockerfiles/" + key + ".Dockerfile")
	default:
		return Template{}, false
	}
	if err != nil {
		return Template{}, false
	}
	return Template{Key: key, Name: key, Content: string(b)}, true
}
