package v4

import (
	"net/http"
	"strconv"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// forkInput reads POST /projects/:id/fork's parameters. The target
// namespace is namespace_id, else namespace_path, else the deprecated
// namespace (an id or a path).
func forkInput(p *Params) (service.ForkInput, error) {
	var in service.ForkInput
	for _, f := range []struct {
		name string
		max  int
		dst  **string
	}{
		{"name", maxProjectParamBytes, &in.Name},
		{"path", maxProjectParamBytes, &in.Path},
		{"description", 4 * service.MaxDescriptionLength, &in.Description},
	} {
		s, ok, err := p.Text(f.name, f.max)
		if err != nil {
			return in, err
		}
		if ok {
			*f.dst = &s
		}
	}
	if n, ok, err := p.Int("namespace_id"); err != nil {
		return in, err
	} else if ok {
		s := strconv.FormatInt(n, 10)
		in.Namespace = &s
	}
	for _, name := range []string{"namespace_path", "namespace"} {
		if in.Namespace != nil {
			break
		}
		s, ok, err := p.Text(name, maxProjectParamBytes)
		if err != nil {
			return in, err
		}
		if ok && s != "" {
			in.Namespace = &s
		}
	}
	if vis, ok, err := p.OneOf("visibility", "private", "internal", "public"); err != nil {
		return in, err
	} else if ok {
		n, _ := access.ParseVisibility(vis)
		in.Visibility = &n
	}
	b, _, err := p.Text("branches", maxProjectParamBytes)
	if err != nil {
		return in, err
	}
	in.Branch = b
	if v, ok, err := p.Bool("mr_default_target_self"); err != nil {
		return in, err
	} else if ok {
		in.MRDefaultTargetSelf = &v
	}
	return in, nil
}

// forkProject serves POST /projects/:id/fork: the new project, already
// forked (import_status "finished").
func (a *API) forkProject(w http.ResponseWriter, r *http.Request, c *Call) error {
	in, err := forkInput(c.params)
	if err != nil {
		return err
	}
	p, err := a.svc.ForkProject(r.Context(), c.id, r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return a.writeProject(w, r, c.id, http.StatusCreated, p, nil, true)
}

// listForks serves GET /projects/:id/forks, filtered, ordered and paged
// as the other project lists.
func (a *API) listForks(w http.ResponseWriter, r *http.Request, c *Call) error {
	return a.projectList(w, r, c, listWithAccess, func(o service.ProjectListOptions) (*service.ProjectList, error) {
		return a.svc.ListForks(r.Context(), c.id, r.PathValue("id"), o)
	})
}

// linkFork serves POST /projects/:id/fork/:forked_from_id: the project,
// now a fork (201).
func (a *API) linkFork(w http.ResponseWriter, r *http.Request, c *Call) error {
	p, err := a.svc.LinkFork(r.Context(), c.id, r.PathValue("id"), r.PathValue("forked_from_id"))
	if err != nil {
		return err
	}
	return a.writeProject(w, r, c.id, http.StatusCreated, p, nil, true)
}

// unlinkFork serves DELETE /projects/:id/fork: 204, or 304 for a project
// that is no fork.
func (a *API) unlinkFork(w http.ResponseWriter, r *http.Request, c *Call) error {
	unlinked, err := a.svc.UnlinkFork(r.Context(), c.id, r.PathValue("id"))
	if err != nil {
		return err
	}
	if !unlinked {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	return WriteNoContent(w)
}

// forkSources loads what the forks among projects were forked from, as
// the caller sees it (nil for none).
func (a *API) forkSources(r *http.Request, id *auth.Identity, projects []*model.Project) (map[int64]*model.Project, error) {
	for _, p := range projects {
		if p.ForkedFromID != nil {
			return a.svc.ForkSources(r.Context(), id, projects)
		}
	}
	return nil, nil
}

// withForkedFrom turns an encoded entity (ending in its closing brace) of
// p into the one of a fork: forked_from_project, the source's basic entity
// when the caller sees it (src not nil), and mr_default_target_self, as
// GitLab's Project entity shows them for forks. Other projects are left
// as they are.
func withForkedFrom(entity []byte, pb ProjectBase, p, src *model.Project) []byte {
	if p.ForkedFromID == nil {
		return entity
	}
	b := entity[:len(entity)-1]
	if src != nil {
		if fp, err := appendMarshaled(nil, BasicProjectAt(pb, src)); err == nil { // as appendProjectEntity escapes
			b = append(append(b, `,"forked_from_project":`...), fp...)
		}
	}
	b = append(b, `,"mr_default_target_self":`...)
	b = strconv.AppendBool(b, p.MRDefaultTargetSelf)
	return append(b, '}')
}
