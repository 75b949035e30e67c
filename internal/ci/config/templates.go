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
