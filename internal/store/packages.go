package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/lablet/lablet/internal/model"
)

const packageColumns = `packages.id, packages.project_id, packages.name, packages.version, packages.package_type,
	packages.status, packages.created_at, packages.updated_at, packages.last_downloaded_at`

func scanPackage(s scanner) (*model.Package, error) {
	var p model.Package
	var version sql.NullString
	var created, updated int64
	var downloaded sql.NullInt64
	if err := s.Scan(&p.ID, &p.ProjectID, &p.Name, &version, &p.PackageType, &p.Status, &created, &updated,
		&downloaded); err != nil {
		return nil, wrapErr(err)
	}
	p.Version, p.CreatedAt, p.UpdatedAt = fromNullStr(version), fromMS(created), fromMS(updated)
	if downloaded.Valid {
		t := fromMS(downloaded.Int64)
		p.LastDownloadedAt = &t
	}
	return &p, nil
}

const packageFileColumns = `package_files.id, package_files.package_id, package_files.project_id, package_files.file_name,
	package_files.size, package_files.file_md5, package_files.file_sha1, package_files.file_sha256,
	package_files.blob_key, package_files.created_at`

func scanPackageFile(s scanner) (*model.PackageFile, error) {
	var f model.PackageFile
	var created int64
	if err := s.Scan(&f.ID, &f.PackageID, &f.ProjectID, &f.FileName, &f.Size, &f.FileMD5, &f.FileSHA1, &f.FileSHA256,
		&f.BlobKey, &created); err != nil {
		return nil, wrapErr(err)
	}
	f.CreatedAt = fromMS(created)
	return &f, nil
}

// EnsurePackage returns the project's package of the type, name and
// version, creating it with status when there is none; an existing
// package takes status when it is not "". Concurrent callers get the same
// row (the unique index decides, ON CONFLICT DO NOTHING).
func (q *Queries) EnsurePackage(ctx context.Context, projectID int64, packageType, name, version, status string) (*model.Package, error) {
	now := ms(q.Now())
	def := status
	if def == "" {
		def = "default"
	}
	if _, err := q.exec(ctx, `INSERT INTO packages (project_id, name, version, package_type, status, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (project_id, package_type, name, version) DO NOTHING`,
		projectID, name, version, packageType, def, now, now); err != nil {
		return nil, fmt.Errorf("store: create package: %w", err)
	}
	if status != "" {
		if _, err := q.exec(ctx, `UPDATE packages SET status = ?, updated_at = ? WHERE project_id = ? AND package_type = ?
			AND name = ? AND version = ? AND status <> ?`, status, now, projectID, packageType, name, version, status); err != nil {
			return nil, fmt.Errorf("store: package status: %w", err)
		}
	}
	return q.PackageByNameVersion(ctx, projectID, packageType, name, version)
}

// PackageByNameVersion returns the project's package of the type, name
// and version.
func (q *Queries) PackageByNameVersion(ctx context.Context, projectID int64, packageType, name, version string) (*model.Package, error) {
	return scanPackage(q.queryRow(ctx, "SELECT "+packageColumns+` FROM packages
		WHERE project_id = ? AND package_type = ? AND name = ? AND version = ?`, projectID, packageType, name, version))
}

// TouchPackageDownloaded sets a package's last_downloaded_at to at.
func (q *Queries) TouchPackageDownloaded(ctx context.Context, id int64, at time.Time) error {
	_, err := q.exec(ctx, "UPDATE packages SET last_downloaded_at = ? WHERE id = ?", ms(at), id)
	return wrapErr(err)
}

// PackageByID returns a project's package.
func (q *Queries) PackageByID(ctx context.Context, projectID, id int64) (*model.Package, error) {
	return scanPackage(q.queryRow(ctx, "SELECT "+packageColumns+" FROM packages WHERE project_id = ? AND id = ?", projectID, id))
}

// PackageProjectID is the project of a package.
func (q *Queries) PackageProjectID(ctx context.Context, id int64) (int64, error) {
	var pid int64
	if err := q.queryRow(ctx, "SELECT project_id FROM packages WHERE id = ?", id).Scan(&pid); err != nil {
		return 0, fmt.Errorf("store: package project: %w", wrapErr(err))
	}
	return pid, nil
}

// packageOrder maps order_by to its ORDER BY columns.
var packageOrder = map[string]string{
	"":             "packages.created_at",
	"created_at":   "packages.created_at",
	"name":         "packages.name",
	"version":      "packages.version",
	"type":         "packages.package_type",
	"project_path": "n.full_path",
}

// Packages lists the packages f selects, a page at a time, and how many
// there are.
func (q *Queries) Packages(ctx context.Context, f model.PackageFilter) ([]*model.Package, int, error) {
	if len(f.ProjectIDs) == 0 {
		return nil, 0, nil
	}
	order, ok := packageOrder[f.OrderBy]
	if !ok {
		return nil, 0, fmt.Errorf("store: packages: order by %q", f.OrderBy)
	}
	var c conds
	c.in("packages.project_id", false, f.ProjectIDs)
	if f.PackageType != "" {
		c.add("packages.package_type = ?", f.PackageType)
	}
	if f.Name != "" {
		c.search(f.Name, "packages.name")
	}
	if f.Version != "" {
		c.add("packages.version = ?", f.Version)
	}
	if !f.IncludeVersionless {
		c.add("packages.version IS NOT NULL")
	}
	if f.Status != "" {
		c.add("packages.status = ?", f.Status)
	} else {
		c.add("packages.status <> ?", "hidden")
	}
	var total int
	if err := q.queryRow(ctx, "SELECT COUNT(*) FROM packages"+c.where(), c.args...).Scan(&total); err != nil {
		return nil, 0, wrapErr(err)
	}
	dir := " ASC"
	if f.Desc {
		dir = " DESC"
	}
	from := " FROM packages"
	if f.OrderBy == "project_path" {
		from += " JOIN projects p ON p.id = packages.project_id JOIN namespaces n ON n.id = p.namespace_id"
		order += dir + ", p.path"
	}
	args := append(c.args, f.Limit, f.Offset)
	rows, err := q.query(ctx, "SELECT "+packageColumns+from+c.where()+" ORDER BY "+order+dir+", packages.id"+dir+
		" LIMIT ? OFFSET ?", args...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: packages: %w", err)
	}
	list, err := collect(rows, scanPackage)
	return list, total, err
}

