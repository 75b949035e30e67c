package graphql

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/lablet/lablet/internal/service"
)

// Releases: a project's releases through the service REST's release routes
// call (read_release; the commit, tag path and sources with read_code).
// The service loads a page's authors, links, milestones and commits with a
// fixed number of reads; descriptionHtml renders the page's descriptions
// in one call.

// Release is a release the caller may read.
type Release struct {
	v  *service.ReleaseView
	pg *releasePage

	ID                string         `json:"id"`
	Name              *string        `json:"name"`
	TagName           *string        `json:"tagName"`
	TagPath           *string        `json:"tagPath"`
	Description       *string        `json:"description"`
	CreatedAt         *time.Time     `json:"createdAt"`
	ReleasedAt        *time.Time     `json:"releasedAt"`
	UpcomingRelease   *bool          `json:"upcomingRelease"`
	HistoricalRelease *bool          `json:"historicalRelease"`
	Author            *UserCore      `json:"author"`
	Commit            *Commit        `json:"commit"`
	Assets            *ReleaseAssets `json:"assets"`
	Links             *ReleaseLinks  `json:"links"`
}

// ReleaseAssets are a release's links, and its sources for a caller who
// reads the code.
type ReleaseAssets struct {
	links   []*ReleaseAssetLink
	sources []*ReleaseSource

	Count *int `json:"count"`
}

// releasePage is what a page of releases renders once for all its nodes.
type releasePage struct {
	views []*service.ReleaseView
	once  sync.Once
	html  []string
	err   error
}

// descriptionsHTML renders every description of the page, once.
func (r *Resolver) descriptionsHTML(ctx context.Context, pg *releasePage) ([]string, error) {
	pg.once.Do(func() {
		texts := make([]string, len(pg.views))
		for i, v := range pg.views {
			texts[i] = v.Release.Description
		}
		pg.html, pg.err = r.svc.RenderMarkdownTexts(ctx, callerOf(ctx), service.MarkdownInput{GFM: true,
			Project: strconv.FormatInt(pg.views[0].Project.ID, 10), BaseURL: r.at(ctx).base}, texts)
	})
	return pg.html, pg.err
}

func (r *Resolver) releaseDescriptionHTML(ctx context.Context, obj *Release) (*string, error) {
	if obj.v.Release.Description == "" {
		return nil, nil
	}
	html, err := r.descriptionsHTML(ctx, obj.pg)
	if err != nil {
		return nil, err
	}
	for i, v := range obj.pg.views {
		if v == obj.v {
			return &html[i], nil
		}
	}
	return nil, nil
}

func (r *Resolver) releaseMilestones(ctx context.Context, obj *Release, after, before *string, first, last *int) (*MilestoneConnection, error) {
	nodes := mapped(obj.v.Milestones, r.at(ctx).milestoneView)
	list, edges, pi, err := windowed(nodes, after, before, first, last, func(c string, n *Milestone) *MilestoneEdge {
		return &MilestoneEdge{Cursor: c, Node: n}
	})
	if err != nil {
		return nil, err
	}
	return &MilestoneConnection{Count: len(nodes), Nodes: list, Edges: edges, PageInfo: pi}, nil
}

func releaseAssetLinks(obj *ReleaseAssets, after, before *string, first, last *int) (*ReleaseAssetLinkConnection, error) {
	list, edges, pi, err := windowed(obj.links, after, before, first, last, func(c string, n *ReleaseAssetLink) *ReleaseAssetLinkEdge {
		return &ReleaseAssetLinkEdge{Cursor: c, Node: n}
	})
	if err != nil {
		return nil, err
	}
	return &ReleaseAssetLinkConnection{Count: len(obj.links), Nodes: list, Edges: edges, PageInfo: pi}, nil
}

