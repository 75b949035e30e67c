package v4

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// branchEntity is GitLab's Branch entity.
type branchEntity struct {
	Name               string        `json:"name"`
	Commit             *commitEntity `json:"commit"`
	Merged             bool          `json:"merged"`
	Protected          bool          `json:"protected"`
	DevelopersCanPush  bool          `json:"developers_can_push"`
	DevelopersCanMerge bool          `json:"developers_can_merge"`
	CanPush            bool          `json:"can_push"`
	Default            bool          `json:"default"`
	WebURL             string        `json:"web_url"`
}

func (a *API) branchEntity(r *http.Request, p *model.Project, b *service.BranchInfo) branchEntity {
	e := branchEntity{Name: b.Name, Merged: b.Merged, Protected: b.Protected, DevelopersCanPush: b.DevelopersCanPush,
		DevelopersCanMerge: b.DevelopersCanMerge, CanPush: b.CanPush, Default: b.Default,
		WebURL: a.BaseURL(r) + "/" + p.FullPath() + "/-/tree/" + escapeRefPath(b.Name)}
	if b.Commit != nil {
		ce := a.commitEntity(r, p, b.Commit)
		e.Commit = &ce
	}
	return e
}

// escapeRefPath escapes each segment of a ref name for a URL path, keeping
// the slashes as GitLab's tree URLs do.
func escapeRefPath(name string) string {
	segs := strings.Split(name, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return strings.Join(segs, "/")
}

// pageSlice returns the part of all that pg selects.
func pageSlice[T any](all []T, pg Page) []T {
	off := pg.Offset()
	if off >= len(all) || off < 0 {
		return all[:0]
	}
	return all[off:min(off+pg.PerPage, len(all))]
}

// maxRefParam bounds ref names and revisions given as parameters.
const maxRefParam = 1024

func (a *API) listBranches(w http.ResponseWriter, r *http.Request, c *Call) error {
	var f service.BranchFilter
	var err error
	if f.Search, _, err = c.params.Text("search", maxRefParam); err != nil {
		return err
	}
	if f.Regex, _, err = c.params.Text("regex", maxRefParam); err != nil {
		return err
	}
	if f.Sort, _, err = c.params.OneOf("sort", "name_asc", "updated_asc", "updated_desc"); err != nil {
		return err
	}
	pr, all, err := a.svc.Branches(r.Context(), c.id, r.PathValue("id"), f)
	if err != nil {
		return err
	}
	pg := PageOf(c.params)
	infos, err := a.svc.DescribeBranches(r.Context(), pr, pageSlice(all, pg))
	if err != nil {
		return err
	}
	out := make([]branchEntity, 0, len(infos))
	for i := range infos {
		out = append(out, a.branchEntity(r, pr.Project, &infos[i]))
	}
	a.SetPageHeaders(w, r, pg, len(all))
	return WriteOK(w, out)
}

func (a *API) getBranch(w http.ResponseWriter, r *http.Request, c *Call) error {
	pr, b, err := a.svc.Branch(r.Context(), c.id, r.PathValue("id"), r.PathValue("branch"))
	if err != nil {
		return err
	}
	return WriteOK(w, a.branchEntity(r, pr.Project, b))
}

// headBranch answers whether a branch exists: 204 or 404, no body (a name
// no branch can have does not exist either: GitLab's HEAD asks only that).
func (a *API) headBranch(w http.ResponseWriter, r *http.Request, c *Call) error {
	if _, _, err := a.svc.Branch(r.Context(), c.id, r.PathValue("id"), r.PathValue("branch")); err != nil {
		if service.KindOf(err) == service.KindInvalid {
			return service.NotFound("Branch")
		}
		return err
	}
	return WriteNoContent(w)
}

func (a *API) createBranch(w http.ResponseWriter, r *http.Request, c *Call) error {
	name, err := c.params.Required("branch", maxRefParam)
	if err != nil {
		return err
	}
	ref, err := c.params.Required("ref", maxRefParam)
	if err != nil {
		return err
	}
	pr, b, err := a.svc.CreateBranch(r.Context(), c.id, r.PathValue("id"), name, ref)
	if err != nil {
		return err
	}
	return WriteCreated(w, a.branchEntity(r, pr.Project, b))
}

func (a *API) deleteBranch(w http.ResponseWriter, r *http.Request, c *Call) error {
	if err := a.svc.DeleteBranch(r.Context(), c.id, r.PathValue("id"), r.PathValue("branch")); err != nil {
		return err
	}
	return WriteNoContent(w)
}

// deleteMergedBranches runs at once (GitLab queues it) and answers 202 as
// GitLab does.
func (a *API) deleteMergedBranches(w http.ResponseWriter, r *http.Request, c *Call) error {
	if err := a.svc.DeleteMergedBranches(r.Context(), c.id, r.PathValue("id")); err != nil {
		return err
	}
	return WriteAccepted(w)
}
