package service

import (
	"context"
	"crypto/md5"  //nolint:gosec // GitLab records a package file's MD5 as well.
	"crypto/sha1" //nolint:gosec // and its SHA-1.
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/blob"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// DefaultMaxGenericPackageSize is GitLab's default
// generic_packages_max_file_size: 5 GiB.
const DefaultMaxGenericPackageSize = 5 << 30

// PackageTypeGeneric is the generic packages' package_type.
const PackageTypeGeneric = "generic"

// maxPackageNameLen bounds names, versions and file names (GitLab's
// packages columns hold 255 characters).
const maxPackageNameLen = 255

// GitLab's Gitlab::Regex for generic packages: names and file names are
// maven_file_name_regex, versions maven_version_regex (Ruby's \w is ASCII
// there; the "no two dots" lookahead is checked apart, RE2 having none).
var (
	genericNameRegexp    = regexp.MustCompile(`\A[A-Za-z0-9._\-+]+\z`)
	genericVersionRegexp = regexp.MustCompile(`\A[A-Za-z0-9_+.\-]+\z`)
)

// GenericUpload is a generic package file being published.
type GenericUpload struct {
	Name, Version, FileName string
	// Path is the file's directory ("" for none): GitLab records the file
	// as the URI-encoded "<path>/<file name>".
	Path string
	// Status is "default", "hidden" or "" (a new package's default, an
	// existing package's unchanged).
	Status string
	// Size is the body's announced length, -1 when unknown: a body
	// announced too large is refused before it is read.
	Size int64
	Body io.Reader
}

// PackageFileView is a package file with its package and project.
type PackageFileView struct {
	Project *model.Project
	Package *model.Package
	File    *model.PackageFile
}

// validGenericPath checks a generic package's name, version, directory
// and file name as GitLab's Grape params do: "<param> is invalid" (400),
// "<param> should be a valid file path" for traversal or an absolute
// directory (GitLab's file_path validator). It returns the name the file
// is recorded under: the file name, or with a directory the URI-encoded
// "<path>/<file name>" (GitLab's encoded_file_name).
func validGenericPath(name, version, dir, fileName string) (string, error) {
	var errs []string
	okName := func(s string) bool {
		return len(s) <= maxPackageNameLen && genericNameRegexp.MatchString(s) && s != "." && s != ".."
	}
	if !okName(name) {
		errs = append(errs, "package_name is invalid")
	}
	if len(version) > maxPackageNameLen || !genericVersionRegexp.MatchString(version) || strings.Contains(version, "..") {
		errs = append(errs, "package_version is invalid")
	}
	if dir != "" && !validFilePath(dir) {
		errs = append(errs, "path should be a valid file path")
	}
	if !okName(fileName) {
		errs = append(errs, "file_name is invalid")
	}
	if len(errs) > 0 {
		return "", ParamError(strings.Join(errs, ", "))
	}
	if dir == "" {
		return fileName, nil
	}
	stored := encodeURIComponent(dir + "/" + fileName)
	if len(stored) > maxPackageNameLen {
		return "", ParamError("file_name is invalid")
	}
	return stored, nil
}

// validFilePath is GitLab's file_path validator
// (Gitlab::PathTraversal.check_allowed_absolute_path_and_path_traversal!):
// the path, URL-decoded until it no longer changes, has no "." or ".."
// component, no newline, and is not absolute.
func validFilePath(p string) bool {
	for range 3 {
		d, err := url.PathUnescape(p)
		if err != nil || d == p {
			break
		}
		p = d
	}
	if p == "" || strings.HasPrefix(p, "/") || strings.ContainsAny(p, "\n\x00") {
		return false
	}
	for _, seg := range strings.FieldsFunc(p, func(r rune) bool { return r == '/' || r == '\\' }) {
		if seg == ".." {
			return false
		}
	}
	return p != "." && p != ".."
}

// encodeURIComponent is Ruby's URI.encode_uri_component: every byte but
// A-Z a-z 0-9 * - . _ percent-encoded (upper-case hex), space as %20.
func encodeURIComponent(s string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '*', c == '-', c == '.', c == '_':
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&15])
		}
	}
	return b.String()
}

