package packages

import (
	"mime"
	"net/http"
	"strings"

	v4 "github.com/lablet/lablet/internal/api/v4"
	"github.com/lablet/lablet/internal/service"
)

// sha256Header carries a downloaded package file's SHA-256, as GitLab's
// X-Checksum-SHA256.
const sha256Header = "X-Checksum-SHA256"

// genericFilePath splits the route's file_path into the file's
// directory ("" for none) and its name.
func genericFilePath(r *http.Request) (dir, file string) {
	fp := r.PathValue("file_path")
	if i := strings.LastIndexByte(fp, '/'); i >= 0 {
		return fp[:i], fp[i+1:]
	}
	return "", fp
}

// publishGeneric is PUT /projects/:id/packages/generic/:package_name/
// :package_version/:file_name: the body is the file, streamed to blob
// storage. select=package_file answers with the file's record, else
// {"message":"201 Created"}.
func publishGeneric(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	var pe v4.ParamErrors
	p := c.Params()
	status := pe.OneOf(p, "status", "default", "hidden")
	sel := pe.OneOf(p, "select", "package_file")
	if err := pe.Err(); err != nil {
		return err
	}
	dir, file := genericFilePath(r)
	v, err := a.Service().PublishGenericPackageFile(r.Context(), c.Identity(), r.PathValue("id"), service.GenericUpload{
		Name: r.PathValue("package_name"), Version: r.PathValue("package_version"), Path: dir, FileName: file,
		Status: status, Size: r.ContentLength, Body: r.Body})
	if err != nil {
		return err
	}
	if sel == "package_file" {
		return v4.WriteCreated(w, publishedFileOf(v))
	}
	return v4.WriteCreated(w, map[string]string{"message": "201 Created"})
}

// downloadGeneric is GET /projects/:id/packages/generic/…: the newest
// file of that name, as an attachment, with its SHA-256 in a header.
func downloadGeneric(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	dir, file := genericFilePath(r)
	f, err := a.Service().GenericPackageFile(r.Context(), c.Identity(), r.PathValue("id"), r.PathValue("package_name"),
		r.PathValue("package_version"), dir, file)
	if err != nil {
		return err
	}
	if f.URL != "" {
		http.Redirect(w, r, f.URL, http.StatusFound)
		return nil
	}
	defer f.Body.Close()
	h := w.Header()
	h.Set("Content-Type", "application/octet-stream")
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": f.File.FileName}))
	h.Set("X-Content-Type-Options", "nosniff")
	if f.File.FileSHA256 != "" {
		h.Set(sha256Header, f.File.FileSHA256)
	}
	http.ServeContent(w, r, "", f.ModTime, f.Body)
	return nil
}
