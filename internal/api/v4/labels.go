package v4

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// maxLabelParam bounds label text parameters; the title's real limit (255
// characters) is the service's validation, answered in GitLab's shape.
const maxLabelParam = 2 << 20

// labelListOptions reads with_counts, include_ancestor_groups,
// include_descendant_groups, only_group_labels and search.
func labelListOptions(p *Params, group bool) (service.LabelListOptions, error) {
	o := service.DefaultLabelListOptions()
	flags := []struct {
		name string
		dst  *bool
	}{{"with_counts", &o.WithCounts}, {"include_ancestor_groups", &o.IncludeAncestorGroups}}
	if group {
		flags = append(flags, struct {
			name string
			dst  *bool
		}{"include_descendant_groups", &o.IncludeDescendantGroups}, struct {
			name string
			dst  *bool
		}{"only_group_labels", &o.OnlyGroupLabels})
	}
	for _, f := range flags {
		v, ok, err := p.Bool(f.name)
		if err != nil {
			return o, err
		}
		if ok {
			*f.dst = v
		}
	}
	search, _, err := p.Text("search", 1024)
	o.Search = search
	return o, err
}

// labelPriority reads priority: an integer, or null/"" to remove it.
func labelPriority(p *Params, in *service.LabelInput) error {
	v, ok := p.Raw("priority")
	if !ok {
		return nil
	}
	if v == nil || v == "" {
		in.ClearPriority = true
		return nil
	}
	if n, isNum := v.(json.Number); isNum {
		if _, err := n.Int64(); err != nil {
			return service.ParamError("priority is invalid")
		}
	}
	n, _, err := p.Int("priority")
	if err != nil {
		return err
	}
	in.Priority = &n
	return nil
}

// labelInput reads a label's create (create true) or update parameters;
// group labels take no priority (GitLab does not declare it for them).
func labelInput(p *Params, create, group bool) (service.LabelInput, error) {
	var in service.LabelInput
	nameParam := "new_name"
	if create {
		nameParam = "name"
	}
	var missing []string
	for _, f := range []struct {
		name string
		dst  **string
	}{{nameParam, &in.Name}, {"color", &in.Color}, {"description", &in.Description}} {
		s, ok, err := p.Text(f.name, maxLabelParam)
		if err != nil {
			return in, err
		}
		if ok {
			*f.dst = &s
		} else if create && f.name != "description" {
			missing = append(missing, f.name+" is missing")
		}
	}
	if len(missing) > 0 {
		return in, service.ParamError(strings.Join(missing, ", "))
	}
	if _, _, err := p.Bool("archived"); err != nil {
		return in, err
	}
	if group {
		return in, nil
	}
	return in, labelPriority(p, &in)
}

// labelUpdateInput is labelInput for PUT, which needs one parameter at
// least (Grape's at_least_one_of).
func labelUpdateInput(p *Params, group bool) (service.LabelInput, error) {
	in, err := labelInput(p, false, group)
	if err != nil {
		return in, err
	}
	names := []string{"new_name", "color", "description", "priority", "archived"}
	if group {
		names = []string{"new_name", "color", "description", "archived"}
	}
	for _, n := range names {
		if p.Has(n) {
			return in, nil
		}
	}
	return in, service.ParamError(strings.Join(names, ", ") + " are missing, at least one parameter must be provided")
}

func (a *API) listProjectLabels(w http.ResponseWriter, r *http.Request, c *Call) error {
	o, err := labelListOptions(c.params, false)
	if err != nil {
		return err
	}
	list, err := a.svc.ListProjectLabels(r.Context(), c.id, r.PathValue("id"), o)
	if err != nil {
		return err
	}
	return a.writeLabelPage(w, r, c, list, projectLabelEntity)
}

func (a *API) listGroupLabels(w http.ResponseWriter, r *http.Request, c *Call) error {
	o, err := labelListOptions(c.params, true)
	if err != nil {
		return err
	}
	list, err := a.svc.ListGroupLabels(r.Context(), c.id, r.PathValue("id"), o)
	if err != nil {
		return err
	}
	return a.writeLabelPage(w, r, c, list, basicLabelEntity)
}

