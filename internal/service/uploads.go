package service

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/blob"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// DefaultMaxAttachmentSize is GitLab's default max_attachment_size.
const DefaultMaxAttachmentSize = 100 << 20

// maxUploadFilename bounds a sanitized filename, in bytes (a file name on
// most filesystems, and well within a URL).
const maxUploadFilename = 200

// MaxAttachmentSize is the largest file UploadFile takes, in bytes: the
// max_attachment_size setting when an administrator set it, else the
// server's configured limit.
func (s *Service) MaxAttachmentSize(ctx context.Context) (int64, error) {
	settings, err := s.InstanceSettings(ctx)
	if err != nil {
		return 0, err
	}
	if settings.MaxAttachmentSize > 0 {
		return settings.MaxAttachmentSize << 20, nil
	}
	return s.maxAttachmentSize, nil
}

// UploadedFile is an upload with the project it belongs to.
type UploadedFile struct {
	Project *model.Project
	Upload  *model.Upload
}

// UploadFile stores a file for the project's Markdown (GitLab's
// UploadService): the caller needs upload_file; the file may be at most
// MaxAttachmentSize bytes (413 otherwise); its name is sanitized as
// CarrierWave does. The bytes are written before the row, and removed
// again if the row can't be.
func (s *Service) UploadFile(ctx context.Context, id *auth.Identity, ref, filename string, content io.Reader) (*UploadedFile, error) {
	p, level, err := s.VisibleProject(ctx, id, ref)
	if err != nil {
		return nil, err
	}
	if !id.Authenticated() || !ProjectCan(id, p, level, access.UploadFile) {
		return nil, Forbidden("")
	}
	if s.blobs == nil {
		return nil, fmt.Errorf("service: upload: no blob storage")
	}
	limit, err := s.MaxAttachmentSize(ctx)
	if err != nil {
		return nil, err
	}
	name := SanitizeFilename(filename)
	secret, err := newUploadSecret()
	if err != nil {
		return nil, err
	}
	key := uploadsPrefix(p.ID) + "/" + secret
	br := bufio.NewReaderSize(content, 512)
	head, _ := br.Peek(512)
	size, err := s.blobs.Put(ctx, key, io.LimitReader(br, limit+1))
	if err != nil {
		return nil, fmt.Errorf("service: store upload: %w", err)
	}
	if size > limit {
		s.removeBlob(ctx, key)
		return nil, TooLarge()
	}
	u := &model.Upload{ProjectID: p.ID, Secret: secret, Filename: name, Size: size,
		ContentType: uploadContentType(name, head), BlobKey: key, UploadedByID: &id.User.ID}
	err = s.db.WithTx(ctx, func(q *store.Queries) error { return q.InsertUpload(ctx, u) })
	if err != nil {
		s.removeBlob(ctx, key)
		return nil, fmt.Errorf("service: record upload: %w", err)
	}
	s.statisticsChanged(ctx, p.ID)
	return &UploadedFile{Project: p, Upload: u}, nil
}

// removeBlob deletes a blob whose row is gone or was never written; a
// failure only leaves an orphan file, so it is logged.
func (s *Service) removeBlob(ctx context.Context, key string) {
	if err := s.blobs.Delete(context.WithoutCancel(ctx), key); err != nil && s.log != nil {
		s.log.WarnContext(ctx, "upload blob left behind", "key", key, "err", err)
	}
}

// uploadsPrefix is where a project's uploads are kept in blob storage.
func uploadsPrefix(projectID int64) string { return fmt.Sprintf("uploads/%d", projectID) }

// deleteProjectUploads removes the uploads, exports, package files and
// avatars of deleted projects from blob storage (their rows went with the
// projects); a failure leaves orphan files only, so it is logged.
func (s *Service) deleteProjectUploads(ctx context.Context, projectIDs ...int64) {
	if s.blobs == nil {
		return
	}
	for _, id := range projectIDs {
		for _, prefix := range []string{uploadsPrefix(id), exportsPrefix(id), packagesPrefix(id)} {
			if err := s.blobs.DeleteAll(context.WithoutCancel(ctx), prefix); err != nil && s.log != nil {
				s.log.ErrorContext(ctx, "delete project blobs", "project_id", id, "prefix", prefix, "err", err)
			}
		}
	}
	s.removeAvatars(ctx, AvatarProject, projectIDs...)
}

