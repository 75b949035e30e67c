package graphql

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/lablet/lablet/internal/repo"
	"github.com/lablet/lablet/internal/service"
)

// openRepo loads the repository for reading, once per project and query.
func (r *Resolver) openRepo(ctx context.Context, p *Project) (*service.ProjectRepo, error) {
	l := loaderOf(ctx)
	l.mu.Lock()
	defer l.mu.Unlock()
	if pr, ok := l.repos[p.p.ID]; ok {
		return pr, nil
	}
	pr, err := r.svc.RepoForRead(ctx, callerOf(ctx), strconv.FormatInt(p.p.ID, 10))
	if err != nil {
		return nil, err
	}
	l.repos[p.p.ID] = pr
	return pr, nil
}

func (r *Resolver) repoExists(ctx context.Context, obj *Repository) (bool, error) {
	pr, err := r.openRepo(ctx, obj.project)
	if err != nil {
		return false, err
	}
	return pr.Repo.Exists(), nil
}

func (r *Resolver) repoEmpty(ctx context.Context, obj *Repository) (bool, error) {
	pr, err := r.openRepo(ctx, obj.project)
	if err != nil {
		return false, err
	}
	if !pr.Repo.Exists() {
		return true, nil
	}
	return pr.Repo.IsEmpty(ctx)
}

// resolve finds ref (the default branch when nil) as a commit; "" when
// it names nothing.
func (r *Resolver) resolve(ctx context.Context, pr *service.ProjectRepo, ref *string) (string, string, error) {
	name := ""
	if ref != nil {
		name = *ref
	} else if pr.Project.DefaultBranch != nil {
		name = *pr.Project.DefaultBranch
	}
	if name == "" || !pr.Repo.Exists() {
		return "", name, nil
	}
	sha, err := pr.Repo.ResolveRef(ctx, name)
	if err != nil {
		return "", name, nil //nolint:nilerr // an unknown ref is a null tree, as GitLab answers
	}
	return sha, name, nil
}

func (r *Resolver) tree(ctx context.Context, obj *Repository, path, ref *string, recursive *bool) (*Tree, error) {
	pr, err := r.openRepo(ctx, obj.project)
	if err != nil {
		return nil, err
	}
	sha, name, err := r.resolve(ctx, pr, ref)
	if err != nil || sha == "" {
		return nil, err
	}
	p := ""
	if path != nil {
		p = strings.Trim(*path, "/")
	}
	entries, err := pr.Repo.Tree(ctx, sha, p, recursive != nil && *recursive)
	if err != nil {
		if errors.Is(err, repo.ErrNotFound) {
			return &Tree{project: obj.project, ref: name, sha: sha, path: p}, nil
		}
		return nil, err
	}
	return &Tree{project: obj.project, ref: name, sha: sha, path: p, entries: entries}, nil
}

