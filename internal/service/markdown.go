package service

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/markdown"
	"github.com/lablet/lablet/internal/model"
)

// MarkdownInput is what POST /markdown renders.
type MarkdownInput struct {
	Text string
	// GFM selects GitLab Flavored Markdown (references, emoji); otherwise
	// plain CommonMark with GitHub's extensions, as GitLab's
	// plain_markdown pipeline.
	GFM bool
	// Project, when set, is the project (id or full path) references and
	// upload links are relative to; the caller must see it.
	Project string
	// BaseURL is the instance's external URL, for the links references
	// become (GitLab renders full URLs: only_path false).
	BaseURL string
}

// RenderMarkdown renders in.Text as the caller may see it: references to
// what the caller can't read stay text. A project the caller can't see
// is "404 Project Not Found".
func (s *Service) RenderMarkdown(ctx context.Context, id *auth.Identity, in MarkdownInput) (string, error) {
	out, err := s.RenderMarkdownTexts(ctx, id, in, []string{in.Text})
	if err != nil {
		return "", err
	}
	return out[0], nil
}

// RenderMarkdownTexts renders texts (in.Text is not read) as RenderMarkdown
// renders each, in in's context: a page that shows an issue and its notes
// looks each project they name up once, and maxReferencedProjects bounds
// the page, not each text.
func (s *Service) RenderMarkdownTexts(ctx context.Context, id *auth.Identity, in MarkdownInput, texts []string) ([]string, error) {
	r := &refResolver{s: s, id: id, base: strings.TrimSuffix(in.BaseURL, "/"), projects: map[string]*visibleProject{}}
	o := markdown.Options{GFM: in.GFM, Resolver: r}
	if in.Project != "" {
		p, level, err := s.VisibleProject(ctx, id, in.Project)
		if err != nil {
			return nil, err
		}
		r.project = &visibleProject{project: p, level: level}
		r.projects[strings.ToLower(p.FullPath())] = r.project
		o.UploadsPrefix = basePath(in.BaseURL) + "/" + p.FullPath()
	}
	return s.markdown.RenderMany(ctx, texts, o)
}

// LabelDescriptionsHTML renders labels' descriptions as GitLab's
// description_html (the SingleLinePipeline: no Markdown, but emoji, links
// and user and issue references) for the caller, by label id. Only
// non-empty descriptions are rendered, all of them in one pass with one
// batch of reference lookups; a project label's references are relative
// to its project, a group label's only fully qualified ones resolve.
func (s *Service) LabelDescriptionsHTML(ctx context.Context, id *auth.Identity, baseURL string, labels []*model.Label) (map[int64]string, error) {
	var todo []*model.Label
	var projectIDs []int64
	seen := map[int64]bool{}
	for _, l := range labels {
		if l == nil || l.Description == "" || seen[l.ID] {
			continue
		}
		seen[l.ID] = true
		todo = append(todo, l)
		if l.ProjectID != nil {
			projectIDs = append(projectIDs, *l.ProjectID)
		}
	}
	if len(todo) == 0 {
		return nil, nil
	}
	projects, err := s.db.Queries().IssueProjects(ctx, projectIDs)
	if err != nil {
		return nil, fmt.Errorf("service: label descriptions: %w", err)
	}
	lines := make([]markdown.Line, len(todo))
	for i, l := range todo {
		lines[i].Text = l.Description
		if l.ProjectID != nil && projects[*l.ProjectID] != nil {
			lines[i].Project = projects[*l.ProjectID].FullPath()
		}
	}
	r := &refResolver{s: s, id: id, base: strings.TrimSuffix(baseURL, "/"), projects: map[string]*visibleProject{}}
	html, err := s.markdown.RenderLines(ctx, lines, r)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]string, len(todo))
	for i, l := range todo {
		out[l.ID] = html[i]
	}
	return out, nil
}

// basePath is the path part of the external URL ("" at the root), which
// prefixes the instance's own links.
func basePath(base string) string {
	u, err := url.Parse(base)
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(u.Path, "/")
}

// maxReferencedProjects bounds the projects one text's references may
// name: each costs a lookup, and a text of thousands of "pN#1" must not
// cost thousands. References to further projects stay text.
const maxReferencedProjects = 50

// visibleProject is a project the caller sees, with the caller's level.
type visibleProject struct {
	project *model.Project
	level   access.Level
}

