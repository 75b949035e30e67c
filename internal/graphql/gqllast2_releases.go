package graphql

import (
	"context"
	"strconv"

	"github.com/lablet/lablet/internal/service"
)

// groupReleases is REST's GET /groups/:id/releases: the releases of the
// projects (subgroups' too) in which the caller reads releases, one page
// read, its projects and authors loaded with it.
func (r *Resolver) groupReleases(ctx context.Context, obj *Group, sort *GroupReleaseSort, after, before *string,
	first, last *int) (*ReleaseConnection, error) {
	o := service.ReleaseListOptions{OrderBy: "released_at", Sort: "desc"}
	if sort != nil && *sort == GroupReleaseSortReleasedAtAsc {
		o.Sort = "asc"
	}
	gref := strconv.FormatInt(obj.g.ID, 10)
	id := callerOf(ctx)
	list, pg, total, err := pageOf(after, before, first, last, func(offset, limit int) ([]*service.ReleaseView, int, error) {
		o := o
		o.Offset, o.Limit = offset, limit
		return r.svc.GroupReleases(ctx, id, gref, o)
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