// InsertPackageFile inserts f, filling in ID and CreatedAt (when zero),
// and touches its package.
func (q *Queries) InsertPackageFile(ctx context.Context, f *model.PackageFile) error {
	if f.CreatedAt.IsZero() {
		f.CreatedAt = q.Now()
	}
	id, err := q.insert(ctx, `INSERT INTO package_files (package_id, project_id, file_name, size, file_md5, file_sha1,
		file_sha256, blob_key, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		f.PackageID, f.ProjectID, f.FileName, f.Size, f.FileMD5, f.FileSHA1, f.FileSHA256, f.BlobKey, ms(f.CreatedAt))
	if err != nil {
		return fmt.Errorf("store: create package file: %w", err)
	}
	f.ID = id
	if _, err := q.exec(ctx, "UPDATE packages SET updated_at = ? WHERE id = ?", ms(f.CreatedAt), f.PackageID); err != nil {
		return fmt.Errorf("store: touch package: %w", err)
	}
	return nil
}

// PackageFileCount counts the files of a package named name.
func (q *Queries) PackageFileCount(ctx context.Context, packageID int64, name string) (int, error) {
	var n int
	err := q.queryRow(ctx, "SELECT COUNT(*) FROM package_files WHERE package_id = ? AND file_name = ?", packageID, name).Scan(&n)
	return n, wrapErr(err)
}

// LatestPackageFile returns the newest file of a package named name.
func (q *Queries) LatestPackageFile(ctx context.Context, packageID int64, name string) (*model.PackageFile, error) {
	return scanPackageFile(q.queryRow(ctx, "SELECT "+packageFileColumns+` FROM package_files
		WHERE package_id = ? AND file_name = ? ORDER BY id DESC LIMIT 1`, packageID, name))
}

// PackageFiles lists a package's files in id order (desc reverses it), a
// page at a time, and how many there are.
func (q *Queries) PackageFiles(ctx context.Context, packageID int64, orderBy string, desc bool, limit, offset int) ([]*model.PackageFile, int, error) {
	var total int
	if err := q.queryRow(ctx, "SELECT COUNT(*) FROM package_files WHERE package_id = ?", packageID).Scan(&total); err != nil {
		return nil, 0, wrapErr(err)
	}
	order := "package_files.id"
	switch orderBy {
	case "file_name":
		order = "package_files.file_name"
	case "created_at":
		order = "package_files.created_at"
	}
	dir := " ASC"
	if desc {
		dir = " DESC"
	}
	rows, err := q.query(ctx, "SELECT "+packageFileColumns+" FROM package_files WHERE package_id = ? ORDER BY "+order+dir+
		", package_files.id"+dir+" LIMIT ? OFFSET ?", packageID, limit, offset)
	if err != nil {
		return nil, 0, fmt.Errorf("store: package files: %w", err)
	}
	list, err := collect(rows, scanPackageFile)
	return list, total, err
}

// PackageFileByID returns a file of a package.
func (q *Queries) PackageFileByID(ctx context.Context, packageID, id int64) (*model.PackageFile, error) {
	return scanPackageFile(q.queryRow(ctx, "SELECT "+packageFileColumns+" FROM package_files WHERE package_id = ? AND id = ?",
		packageID, id))
}

// DeletePackage deletes a project's package and its files' rows and
// returns the files' blob keys, for removal after the commit;
// ErrNotFound if there is no such package.
func (q *Queries) DeletePackage(ctx context.Context, projectID, id int64) ([]string, error) {
	rows, err := q.query(ctx, "SELECT blob_key FROM package_files WHERE package_id = ? AND project_id = ?", id, projectID)
	if err != nil {
		return nil, fmt.Errorf("store: package blobs: %w", err)
	}
	keys, err := collect(rows, func(s scanner) (string, error) {
		var k string
		return k, wrapErr(s.Scan(&k))
	})
	if err != nil {
		return nil, err
	}
	if _, err := q.exec(ctx, "DELETE FROM package_files WHERE package_id = ?", id); err != nil {
		return nil, fmt.Errorf("store: delete package files: %w", err)
	}
	res, err := q.exec(ctx, "DELETE FROM packages WHERE project_id = ? AND id = ?", projectID, id)
	if err != nil {
		return nil, fmt.Errorf("store: delete package: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, ErrNotFound
	}
	return keys, nil
}

// DeletePackageFile deletes a file of a package; ErrNotFound if there is
// none.
func (q *Queries) DeletePackageFile(ctx context.Context, packageID, id int64) error {
	res, err := q.exec(ctx, "DELETE FROM package_files WHERE package_id = ? AND id = ?", packageID, id)
	if err != nil {
		return fmt.Errorf("store: delete package file: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}