func newUploadSecret() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("service: upload secret: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// SanitizeFilename is CarrierWave's sanitized file name, which GitLab
// stores uploads under: the last path element (either slash), every
// character but letters, digits, "_", ".", "-" and "+" replaced by "_",
// a name of dots only prefixed with "_", an empty one "unnamed". lablet
// also bounds its length, keeping a short extension.
func SanitizeFilename(name string) string {
	name = strings.ToValidUTF8(name, "_")
	name = strings.ReplaceAll(name, "\\", "/")
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) || r == '_' || r == '.' || r == '-' || r == '+' {
			return r
		}
		return '_'
	}, name)
	if strings.Trim(name, ".") == "" && name != "" {
		name = "_" + name
	}
	if name == "" {
		return "unnamed"
	}
	if len(name) > maxUploadFilename {
		ext := path.Ext(name)
		if len(ext) > 16 {
			ext = ""
		}
		base := name[:maxUploadFilename-len(ext)]
		for !utf8.ValidString(base) {
			base = base[:len(base)-1]
		}
		name = base + ext
	}
	return name
}

// imageTypes are the image types browsers may show inline (GitLab's
// SAFE_IMAGE_EXT); SVG is not among them: it can carry script.
var imageTypes = map[string]string{
	".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
	".bmp": "image/bmp", ".tiff": "image/tiff", ".ico": "image/vnd.microsoft.icon", ".webp": "image/webp",
}

// embeddedExts are what GitLab's Markdown for an upload embeds ("!"):
// images and videos.
var embeddedExts = map[string]bool{".svg": true, ".mp4": true, ".m4v": true, ".mov": true, ".webm": true, ".ogv": true}

// uploadContentType is a file's type: by its extension, else by its
// first bytes.
func uploadContentType(name string, head []byte) string {
	ext := strings.ToLower(path.Ext(name))
	if t, ok := imageTypes[ext]; ok {
		return t
	}
	if t := mime.TypeByExtension(ext); t != "" {
		return t
	}
	return http.DetectContentType(head)
}

// UploadIsEmbedded reports whether GitLab's Markdown for the upload is
// an embed ("![alt](url)") rather than a link: images and videos.
func UploadIsEmbedded(u *model.Upload) bool {
	ext := strings.ToLower(path.Ext(u.Filename))
	_, image := imageTypes[ext]
	return image || embeddedExts[ext]
}

// UploadContent is an upload opened for download. Inline is true only
// for images browsers render without running anything; everything else
// is to be sent as an attachment with ContentType, never sniffed.
type UploadContent struct {
	Upload *model.Upload
	// URL, when downloads redirect to the object store, serves the
	// upload with its Header's type and disposition; Body is nil then.
	URL         string
	Body        io.ReadSeekCloser
	Info        blob.Info
	ContentType string
	Inline      bool
}

// uploadCSP forbids everything a served file could do if a browser
// rendered it as a page: no script, no plugin, no frame, sandboxed.
const uploadCSP = "default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'; sandbox"

// Header is how every adapter serves the upload: safe images inline with
// their type, anything else as an attachment (HTML and SVG as
// application/octet-stream); never sniffed, under a CSP that runs
// nothing. The filename is encoded as RFC 6266 says.
func (c *UploadContent) Header() http.Header {
	disposition := "attachment"
	if c.Inline {
		disposition = "inline"
	}
	cd := mime.FormatMediaType(disposition, map[string]string{"filename": c.Upload.Filename})
	if cd == "" {
		cd = disposition
	}
	return http.Header{
		"Content-Type":            {c.ContentType},
		"X-Content-Type-Options":  {"nosniff"},
		"Content-Security-Policy": {uploadCSP},
		"Cache-Control":           {"private, max-age=0, must-revalidate"},
		"Content-Disposition":     {cd},
	}
}

// dangerousTypes would run script if a browser rendered them; they are
// sent as application/octet-stream.
func dangerousType(t string) bool {
	base, _, _ := strings.Cut(t, ";")
	base = strings.ToLower(strings.TrimSpace(base))
	return base == "text/html" || base == "image/svg+xml" || strings.Contains(base, "xml") ||
		strings.Contains(base, "javascript") || base == "application/pdf" || base == "text/xsl"
}

func (s *Service) openUpload(ctx context.Context, u *model.Upload) (*UploadContent, error) {
	c := &UploadContent{Upload: u, ContentType: u.ContentType}
	if t, ok := imageTypes[strings.ToLower(path.Ext(u.Filename))]; ok && t == u.ContentType {
		c.Inline = true
	} else if dangerousType(u.ContentType) {
		c.ContentType = "application/octet-stream"
	}
	h := c.Header()
	url, err := s.downloadURL(ctx, u.BlobKey, blob.ResponseHeaders{ContentType: h.Get("Content-Type"),
		ContentDisposition: h.Get("Content-Disposition")})
	if errors.Is(err, blob.ErrNotFound) {
		return nil, errUploadNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("service: upload url: %w", err)
	}
	if url != "" {
		c.URL = url
		return c, nil
	}
	c.Body, c.Info, err = s.blobs.Open(ctx, u.BlobKey)
	if errors.Is(err, blob.ErrNotFound) {
		return nil, errUploadNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("service: open upload: %w", err)
	}
	return c, nil
}