// refResolver resolves a rendering's references with the caller's
// permissions, each kind in one batch.
type refResolver struct {
	s       *Service
	id      *auth.Identity
	base    string
	project *visibleProject // the context project; nil without one
	// projects are the projects references named, by lower-case full
	// path; nil for those the caller can't see.
	projects map[string]*visibleProject
}

// Resolve implements markdown.Resolver.
func (r *refResolver) Resolve(ctx context.Context, refs []markdown.Ref) ([]*markdown.Link, error) {
	out := make([]*markdown.Link, len(refs))
	for _, step := range []func(context.Context, []markdown.Ref, []*markdown.Link) error{
		r.resolveIssues, r.resolveMergeRequests, r.resolveMilestones, r.resolveLabels, r.resolveUsers,
	} {
		if err := step(ctx, refs, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// projectOf returns the project a reference names: the context project,
// a project of the context project's namespace ("app#1") or a full path
// ("group/app#1"); nil when there is none the caller sees.
func (r *refResolver) projectOf(ctx context.Context, path string) (*visibleProject, error) {
	switch {
	case path == "":
		return r.project, nil
	case !strings.Contains(path, "/"):
		if r.project == nil {
			return nil, nil
		}
		path = r.project.project.Namespace.FullPath + "/" + path
	}
	key := strings.ToLower(path)
	if vp, ok := r.projects[key]; ok {
		return vp, nil
	}
	if len(r.projects) >= maxReferencedProjects {
		return nil, nil
	}
	// One lookup per distinct project named, never per reference.
	p, level, err := r.s.VisibleProject(ctx, r.id, path)
	var vp *visibleProject
	switch {
	case err == nil:
		vp = &visibleProject{project: p, level: level}
	case KindOf(err) != KindNotFound:
		return nil, err
	}
	r.projects[key] = vp
	return vp, nil
}

func (r *refResolver) url(parts ...string) string {
	return r.base + "/" + strings.Join(parts, "/")
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func (r *refResolver) resolveIssues(ctx context.Context, refs []markdown.Ref, out []*markdown.Link) error {
	want := map[int64][]int64{}
	owner := make([]*visibleProject, len(refs))
	for i, ref := range refs {
		if ref.Kind != markdown.KindIssue {
			continue
		}
		vp, err := r.projectOf(ctx, ref.Project)
		if err != nil {
			return err
		}
		if vp == nil || !vp.project.IssuesEnabled || !ProjectCan(r.id, vp.project, vp.level, access.ReadIssue) {
			continue
		}
		owner[i] = vp
		want[vp.project.ID] = append(want[vp.project.ID], ref.IID)
	}
	if len(want) == 0 {
		return nil
	}
	q := r.s.db.Queries()
	issues, err := q.IssuesByProjectIIDs(ctx, want)
	if err != nil {
		return err
	}
	type key struct{ project, iid int64 }
	byKey := make(map[key]*model.Issue, len(issues))
	for _, is := range issues {
		byKey[key{is.ProjectID, is.IID}] = is
	}
	for i, ref := range refs {
		vp := owner[i]
		if vp == nil {
			continue
		}
		is := byKey[key{vp.project.ID, ref.IID}]
		// Confidential issues the caller may not read stay text: GitLab
		// never reveals that they exist.
		if is == nil || !CanReadIssue(r.id, vp.level, is) {
			continue
		}
		p := vp.project
		l := &markdown.Link{URL: r.url(p.FullPath(), "-", "issues", itoa(is.IID)), Title: is.Title,
			Data: []markdown.Attr{{Name: "link", Value: "false"}, {Name: "link-reference", Value: "false"},
				{Name: "project", Value: itoa(p.ID)}, {Name: "issue", Value: itoa(is.ID)},
				{Name: "project-path", Value: p.FullPath()}, {Name: "iid", Value: itoa(is.IID)},
				{Name: "issue-type", Value: is.IssueType}}}
		if is.State == "closed" {
			l.Text = ref.Original + " (closed)"
		}
		out[i] = l
	}
	return nil
}

// resolveMergeRequests links !iid references to merge requests the caller
// reads (read_merge_request on their project).
func (r *refResolver) resolveMergeRequests(ctx context.Context, refs []markdown.Ref, out []*markdown.Link) error {
	want := map[int64][]int64{}
	owner := make([]*visibleProject, len(refs))
	for i, ref := range refs {
		if ref.Kind != markdown.KindMergeRequest {
			continue
		}
		vp, err := r.projectOf(ctx, ref.Project)
		if err != nil {
			return err
		}
		if vp == nil || !ProjectCan(r.id, vp.project, vp.level, access.ReadMergeRequest) {
			continue
		}
		owner[i] = vp
		want[vp.project.ID] = append(want[vp.project.ID], ref.IID)
	}
	if len(want) == 0 {
		return nil
	}
	mrs, err := r.s.db.Queries().MergeRequestsByProjectIIDs(ctx, want)
	if err != nil {
		return err
	}
	type key struct{ project, iid int64 }
	byKey := make(map[key]*model.MergeRequest, len(mrs))
	for _, m := range mrs {
		byKey[key{m.TargetProjectID, m.IID}] = m
	}
	for i, ref := range refs {
		vp := owner[i]
		if vp == nil {
			continue
		}
		m := byKey[key{vp.project.ID, ref.IID}]
		if m == nil {
			continue
		}
		p := vp.project
		l := &markdown.Link{URL: r.url(p.FullPath(), "-", "merge_requests", itoa(m.IID)), Title: m.Title,
			Data: []markdown.Attr{{Name: "link", Value: "false"}, {Name: "link-reference", Value: "false"},
				{Name: "project", Value: itoa(p.ID)}, {Name: "merge-request", Value: itoa(m.ID)},
				{Name: "project-path", Value: p.FullPath()}, {Name: "iid", Value: itoa(m.IID)}}}
		if m.State == "closed" || m.State == "merged" {
			l.Text = ref.Original + " (" + m.State + ")"
		}
		out[i] = l
	}
	return nil
}

// byProject groups the indexes of refs of kind by the project they name,
// skipping those naming nothing the caller sees.
func (r *refResolver) byProject(ctx context.Context, refs []markdown.Ref, kind markdown.Kind) (map[*visibleProject][]int, error) {
	out := map[*visibleProject][]int{}
	for i, ref := range refs {
		if ref.Kind != kind {
			continue
		}
		vp, err := r.projectOf(ctx, ref.Project)
		if err != nil {
			return nil, err
		}
		if vp != nil {
			out[vp] = append(out[vp], i)
		}
	}
	return out, nil
}

// namesAndNumbers splits references' names into titles and numbers (an
// all-digit name is an id or iid, as GitLab reads ~123 and %123).
func namesAndNumbers(refs []markdown.Ref, idx []int) (titles []string, numbers []int64) {
	for _, i := range idx {
		if n, err := strconv.ParseInt(refs[i].Name, 10, 64); err == nil && n > 0 {
			numbers = append(numbers, n)
		} else {
			titles = append(titles, refs[i].Name)
		}
	}
	return titles, numbers
}

func (r *refResolver) resolveMilestones(ctx context.Context, refs []markdown.Ref, out []*markdown.Link) error {
	groups, err := r.byProject(ctx, refs, markdown.KindMilestone)
	if err != nil {
		return err
	}
	q := r.s.db.Queries()
	for vp, idx := range groups {
		p := vp.project
		if !ProjectCan(r.id, p, vp.level, access.ReadMilestone) {
			continue
		}
		titles, iids := namesAndNumbers(refs, idx)
		list, err := q.AvailableMilestonesMatching(ctx, p.ID, p.NamespaceID, titles, iids)
		if err != nil {
			return err
		}
		byTitle, byIID := map[string]*model.Milestone{}, map[int64]*model.Milestone{}
		var groupIDs []int64
		for _, m := range list {
			if m.ProjectID != nil && byIID[m.IID] == nil {
				byIID[m.IID] = m
			}
			if byTitle[m.Title] == nil { // project milestones come first
				byTitle[m.Title] = m
			}
			if m.GroupID != nil {
				groupIDs = append(groupIDs, *m.GroupID)
			}
		}
		groupsByID, err := q.NamespacesByIDs(ctx, groupIDs)
		if err != nil {
			return err
		}
		for _, i := range idx {
			m := byTitle[refs[i].Name]
			if n, err := strconv.ParseInt(refs[i].Name, 10, 64); err == nil {
				m = byIID[n]
			}
			if m == nil {
				continue
			}
			u := r.url(p.FullPath(), "-", "milestones", itoa(m.IID))
			if m.GroupID != nil {
				g := groupsByID[*m.GroupID]
				if g == nil {
					continue
				}
				u = r.url("groups", g.FullPath, "-", "milestones", itoa(m.IID))
			}
			out[i] = &markdown.Link{URL: u, Title: m.Title,
				Data: []markdown.Attr{{Name: "link", Value: "false"}, {Name: "link-reference", Value: "false"},
					{Name: "project", Value: itoa(p.ID)}, {Name: "milestone", Value: itoa(m.ID)}}}
		}
	}
	return nil
}

func (r *refResolver) resolveLabels(ctx context.Context, refs []markdown.Ref, out []*markdown.Link) error {
	groups, err := r.byProject(ctx, refs, markdown.KindLabel)
	if err != nil {
		return err
	}
	for vp, idx := range groups {
		p := vp.project
		if !ProjectCan(r.id, p, vp.level, access.ReadLabel) {
			continue
		}
		titles, ids := namesAndNumbers(refs, idx)
		list, err := r.s.db.Queries().AvailableLabelsMatching(ctx, p.ID, p.NamespaceID, titles, ids)
		if err != nil {
			return err
		}
		byTitle, byID := map[string]*model.Label{}, map[int64]*model.Label{}
		for _, l := range list {
			byID[l.ID] = l
			if byTitle[l.Title] == nil { // project labels come first
				byTitle[l.Title] = l
			}
		}
		for _, i := range idx {
			l := byTitle[refs[i].Name]
			if n, err := strconv.ParseInt(refs[i].Name, 10, 64); err == nil {
				l = byID[n]
			}
			if l == nil {
				continue
			}
			out[i] = &markdown.Link{
				URL:   r.url(p.FullPath(), "-", "issues") + "?label_name=" + url.QueryEscape(l.Title),
				Title: l.Description, Text: l.Title,
				Data: []markdown.Attr{{Name: "link", Value: "false"}, {Name: "link-reference", Value: "false"},
					{Name: "project", Value: itoa(p.ID)}, {Name: "label", Value: itoa(l.ID)}}}
		}
	}
	return nil
}

func (r *refResolver) resolveUsers(ctx context.Context, refs []markdown.Ref, out []*markdown.Link) error {
	seen := map[string]bool{}
	var names []string
	for _, ref := range refs {
		if ref.Kind == markdown.KindUser && ref.Name != "all" && !seen[strings.ToLower(ref.Name)] {
			seen[strings.ToLower(ref.Name)] = true
			names = append(names, ref.Name)
		}
	}
	q := r.s.db.Queries()
	users, err := q.UsersByUsernames(ctx, names)
	if err != nil {
		return err
	}
	byName := map[string]*model.User{}
	for _, u := range users {
		byName[strings.ToLower(u.Username)] = u
	}
	var groupPaths []string
	for _, n := range names {
		if byName[strings.ToLower(n)] == nil {
			groupPaths = append(groupPaths, n)
		}
	}
	groups, err := q.NamespacesByFullPaths(ctx, groupPaths)
	if err != nil {
		return err
	}
	visibleGroups := map[string]*model.Namespace{}
	for _, g := range groups {
		if !g.IsGroup() {
			continue
		}
		// The caller's level on each group named (few per text) decides
		// whether it shows; an invisible group stays text.
		ns, _, err := r.s.VisibleGroup(ctx, r.id, g.FullPath)
		if err != nil {
			if KindOf(err) == KindNotFound {
				continue
			}
			return err
		}
		visibleGroups[strings.ToLower(ns.FullPath)] = ns
	}
	for i, ref := range refs {
		if ref.Kind != markdown.KindUser {
			continue
		}
		name := strings.ToLower(ref.Name)
		switch {
		case name == "all":
			if r.project == nil || !r.id.Authenticated() {
				continue
			}
			p := r.project.project
			out[i] = &markdown.Link{URL: r.url(p.FullPath()), Title: "All Project and Group Members",
				Data: []markdown.Attr{{Name: "project", Value: itoa(p.ID)}, {Name: "author", Value: itoa(r.id.User.ID)}}}
		case byName[name] != nil:
			u := byName[name]
			out[i] = &markdown.Link{URL: r.url(u.Username), Title: u.Name,
				Data: []markdown.Attr{{Name: "user", Value: itoa(u.ID)}}}
		case visibleGroups[name] != nil:
			g := visibleGroups[name]
			out[i] = &markdown.Link{URL: r.url(g.FullPath), Title: g.FullName,
				Data: []markdown.Attr{{Name: "group", Value: itoa(g.ID)}}}
		}
	}
	return nil
}
