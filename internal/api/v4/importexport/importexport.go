// Package importexport is the part of GitLab's REST API v4 that exports a
// project or a group to a file and imports one from it
// (doc/api/project_import_export.md, doc/api/group_import_export.md).
// Its handlers are functions of the core package's Handler type; Routes is
// its route table, which internal/server hands to v4.New.
package importexport

import (
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"strconv"
	"strings"

	"github.com/lablet/lablet/internal/access"
	v4 "github.com/lablet/lablet/internal/api/v4"
	"github.com/lablet/lablet/internal/service"
)

// Routes are project and group export and import.
func Routes() []v4.Endpoint {
	return []v4.Endpoint{
		v4.Row("POST /projects/{id}/export", scheduleExport, v4.SignedIn, access.AdminProject),
		v4.Row("GET /projects/{id}/export", exportStatus, v4.SignedIn, access.AdminProject),
		v4.Row("GET /projects/{id}/export/download", downloadExport, v4.SignedIn, access.AdminProject),
		v4.Row("POST /projects/import", importProject, v4.SignedIn, access.CreateProject).WithRawBody(),
		v4.Row("GET /projects/{id}/import", importStatus, v4.Anyone, access.ReadProject),
		v4.Row("POST /groups/{id}/export", scheduleGroupExport, v4.SignedIn, access.AdminGroup),
		v4.Row("GET /groups/{id}/export/download", downloadGroupExport, v4.SignedIn, access.AdminGroup),
		v4.Row("POST /groups/import", importGroup, v4.SignedIn, access.CreateGroup).WithRawBody(),
	}
}

// exportStatusEntity is GitLab's Entities::ProjectExportStatus.
type exportStatusEntity struct {
	ID                int64        `json:"id"`
	Description       string       `json:"description"`
	Name              string       `json:"name"`
	NameWithNamespace string       `json:"name_with_namespace"`
	Path              string       `json:"path"`
	PathWithNamespace string       `json:"path_with_namespace"`
	CreatedAt         string       `json:"created_at"`
	ExportStatus      string       `json:"export_status"`
	Links             *exportLinks `json:"_links,omitempty"`
}

type exportLinks struct {
	APIURL string `json:"api_url"`
	WebURL string `json:"web_url"`
}

// importStatusEntity is GitLab's Entities::ProjectImportStatus.
type importStatusEntity struct {
	ID                int64    `json:"id"`
	Description       string   `json:"description"`
	Name              string   `json:"name"`
	NameWithNamespace string   `json:"name_with_namespace"`
	Path              string   `json:"path"`
	PathWithNamespace string   `json:"path_with_namespace"`
	CreatedAt         string   `json:"created_at"`
	ImportStatus      string   `json:"import_status"`
	ImportType        string   `json:"import_type"`
	CorrelationID     string   `json:"correlation_id"`
	FailedRelations   []string `json:"failed_relations"`
	ImportError       *string  `json:"import_error"`
}

func scheduleExport(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	if err := a.Service().ScheduleExport(r.Context(), c.Identity(), r.PathValue("id")); err != nil {
		return err
	}
	return v4.WriteAccepted(w)
}

func exportStatus(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	st, err := a.Service().ExportStatus(r.Context(), c.Identity(), r.PathValue("id"))
	if err != nil {
		return err
	}
	p := st.Project
	e := exportStatusEntity{ID: p.ID, Description: p.Description, Name: p.Name,
		NameWithNamespace: p.FullName(), Path: p.Path, PathWithNamespace: p.FullPath(),
		CreatedAt: v4.TS(p.CreatedAt), ExportStatus: st.Status}
	if st.Status == "finished" {
		base := a.BaseURL(r)
		e.Links = &exportLinks{APIURL: base + "/api/v4/projects/" + strconv.FormatInt(p.ID, 10) + "/export/download",
			WebURL: base + "/" + p.FullPath() + "/download_export"}
	}
	return v4.WriteOK(w, e)
}

