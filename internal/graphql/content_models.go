package graphql

import (
	"time"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// Snippet is a snippet the caller may read.
type Snippet struct {
	sn *model.Snippet
	pg *projectsOnce

	ID              string               `json:"id"`
	Title           string               `json:"title"`
	Description     *string              `json:"description"`
	FileName        *string              `json:"fileName"`
	VisibilityLevel VisibilityLevelsEnum `json:"visibilityLevel"`
	CreatedAt       time.Time            `json:"createdAt"`
	UpdatedAt       time.Time            `json:"updatedAt"`
	WebURL          string               `json:"webUrl"`
	RawURL          string               `json:"rawUrl"`
	HTTPURLToRepo   *string              `json:"httpUrlToRepo"`
	Hidden          bool                 `json:"hidden"`
	Imported        bool                 `json:"imported"`
	ImportedFrom    string               `json:"importedFrom"`
	Author          *UserCore            `json:"author"`
}

// SnippetBlob is one file of a snippet at its head.
type SnippetBlob struct {
	Name            *string `json:"name"`
	Path            *string `json:"path"`
	RawPath         string  `json:"rawPath"`
	RawPlainData    *string `json:"rawPlainData"`
	PlainData       *string `json:"plainData"`
	Size            int     `json:"size"`
	Binary          bool    `json:"binary"`
	Mode            *string `json:"mode"`
	ExternalStorage *string `json:"externalStorage"`
	RenderedAsText  bool    `json:"renderedAsText"`
}

// Package is a package the caller may read.
type Package struct {
	pv *service.PackageView
	pg *projectsOnce

	ID          string          `json:"id"`
	Name        string          `json:"name"`
	Version     *string         `json:"version"`
	PackageType PackageTypeEnum `json:"packageType"`
	Status      PackageStatus   `json:"status"`
	CreatedAt   time.Time       `json:"createdAt"`
	UpdatedAt   time.Time       `json:"updatedAt"`
	CanDestroy  bool            `json:"canDestroy"`
	Links       *PackageLinks   `json:"_links"`
}

// PackageDetailsType is a package with its files (Query.package).
type PackageDetailsType struct {
	*Package
}

// Environment is an environment of a project the caller may read.
type Environment struct {
	e  *model.Environment
	pg *environmentPage

	ID              string          `json:"id"`
	Name            string          `json:"name"`
	Slug            *string         `json:"slug"`
	State           string          `json:"state"`
	Tier            *DeploymentTier `json:"tier"`
	EnvironmentType *string         `json:"environmentType"`
	ExternalURL     *string         `json:"externalUrl"`
	Path            string          `json:"path"`
	CreatedAt       *time.Time      `json:"createdAt"`
	UpdatedAt       *time.Time      `json:"updatedAt"`
	AutoStopAt      *time.Time      `json:"autoStopAt"`
}
