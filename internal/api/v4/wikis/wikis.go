package wikis

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"

	v4 "github.com/lablet/lablet/internal/api/v4"
	"github.com/lablet/lablet/internal/service"
)

// maxTextParam bounds a page's title and content as parameters; the
// service applies GitLab's own limits.
const maxTextParam = 8 << 20

// pageBasic is GitLab's Entities::WikiPageBasic; page adds the content
// (Entities::WikiPage).
type pageBasic struct {
	Format string `json:"format"`
	Slug   string `json:"slug"`
	Title  string `json:"title"`
}

type page struct {
	pageBasic
	Content  string `json:"content"`
	Encoding string `json:"encoding"`
}

func pageOf(p *service.WikiPage) page {
	return page{pageBasic: pageBasic{Format: p.Format, Slug: p.Slug, Title: p.Title}, Content: p.Content, Encoding: "UTF-8"}
}

func holder(r *http.Request, group bool) service.WikiHolder {
	return service.WikiHolder{Ref: r.PathValue("id"), Group: group}
}

func listPages(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call, group bool) error {
	withContent, _, err := c.Params().Bool("with_content")
	if err != nil {
		return err
	}
	pages, err := a.Service().ListWikiPages(r.Context(), c.Identity(), holder(r, group), withContent)
	if err != nil {
		return err
	}
	if withContent {
		out := make([]page, len(pages))
		for i, p := range pages {
			out[i] = pageOf(p)
		}
		return v4.WriteOK(w, out)
	}
	out := make([]pageBasic, len(pages))
	for i, p := range pages {
		out[i] = pageBasic{Format: p.Format, Slug: p.Slug, Title: p.Title}
	}
	return v4.WriteOK(w, out)
}

func getPage(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call, group bool) error {
	render, _, err := c.Params().Bool("render_html")
	if err != nil {
		return err
	}
	version, _, err := c.Params().Text("version", 256)
	if err != nil {
		return err
	}
	p, err := a.Service().GetWikiPage(r.Context(), c.Identity(), holder(r, group), r.PathValue("slug"),
		service.WikiPageOptions{Version: version, RenderHTML: render, BaseURL: a.BaseURL(r)})
	if err != nil {
		return err
	}
	return v4.WriteOK(w, pageOf(p))
}

// pageInput reads title, content and format; GitLab's format values
// are checked here, as Grape's values: does.
func pageInput(c *v4.Call) (service.WikiPageInput, error) {
	var in service.WikiPageInput
	for _, f := range []struct {
		name string
		dst  **string
	}{{"title", &in.Title}, {"content", &in.Content}} {
		s, ok, err := c.Params().Text(f.name, maxTextParam)
		if err != nil {
			return in, err
		}
		if ok {
			*f.dst = &s
		}
	}
	format, ok, err := c.Params().OneOf("format", service.WikiFormats...)
	if err != nil {
		return in, err
	}
	if ok {
		in.Format = &format
	}
	return in, nil
}

func createPage(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call, group bool) error {
	in, err := pageInput(c)
	if err != nil {
		return err
	}
	var missing []string
	if in.Title == nil {
		missing = append(missing, "title is missing")
	}
	if in.Content == nil {
		missing = append(missing, "content is missing")
	}
	if len(missing) > 0 {
		return service.ParamError(strings.Join(missing, ", "))
	}
	p, err := a.Service().CreateWikiPage(r.Context(), c.Identity(), holder(r, group), in)
	if err != nil {
		return err
	}
	return v4.WriteCreated(w, pageOf(p))
}

func updatePage(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call, group bool) error {
	in, err := pageInput(c)
	if err != nil {
		return err
	}
	if in.Title == nil && in.Content == nil && in.Format == nil {
		return service.ParamError("content, title, format are missing, at least one parameter must be provided")
	}
	p, err := a.Service().UpdateWikiPage(r.Context(), c.Identity(), holder(r, group), r.PathValue("slug"), in)
	if err != nil {
		return err
	}
	return v4.WriteOK(w, pageOf(p))
}

func deletePage(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call, group bool) error {
	if err := a.Service().DeleteWikiPage(r.Context(), c.Identity(), holder(r, group), r.PathValue("slug")); err != nil {
		return err
	}
	return v4.WriteNoContent(w)
}

// attachment is GitLab's Entities::WikiAttachment.
type attachment struct {
	FileName string         `json:"file_name"`
	FilePath string         `json:"file_path"`
	Branch   string         `json:"branch"`
	Link     attachmentLink `json:"link"`
}

type attachmentLink struct {
	URL      string `json:"url"`
	Markdown string `json:"markdown"`
}

// uploadAttachment is POST …/wikis/attachments: multipart with a "file"
// part and an optional "branch" (in the body or the query). The file is
// read whole (it becomes one git blob), up to the attachment size limit.
func uploadAttachment(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call, group bool) error {
	if err := a.Service().CheckWikiAttachment(r.Context(), c.Identity(), holder(r, group)); err != nil {
		return err
	}
	limit, err := a.Service().MaxAttachmentSize(r.Context())
	if err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit+1<<20)
	mr, err := r.MultipartReader()
	if err != nil {
		return service.ParamError("file is missing")
	}
	branch, _, err := c.Params().Text("branch", 255)
	if err != nil {
		return err
	}
	var name string
	var content []byte
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return v4.UploadReadError(err)
		}
		switch part.FormName() {
		case "file":
			if part.FileName() == "" {
				return service.ParamError("file is invalid")
			}
			var buf bytes.Buffer
			n, err := io.Copy(&buf, io.LimitReader(part, limit+1))
			if err != nil {
				return v4.UploadReadError(err)
			}
			if n > limit {
				return service.TooLarge()
			}
			name, content = part.FileName(), buf.Bytes()
		case "branch":
			b, err := io.ReadAll(io.LimitReader(part, 256))
			if err != nil {
				return v4.UploadReadError(err)
			}
			branch = string(b)
		}
		_ = part.Close()
	}
	if name == "" {
		return service.ParamError("file is missing")
	}
	att, err := a.Service().UploadWikiAttachment(r.Context(), c.Identity(), holder(r, group), name, branch, content)
	if err != nil {
		return err
	}
	return v4.WriteCreated(w, attachment{FileName: att.FileName, FilePath: att.FilePath, Branch: att.Branch,
		Link: attachmentLink{URL: att.FilePath, Markdown: att.Markdown}})
}
