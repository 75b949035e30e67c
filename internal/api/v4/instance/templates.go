package instance

import (
	"net/http"
	"slices"

	v4 "github.com/lablet/lablet/internal/api/v4"
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
func listLicenseTemplates(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	var popular *bool
	if v, ok, err := c.Params().Bool("popular"); err != nil {
		return err
	} else if ok {
		popular = &v
	}
	list := templates.LicenseList(popular)
	out := []licenseEntity{}
	for _, l := range v4.PaginateSlice(a, w, r, c, list) {
		out = append(out, licenseEntityOf(l))
	}
	return v4.WriteOK(w, out)
}

// getLicenseTemplate is GET /templates/licenses/:name.
func getLicenseTemplate(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	project, _ := c.Params().Str("project")
	fullname, _ := c.Params().Str("fullname")
	l, err := a.Service().LicenseTemplate(c.Identity(), r.PathValue("name"), project, fullname)
	if err != nil {
		return err
	}
	return v4.WriteOK(w, licenseEntityOf(l))
}

// listFileTemplates serves GET /templates/{gitignores,gitlab_ci_ymls,dockerfiles}.
func listFileTemplates(kind templates.Kind) v4.Handler {
	return func(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
		return v4.WriteOK(w, templateListOf(v4.PaginateSlice(a, w, r, c, a.Service().FileTemplates(kind))))
	}
}

// getFileTemplate serves GET /templates/<kind>/:name.
func getFileTemplate(kind templates.Kind) v4.Handler {
	return func(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
		t, err := a.Service().FileTemplate(kind, r.PathValue("name"))
		if err != nil {
			return err
		}
		return v4.WriteOK(w, templateEntity{Name: t.Name, Content: t.Content})
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
func listProjectTemplates(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	kind, err := projectTemplateType(r)
	if err != nil {
		return err
	}
	list, err := a.Service().ProjectTemplateNames(r.Context(), c.Identity(), r.PathValue("id"), kind)
	if err != nil {
		return err
	}
	return v4.WriteOK(w, templateListOf(v4.PaginateSlice(a, w, r, c, list)))
}

// getProjectTemplate is GET /projects/:id/templates/:type/:name.
func getProjectTemplate(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	kind, err := projectTemplateType(r)
	if err != nil {
		return err
	}
	project, _ := c.Params().Str("project")
	fullname, _ := c.Params().Str("fullname")
	t, l, err := a.Service().ProjectTemplate(r.Context(), c.Identity(), r.PathValue("id"), kind, r.PathValue("name"), project, fullname)
	if err != nil {
		return err
	}
	if l != nil {
		return v4.WriteOK(w, licenseEntityOf(*l))
	}
	return v4.WriteOK(w, templateEntity{Name: t.Name, Content: t.Content})
}
