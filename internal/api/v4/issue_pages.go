package v4

import (
	"net/http"

	"github.com/lablet/lablet/internal/cache"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// Rendering a page of issues — their projects, users, labels and
// milestones loaded, twenty entities encoded — costs several times reading
// it. A page the store vouches for (IssuePage.Key, under IssuePage.Version,
// which covers everything the entities show) is kept rendered, per base URL
// and label rendering, when it holds nothing of the caller's: labels'
// description_html is rendered for the caller, so a page with label
// details is kept only when none of its labels has a description (writing
// one moves the planning version).

type issuePageKey struct {
	page    string
	version model.Version
	base    string
	details bool
	groupID int64
	simple  bool // merge requests' view=simple
}

// issuePagesBudget bounds the bytes of kept pages (a page of twenty is
// about 40 kB).
const issuePagesBudget = 32 << 20

func newIssuePageCache(off bool) *cache.Cache[issuePageKey, []byte] {
	return cache.New[issuePageKey, []byte](cache.Options{MaxCost: issuePagesBudget, AvgCost: 40 << 10, Off: off})
}

// issuePageBody returns the JSON body of a page of issues, kept or
// rendered, with label details if details.
func (a *API) issuePageBody(r *http.Request, c *Call, pg *service.IssuePage, details bool) ([]byte, error) {
	k := issuePageKey{page: pg.Key, version: pg.Version, base: a.BaseURL(r), details: details, groupID: pg.GroupID}
	return a.keptPage(k, func() (any, bool, error) {
		var known []*model.Project
		if pg.Project != nil {
			known = append(known, pg.Project)
		}
		refs, err := a.svc.LoadIssueRefs(r.Context(), pg.Issues, known...)
		if err != nil {
			return nil, false, err
		}
		ir, err := a.issueRendererWith(r, c, refs, details)
		if err != nil {
			return nil, false, err
		}
		ir.groupID = pg.GroupID
		b := make([]byte, 0, 2048*len(pg.Issues)+3)
		b = append(b, '[')
		for n, i := range pg.Issues {
			if n > 0 {
				b = append(b, ',')
			}
			e := ir.issue(i)
			if b, err = appendIssueEntity(b, &e); err != nil {
				return nil, false, err
			}
		}
		b = append(b, ']', '\n') // as writeJSON's encoder ends
		return b, len(ir.labelDescs) == 0, nil
	})
}

// keptPage returns the kept body of page k, or renders it: render returns
// the entities (or their JSON, as a []byte) and whether the body may be
// kept (nothing of the caller's in it).
func (a *API) keptPage(k issuePageKey, render func() (any, bool, error)) ([]byte, error) {
	cacheable := k.page != "" && k.version.Valid()
	if cacheable {
		if b, ok := a.issuePages.Get(k); ok {
			return b, nil
		}
	}
	out, keep, err := render()
	if err != nil {
		return nil, err
	}
	b, encoded := out.([]byte)
	if !encoded {
		if b, err = appendMarshaled(nil, out); err != nil {
			return nil, err
		}
		b = append(b, '\n') // as writeJSON's encoder ends
	}
	if cacheable && keep {
		a.issuePages.PutCost(k, b, len(b)+len(k.page)+64)
	}
	return b, nil
}