// writeLabelPage pages a parent's labels, which are loaded whole (a
// project or group has few).
func (a *API) writeLabelPage(w http.ResponseWriter, r *http.Request, c *Call, list []*service.LabelView, kind labelKind) error {
	pg := PageOf(c.params)
	var shown []*service.LabelView
	for i := pg.Offset(); i >= 0 && i < len(list) && len(shown) < pg.PerPage; i++ {
		shown = append(shown, list[i])
	}
	labels := make([]*model.Label, len(shown))
	for i, v := range shown {
		labels[i] = v.Label
	}
	// Only the page's descriptions are rendered.
	descs, err := a.labelDescriptions(r, c, labels)
	if err != nil {
		return err
	}
	a.SetPageHeaders(w, r, pg, len(list))
	out := make([]any, len(shown))
	for i, v := range shown {
		out[i] = labelJSON(v, kind, descs)
	}
	return WriteOK(w, out)
}

func (a *API) getProjectLabel(w http.ResponseWriter, r *http.Request, c *Call) error {
	o, err := labelListOptions(c.params, false)
	if err != nil {
		return err
	}
	v, err := a.svc.ProjectLabel(r.Context(), c.id, r.PathValue("id"), r.PathValue("label_id"), o)
	if err != nil {
		return err
	}
	return a.writeLabel(w, r, c, http.StatusOK, v, projectLabelEntity)
}

func (a *API) getGroupLabel(w http.ResponseWriter, r *http.Request, c *Call) error {
	o, err := labelListOptions(c.params, true)
	if err != nil {
		return err
	}
	v, err := a.svc.GroupLabel(r.Context(), c.id, r.PathValue("id"), r.PathValue("label_id"), o)
	if err != nil {
		return err
	}
	return a.writeLabel(w, r, c, http.StatusOK, v, basicLabelEntity)
}

