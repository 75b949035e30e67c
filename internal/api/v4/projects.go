package v4

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// maxProjectParamBytes bounds name and path before the service layer
// validates them; anything longer can't be valid.
const maxProjectParamBytes = 4096

// projectFeatures pairs the boolean *_enabled parameters with the
// *_access_level ones that supersede them in newer GitLab versions.
var projectFeatures = []struct {
	enabled, level string
	field          func(*service.ProjectInput) **bool
}{
	{"issues_enabled", "issues_access_level", func(in *service.ProjectInput) **bool { return &in.IssuesEnabled }},
	{"merge_requests_enabled", "merge_requests_access_level", func(in *service.ProjectInput) **bool { return &in.MergeRequestsEnabled }},
	{"wiki_enabled", "wiki_access_level", func(in *service.ProjectInput) **bool { return &in.WikiEnabled }},
	{"jobs_enabled", "builds_access_level", func(in *service.ProjectInput) **bool { return &in.JobsEnabled }},
	{"snippets_enabled", "snippets_access_level", func(in *service.ProjectInput) **bool { return &in.SnippetsEnabled }},
	{"lfs_enabled", "", func(in *service.ProjectInput) **bool { return &in.LFSEnabled }},
	{"request_access_enabled", "", func(in *service.ProjectInput) **bool { return &in.RequestAccessEnabled }},
}

// projectInput reads the create/update parameters; type errors are
// GitLab's {"error": "… is invalid"}.
func projectInput(p *Params, create bool) (service.ProjectInput, error) {
	var in service.ProjectInput
	str := func(name string, max int, dst **string) error {
		s, ok, err := p.Text(name, max)
		if err != nil {
			return err
		}
		if ok {
			*dst = &s
		}
		return nil
	}
	for _, f := range []struct {
		name string
		max  int
		dst  **string
	}{
		{"name", maxProjectParamBytes, &in.Name},
		{"path", maxProjectParamBytes, &in.Path},
		{"description", 4 * service.MaxDescriptionLength, &in.Description},
		{"default_branch", maxProjectParamBytes, &in.DefaultBranch},
	} {
		if err := str(f.name, f.max, f.dst); err != nil {
			return in, err
		}
	}
	if create {
		if v, ok := p.Raw("namespace_id"); ok && v != nil {
			s, ok := p.Str("namespace_id")
			if !ok {
				return in, service.ParamError("namespace_id is invalid")
			}
			in.Namespace = &s
		}
		b, ok, err := p.Bool("initialize_with_readme")
		if err != nil {
			return in, err
		}
		if ok {
			in.InitializeWithReadme = &b
		}
	}
	if vis, ok, err := p.OneOf("visibility", "private", "internal", "public"); err != nil {
		return in, err
	} else if ok {
		n, _ := access.ParseVisibility(vis)
		in.Visibility = &n
	}
	for _, f := range projectFeatures {
		dst := f.field(&in)
		if f.level != "" {
			lvl, ok, err := p.OneOf(f.level, "disabled", "private", "enabled")
			if err != nil {
				return in, err
			}
			if ok {
				b := lvl != "disabled"
				*dst = &b
			}
		}
		b, ok, err := p.Bool(f.enabled)
		if err != nil {
			return in, err
		}
		if ok {
			*dst = &b
		}
	}
	if !create {
		b, ok, err := p.Bool("mr_default_target_self")
		if err != nil {
			return in, err
		}
		if ok {
			in.MRDefaultTargetSelf = &b
		}
	}
	if err := mergeSettingsInput(p, &in.MergeSettingsInput); err != nil {
		return in, err
	}
	autoCancel, ok, err := p.OneOf("auto_cancel_pending_pipelines", "enabled", "disabled")
	if err != nil {
		return in, err
	}
	if ok {
		b := autoCancel == "enabled"
		in.AutoCancelPendingPipelines = &b
	}
	for _, name := range []string{"tag_list", "topics"} {
		t, ok, err := p.StrList(name)
		if err != nil {
			return in, err
		}
		if ok {
			if t == nil {
				t = []string{}
			}
			in.Topics = &t
		}
	}
	return in, nil
}