func releaseSources(obj *ReleaseAssets, after, before *string, first, last *int) (*ReleaseSourceConnection, error) {
	list, edges, pi, err := windowed(obj.sources, after, before, first, last, func(c string, n *ReleaseSource) *ReleaseSourceEdge {
		return &ReleaseSourceEdge{Cursor: c, Node: n}
	})
	if err != nil {
		return nil, err
	}
	return &ReleaseSourceConnection{Count: len(obj.sources), Nodes: list, Edges: edges, PageInfo: pi}, nil
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// release renders one release of pg as its REST entity shows it.
func (v view) release(pg *releasePage, rv *service.ReleaseView) *Release {
	rel, p := rv.Release, rv.Project
	web := v.base + "/" + p.FullPath()
	now := v.r.svc.Now()
	out := &Release{v: rv, pg: pg, ID: gid("Release", rel.ID), Name: ptr(rel.Name), TagName: ptr(rel.Tag),
		Description: nonEmpty(rel.Description), CreatedAt: ptr(rel.CreatedAt), ReleasedAt: ptr(rel.ReleasedAt),
		UpcomingRelease: ptr(rv.Upcoming(now)), HistoricalRelease: ptr(rel.ReleasedAt.Before(rel.CreatedAt)),
		Author: v.userCore(rv.Author)}
	links := service.ReleaseLinksOf(web, rel.Tag)
	out.Links = &ReleaseLinks{ClosedIssuesURL: &links.ClosedIssues, ClosedMergeRequestsURL: &links.ClosedMergeRequests,
		MergedMergeRequestsURL: &links.MergedMergeRequests, OpenedIssuesURL: &links.OpenedIssues,
		OpenedMergeRequestsURL: &links.OpenedMergeRequests, SelfURL: &links.Self}
	if rv.CanUpdate {
		out.Links.EditURL = ptr(links.Self + "/edit")
	}
	assets := &ReleaseAssets{}
	for _, l := range rv.Links {
		al := &ReleaseAssetLink{ID: gid("Releases::Link", l.ID), Name: ptr(l.Name), URL: ptr(l.URL),
			LinkType: ptr(ReleaseAssetLinkType(strings.ToUpper(l.LinkType))), DirectAssetPath: l.Filepath,
			DirectAssetURL: ptr(l.URL)}
		if l.Filepath != nil {
			al.DirectAssetURL = ptr(links.Self + "/downloads" + *l.Filepath)
		}
		assets.links = append(assets.links, al)
	}
	if rv.ReadCode {
		out.Commit = v.r.commit(p.FullPath(), rv.Commit)
		out.TagPath = ptr("/" + p.FullPath() + "/-/tags/" + url.PathEscape(rel.Tag))
		for _, s := range service.ReleaseSources(web, p.Path, rel.Tag) {
			assets.sources = append(assets.sources, &ReleaseSource{Format: ptr(s.Format), URL: ptr(s.URL)})
		}
	}
	assets.Count = ptr(len(assets.links) + len(assets.sources))
	out.Assets = assets
	return out
}

func (r *Resolver) releasesOf(ctx context.Context, views []*service.ReleaseView) []*Release {
	pg := &releasePage{views: views}
	v := r.at(ctx)
	out := make([]*Release, len(views))
	for i, rv := range views {
		out[i] = v.release(pg, rv)
	}
	return out
}

var releaseSorts = map[ReleaseSort][2]string{ReleaseSortCreatedDesc: {"created_at", "desc"},
	ReleaseSortCreatedAsc: {"created_at", "asc"}, ReleaseSortReleasedAtDesc: {"released_at", "desc"},
	ReleaseSortReleasedAtAsc: {"released_at", "asc"}}

func (r *Resolver) projectReleases(ctx context.Context, obj *Project, sort *ReleaseSort, after, before *string,
	first, last *int) (*ReleaseConnection, error) {
	o := service.ReleaseListOptions{OrderBy: "released_at", Sort: "desc"}
	if sort != nil {
		s := releaseSorts[*sort]
		o.OrderBy, o.Sort = s[0], s[1]
	}
	pref := strconv.FormatInt(obj.p.ID, 10)
	return r.releaseConnection(ctx, o, after, before, first, last, func(o service.ReleaseListOptions) ([]*service.ReleaseView, int, error) {
		return r.svc.ListReleases(ctx, callerOf(ctx), pref, o)
	})
}

// releaseConnection pages the releases load reads (a project's or a
// group's, with o's order); who may not read them gets null.
func (r *Resolver) releaseConnection(ctx context.Context, o service.ReleaseListOptions, after, before *string, first, last *int,
	load func(service.ReleaseListOptions) ([]*service.ReleaseView, int, error)) (*ReleaseConnection, error) {
	list, pg, total, err := pageOf(after, before, first, last, func(offset, limit int) ([]*service.ReleaseView, int, error) {
		o := o
		o.Offset, o.Limit = offset, limit
		return load(o)
	})
	if hidden(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	nodes := r.releasesOf(ctx, list)
	return &ReleaseConnection{Count: total, Nodes: nodes, PageInfo: pageInfo(pg, len(nodes), pg.offset+len(nodes) < total),
		Edges: edgesOf(pg, nodes, func(c string, n *Release) *ReleaseEdge { return &ReleaseEdge{Cursor: c, Node: n} })}, nil
}

func (r *Resolver) projectRelease(ctx context.Context, obj *Project, tag string) (*Release, error) {
	rv, err := r.svc.Release(ctx, callerOf(ctx), strconv.FormatInt(obj.p.ID, 10), tag, service.ReleaseRender{})
	if hidden(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return r.releasesOf(ctx, []*service.ReleaseView{rv})[0], nil
}

// releasePayload is a release mutation's answer: the release, or the
// service's refusal in errors (an invisible project a top-level error).
func (r *Resolver) releasePayload(ctx context.Context, rv *service.ReleaseView, err error) (*Release, []string, error) {
	if err != nil {
		msgs, err := payloadErrors(err)
		return nil, msgs, err
	}
	return r.releasesOf(ctx, []*service.ReleaseView{rv})[0], []string{}, nil
}

func (r *Resolver) releaseCreate(ctx context.Context, in ReleaseCreateInput) (*ReleaseCreatePayload, error) {
	ri := service.ReleaseInput{Tag: in.TagName, Name: in.Name, Description: in.Description, ReleasedAt: in.ReleasedAt}
	if in.Ref != nil {
		ri.Ref = *in.Ref
	}
	if in.TagMessage != nil {
		ri.TagMessage = *in.TagMessage
	}
	if in.Milestones != nil {
		ri.Milestones = &in.Milestones
	}
	if in.Assets != nil {
		for _, l := range in.Assets.Links {
			li := service.ReleaseLinkInput{Name: &l.Name, URL: &l.URL, Filepath: l.DirectAssetPath}
			if l.LinkType != nil {
				li.LinkType = ptr(strings.ToLower(string(*l.LinkType)))
			}
			ri.Links = append(ri.Links, li)
		}
	}
	rv, err := r.svc.CreateRelease(ctx, callerOf(ctx), in.ProjectPath, ri)
	rel, msgs, err := r.releasePayload(ctx, rv, err)
	if err != nil {
		return nil, err
	}
	return &ReleaseCreatePayload{ClientMutationID: in.ClientMutationID, Errors: msgs, Release: rel}, nil
}

func (r *Resolver) releaseUpdate(ctx context.Context, in ReleaseUpdateInput) (*ReleaseUpdatePayload, error) {
	ru := service.ReleaseUpdate{Name: in.Name, Description: in.Description, ReleasedAt: in.ReleasedAt}
	if in.Milestones != nil {
		ru.Milestones = &in.Milestones
	}
	rv, err := r.svc.UpdateRelease(ctx, callerOf(ctx), in.ProjectPath, in.TagName, ru)
	rel, msgs, err := r.releasePayload(ctx, rv, err)
	if err != nil {
		return nil, err
	}
	return &ReleaseUpdatePayload{ClientMutationID: in.ClientMutationID, Errors: msgs, Release: rel}, nil
}

func (r *Resolver) releaseDelete(ctx context.Context, in ReleaseDeleteInput) (*ReleaseDeletePayload, error) {
	rv, err := r.svc.DeleteRelease(ctx, callerOf(ctx), in.ProjectPath, in.TagName)
	rel, msgs, err := r.releasePayload(ctx, rv, err)
	if err != nil {
		return nil, err
	}
	return &ReleaseDeletePayload{ClientMutationID: in.ClientMutationID, Errors: msgs, Release: rel}, nil
}
