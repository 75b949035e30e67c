package v4

import (
	"net/http"
	"slices"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// Runner types and statuses as GitLab's filters accept them
// (Ci::Runner::AVAILABLE_TYPES, AVAILABLE_STATUSES_INCL_DEPRECATED).
var (
	runnerTypes    = []string{model.RunnerInstance, model.RunnerGroup, model.RunnerProject}
	runnerStatuses = []string{"active", "paused", model.RunnerOnline, model.RunnerOffline,
		model.RunnerNeverContacted, model.RunnerStale}
	runnerScopes = append(append([]string{}, runnerTypes...), runnerStatuses...)
)

// runnerFilter reads a runner list's filters and page. scopes are the
// values the deprecated scope parameter takes on the route (none: the
// route has no scope).
func runnerFilter(p *params, scopes []string) (model.RunnerFilter, page, error) {
	var f model.RunnerFilter
	var pe paramErrors
	apply := func(v string) {
		switch {
		case v == "active" || v == "paused":
			paused := v == "paused"
			f.Paused = &paused
		case slices.Contains(runnerTypes, v):
			f.Type = v
		case v != "":
			f.Status = v
		}
	}
	if scopes != nil {
		apply(pe.oneOf(p, "scope", scopes...))
	}
	if t := pe.oneOf(p, "type", runnerTypes...); t != "" {
		f.Type = t
	}
	apply(pe.oneOf(p, "status", runnerStatuses...))
	if paused := pe.optBool(p, "paused"); paused != nil {
		f.Paused = paused
	}
	tags, _, err := p.strList("tag_list")
	if err != nil {
		pe.add(err)
	}
	f.Tags = tags
	pg := pageOf(p)
	f.Limit, f.Offset = pg.PerPage, pg.Offset()
	return f, pg, pe.err()
}

// writeRunners writes a page of runners with GitLab's pagination headers.
func (a *API) writeRunners(w http.ResponseWriter, r *http.Request, pg page, list *service.RunnerList) error {
	now := a.svc.Now()
	out := make([]runnerEntity, len(list.Runners))
	for i, rn := range list.Runners {
		out[i] = newRunnerEntity(rn, now)
	}
	a.setPageHeaders(w, r, pg, list.Total)
	return writeOK(w, out)
}

// listRunnersWith is a list route over one of the service's lists.
func listRunnersWith(scopes []string,
	list func(a *API, r *http.Request, c *call, f model.RunnerFilter) (*service.RunnerList, error)) handler {
	return func(a *API, w http.ResponseWriter, r *http.Request, c *call) error {
		f, pg, err := runnerFilter(c.params, scopes)
		if err != nil {
			return err
		}
		l, err := list(a, r, c, f)
		if err != nil {
			return err
		}
		return a.writeRunners(w, r, pg, l)
	}
}

var (
	listOwnedRunners = listRunnersWith(runnerStatuses,
		func(a *API, r *http.Request, c *call, f model.RunnerFilter) (*service.RunnerList, error) {
			return a.svc.ListOwnedRunners(r.Context(), c.id, f)
		})
	listAllRunners = listRunnersWith(runnerScopes,
		func(a *API, r *http.Request, c *call, f model.RunnerFilter) (*service.RunnerList, error) {
			return a.svc.ListAllRunners(r.Context(), c.id, f)
		})
	listProjectRunners = listRunnersWith(runnerScopes,
		func(a *API, r *http.Request, c *call, f model.RunnerFilter) (*service.RunnerList, error) {
			return a.svc.ListProjectRunners(r.Context(), c.id, r.PathValue("id"), f)
		})
	listGroupRunners = listRunnersWith(nil,
		func(a *API, r *http.Request, c *call, f model.RunnerFilter) (*service.RunnerList, error) {
			return a.svc.ListGroupRunners(r.Context(), c.id, r.PathValue("id"), f)
		})
)

func (a *API) getRunner(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := pathID(r, "id", "id")
	if err != nil {
		return err
	}
	v, err := a.svc.GetRunner(r.Context(), c.id, id)
	if err != nil {
		return err
	}
	return writeOK(w, a.runnerDetails(r, v))
}

// runnerInput reads a runner's settings (PUT /runners/:id, POST
// /user/runners, POST /runners); active is the deprecated !paused.
func runnerInput(p *params) (service.RunnerInput, error) {
	var pe paramErrors
	in := service.RunnerInput{Description: pe.optStr(p, "description"),
		MaintenanceNote: pe.optStr(p, "maintenance_note"), Paused: pe.optBool(p, "paused"),
		Locked: pe.optBool(p, "locked"), RunUntagged: pe.optBool(p, "run_untagged")}
	if in.MaintenanceNote == nil {
		in.MaintenanceNote = pe.optStr(p, "maintainer_note")
	}
	if active := pe.optBool(p, "active"); active != nil {
		if in.Paused != nil {
			pe.add(service.ParamError("active, paused are mutually exclusive"))
		}
		paused := !*active
		in.Paused = &paused
	}
	if tags, ok, err := p.strList("tag_list"); err != nil {
		pe.add(err)
	} else if ok {
		in.Tags = &tags
	}
	if lvl := pe.oneOf(p, "access_level", "not_protected", "ref_protected"); lvl != "" {
		in.AccessLevel = &lvl
	}
	if t := pe.optInt(p, "maximum_timeout"); t != nil {
		if *t < -1<<31 || *t > 1<<31-1 {
			pe.add(service.ParamError("maximum_timeout is invalid"))
		} else {
			v := int(*t)
			in.MaximumTimeout = &v
		}
	}
	return in, pe.err()
}

func (a *API) updateRunner(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := pathID(r, "id", "id")
	if err != nil {
		return err
	}
	in, err := runnerInput(c.params)
	if err != nil {
		return err
	}
	if in == (service.RunnerInput{}) {
		return service.ParamError("description, active, paused, tag_list, run_untagged, locked, access_level, " +
			"maximum_timeout, maintenance_note are missing, at least one parameter must be provided")
	}
	v, err := a.svc.UpdateRunner(r.Context(), c.id, id, in)
	if err != nil {
		return err
	}
	return writeOK(w, a.runnerDetails(r, v))
}

func (a *API) deleteRunner(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := pathID(r, "id", "id")
	if err != nil {
		return err
	}
	if err := a.svc.DeleteRunner(r.Context(), c.id, id); err != nil {
		return err
	}
	return writeNoContent(w)
}

func (a *API) resetRunnerToken(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := pathID(r, "id", "id")
	if err != nil {
		return err
	}
	rn, token, err := a.svc.ResetRunnerToken(r.Context(), c.id, id)
	if err != nil {
		return err
	}
	return writeCreated(w, runnerTokenEntity{Token: token, TokenExpiresAt: tsp(rn.TokenExpiresAt)})
}

func (a *API) createUserRunner(w http.ResponseWriter, r *http.Request, c *call) error {
	p := c.params
	var pe paramErrors
	var in service.NewRunnerInput
	if !p.has("runner_type") {
		return service.ParamError("runner_type is missing")
	}
	in.RunnerType = pe.oneOf(p, "runner_type", runnerTypes...)
	if err := pe.err(); err != nil {
		return err
	}
	switch in.RunnerType {
	case model.RunnerGroup:
		id, err := p.requiredInt("group_id")
		if err != nil {
			return err
		}
		in.GroupID = id
	case model.RunnerProject:
		id, err := p.requiredInt("project_id")
		if err != nil {
			return err
		}
		in.ProjectID = id
	}
	settings, err := runnerInput(p)
	if err != nil {
		return err
	}
	in.RunnerInput = settings
	rn, token, err := a.svc.CreateUserRunner(r.Context(), c.id, in)
	if err != nil {
		return err
	}
	return writeCreated(w, runnerTokenEntity{ID: rn.ID, Token: token, TokenExpiresAt: tsp(rn.TokenExpiresAt)})
}

func (a *API) enableProjectRunner(w http.ResponseWriter, r *http.Request, c *call) error {
	runnerID, err := c.params.requiredInt("runner_id")
	if err != nil {
		return err
	}
	rn, err := a.svc.EnableProjectRunner(r.Context(), c.id, r.PathValue("id"), runnerID)
	if err != nil {
		return err
	}
	return writeCreated(w, newRunnerEntity(rn, a.svc.Now()))
}

func (a *API) disableProjectRunner(w http.ResponseWriter, r *http.Request, c *call) error {
	runnerID, err := pathID(r, "runner_id", "runner_id")
	if err != nil {
		return err
	}
	if err := a.svc.DisableProjectRunner(r.Context(), c.id, r.PathValue("id"), runnerID); err != nil {
		return err
	}
	return writeNoContent(w)
}