func (a *API) createProject(w http.ResponseWriter, r *http.Request, c *Call) error {
	in, err := projectInput(c.params, true)
	if err != nil {
		return err
	}
	av, err := readAvatarParam(c.params, "")
	if err != nil {
		return err
	}
	p, err := a.svc.CreateProject(r.Context(), c.id, in, nil)
	if err != nil {
		return err
	}
	if p.Avatar, err = a.applyAvatar(r, c, service.AvatarProject, p.ID, av, p.Avatar); err != nil {
		return err
	}
	return a.writeProject(w, r, c.id, http.StatusCreated, p, nil, true)
}

// createProjectForUser serves POST /projects/user/:user_id (admins).
func (a *API) createProjectForUser(w http.ResponseWriter, r *http.Request, c *Call) error {
	uid, err := strconv.ParseInt(r.PathValue("user_id"), 10, 64)
	if err != nil || uid <= 0 {
		return service.NotFound("User")
	}
	in, err := projectInput(c.params, true)
	if err != nil {
		return err
	}
	in.Namespace = nil
	av, err := readAvatarParam(c.params, "")
	if err != nil {
		return err
	}
	p, err := a.svc.CreateProject(r.Context(), c.id, in, &uid)
	if err != nil {
		return err
	}
	if p.Avatar, err = a.applyAvatar(r, c, service.AvatarProject, p.ID, av, p.Avatar); err != nil {
		return err
	}
	return a.writeProject(w, r, c.id, http.StatusCreated, p, nil, true)
}

func (a *API) getProject(w http.ResponseWriter, r *http.Request, c *Call) error {
	p, level, pa, err := a.svc.VisibleProjectAccess(r.Context(), c.id, r.PathValue("id"))
	if err != nil {
		return err
	}
	var perms *model.ProjectAccess
	if c.id.Authenticated() {
		perms = &pa
	}
	want, err := wantStatistics(c)
	if err != nil {
		return err
	}
	stats, err := a.projectStatistics(r, c.id, want, []*model.Project{p}, func(*model.Project) access.Level { return level })
	if err != nil {
		return err
	}
	// readme_url names a file of the repository: GitLab shows it only
	// to callers who may read the code.
	return a.renderProject(w, r, c.id, http.StatusOK, p, perms, service.CanReadCode(c.id, p, level), stats[p.ID])
}

func (a *API) updateProject(w http.ResponseWriter, r *http.Request, c *Call) error {
	in, err := projectInput(c.params, false)
	if err != nil {
		return err
	}
	av, err := readAvatarParam(c.params, "")
	if err != nil {
		return err
	}
	p, err := a.svc.UpdateProject(r.Context(), c.id, r.PathValue("id"), in)
	if err != nil {
		return err
	}
	if p.Avatar, err = a.applyAvatar(r, c, service.AvatarProject, p.ID, av, p.Avatar); err != nil {
		return err
	}
	return a.writeProject(w, r, c.id, http.StatusOK, p, nil, true)
}

func (a *API) archiveProject(w http.ResponseWriter, r *http.Request, c *Call) error {
	return a.setArchived(w, r, c, true)
}

func (a *API) unarchiveProject(w http.ResponseWriter, r *http.Request, c *Call) error {
	return a.setArchived(w, r, c, false)
}

func (a *API) setArchived(w http.ResponseWriter, r *http.Request, c *Call, archived bool) error {
	p, err := a.svc.SetProjectArchived(r.Context(), c.id, r.PathValue("id"), archived)
	if err != nil {
		return err
	}
	return a.writeProject(w, r, c.id, http.StatusCreated, p, nil, true)
}

func (a *API) deleteProject(w http.ResponseWriter, r *http.Request, c *Call) error {
	if err := a.svc.DeleteProject(r.Context(), c.id, r.PathValue("id")); err != nil {
		return err
	}
	return WriteAccepted(w)
}

// writeProject renders one project with its owner, its readme_url (when
// readme says the caller may read the code) and, when perms is set, the
// caller's permissions — the bytes WriteJSON(w, status, a.fullProject(…))
// would write; a fork's source is shown as id may see it.
func (a *API) writeProject(w http.ResponseWriter, r *http.Request, id *auth.Identity, status int, p *model.Project, perms *model.ProjectAccess, readme bool) error {
	return a.renderProject(w, r, id, status, p, perms, readme, nil)
}

