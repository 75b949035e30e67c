package v4

import (
	"net/http"
	"net/url"
)

// compareEntity is GitLab's Compare.
type compareEntity struct {
	Commit         *commitEntity  `json:"commit"`
	Commits        []commitEntity `json:"commits"`
	Diffs          []diffEntity   `json:"diffs"`
	CompareTimeout bool           `json:"compare_timeout"`
	CompareSameRef bool           `json:"compare_same_ref"`
	WebURL         string         `json:"web_url"`
}

func (a *API) compare(w http.ResponseWriter, r *http.Request, c *Call) error {
	from, err := c.params.Required("from", 1024)
	if err != nil {
		return err
	}
	to, err := c.params.Required("to", 1024)
	if err != nil {
		return err
	}
	straight, _, err := c.params.Bool("straight")
	if err != nil {
		return err
	}
	if _, _, err := c.params.Bool("unidiff"); err != nil {
		return err
	}
	cmp, err := a.svc.Compare(r.Context(), c.id, r.PathValue("id"), from, to, straight)
	if err != nil {
		return err
	}
	p := cmp.Repo.Project
	out := compareEntity{Commits: make([]commitEntity, 0, len(cmp.Commits)), Diffs: diffEntities(cmp.Diffs),
		CompareSameRef: cmp.SameRef,
		WebURL:         a.projectWebURL(r, p) + "/-/compare/" + url.PathEscape(from) + "..." + url.PathEscape(to)}
	if cmp.Head != nil {
		e := a.commitEntity(r, p, cmp.Head)
		out.Commit = &e
	}
	for _, cm := range cmp.Commits {
		out.Commits = append(out.Commits, a.commitEntity(r, p, cm))
	}
	return WriteOK(w, out)
}
