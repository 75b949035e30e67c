// Package packages is the REST API of the package registry: generic
// packages (publish and download) and the packages API (lists, one
// package, its files, deletions). Its service code is
// internal/service/packages*.go.
package packages

import (
	"github.com/lablet/lablet/internal/access"
	v4 "github.com/lablet/lablet/internal/api/v4"
)

// genericPath is a generic package file's path under a project: GitLab's
// ":package_name/*package_version/(*path/):file_name", the file name
// being the last segment of file_path and its directory the others.
const genericPath = "/projects/{id}/packages/generic/{package_name}/{package_version}/{file_path...}"

// Routes are the package registry's rows of the route table. The generic
// package routes take the registry's credentials (deploy tokens, HTTP
// Basic); the packages API takes tokens, sessions and job tokens.
func Routes() []v4.Endpoint {
	return []v4.Endpoint{
		v4.Row("PUT "+genericPath, publishGeneric, v4.SignedInOrPackageCredentials, access.CreatePackage).WithRawBody(),
		v4.Row("GET "+genericPath, downloadGeneric, v4.AnyoneOrPackageCredentials, access.ReadPackage),
		v4.Row("GET /projects/{id}/packages", listProjectPackages, v4.AnyoneOrJob, access.ReadPackage),
		v4.Row("GET /projects/{id}/packages/{package_id}", getPackage, v4.AnyoneOrJob, access.ReadPackage),
		v4.Row("DELETE /projects/{id}/packages/{package_id}", deletePackage, v4.SignedInOrJob, access.DestroyPackage),
		v4.Row("GET /projects/{id}/packages/{package_id}/package_files", listPackageFiles, v4.AnyoneOrJob, access.ReadPackage),
		v4.Row("DELETE /projects/{id}/packages/{package_id}/package_files/{package_file_id}", deletePackageFile,
			v4.SignedInOrJob, access.DestroyPackage),
		v4.Row("GET /groups/{id}/packages", listGroupPackages, v4.AnyoneOrJob, access.ReadPackage),
	}
}