// renderProject is writeProject with the project's statistics when stats
// is set.
func (a *API) renderProject(w http.ResponseWriter, r *http.Request, id *auth.Identity, status int, p *model.Project,
	perms *model.ProjectAccess, readme bool, stats *model.ProjectStatistics) error {
	owners, err := a.projectOwners(r.Context(), []*model.Project{p})
	if err != nil {
		return err
	}
	sources, err := a.forkSources(r, id, []*model.Project{p})
	if err != nil {
		return err
	}
	buf := a.getListBuffer()
	defer a.putListBuffer(buf)
	buf.Grow(4096) // an entity is about 3 kB: grow once rather than by doubling
	var readmeURL *string
	if readme {
		readmeURL = a.readmeURL(r, p)
	}
	pb := a.ProjectBase(r)
	b := appendProjectEntity(buf.AvailableBuffer(), pb, p, projectOwnerOf(p, owners), readmeURL)
	if p.ForkedFromID != nil {
		b = withForkedFrom(b, pb, p, sources[*p.ForkedFromID])
	}
	if perms != nil {
		b = withPermissions(b, *perms, p.Namespace.IsGroup())
	}
	b = withStatistics(b, stats)
	links, err := a.svc.ProjectSharedWith(r.Context(), p)
	if err != nil {
		return err
	}
	if b, err = withSharedWithGroups(b, links); err != nil {
		return err
	}
	buf.Write(append(b, '\n')) // as json.Encoder ends a value
	writeJSONBytes(w, status, buf.Bytes())
	return nil
}

// projectListKind says which entity a list renders by default.
type projectListKind int

const (
	listWithAccess projectListKind = iota // /projects, /users/:id/projects
	listPlain                             // /groups/:id/projects
)

// keysetUnavailable is GitLab's answer for keyset requests it can't serve.
const keysetUnavailable = "Keyset pagination is not yet available for this type of request"

// projectListOptions reads the list filters, ordering and pagination.
func projectListOptions(p *Params) (service.ProjectListOptions, Page, bool, error) {
	var o service.ProjectListOptions
	pg := PageOf(p)
	keyset := false
	if mode, ok := p.Str("pagination"); ok && mode == "keyset" {
		keyset = true
	}
	o.Search, _ = p.Str("search")
	if msg := service.ValidText(o.Search, 1024); msg != "" {
		return o, pg, keyset, service.ParamError("search is invalid")
	}
	o.Topic, _ = p.Str("topic")
	if msg := service.ValidText(o.Topic, service.MaxNameLength); msg != "" {
		return o, pg, keyset, service.ParamError("topic is invalid")
	}
	var pe ParamErrors
	if o.CustomAttributes = customAttributesFilter(p, &pe); pe.Err() != nil {
		return o, pg, keyset, pe.Err()
	}
	for _, b := range []struct {
		name string
		dst  *bool
	}{{"search_namespaces", &o.SearchNamespaces}, {"owned", &o.Owned}, {"membership", &o.Membership},
		{"include_subgroups", &o.IncludeSubgroups}, {"starred", &o.Starred}} {
		v, _, err := p.Bool(b.name)
		if err != nil {
			return o, pg, keyset, err
		}
		*b.dst = v
	}
	if v, ok, err := p.Bool("archived"); err != nil {
		return o, pg, keyset, err
	} else if ok {
		o.Archived = &v
	}
	if vis, ok, err := p.OneOf("visibility", "private", "internal", "public"); err != nil {
		return o, pg, keyset, err
	} else if ok {
		n, _ := access.ParseVisibility(vis)
		o.Visibility = &n
	}
	if n, ok, err := p.Int("min_access_level"); err != nil {
		return o, pg, keyset, err
	} else if ok {
		if !access.ValidMemberLevel(int(n)) {
			return o, pg, keyset, service.ParamError("min_access_level does not have a valid value")
		}
		o.MinAccessLevel = int(n)
	}
	for _, f := range []struct {
		name string
		dst  *int64
	}{{"id_after", &o.IDAfter}, {"id_before", &o.IDBefore}} {
		// An empty value means "no bound" (GitLab once answered 500 here).
		if s, ok := p.Str(f.name); ok && s == "" {
			continue
		}
		n, _, err := p.Int(f.name)
		if err != nil {
			return o, pg, keyset, err
		}
		*f.dst = n
	}
	orderBy, hasOrder, err := p.OneOf("order_by", "id", "name", "path", "created_at", "updated_at",
		"last_activity_at", "similarity", "star_count")
	if err != nil {
		return o, pg, keyset, err
	}
	if orderBy == "similarity" || !hasOrder {
		orderBy = "created_at"
		if keyset {
			orderBy = "id"
		}
	}
	if keyset && orderBy != "id" {
		return o, pg, keyset, errKeysetUnavailable
	}
	o.OrderBy = orderBy
	sort, _, err := p.OneOf("sort", "asc", "desc")
	if err != nil {
		return o, pg, keyset, err
	}
	o.Desc = sort != "asc"
	if keyset {
		// One extra row tells whether a next page exists.
		o.Limit = pg.PerPage + 1
	} else {
		o.Limit, o.Offset, o.Count = pg.PerPage, pg.Offset(), true
	}
	return o, pg, keyset, nil
}

