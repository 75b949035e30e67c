package graphql

import (
	"context"
	"strconv"
	"strings"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// Packages: a project's or group's packages and one package by global id,
// through the package service REST's routes call (read_package,
// destroy_package); a page renders each project its nodes name once.

func (v view) pkg(pg *projectsOnce, pv *service.PackageView) *Package {
	pk := pv.Package
	out := &Package{pv: pv, pg: pg, ID: gid("Packages::Package", pk.ID), Name: pk.Name, Version: pk.Version,
		PackageType: PackageTypeEnum(strings.ToUpper(pk.PackageType)), Status: PackageStatus(strings.ToUpper(pk.Status)),
		CreatedAt: pk.CreatedAt, UpdatedAt: pk.UpdatedAt, CanDestroy: pv.CanDestroy}
	if pv.Project != nil {
		out.Links = &PackageLinks{WebPath: ptr("/" + pv.Project.FullPath() + "/-/packages/" + strconv.FormatInt(pk.ID, 10))}
	}
	return out
}

func (r *Resolver) packageProject(ctx context.Context, obj *Package) (*Project, error) {
	return r.projectByID(ctx, obj.pg, obj.pv.Package.ProjectID)
}

var packageSorts = map[string][2]string{"CREATED": {"created_at"}, "NAME": {"name"}, "VERSION": {"version"},
	"TYPE": {"type"}, "PROJECT_PATH": {"project_path"}}

// packageOptions reads the packages fields' filters and sort (KIND_DESC).
func packageOptions(sort string, name *string, typ *PackageTypeEnum, version *string, status *PackageStatus,
	versionless *bool) service.PackageListOptions {
	o := service.PackageListOptions{OrderBy: "created_at", Desc: true}
	if i := strings.LastIndex(sort, "_"); i > 0 {
		if s, ok := packageSorts[sort[:i]]; ok {
			o.OrderBy, o.Desc = s[0], sort[i+1:] == "DESC"
		}
	}
	if name != nil {
		o.Name = *name
	}
	if typ != nil {
		o.PackageType = strings.ToLower(string(*typ))
	}
	if version != nil {
		o.Version = *version
	}
	if status != nil {
		o.Status = strings.ToLower(string(*status))
	}
	o.IncludeVersionless = versionless != nil && *versionless
	return o
}

func (r *Resolver) packageConnection(ctx context.Context, pg *projectsOnce, o service.PackageListOptions,
	after, before *string, first, last *int,
	list func(service.PackageListOptions) ([]*service.PackageView, int, error)) (*PackageConnection, error) {
	items, w, total, err := pageOf(after, before, first, last, func(offset, limit int) ([]*service.PackageView, int, error) {
		o := o
		o.Offset, o.Limit = offset, limit
		return list(o)
	})
	if hidden(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	v := r.at(ctx)
	nodes := mapped(items, func(pv *service.PackageView) *Package { return v.pkg(pg, pv) })
	return &PackageConnection{Count: total, Nodes: nodes, PageInfo: pageInfo(w, len(items), w.offset+len(items) < total),
		Edges: edgesOf(w, nodes, func(c string, n *Package) *PackageEdge { return &PackageEdge{Cursor: c, Node: n} })}, nil
}

// sortName is a sort argument's name; "" when not given.
func sortName[T ~string](s *T) string {
	if s == nil {
		return ""
	}
	return string(*s)
}

func (r *Resolver) projectPackages(ctx context.Context, obj *Project, sort *PackageSort, name *string, typ *PackageTypeEnum,
	version *string, status *PackageStatus, versionless *bool, after, before *string, first, last *int) (*PackageConnection, error) {
	pref := strconv.FormatInt(obj.p.ID, 10)
	return r.packageConnection(ctx, newProjectsOnce(obj), packageOptions(sortName(sort), name, typ, version, status, versionless),
		after, before, first, last, func(o service.PackageListOptions) ([]*service.PackageView, int, error) {
			return r.svc.ProjectPackages(ctx, callerOf(ctx), pref, o)
		})
}

func (r *Resolver) groupPackages(ctx context.Context, obj *Group, sort *PackageGroupSort, name *string, typ *PackageTypeEnum,
	version *string, status *PackageStatus, versionless *bool, after, before *string, first, last *int) (*PackageConnection, error) {
	gref := strconv.FormatInt(obj.g.ID, 10)
	return r.packageConnection(ctx, newProjectsOnce(nil), packageOptions(sortName(sort), name, typ, version, status, versionless),
		after, before, first, last, func(o service.PackageListOptions) ([]*service.PackageView, int, error) {
			return r.svc.GroupPackages(ctx, callerOf(ctx), gref, o)
		})
}

func (r *Resolver) findPackage(ctx context.Context, gidText string) (*PackageDetailsType, error) {
	n, err := parseGID("Packages::Package", gidText)
	if err != nil {
		return nil, err
	}
	pv, err := r.svc.PackageByID(ctx, callerOf(ctx), n, access.ReadPackage)
	if hidden(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &PackageDetailsType{Package: r.at(ctx).pkg(newProjectsOnce(nil), pv)}, nil
}

func (r *Resolver) packageFiles(ctx context.Context, obj *PackageDetailsType, after, before *string, first, last *int) (*PackageFileConnection, error) {
	pk := obj.pv.Package
	pref := strconv.FormatInt(pk.ProjectID, 10)
	var files []*model.PackageFile
	_, w, total, err := pageOf(after, before, first, last, func(offset, limit int) ([]*model.PackageFile, int, error) {
		_, fs, n, err := r.svc.PackageFiles(ctx, callerOf(ctx), pref, pk.ID, "id", false, limit, offset)
		files = fs
		return fs, n, err
	})
	if hidden(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if w.limit == 0 {
		files = nil
	}
	c := &PackageFileConnection{Count: total, PageInfo: pageInfo(w, len(files), w.offset+len(files) < total)}
	for i, f := range files {
		node := &PackageFile{ID: gid("Packages::PackageFile", f.ID), FileName: f.FileName,
			Size: strconv.FormatInt(f.Size, 10), FileMd5: nonEmpty(f.FileMD5), FileSha1: nonEmpty(f.FileSHA1),
			FileSha256: nonEmpty(f.FileSHA256), CreatedAt: f.CreatedAt, UpdatedAt: f.CreatedAt,
			DownloadPath: "/" + obj.pv.Project.FullPath() + "/-/package_files/" + strconv.FormatInt(f.ID, 10) + "/download"}
		c.Nodes = append(c.Nodes, node)
		c.Edges = append(c.Edges, &PackageFileEdge{Cursor: cursor(w.offset + i), Node: node})
	}
	return c, nil
}

func (r *Resolver) destroyPackage(ctx context.Context, in DestroyPackageInput) (*DestroyPackagePayload, error) {
	n, err := parseGID("Packages::Package", in.ID)
	if err != nil {
		return nil, err
	}
	id := callerOf(ctx)
	pv, err := r.svc.PackageByID(ctx, id, n, access.DestroyPackage)
	if err == nil {
		err = r.svc.DeletePackage(ctx, id, strconv.FormatInt(pv.Project.ID, 10), n)
	}
	if err != nil {
		msgs, err := payloadErrors(err)
		if err != nil {
			return nil, err
		}
		return &DestroyPackagePayload{ClientMutationID: in.ClientMutationID, Errors: msgs}, nil
	}
	return &DestroyPackagePayload{ClientMutationID: in.ClientMutationID, Errors: []string{}}, nil
}