func (r *Resolver) blobs(ctx context.Context, obj *Repository, paths []string, ref *string, after, before *string,
	first, last *int) (*RepositoryBlobConnection, error) {
	if len(paths) > maxPageSize {
		return nil, errors.New("Too many paths requested")
	}
	pr, err := r.openRepo(ctx, obj.project)
	if err != nil {
		return nil, err
	}
	c := &RepositoryBlobConnection{PageInfo: &PageInfo{}}
	sha, name, err := r.resolve(ctx, pr, ref)
	if err != nil || sha == "" {
		return c, err
	}
	for _, p := range paths {
		b, err := pr.Repo.Blob(ctx, sha, strings.Trim(p, "/"))
		if errors.Is(err, repo.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		size := int(b.Size)
		node := &RepositoryBlob{ID: "gid://gitlab/Blob/" + b.ID, Name: &b.Name, Path: b.Path, Oid: b.ID, Mode: &b.Mode,
			Size: &size, RawSize: &size, WebPath: ptr("/" + obj.project.FullPath + "/-/blob/" + name + "/" + b.Path)}
		if utf8.Valid(b.Content) && !strings.ContainsRune(string(b.Content), 0) {
			node.RawTextBlob = ptr(string(b.Content))
		}
		c.Nodes = append(c.Nodes, node)
	}
	all := c.Nodes
	list, pg, err := inMemory(all, after, before, first, last)
	if err != nil {
		return nil, err
	}
	c.Nodes, c.PageInfo = list, pageInfo(pg, len(list), pg.offset+len(list) < len(all))
	for i, node := range list {
		c.Edges = append(c.Edges, &RepositoryBlobEdge{Cursor: cursor(pg.offset + i), Node: node})
	}
	return c, nil
}

// entriesOf keeps the tree's entries of one type, windowed.
func entriesOf(t *Tree, typ string, after, before *string, first, last *int) ([]repo.TreeEntry, page, bool, error) {
	var all []repo.TreeEntry
	for _, e := range t.entries {
		if e.Type == typ {
			all = append(all, e)
		}
	}
	pg, err := window(after, before, first, last, func() (int, error) { return len(all), nil })
	if err != nil {
		return nil, pg, false, err
	}
	shown := all[min(pg.offset, len(all)):min(pg.offset+pg.limit, len(all))]
	return shown, pg, pg.offset+len(shown) < len(all), nil
}

func (t *Tree) webPath(kind, p string) *string {
	return ptr("/" + t.project.FullPath + "/-/" + kind + "/" + t.ref + "/" + p)
}

func treeBlobs(t *Tree, after, before *string, first, last *int) (*BlobConnection, error) {
	es, pg, more, err := entriesOf(t, "blob", after, before, first, last)
	if err != nil {
		return nil, err
	}
	c := &BlobConnection{PageInfo: pageInfo(pg, len(es), more)}
	for i, e := range es {
		n := &Blob{ID: "gid://gitlab/Gitlab::Graphql::Representation::TreeEntry/" + e.ID, Name: e.Name, Path: e.Path,
			FlatPath: e.Path, Sha: e.ID, Type: EntryTypeBlob, Mode: ptr(e.Mode), WebPath: t.webPath("blob", e.Path)}
		c.Nodes = append(c.Nodes, n)
		c.Edges = append(c.Edges, &BlobEdge{Cursor: cursor(pg.offset + i), Node: n})
	}
	return c, nil
}

func treeEntries(t *Tree, after, before *string, first, last *int) (*TreeEntryConnection, error) {
	es, pg, more, err := entriesOf(t, "tree", after, before, first, last)
	if err != nil {
		return nil, err
	}
	c := &TreeEntryConnection{PageInfo: pageInfo(pg, len(es), more)}
	for i, e := range es {
		n := &TreeEntry{ID: "gid://gitlab/Gitlab::Graphql::Representation::TreeEntry/" + e.ID, Name: e.Name, Path: e.Path,
			FlatPath: e.Path, Sha: e.ID, Type: EntryTypeTree, WebPath: t.webPath("tree", e.Path)}
		c.Nodes = append(c.Nodes, n)
		c.Edges = append(c.Edges, &TreeEntryEdge{Cursor: cursor(pg.offset + i), Node: n})
	}
	return c, nil
}

func submodules(t *Tree, after, before *string, first, last *int) (*SubmoduleConnection, error) {
	es, pg, more, err := entriesOf(t, "commit", after, before, first, last)
	if err != nil {
		return nil, err
	}
	c := &SubmoduleConnection{PageInfo: pageInfo(pg, len(es), more)}
	for i, e := range es {
		n := &Submodule{ID: "gid://gitlab/Gitlab::Graphql::Representation::SubmoduleTreeEntry/" + e.ID, Name: e.Name,
			Path: e.Path, FlatPath: e.Path, Sha: e.ID, Type: EntryTypeCommit}
		c.Nodes = append(c.Nodes, n)
		c.Edges = append(c.Edges, &SubmoduleEdge{Cursor: cursor(pg.offset + i), Node: n})
	}
	return c, nil
}
