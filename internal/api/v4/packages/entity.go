package packages

import (
	"strconv"

	v4 "github.com/lablet/lablet/internal/api/v4"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// packageLinks is a package's _links: its page, and its API path for
// callers who may delete it.
type packageLinks struct {
	WebPath       string `json:"web_path"`
	DeleteAPIPath string `json:"delete_api_path,omitempty"`
}

// packageTag is a package's tag (generic packages have none).
type packageTag struct {
	ID        int64  `json:"id"`
	PackageID int64  `json:"package_id"`
	Name      string `json:"name"`
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`
}

// packageEntity is GitLab's API::Entities::Package; ProjectID and
// ProjectPath show in group lists.
type packageEntity struct {
	ID               int64        `json:"id"`
	Name             string       `json:"name"`
	Version          *string      `json:"version"`
	PackageType      string       `json:"package_type"`
	Status           string       `json:"status"`
	Links            packageLinks `json:"_links"`
	CreatedAt        string       `json:"created_at"`
	LastDownloadedAt *string      `json:"last_downloaded_at"`
	ProjectID        int64        `json:"project_id,omitempty"`
	ProjectPath      string       `json:"project_path,omitempty"`
	Tags             []packageTag `json:"tags"`
}

func packageEntityOf(base string, v *service.PackageView, group bool) packageEntity {
	pk, p := v.Package, v.Project
	e := packageEntity{ID: pk.ID, Name: pk.Name, Version: pk.Version, PackageType: pk.PackageType, Status: pk.Status,
		Links:     packageLinks{WebPath: "/" + p.FullPath() + "/-/packages/" + strconv.FormatInt(pk.ID, 10)},
		CreatedAt: v4.TS(pk.CreatedAt), Tags: []packageTag{}}
	if pk.LastDownloadedAt != nil {
		ts := v4.TS(*pk.LastDownloadedAt)
		e.LastDownloadedAt = &ts
	}
	if v.CanDestroy {
		e.Links.DeleteAPIPath = base + v4.Prefix + "/projects/" + strconv.FormatInt(p.ID, 10) + "/packages/" +
			strconv.FormatInt(pk.ID, 10)
	}
	if group {
		e.ProjectID, e.ProjectPath = p.ID, p.FullPath()
	}
	return e
}

// packageFileEntity is GitLab's API::Entities::PackageFile.
type packageFileEntity struct {
	ID         int64  `json:"id"`
	PackageID  int64  `json:"package_id"`
	CreatedAt  string `json:"created_at"`
	FileName   string `json:"file_name"`
	Size       int64  `json:"size"`
	FileMD5    string `json:"file_md5"`
	FileSHA1   string `json:"file_sha1"`
	FileSHA256 string `json:"file_sha256"`
}

func packageFileEntityOf(f *model.PackageFile) packageFileEntity {
	return packageFileEntity{ID: f.ID, PackageID: f.PackageID, CreatedAt: v4.TS(f.CreatedAt), FileName: f.FileName,
		Size: f.Size, FileMD5: f.FileMD5, FileSHA1: f.FileSHA1, FileSHA256: f.FileSHA256}
}

// fileURL is the package file's file.url.
type fileURL struct {
	URL string `json:"url"`
}

// publishedFile is what PUT …/packages/generic/… answers with
// select=package_file: GitLab presents the Packages::PackageFile record
// itself, all its columns.
type publishedFile struct {
	ID                     int64   `json:"id"`
	PackageID              int64   `json:"package_id"`
	CreatedAt              string  `json:"created_at"`
	UpdatedAt              string  `json:"updated_at"`
	Size                   int64   `json:"size"`
	FileStore              int     `json:"file_store"`
	FileMD5                string  `json:"file_md5"`
	FileSHA1               string  `json:"file_sha1"`
	FileName               string  `json:"file_name"`
	File                   fileURL `json:"file"`
	FileSHA256             string  `json:"file_sha256"`
	VerificationRetryAt    *string `json:"verification_retry_at"`
	VerifiedAt             *string `json:"verified_at"`
	VerificationFailure    *string `json:"verification_failure"`
	VerificationRetryCount *int    `json:"verification_retry_count"`
	VerificationChecksum   *string `json:"verification_checksum"`
	VerificationState      int     `json:"verification_state"`
	VerificationStartedAt  *string `json:"verification_started_at"`
	Status                 string  `json:"status"`
	FileFinalPath          *string `json:"file_final_path"`
	ProjectID              int64   `json:"project_id"`
	NewFilePath            *string `json:"new_file_path"`
}

func publishedFileOf(v *service.PackageFileView) publishedFile {
	f := v.File
	return publishedFile{ID: f.ID, PackageID: f.PackageID, CreatedAt: v4.TS(f.CreatedAt), UpdatedAt: v4.TS(f.CreatedAt),
		Size: f.Size, FileStore: 1, FileMD5: f.FileMD5, FileSHA1: f.FileSHA1, FileName: f.FileName,
		File:       fileURL{URL: "/" + v.Project.FullPath() + "/-/package_files/" + strconv.FormatInt(f.ID, 10) + "/download"},
		FileSHA256: f.FileSHA256, Status: "default", ProjectID: v.Project.ID}
}
