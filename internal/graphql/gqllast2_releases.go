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
	return r.releaseConnection(ctx, o, after, before, first, last, func(o service.ReleaseListOptions) ([]*service.ReleaseView, int, error) {
		return r.svc.GroupReleases(ctx, callerOf(ctx), gref, o)
	})
}
