package model

import "time"

// Package is a package in a project's package registry (GitLab's
// Packages::Package): generic packages only, for now.
type Package struct {
	ID          int64
	ProjectID   int64
	Name        string
	Version     *string // nil for versionless packages (none of the generic kind)
	PackageType string  // generic
	Status      string  // default, hidden
	CreatedAt   time.Time
	UpdatedAt   time.Time
	// LastDownloadedAt is nil until a download.
	LastDownloadedAt *time.Time
}

// PackageFile is one file of a package; its bytes are in blob storage
// under BlobKey.
type PackageFile struct {
	ID         int64
	PackageID  int64
	ProjectID  int64
	FileName   string
	Size       int64
	FileMD5    string
	FileSHA1   string
	FileSHA256 string
	BlobKey    string
	CreatedAt  time.Time
}

// PackageFilter selects packages for a list (GitLab's PackagesFinder and
// GroupPackagesFinder).
type PackageFilter struct {
	ProjectIDs         []int64
	PackageType        string
	Name               string // a substring of the name, case-insensitive
	Version            string // exactly
	IncludeVersionless bool
	Status             string // "" for the displayable ones
	OrderBy            string // created_at (default), name, version, type; project_path for groups
	Desc               bool
	Limit, Offset      int
}