// uploadProject loads the project for an upload operation needing ability
// (access.ReadProject, GitLab's read_upload, for downloads by secret;
// access.AdminUpload for the rest).
func (s *Service) uploadProject(ctx context.Context, id *auth.Identity, ref string, ability access.Ability) (*model.Project, error) {
	p, level, err := s.VisibleProject(ctx, id, ref)
	if err != nil {
		return nil, err
	}
	if !ProjectCan(id, p, level, ability) {
		return nil, Forbidden("")
	}
	return p, nil
}

// ListUploads is a project's uploads, newest first, with their uploaders
// (Maintainer: admin_upload).
func (s *Service) ListUploads(ctx context.Context, id *auth.Identity, ref string, limit, offset int) ([]*model.Upload, int, map[int64]*model.User, error) {
	p, err := s.uploadProject(ctx, id, ref, access.AdminUpload)
	if err != nil {
		return nil, 0, nil, err
	}
	q := s.db.Queries()
	list, total, err := q.ListUploads(ctx, p.ID, limit, offset)
	if err != nil {
		return nil, 0, nil, err
	}
	var ids []int64
	for _, u := range list {
		if u.UploadedByID != nil {
			ids = append(ids, *u.UploadedByID)
		}
	}
	users, err := q.UsersByIDs(ctx, ids)
	return list, total, users, err
}

// uploadByKey finds an upload by id (secret empty) or by secret and
// filename: "404 Not found" when there is none.
func (s *Service) uploadByKey(ctx context.Context, p *model.Project, uploadID int64, secret, filename string) (*model.Upload, error) {
	q := s.db.Queries()
	var u *model.Upload
	var err error
	if secret == "" {
		u, err = q.UploadByID(ctx, p.ID, uploadID)
	} else {
		if !validUploadSecret(secret) {
			return nil, errUploadNotFound
		}
		u, err = q.UploadBySecret(ctx, p.ID, secret, filename)
	}
	if errors.Is(err, store.ErrNotFound) {
		if secret == "" {
			return nil, errUploadIDNotFound
		}
		return nil, errUploadNotFound
	}
	return u, err
}

// The API's answers for a missing upload: by id, ActiveRecord's
// RecordNotFound ("404 Not found"); by secret, not_found! ("404 Not Found").
var (
	errUploadIDNotFound = &Error{Kind: KindNotFound, Message: "Not found"}
	errUploadNotFound   = &Error{Kind: KindNotFound, Message: "Not Found"}
)

func validUploadSecret(s string) bool {
	if len(s) != 32 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

// OpenUpload opens an upload for download: by id (Maintainer, since ids
// can be enumerated) or by secret and filename (whoever sees the
// project: GitLab's read_upload). The caller closes Body.
func (s *Service) OpenUpload(ctx context.Context, id *auth.Identity, ref string, uploadID int64, secret, filename string) (*UploadContent, error) {
	ability := access.AdminUpload
	if secret != "" {
		ability = access.ReadProject
	}
	p, err := s.uploadProject(ctx, id, ref, ability)
	if err != nil {
		return nil, err
	}
	u, err := s.uploadByKey(ctx, p, uploadID, secret, filename)
	if err != nil {
		return nil, err
	}
	return s.openUpload(ctx, u)
}

// DeleteUpload deletes an upload by id or by secret and filename
// (Maintainer: destroy_upload): the row, then its bytes.
func (s *Service) DeleteUpload(ctx context.Context, id *auth.Identity, ref string, uploadID int64, secret, filename string) error {
	p, err := s.uploadProject(ctx, id, ref, access.AdminUpload)
	if err != nil {
		return err
	}
	u, err := s.uploadByKey(ctx, p, uploadID, secret, filename)
	if err != nil {
		return err
	}
	err = s.db.WithTx(ctx, func(q *store.Queries) error { return q.DeleteUpload(ctx, p.ID, u.ID) })
	if errors.Is(err, store.ErrNotFound) {
		return errUploadNotFound
	}
	if err != nil {
		return err
	}
	s.removeBlob(ctx, u.BlobKey)
	s.statisticsChanged(ctx, p.ID)
	return nil
}
