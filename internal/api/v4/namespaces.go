package v4

import (
	"net/http"

	"github.com/lablet/lablet/internal/service"
)

func (a *API) listNamespaces(w http.ResponseWriter, r *http.Request, c *Call) error {
	pg := PageOf(c.params)
	o := service.NamespaceListOptions{Offset: pg.Offset(), Limit: pg.PerPage}
	var err error
	if o.Search, _, err = c.params.Text("search", MaxParamText); err != nil {
		return err
	}
	if o.OwnedOnly, _, err = c.params.Bool("owned_only"); err != nil {
		return err
	}
	nss, total, err := a.svc.ListNamespaces(r.Context(), c.id, o)
	if err != nil {
		return err
	}
	out := make([]namespaceEntity, len(nss))
	for i, ns := range nss {
		out[i] = a.namespace(r, ns)
	}
	a.SetPageHeaders(w, r, pg, total)
	return WriteOK(w, out)
}

func (a *API) getNamespace(w http.ResponseWriter, r *http.Request, c *Call) error {
	ns, _, err := a.svc.GetNamespace(r.Context(), c.id, r.PathValue("id"))
	if err != nil {
		return err
	}
	return WriteOK(w, a.namespace(r, ns))
}

// namespaceExistenceEntity is GitLab's Entities::NamespaceExistence.
type namespaceExistenceEntity struct {
	Exists   bool     `json:"exists"`
	Suggests []string `json:"suggests"`
}

func (a *API) namespaceExists(w http.ResponseWriter, r *http.Request, c *Call) error {
	var parent *int64
	v, given, err := c.params.Int("parent_id")
	if err != nil {
		return err
	}
	if given {
		parent = &v
	}
	e, err := a.svc.NamespaceExists(r.Context(), c.id, r.PathValue("id"), parent)
	if err != nil {
		return err
	}
	return WriteOK(w, namespaceExistenceEntity{Exists: e.Exists, Suggests: e.Suggests})
}
