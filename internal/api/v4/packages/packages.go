package packages

import (
	"net/http"
	"strconv"

	v4 "github.com/lablet/lablet/internal/api/v4"
	"github.com/lablet/lablet/internal/service"
)

// maxFilterParam bounds the name and version filters.
const maxFilterParam = 255

// listOptions reads the packages API's filters and page as GitLab's Grape
// declares them; group lists also order by project_path and take
// exclude_subgroups.
func listOptions(c *v4.Call, group bool) (service.PackageListOptions, v4.Page, error) {
	var o service.PackageListOptions
	var pe v4.ParamErrors
	p := c.Params()
	orders := []string{"created_at", "name", "version", "type"}
	if group {
		orders = append(orders, "project_path")
		if b := pe.OptBool(p, "exclude_subgroups"); b != nil {
			o.ExcludeSubgroups = *b
		}
	}
	o.OrderBy = pe.OneOf(p, "order_by", orders...)
	o.Desc = pe.OneOf(p, "sort", "asc", "desc") == "desc"
	o.PackageType = pe.OneOf(p, "package_type", service.PackageTypes...)
	o.Status = pe.OneOf(p, "status", service.PackageStatuses...)
	if b := pe.OptBool(p, "include_versionless"); b != nil {
		o.IncludeVersionless = *b
	}
	for name, dst := range map[string]*string{"package_name": &o.Name, "package_version": &o.Version} {
		s, _, err := p.Text(name, maxFilterParam)
		if err != nil {
			pe.Add(err)
		}
		*dst = s
	}
	if err := pe.Err(); err != nil {
		return o, v4.Page{}, err
	}
	pg := v4.PageOf(p)
	o.Limit, o.Offset = pg.PerPage, pg.Offset()
	return o, pg, nil
}

func writePackages(a *v4.API, w http.ResponseWriter, r *http.Request, views []*service.PackageView, group bool) error {
	base := a.BaseURL(r)
	out := make([]packageEntity, len(views))
	for i, v := range views {
		out[i] = packageEntityOf(base, v, group)
	}
	return v4.WriteOK(w, out)
}

// listProjectPackages is GET /projects/:id/packages.
func listProjectPackages(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	o, pg, err := listOptions(c, false)
	if err != nil {
		return err
	}
	views, total, err := a.Service().ProjectPackages(r.Context(), c.Identity(), r.PathValue("id"), o)
	if err != nil {
		return err
	}
	a.SetPageHeaders(w, r, pg, total)
	return writePackages(a, w, r, views, false)
}

// listGroupPackages is GET /groups/:id/packages.
func listGroupPackages(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	o, pg, err := listOptions(c, true)
	if err != nil {
		return err
	}
	views, total, err := a.Service().GroupPackages(r.Context(), c.Identity(), r.PathValue("id"), o)
	if err != nil {
		return err
	}
	a.SetPageHeaders(w, r, pg, total)
	return writePackages(a, w, r, views, true)
}

// idParam reads a numeric path parameter: "<name> is invalid" otherwise.
func idParam(r *http.Request, name string) (int64, error) {
	n, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || n <= 0 {
		return 0, service.ParamError(name + " is invalid")
	}
	return n, nil
}

// getPackage is GET /projects/:id/packages/:package_id.
func getPackage(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	id, err := idParam(r, "package_id")
	if err != nil {
		return err
	}
	v, err := a.Service().Package(r.Context(), c.Identity(), r.PathValue("id"), id)
	if err != nil {
		return err
	}
	return v4.WriteOK(w, packageEntityOf(a.BaseURL(r), v, false))
}

// listPackageFiles is GET /projects/:id/packages/:package_id/package_files.
func listPackageFiles(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	id, err := idParam(r, "package_id")
	if err != nil {
		return err
	}
	var pe v4.ParamErrors
	orderBy := pe.OneOf(c.Params(), "order_by", "id", "file_name", "created_at")
	desc := pe.OneOf(c.Params(), "sort", "asc", "desc") == "desc"
	if err := pe.Err(); err != nil {
		return err
	}
	pg := v4.PageOf(c.Params())
	_, files, total, err := a.Service().PackageFiles(r.Context(), c.Identity(), r.PathValue("id"), id, orderBy, desc,
		pg.PerPage, pg.Offset())
	if err != nil {
		return err
	}
	a.SetPageHeaders(w, r, pg, total)
	out := make([]packageFileEntity, len(files))
	for i, f := range files {
		out[i] = packageFileEntityOf(f)
	}
	return v4.WriteOK(w, out)
}

// deletePackage is DELETE /projects/:id/packages/:package_id.
func deletePackage(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	id, err := idParam(r, "package_id")
	if err != nil {
		return err
	}
	if err := a.Service().DeletePackage(r.Context(), c.Identity(), r.PathValue("id"), id); err != nil {
		return err
	}
	return v4.WriteNoContent(w)
}

// deletePackageFile is DELETE …/packages/:package_id/package_files/:package_file_id.
func deletePackageFile(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	id, err := idParam(r, "package_id")
	if err != nil {
		return err
	}
	fileID, err := idParam(r, "package_file_id")
	if err != nil {
		return err
	}
	if err := a.Service().DeletePackageFile(r.Context(), c.Identity(), r.PathValue("id"), id, fileID); err != nil {
		return err
	}
	return v4.WriteNoContent(w)
}
