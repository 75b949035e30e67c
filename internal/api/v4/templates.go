package v4

import (
	"net/http"
	"slices"

	"github.com/lablet/lablet/internal/service"
	"github.com/lablet/lablet/internal/templates"
)

// templateListEntity is GitLab's Entities::TemplatesList.
type templateListEntity struct {
	Key  string `json:"key"`
	Name string `json:"name"`
}

// templateEntity is GitLab's Entities::Template.
type templateEntity struct {
	Name    string `json:"name"`
	Content string `json:"content"`
}

// licenseEntity is GitLab's Entities::License.
type licenseEntity struct {
	Key         string   `json:"key"`
	Name        string   `json:"name"`
	Nickname    *string  `json:"nickname"`
	HTMLURL     string   `json:"html_url"`
	SourceURL   string   `json:"source_url"`
	Popular     bool     `json:"popular"`
	Description string   `json:"description"`
	Conditions  []string `json:"conditions"`
	Permissions []string `json:"permissions"`
	Limitations []string `json:"limitations"`
	Content     string   `json:"content"`
}

func licenseEntityOf(l templates.License) licenseEntity {
	e := licenseEntity{Key: l.Key, Name: l.Name, HTMLURL: l.HTMLURL, SourceURL: l.SourceURL, Popular: l.Popular,
		Description: l.Description, Conditions: l.Conditions, Permissions: l.Permissions, Limitations: l.Limitations,
		Content: l.Content}
	if l.Nickname != "" {
		e.Nickname = &l.Nickname
	}
	return e
}

// listLicenseTemplates is GET /templates/licenses.
func (a *API) listLicenseTemplates(w http.ResponseWriter, r *http.Request, c *Call) error {
	var popular *bool
	if v, ok, err := c.params.Bool("popular"); err != nil {
		return err
	} else if ok {
		popular = &v
	}
	list := templates.LicenseList(popular)
	out := []licenseEntity{}
	for _, l := range PaginateSlice(a, w, r, c, list) {
		out = append(out, licenseEntityOf(l))
	}
	return WriteOK(w, out)
}

// getLicenseTemplate is GET /templates/licenses/:name.
func (a *API) getLicenseTemplate(w http.ResponseWriter, r *http.Request, c *Call) error {
	project, _ := c.params.Str("project")
	fullname, _ := c.params.Str("fullname")
	l, err := a.svc.LicenseTemplate(c.id, r.PathValue("name"), project, fullname)
	if err != nil {
		return err
	}
	return WriteOK(w, licenseEntityOf(l))
}

// listFileTemplates serves GET /templates/{gitignores,gitlab_ci_ymls,dockerfiles}.
func listFileTemplates(kind templates.Kind) Handler {
	return func(a *API, w http.ResponseWriter, r *http.Request, c *Call) error {
		return WriteOK(w, templateListOf(PaginateSlice(a, w, r, c, a.svc.FileTemplates(kind))))
	}
}

// getFileTemplate serves GET /templates/<kind>/:name.
func getFileTemplate(kind templates.Kind) Handler {
	return func(a *API, w http.ResponseWriter, r *http.Request, c *Call) error {
		t, err := a.svc.FileTemplate(kind, r.PathValue("name"))
		if err != nil {
			return err
		}
		return WriteOK(w, templateEntity{Name: t.Name, Content: t.Content})
	}
}

func templateListOf(list []templates.Template) []templateListEntity {
	out := make([]templateListEntity, len(list))
	for i, t := range list {
		out[i] = templateListEntity{Key: t.Key, Name: t.Name}
	}
	return out
}

// projectTemplateType reads :type, one of GitLab's TEMPLATE_TYPES.
func projectTemplateType(r *http.Request) (string, error) {
	kind := r.PathValue("type")
	if !slices.Contains(service.ProjectTemplateTypes, kind) {
		return "", service.ParamError("type does not have a valid value")
	}
	return kind, nil
}

// listProjectTemplates is GET /projects/:id/templates/:type.
func (a *API) listProjectTemplates(w http.ResponseWriter, r *http.Request, c *Call) error {
	kind, err := projectTemplateType(r)
	if err != nil {
		return err
	}
	list, err := a.svc.ProjectTemplateNames(r.Context(), c.id, r.PathValue("id"), kind)
	if err != nil {
		return err
	}
	return WriteOK(w, templateListOf(PaginateSlice(a, w, r, c, list)))
}

// getProjectTemplate is GET /projects/:id/templates/:type/:name.
func (a *API) getProjectTemplate(w http.ResponseWriter, r *http.Request, c *Call) error {
	kind, err := projectTemplateType(r)
	if err != nil {
		return err
	}
	project, _ := c.params.Str("project")
	fullname, _ := c.params.Str("fullname")
	t, l, err := a.svc.ProjectTemplate(r.Context(), c.id, r.PathValue("id"), kind, r.PathValue("name"), project, fullname)
	if err != nil {
		return err
	}
	if l != nil {
		return WriteOK(w, licenseEntityOf(*l))
	}
	return WriteOK(w, templateEntity{Name: t.Name, Content: t.Content})
}