// PublishGenericPackageFile is PUT /projects/:id/packages/generic/…
// (GitLab's Packages::Generic::CreatePackageFileService): create_package
// (Developer; a deploy token with write_package_registry), the package
// found or created by name and version, the file streamed to blob storage
// with its checksums, then its row. A file name may repeat (GitLab's
// generic_duplicates_allowed default): downloads take the newest.
func (s *Service) PublishGenericPackageFile(ctx context.Context, id *auth.Identity, projectRef string, in GenericUpload) (*PackageFileView, error) {
	stored, err := validGenericPath(in.Name, in.Version, in.Path, in.FileName)
	if err != nil {
		return nil, err
	}
	if in.Status != "" && in.Status != "default" && in.Status != "hidden" {
		return nil, ParamError("status does not have a valid value")
	}
	p, _, err := s.packageProject(ctx, id, projectRef, access.CreatePackage, true)
	if err != nil {
		return nil, err
	}
	if s.blobs == nil {
		return nil, errors.New("service: packages: no blob storage")
	}
	limit := s.maxGenericPackageSize
	if in.Size > limit {
		return nil, badRequest("File is too large")
	}
	secret, err := newUploadSecret()
	if err != nil {
		return nil, err
	}
	key := packagesPrefix(p.ID) + "/" + secret
	hMD5, hSHA1, hSHA256 := md5.New(), sha1.New(), sha256.New() //nolint:gosec // checksums GitLab records
	body := io.TeeReader(io.LimitReader(in.Body, limit+1), io.MultiWriter(hMD5, hSHA1, hSHA256))
	size, err := s.blobs.Put(ctx, key, body)
	if err != nil {
		return nil, fmt.Errorf("service: store package file: %w", err)
	}
	if size > limit {
		s.removeBlob(ctx, key)
		return nil, badRequest("File is too large")
	}
	f := &model.PackageFile{ProjectID: p.ID, FileName: stored, Size: size, BlobKey: key,
		FileMD5: hex.EncodeToString(hMD5.Sum(nil)), FileSHA1: hex.EncodeToString(hSHA1.Sum(nil)),
		FileSHA256: hex.EncodeToString(hSHA256.Sum(nil))}
	var pk *model.Package
	err = s.db.WithTx(ctx, func(q *store.Queries) error {
		var err error
		pk, err = q.EnsurePackage(ctx, p.ID, PackageTypeGeneric, in.Name, in.Version, in.Status)
		if err != nil {
			return err
		}
		f.PackageID = pk.ID
		return q.InsertPackageFile(ctx, f)
	})
	if err != nil {
		s.removeBlob(ctx, key)
		return nil, fmt.Errorf("service: record package file: %w", err)
	}
	s.statisticsChanged(ctx, p.ID)
	return &PackageFileView{Project: p, Package: pk, File: f}, nil
}

// PackageFileContent is a package file's bytes, open for reading, or
// the object store's URL serving them (URL set, Body nil) when downloads
// redirect there.
type PackageFileContent struct {
	File    *model.PackageFile
	Body    io.ReadSeekCloser
	ModTime time.Time
	URL     string
}

// GenericPackageFile is GET /projects/:id/packages/generic/… : read_package
// (a deploy token with read_package_registry or write_package_registry),
// then the newest file of that name in the package of that name and
// version. The caller closes Body.
func (s *Service) GenericPackageFile(ctx context.Context, id *auth.Identity, projectRef, name, version, dir, fileName string) (*PackageFileContent, error) {
	stored, err := validGenericPath(name, version, dir, fileName)
	if err != nil {
		return nil, err
	}
	p, _, err := s.packageProject(ctx, id, projectRef, access.ReadPackage, true)
	if err != nil {
		return nil, err
	}
	q := s.db.Queries()
	pk, err := q.PackageByNameVersion(ctx, p.ID, PackageTypeGeneric, name, version)
	if errors.Is(err, store.ErrNotFound) {
		return nil, NotFound("")
	}
	if err != nil {
		return nil, fmt.Errorf("service: package: %w", err)
	}
	f, err := q.LatestPackageFile(ctx, pk.ID, stored)
	if errors.Is(err, store.ErrNotFound) {
		return nil, NotFound("")
	}
	if err != nil {
		return nil, fmt.Errorf("service: package file: %w", err)
	}
	s.touchPackageDownloaded(ctx, q, pk)
	u, err := s.downloadURL(ctx, f.BlobKey, blob.ResponseHeaders{
		ContentDisposition: mime.FormatMediaType("attachment", map[string]string{"filename": f.FileName})})
	if err != nil {
		return nil, fmt.Errorf("service: package file url: %w", err)
	}
	if u != "" {
		return &PackageFileContent{File: f, URL: u}, nil
	}
	body, info, err := s.blobs.Open(ctx, f.BlobKey)
	if err != nil {
		return nil, fmt.Errorf("service: open package file: %w", err)
	}
	return &PackageFileContent{File: f, Body: body, ModTime: info.ModTime}, nil
}

// downloadTouchInterval is how stale a package's last_downloaded_at may
// get before a download writes it again: GitLab writes it on every
// download; once a minute keeps downloads free of writes under load.
const downloadTouchInterval = time.Minute

// touchPackageDownloaded records a download of pk when its
// last_downloaded_at is unset or stale; a failure is logged, never the
// download's.
func (s *Service) touchPackageDownloaded(ctx context.Context, q *store.Queries, pk *model.Package) {
	now := s.Now()
	if pk.LastDownloadedAt != nil && now.Sub(*pk.LastDownloadedAt) < downloadTouchInterval {
		return
	}
	if err := q.TouchPackageDownloaded(ctx, pk.ID, now); err != nil {
		s.log.WarnContext(ctx, "package last_downloaded_at", "package", pk.ID, "err", err)
	}
}
