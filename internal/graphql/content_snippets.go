package graphql

import (
	"context"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// Snippets: personal and project snippets through the snippet service
// REST's routes call (PersonalSnippetPolicy, ProjectSnippetPolicy); a page
// loads its authors in one read, each project its nodes name once.

// projectsOnce renders each project a page's nodes name once.
type projectsOnce struct {
	mu    sync.Mutex
	known map[int64]*Project
}

func newProjectsOnce(parent *Project) *projectsOnce {
	pg := &projectsOnce{known: map[int64]*Project{}}
	if parent != nil {
		pg.known[parent.p.ID] = parent
	}
	return pg
}

// projectByID is the project id names as the caller sees it (nil if the
// caller can't), looked up once per page.
func (r *Resolver) projectByID(ctx context.Context, pg *projectsOnce, id int64) (*Project, error) {
	pg.mu.Lock()
	defer pg.mu.Unlock()
	if p, ok := pg.known[id]; ok {
		return p, nil
	}
	p, err := r.findProject(ctx, strconv.FormatInt(id, 10))
	if err != nil {
		return nil, err
	}
	pg.known[id] = p
	return p, nil
}

// snippetGID is a snippet's global id, of its kind.
func snippetGID(sn *model.Snippet) string {
	if sn.ProjectID != nil {
		return gid("ProjectSnippet", sn.ID)
	}
	return gid("PersonalSnippet", sn.ID)
}

// parseSnippetGID reads either kind of snippet global id.
func parseSnippetGID(s string) (int64, error) {
	if strings.HasPrefix(s, "gid://gitlab/PersonalSnippet/") {
		return parseGID("PersonalSnippet", s)
	}
	return parseGID("ProjectSnippet", s)
}

func (v view) snippet(pg *projectsOnce, sn *model.Snippet, p *model.Project, author *model.User) *Snippet {
	id := strconv.FormatInt(sn.ID, 10)
	repoPath := "snippets/" + id
	web := v.base + "/-/snippets/" + id
	if p != nil {
		repoPath = p.FullPath() + "/-/snippets/" + id
		web = v.base + "/" + repoPath
	}
	out := &Snippet{sn: sn, pg: pg, ID: snippetGID(sn), Title: sn.Title, Description: nonEmpty(sn.Description),
		VisibilityLevel: VisibilityLevelsEnum(access.VisibilityName(sn.VisibilityLevel)), CreatedAt: sn.CreatedAt,
		UpdatedAt: sn.UpdatedAt, WebURL: web, RawURL: web + "/raw", HTTPURLToRepo: ptr(v.base + "/" + repoPath + ".git"),
		ImportedFrom: "none", Author: v.userCore(author)}
	if len(sn.FilePaths) > 0 {
		out.FileName = &sn.FilePaths[0]
	}
	return out
}

func (r *Resolver) snippetProject(ctx context.Context, obj *Snippet) (*Project, error) {
	if obj.sn.ProjectID == nil {
		return nil, nil
	}
	return r.projectByID(ctx, obj.pg, *obj.sn.ProjectID)
}

// snippetBlobs reads the snippet's files from its repository (git only:
// the snippet was shown to the caller already).
func (r *Resolver) snippetBlobs(ctx context.Context, obj *Snippet, paths []string, after, before *string,
	first, last *int) (*SnippetBlobConnection, error) {
	blobs, err := r.svc.SnippetBlobs(ctx, obj.sn, paths)
	if err != nil {
		return nil, err
	}
	list, pg, err := inMemory(blobs, after, before, first, last)
	if err != nil {
		return nil, err
	}
	// rawPath is the web path of the file's raw view, as GitLab's.
	rawBase := strings.TrimPrefix(obj.WebURL, r.at(ctx).base) + "/raw/" + service.DefaultBranch + "/"
	c := &SnippetBlobConnection{Count: len(blobs), PageInfo: pageInfo(pg, len(list), pg.offset+len(list) < len(blobs))}
	for i, b := range list {
		text := utf8.Valid(b.Content) && !strings.ContainsRune(string(b.Content), 0)
		node := &SnippetBlob{Name: ptr(b.Name), Path: ptr(b.Path), RawPath: rawBase + escapeSegments(b.Path),
			Size: int(b.Size), Binary: !text, Mode: ptr(b.Mode), RenderedAsText: text}
		if text {
			node.RawPlainData = ptr(string(b.Content))
			node.PlainData = node.RawPlainData
		}
		c.Nodes = append(c.Nodes, node)
		c.Edges = append(c.Edges, &SnippetBlobEdge{Cursor: cursor(pg.offset + i), Node: node})
	}
	return c, nil
}

func escapeSegments(path string) string {
	parts := strings.Split(path, "/")
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	return strings.Join(parts, "/")
}

// snippetConnection renders a page of snippets.
func (r *Resolver) snippetConnection(ctx context.Context, pg *projectsOnce, page *service.SnippetPage, w page) *SnippetConnection {
	v := r.at(ctx)
	nodes := mapped(page.Snippets, func(sn *model.Snippet) *Snippet {
		var p *model.Project
		if sn.ProjectID != nil {
			p = page.Projects[*sn.ProjectID]
		}
		return v.snippet(pg, sn, p, userOf(page.Users, sn.AuthorID))
	})
	return &SnippetConnection{Count: page.Total, Nodes: nodes,
		PageInfo: pageInfo(w, len(nodes), w.offset+len(nodes) < page.Total),
		Edges:    edgesOf(w, nodes, func(c string, n *Snippet) *SnippetEdge { return &SnippetEdge{Cursor: c, Node: n} })}
}

// snippetsByID answers a list of global ids, each through the service's
// read rules; those the caller can't read are left out.
func (r *Resolver) snippetsByID(ctx context.Context, ids []string, keep func(*model.Snippet) bool, after, before *string,
	first, last *int) (*SnippetConnection, error) {
	if len(ids) > maxPageSize {
		return nil, errors.New("Too many snippets requested")
	}
	page := &service.SnippetPage{Users: map[int64]*model.User{}, Projects: map[int64]*model.Project{}}
	for _, g := range ids {
		n, err := parseSnippetGID(g)
		if err != nil {
			return nil, err
		}
		sv, err := r.svc.SnippetByID(ctx, callerOf(ctx), n)
		if hidden(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if !keep(sv.Snippet) {
			continue
		}
		page.Snippets = append(page.Snippets, sv.Snippet)
		if sv.Author != nil {
			page.Users[sv.Author.ID] = sv.Author
		}
		if sv.Project != nil {
			page.Projects[sv.Project.ID] = sv.Project
		}
	}
	list, w, err := inMemory(page.Snippets, after, before, first, last)
	if err != nil {
		return nil, err
	}
	page.Total, page.Snippets = len(page.Snippets), list
	return r.snippetConnection(ctx, newProjectsOnce(nil), page, w), nil
}

// listSnippets pages a service list; list reads one window.
func (r *Resolver) listSnippets(ctx context.Context, pg *projectsOnce, f model.SnippetFilter, after, before *string,
	first, last *int, list func(model.SnippetFilter) (*service.SnippetPage, error)) (*SnippetConnection, error) {
	var page *service.SnippetPage
	items, w, _, err := pageOf(after, before, first, last, func(offset, limit int) ([]*model.Snippet, int, error) {
		f := f
		f.Offset, f.Limit = offset, limit
		var err error
		if page, err = list(f); err != nil {
			return nil, 0, err
		}
		return page.Snippets, page.Total, nil
	})
	if hidden(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	page.Snippets = items
	return r.snippetConnection(ctx, pg, page, w), nil
}

func (r *Resolver) projectSnippets(ctx context.Context, obj *Project, ids []string, visibility *VisibilityScopesEnum,
	after, before *string, first, last *int) (*SnippetConnection, error) {
	if len(ids) > 0 {
		return r.snippetsByID(ctx, ids, func(sn *model.Snippet) bool {
			return sn.ProjectID != nil && *sn.ProjectID == obj.p.ID && matchesVisibility(sn, visibility)
		}, after, before, first, last)
	}
	f := model.SnippetFilter{}
	if visibility != nil {
		f.Visibility = ptr(visibilityLevels[VisibilityLevelsEnum(*visibility)])
	}
	pref := strconv.FormatInt(obj.p.ID, 10)
	return r.listSnippets(ctx, newProjectsOnce(obj), f, after, before, first, last, func(f model.SnippetFilter) (*service.SnippetPage, error) {
		return r.svc.ListProjectSnippets(ctx, callerOf(ctx), pref, f)
	})
}

func matchesVisibility(sn *model.Snippet, visibility *VisibilityScopesEnum) bool {
	return visibility == nil || visibilityLevels[VisibilityLevelsEnum(*visibility)] == sn.VisibilityLevel
}

// querySnippets is Query.snippets: by ids; a project's (projectId); else
// the personal snippets the caller reads, an author's (authorId) or all.
// lablet's personal list does not mix in project snippets.
func (r *Resolver) querySnippets(ctx context.Context, ids []string, authorID, projectID *string, typ *TypeEnum,
	visibility *VisibilityScopesEnum, after, before *string, first, last *int) (*SnippetConnection, error) {
	if authorID != nil && projectID != nil {
		return nil, errors.New("Filtering by both an author and a project is not supported")
	}
	var author int64
	if authorID != nil {
		n, err := parseGID("User", *authorID)
		if err != nil {
			return nil, err
		}
		author = n
	}
	if len(ids) > 0 {
		return r.snippetsByID(ctx, ids, func(sn *model.Snippet) bool {
			return matchesVisibility(sn, visibility) && (author == 0 || sn.AuthorID != nil && *sn.AuthorID == author) &&
				(typ == nil || (*typ == TypeEnumProject) == (sn.ProjectID != nil))
		}, after, before, first, last)
	}
	f := model.SnippetFilter{AuthorID: author}
	if visibility != nil {
		f.Visibility = ptr(visibilityLevels[VisibilityLevelsEnum(*visibility)])
	}
	if projectID != nil {
		n, err := parseGID("Project", *projectID)
		if err != nil {
			return nil, err
		}
		if typ != nil && *typ == TypeEnumPersonal {
			return &SnippetConnection{PageInfo: &PageInfo{}}, nil
		}
		pref := strconv.FormatInt(n, 10)
		return r.listSnippets(ctx, newProjectsOnce(nil), f, after, before, first, last, func(f model.SnippetFilter) (*service.SnippetPage, error) {
			return r.svc.ListProjectSnippets(ctx, callerOf(ctx), pref, f)
		})
	}
	// GitLab's SnippetsFinder without a project: the personal snippets and
	// those of the projects the caller sees, each as the caller may read it.
	f.Personal = typ != nil && *typ == TypeEnumPersonal
	onlyProject := typ != nil && *typ == TypeEnumProject
	return r.listSnippets(ctx, newProjectsOnce(nil), f, after, before, first, last, func(f model.SnippetFilter) (*service.SnippetPage, error) {
		return r.svc.ListReadableSnippets(ctx, callerOf(ctx), f, onlyProject)
	})
}

var snippetActions = map[SnippetBlobActionEnum]string{SnippetBlobActionEnumCreate: "create",
	SnippetBlobActionEnumUpdate: "update", SnippetBlobActionEnumDelete: "delete", SnippetBlobActionEnumMove: "move"}

func snippetInput(title, description *string, visibility *VisibilityLevelsEnum, actions []*SnippetBlobActionInputType) service.SnippetInput {
	in := service.SnippetInput{Title: title, Description: description}
	if visibility != nil {
		in.Visibility = ptr(string(*visibility))
	}
	if actions != nil {
		in.FilesGiven = true
		for _, a := range actions {
			in.Files = append(in.Files, service.SnippetFile{Action: snippetActions[a.Action], FilePath: ptr(a.FilePath),
				PreviousPath: a.PreviousPath, Content: a.Content})
		}
	}
	return in
}

// snippetPayload renders a mutation's snippet, or splits its failure.
func (r *Resolver) snippetPayload(ctx context.Context, sv *service.SnippetView, err error) (*Snippet, []string, error) {
	if err != nil {
		msgs, err := payloadErrors(err)
		return nil, msgs, err
	}
	return r.at(ctx).snippet(newProjectsOnce(nil), sv.Snippet, sv.Project, sv.Author), []string{}, nil
}

func (r *Resolver) createSnippet(ctx context.Context, in CreateSnippetInput) (*CreateSnippetPayload, error) {
	projectRef := ""
	if in.ProjectPath != nil {
		projectRef = *in.ProjectPath
	}
	sv, err := r.svc.CreateSnippet(ctx, callerOf(ctx), projectRef,
		snippetInput(&in.Title, in.Description, &in.VisibilityLevel, in.BlobActions))
	sn, msgs, err := r.snippetPayload(ctx, sv, err)
	if err != nil {
		return nil, err
	}
	return &CreateSnippetPayload{ClientMutationID: in.ClientMutationID, Errors: msgs, Snippet: sn}, nil
}

// snippetRef finds the route a global id's snippet lives under.
func (r *Resolver) snippetRef(ctx context.Context, gidText string) (service.SnippetRef, error) {
	n, err := parseSnippetGID(gidText)
	if err != nil {
		return service.SnippetRef{}, err
	}
	sv, err := r.svc.SnippetByID(ctx, callerOf(ctx), n)
	if err != nil {
		if hidden(err) {
			return service.SnippetRef{}, errors.New(msgNoAccess)
		}
		return service.SnippetRef{}, err
	}
	ref := service.SnippetRef{ID: n}
	if sv.Project != nil {
		ref.Project = strconv.FormatInt(sv.Project.ID, 10)
	}
	return ref, nil
}

func (r *Resolver) updateSnippet(ctx context.Context, in UpdateSnippetInput) (*UpdateSnippetPayload, error) {
	ref, err := r.snippetRef(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	sv, err := r.svc.UpdateSnippet(ctx, callerOf(ctx), ref, snippetInput(in.Title, in.Description, in.VisibilityLevel, in.BlobActions))
	sn, msgs, err := r.snippetPayload(ctx, sv, err)
	if err != nil {
		return nil, err
	}
	return &UpdateSnippetPayload{ClientMutationID: in.ClientMutationID, Errors: msgs, Snippet: sn}, nil
}

func (r *Resolver) destroySnippet(ctx context.Context, in DestroySnippetInput) (*DestroySnippetPayload, error) {
	ref, err := r.snippetRef(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	if err := r.svc.DeleteSnippet(ctx, callerOf(ctx), ref); err != nil {
		msgs, err := payloadErrors(err)
		if err != nil {
			return nil, err
		}
		return &DestroySnippetPayload{ClientMutationID: in.ClientMutationID, Errors: msgs}, nil
	}
	return &DestroySnippetPayload{ClientMutationID: in.ClientMutationID, Errors: []string{}}, nil
}