func downloadExport(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	ar, err := a.Service().OpenExport(r.Context(), c.Identity(), r.PathValue("id"))
	if err != nil {
		return err
	}
	serveArchive(w, r, ar)
	return nil
}

// serveArchive sends an export's file.
func serveArchive(w http.ResponseWriter, r *http.Request, ar *service.ExportArchive) {
	defer ar.Body.Close()
	w.Header().Set("Content-Type", "application/gzip")
	w.Header().Set("Content-Disposition", `attachment; filename="`+ar.FileName()+`"`)
	http.ServeContent(w, r, "", ar.ModTime, ar.Body)
}

func importEntity(st *service.TransferStatus) importStatusEntity {
	p := st.Project
	e := importStatusEntity{ID: p.ID, Description: p.Description, Name: p.Name,
		NameWithNamespace: p.FullName(), Path: p.Path, PathWithNamespace: p.FullPath(),
		CreatedAt: v4.TS(p.CreatedAt), ImportStatus: st.Status, ImportType: "gitlab_project", FailedRelations: []string{}}
	if st.Status == "none" {
		e.ImportType = ""
	}
	if st.Error != "" {
		msg := st.Error
		e.ImportError = &msg
	}
	return e
}

func importStatus(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	st, err := a.Service().ImportStatus(r.Context(), c.Identity(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return v4.WriteOK(w, importEntity(st))
}

// maxImportBody bounds the multipart body of an import.
const maxImportBody = 1<<30 + 1<<20

// importProject is POST /projects/import: a multipart body whose file part
// (the archive) may come before or after the other fields, as the official
// clients send it; the file is spooled to a temporary file.
func importProject(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	fields, spool, err := readImportForm(w, r, c)
	if spool != nil {
		defer discardSpool(spool)
	}
	if err != nil {
		return err
	}
	if spool == nil {
		return service.ParamError("file is missing")
	}
	if fields["path"] == "" {
		return service.ParamError("path is missing")
	}
	in := service.ImportInput{Path: fields["path"]}
	if v, ok := fields["name"]; ok && v != "" {
		in.Name = &v
	}
	for _, k := range []string{"namespace", "namespace_id", "namespace_path"} {
		if v, ok := fields[k]; ok && v != "" {
			in.Namespace = &v
			break
		}
	}
	in.Overwrite = fields["overwrite"] == "true"
	if _, err := spool.Seek(0, io.SeekStart); err != nil {
		return err
	}
	st, err := a.Service().ImportProject(r.Context(), c.Identity(), in, spool)
	if err != nil {
		return err
	}
	return v4.WriteCreated(w, importEntity(st))
}

// readImportForm reads an import's multipart body: its fields, and its
// file part spooled to a temporary file (nil without one), which the
// caller removes with discardSpool.
func readImportForm(w http.ResponseWriter, r *http.Request, c *v4.Call) (map[string]string, *os.File, error) {
	if !c.Identity().Authenticated() {
		return nil, nil, service.Unauthorized("")
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxImportBody)
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, nil, service.ParamError("file is missing")
	}
	fields := map[string]string{}
	var spool *os.File
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, spool, v4.UploadReadError(err)
		}
		if err := readPart(part, fields, &spool); err != nil {
			return nil, spool, err
		}
	}
	return fields, spool, nil
}

func discardSpool(f *os.File) {
	f.Close()
	os.Remove(f.Name())
}

// readPart keeps a form field's value, or spools the file part.
func readPart(part *multipart.Part, fields map[string]string, spool **os.File) error {
	defer part.Close()
	name := part.FormName()
	if name == "file" {
		if *spool != nil {
			return service.ParamError("file is invalid")
		}
		f, err := os.CreateTemp("", "lablet-import-upload-*")
		if err != nil {
			return err
		}
		*spool = f
		if _, err := io.Copy(f, part); err != nil {
			return v4.UploadReadError(err)
		}
		return nil
	}
	b, err := io.ReadAll(io.LimitReader(part, 4096))
	if err != nil {
		return v4.UploadReadError(err)
	}
	fields[name] = strings.TrimSpace(string(b))
	return nil
}
