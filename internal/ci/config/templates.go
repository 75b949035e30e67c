package config

import (
	"embed"
	"fmt"
	"io/fs"
	"strings"
)

// templates are lablet's own CI/CD templates, the files include:template
// names (GitLab ships its lib/gitlab/ci/templates; lablet writes its own).
//
//go:embed templates
var templates embed.FS

// templateSuffix ends every template name (Template#template_name_valid?).
const templateSuffix = ".gitlab-ci.yml"

// Template returns the template include:template names, e.g.
// "Bash.gitlab-ci.yml" or "Workflows/Branch-Pipelines.gitlab-ci.yml";
// ErrIncludeNotFound when lablet has none of that name.
func Template(name string) ([]byte, error) {
	if !strings.HasSuffix(name, templateSuffix) || !fs.ValidPath(name) {
		return nil, fmt.Errorf("%w: template %s", ErrIncludeNotFound, name)
	}
	b, err := templates.ReadFile("templates/" + name)
	if err != nil {
		return nil, fmt.Errorf("%w: template %s", ErrIncludeNotFound, name)
	}
	return b, nil
}

// TemplateNames lists the top-level templates' names without their
// suffix ("Bash", "Go"), the ones GitLab's template list offers; the
// Workflows/ ones are only included.
func TemplateNames() []string {
	entries, err := templates.ReadDir("templates")
	if err != nil {
		return nil
	}
	var names []string
	for _, e := range entries {
		if name, ok := strings.CutSuffix(e.Name(), templateSuffix); ok && !e.IsDir() {
			names = append(names, name)
		}
	}
	return names
}