func (a *API) createProjectLabel(w http.ResponseWriter, r *http.Request, c *Call) error {
	in, err := labelInput(c.params, true, false)
	if err != nil {
		return err
	}
	v, err := a.svc.CreateProjectLabel(r.Context(), c.id, r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return a.writeLabel(w, r, c, http.StatusCreated, v, projectLabelEntity)
}

func (a *API) createGroupLabel(w http.ResponseWriter, r *http.Request, c *Call) error {
	in, err := labelInput(c.params, true, true)
	if err != nil {
		return err
	}
	v, err := a.svc.CreateGroupLabel(r.Context(), c.id, r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return a.writeLabel(w, r, c, http.StatusCreated, v, basicLabelEntity)
}

func (a *API) updateProjectLabel(w http.ResponseWriter, r *http.Request, c *Call) error {
	in, err := labelUpdateInput(c.params, false)
	if err != nil {
		return err
	}
	v, err := a.svc.UpdateProjectLabel(r.Context(), c.id, r.PathValue("id"), r.PathValue("label_id"), in)
	if err != nil {
		return err
	}
	return a.writeLabel(w, r, c, http.StatusOK, v, projectLabelEntity)
}

func (a *API) updateGroupLabel(w http.ResponseWriter, r *http.Request, c *Call) error {
	in, err := labelUpdateInput(c.params, true)
	if err != nil {
		return err
	}
	v, err := a.svc.UpdateGroupLabel(r.Context(), c.id, r.PathValue("id"), r.PathValue("label_id"), in)
	if err != nil {
		return err
	}
	return a.writeLabel(w, r, c, http.StatusOK, v, basicLabelEntity)
}

func (a *API) deleteProjectLabel(w http.ResponseWriter, r *http.Request, c *Call) error {
	if err := a.svc.DeleteProjectLabel(r.Context(), c.id, r.PathValue("id"), r.PathValue("label_id")); err != nil {
		return err
	}
	return WriteNoContent(w)
}

func (a *API) deleteGroupLabel(w http.ResponseWriter, r *http.Request, c *Call) error {
	if err := a.svc.DeleteGroupLabel(r.Context(), c.id, r.PathValue("id"), r.PathValue("label_id")); err != nil {
		return err
	}
	return WriteNoContent(w)
}

// promoteProjectLabel answers with the new group label (Entities::GroupLabel).
func (a *API) promoteProjectLabel(w http.ResponseWriter, r *http.Request, c *Call) error {
	v, err := a.svc.PromoteLabel(r.Context(), c.id, r.PathValue("id"), r.PathValue("label_id"))
	if err != nil {
		return err
	}
	return a.writeLabel(w, r, c, http.StatusOK, v, basicLabelEntity)
}

// labelSubscription is POST …/labels/{label_id}/subscribe and
// …/unsubscribe: 201 with the label (Entities::ProjectLabel or
// GroupLabel, lib/api/subscriptions.rb), or 304 when nothing changes.
func labelSubscription(group, subscribe bool) Handler {
	return func(a *API, w http.ResponseWriter, r *http.Request, c *Call) error {
		set := a.svc.SetProjectLabelSubscription
		if group {
			set = a.svc.SetGroupLabelSubscription
		}
		v, changed, err := set(r.Context(), c.id, r.PathValue("id"), r.PathValue("label_id"), subscribe)
		if err != nil {
			return err
		}
		if !changed {
			w.WriteHeader(http.StatusNotModified)
			return nil
		}
		kind := projectLabelEntity
		if group {
			kind = basicLabelEntity
		}
		return a.writeLabel(w, r, c, http.StatusCreated, v, kind)
	}
}

// legacyLabelRef reads the label of GitLab's deprecated routes without
// {label_id}: label_id or name, exactly one (nameOnly: name, required).
func legacyLabelRef(p *Params, nameOnly bool) (string, error) {
	name, hasName, err := p.Text("name", maxLabelParam)
	if err != nil {
		return "", err
	}
	if nameOnly {
		if !hasName {
			return "", service.ParamError("name is missing")
		}
		return name, nil
	}
	id, hasID, err := p.Int("label_id")
	if err != nil {
		return "", err
	}
	switch {
	case hasID && hasName:
		return "", service.ParamError("label_id, name are mutually exclusive")
	case hasID:
		return strconv.FormatInt(id, 10), nil
	case hasName:
		return name, nil
	}
	return "", service.ParamError("label_id, name are missing, exactly one parameter must be provided")
}

// updateLabelLegacy is PUT /projects/:id/labels and /groups/:id/labels
// (deprecated in GitLab 12.4, still served): the label named by a
// parameter.
func updateLabelLegacy(group bool) Handler {
	return func(a *API, w http.ResponseWriter, r *http.Request, c *Call) error {
		ref, err := legacyLabelRef(c.params, false)
		if err != nil {
			return err
		}
		in, err := labelUpdateInput(c.params, group)
		if err != nil {
			return err
		}
		if group {
			v, err := a.svc.UpdateGroupLabel(r.Context(), c.id, r.PathValue("id"), ref, in)
			if err != nil {
				return err
			}
			return a.writeLabel(w, r, c, http.StatusOK, v, basicLabelEntity)
		}
		v, err := a.svc.UpdateProjectLabel(r.Context(), c.id, r.PathValue("id"), ref, in)
		if err != nil {
			return err
		}
		return a.writeLabel(w, r, c, http.StatusOK, v, projectLabelEntity)
	}
}

// deleteLabelLegacy is DELETE /projects/:id/labels (label_id or name) and
// /groups/:id/labels (name), deprecated in GitLab 12.4, still served.
func deleteLabelLegacy(group bool) Handler {
	return func(a *API, w http.ResponseWriter, r *http.Request, c *Call) error {
		ref, err := legacyLabelRef(c.params, group)
		if err != nil {
			return err
		}
		del := a.svc.DeleteProjectLabel
		if group {
			del = a.svc.DeleteGroupLabel
		}
		if err := del(r.Context(), c.id, r.PathValue("id"), ref); err != nil {
			return err
		}
		return WriteNoContent(w)
	}
}

// promoteLabelLegacy is PUT /projects/:id/labels/promote with name.
func (a *API) promoteLabelLegacy(w http.ResponseWriter, r *http.Request, c *Call) error {
	ref, err := legacyLabelRef(c.params, true)
	if err != nil {
		return err
	}
	v, err := a.svc.PromoteLabel(r.Context(), c.id, r.PathValue("id"), ref)
	if err != nil {
		return err
	}
	return a.writeLabel(w, r, c, http.StatusOK, v, basicLabelEntity)
}