// errKeysetUnavailable is rendered as GitLab's 405.
var errKeysetUnavailable = &keysetError{}

type keysetError struct{}

func (*keysetError) Error() string { return keysetUnavailable }

func (a *API) listProjects(w http.ResponseWriter, r *http.Request, c *Call) error {
	return a.projectList(w, r, c, listWithAccess, func(o service.ProjectListOptions) (*service.ProjectList, error) {
		return a.svc.ListProjects(r.Context(), c.id, o)
	})
}

func (a *API) listGroupProjects(w http.ResponseWriter, r *http.Request, c *Call) error {
	return a.projectList(w, r, c, listPlain, func(o service.ProjectListOptions) (*service.ProjectList, error) {
		return a.svc.GroupProjects(r.Context(), c.id, r.PathValue("id"), o)
	})
}

func (a *API) listUserProjects(w http.ResponseWriter, r *http.Request, c *Call) error {
	return a.projectList(w, r, c, listWithAccess, func(o service.ProjectListOptions) (*service.ProjectList, error) {
		return a.svc.UserProjects(r.Context(), c.id, r.PathValue("user_id"), o)
	})
}

// projectList runs a list, writes pagination headers and renders the page:
// the simple entity when asked for or for anonymous callers, else the full
// one with owners batch-loaded (and permissions where GitLab shows them).
func (a *API) projectList(w http.ResponseWriter, r *http.Request, c *Call, kind projectListKind,
	run func(service.ProjectListOptions) (*service.ProjectList, error)) error {
	o, pg, keyset, err := projectListOptions(c.params)
	if err == errKeysetUnavailable {
		WriteJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": keysetUnavailable})
		return nil
	}
	if err != nil {
		return err
	}
	want, err := wantStatistics(c)
	if err != nil {
		return err
	}
	list, err := run(o)
	if err != nil {
		return err
	}
	projects := list.Projects
	if keyset {
		var next url.Values
		if len(projects) > pg.PerPage {
			projects = projects[:pg.PerPage]
			last := strconv.FormatInt(projects[len(projects)-1].ID, 10)
			next = url.Values{"order_by": {"id"}, "per_page": {strconv.Itoa(pg.PerPage)}}
			if o.Desc {
				next.Set("id_before", last)
			} else {
				next.Set("id_after", last)
			}
		}
		a.setKeysetHeaders(w, r, next)
	} else {
		a.SetPageHeaders(w, r, pg, list.Total)
	}
	simple, _, _ := c.params.Bool("simple")
	if simple || kind == listWithAccess && !c.id.Authenticated() {
		pb := a.ProjectBase(r)
		out := make([]BasicProject, 0, len(projects))
		for _, p := range projects {
			out = append(out, BasicProjectAt(pb, p))
		}
		return WriteOK(w, out)
	}
	owners, err := a.projectOwners(r.Context(), projects)
	if err != nil {
		return err
	}
	sources, err := a.forkSources(r, c.id, projects)
	if err != nil {
		return err
	}
	stats, err := a.projectStatistics(r, c.id, want, projects, func(p *model.Project) access.Level {
		return access.Level(list.Access[p.ID].Level())
	})
	if err != nil {
		return err
	}
	return a.writeFullProjects(w, r, projects, owners, list.Access, kind == listWithAccess, sources, stats)
}
