package v4

import (
	"errors"
	"io"
	"maps"
	"net/http"
	"net/url"
	"strconv"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// projectUploadEntity is GitLab's Entities::ProjectUpload.
type projectUploadEntity struct {
	ID       int64  `json:"id"`
	Alt      string `json:"alt"`
	URL      string `json:"url"`
	FullPath string `json:"full_path"`
	Markdown string `json:"markdown"`
}

// userSafe is GitLab's Entities::UserSafe.
type userSafe struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	Username string `json:"username"`
}

// markdownUploadEntity is GitLab's Entities::MarkdownUploadAdmin.
type markdownUploadEntity struct {
	ID         int64     `json:"id"`
	Size       int64     `json:"size"`
	Filename   string    `json:"filename"`
	CreatedAt  string    `json:"created_at"`
	UploadedBy *userSafe `json:"uploaded_by"`
}

// uploadJSON is what GitLab's FileUploader#to_h says of an upload: the
// Markdown embeds images and videos and links anything else.
func (a *API) uploadJSON(r *http.Request, p *model.Project, u *model.Upload) projectUploadEntity {
	rel := "/uploads/" + u.Secret + "/" + u.Filename
	alt, md := u.Filename, ""
	if service.UploadIsEmbedded(u) {
		alt = u.Filename[:len(u.Filename)-len(extOf(u.Filename))]
		md = "!"
	}
	base := ""
	if bu, err := url.Parse(a.BaseURL(r)); err == nil {
		base = bu.Path
	}
	return projectUploadEntity{ID: u.ID, Alt: alt, URL: rel,
		FullPath: base + "/-/project/" + strconv.FormatInt(p.ID, 10) + rel,
		Markdown: md + "[" + alt + "](" + rel + ")"}
}

func extOf(name string) string {
	for i := len(name) - 1; i > 0; i-- {
		if name[i] == '.' {
			return name[i:]
		}
	}
	return ""
}

// uploadFile is POST /projects/:id/uploads: multipart with a "file"
// part, streamed to blob storage (the row's body is never held whole).
func (a *API) uploadFile(w http.ResponseWriter, r *http.Request, c *Call) error {
	limit, err := a.svc.MaxAttachmentSize(r.Context())
	if err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit+1<<20)
	mr, err := r.MultipartReader()
	if err != nil {
		return service.ParamError("file is missing")
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return service.ParamError("file is missing")
		}
		if err != nil {
			// A multipart body that does not parse is bad input.
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return service.TooLarge()
			}
			return service.ParamError("file is invalid")
		}
		if part.FormName() != "file" {
			_ = part.Close()
			continue
		}
		if part.FileName() == "" {
			return service.ParamError("file is invalid")
		}
		up, err := a.svc.UploadFile(r.Context(), c.id, r.PathValue("id"), part.FileName(), part)
		if err != nil {
			return UploadReadError(err)
		}
		return WriteCreated(w, a.uploadJSON(r, up.Project, up.Upload))
	}
}

// UploadReadError maps a body that ran past its limit to 413 and a broken
// multipart body to 400; other errors pass.
func UploadReadError(err error) error {
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return service.TooLarge()
	case service.KindOf(err) != service.KindInternal:
		return err
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return service.ParamError("file is invalid")
	}
	return err
}

func (a *API) listUploads(w http.ResponseWriter, r *http.Request, c *Call) error {
	pg := PageOf(c.params)
	list, total, users, err := a.svc.ListUploads(r.Context(), c.id, r.PathValue("id"), pg.PerPage, pg.Offset())
	if err != nil {
		return err
	}
	a.SetPageHeaders(w, r, pg, total)
	out := make([]markdownUploadEntity, 0, len(list))
	for _, u := range list {
		e := markdownUploadEntity{ID: u.ID, Size: u.Size, Filename: u.Filename, CreatedAt: TS(u.CreatedAt)}
		if u.UploadedByID != nil {
			if by := users[*u.UploadedByID]; by != nil {
				e.UploadedBy = &userSafe{ID: by.ID, Name: by.Name, Username: by.Username}
			}
		}
		out = append(out, e)
	}
	return WriteOK(w, out)
}

// uploadID reads :upload_id; GitLab types it Integer.
func uploadID(r *http.Request) (int64, error) {
	n, err := strconv.ParseInt(r.PathValue("upload_id"), 10, 64)
	if err != nil || n <= 0 {
		return 0, service.ParamError("upload_id is invalid")
	}
	return n, nil
}

func (a *API) downloadUploadByID(w http.ResponseWriter, r *http.Request, c *Call) error {
	n, err := uploadID(r)
	if err != nil {
		return err
	}
	content, err := a.svc.OpenUpload(r.Context(), c.id, r.PathValue("id"), n, "", "")
	if err != nil {
		return err
	}
	serveUpload(w, r, content)
	return nil
}

func (a *API) downloadUpload(w http.ResponseWriter, r *http.Request, c *Call) error {
	content, err := a.svc.OpenUpload(r.Context(), c.id, r.PathValue("id"), 0, r.PathValue("secret"), r.PathValue("filename"))
	if err != nil {
		return err
	}
	serveUpload(w, r, content)
	return nil
}

func (a *API) deleteUploadByID(w http.ResponseWriter, r *http.Request, c *Call) error {
	n, err := uploadID(r)
	if err != nil {
		return err
	}
	if err := a.svc.DeleteUpload(r.Context(), c.id, r.PathValue("id"), n, "", ""); err != nil {
		return err
	}
	return WriteNoContent(w)
}

func (a *API) deleteUpload(w http.ResponseWriter, r *http.Request, c *Call) error {
	err := a.svc.DeleteUpload(r.Context(), c.id, r.PathValue("id"), 0, r.PathValue("secret"), r.PathValue("filename"))
	if err != nil {
		return err
	}
	return WriteNoContent(w)
}

// serveUpload writes an opened upload with the headers the service
// chose (UploadContent.Header) and closes it; Range and conditional
// requests are answered by http.ServeContent.
func serveUpload(w http.ResponseWriter, r *http.Request, c *service.UploadContent) {
	if c.URL != "" {
		http.Redirect(w, r, c.URL, http.StatusFound)
		return
	}
	defer c.Body.Close()
	maps.Copy(w.Header(), c.Header())
	http.ServeContent(w, r, "", c.Info.ModTime, c.Body)
}
