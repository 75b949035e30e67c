package cicd

import (
	"net/http"
	"slices"

	v4 "github.com/lablet/lablet/internal/api/v4"
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
func runnerFilter(p *v4.Params, scopes []string) (model.RunnerFilter, v4.Page, error) {
	var f model.RunnerFilter
	var pe v4.ParamErrors
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
		apply(pe.OneOf(p, "scope", scopes...))
	}
	if t := pe.OneOf(p, "type", runnerTypes...); t != "" {
		f.Type = t
	}
	apply(pe.OneOf(p, "status", runnerStatuses...))
	if paused := pe.OptBool(p, "paused"); paused != nil {
		f.Paused = paused
	}
	tags, _, err := p.StrList("tag_list")
	if err != nil {
		pe.Add(err)
	}
	f.Tags = tags
	pg := v4.PageOf(p)
	f.Limit, f.Offset = pg.PerPage, pg.Offset()
	return f, pg, pe.Err()
}

// writeRunners writes a page of runners with GitLab's pagination headers.
func writeRunners(a *v4.API, w http.ResponseWriter, r *http.Request, pg v4.Page, list *service.RunnerList) error {
	now := a.Service().Now()
	out := make([]runnerEntity, len(list.Runners))
	for i, rn := range list.Runners {
		out[i] = newRunnerEntity(rn, now)
	}
	a.SetPageHeaders(w, r, pg, list.Total)
	return v4.WriteOK(w, out)
}

// listRunnersWith is a list route over one of the service's lists.
func listRunnersWith(scopes []string,
	list func(a *v4.API, r *http.Request, c *v4.Call, f model.RunnerFilter) (*service.RunnerList, error)) v4.Handler {
	return func(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
		f, pg, err := runnerFilter(c.Params(), scopes)
		if err != nil {
			return err
		}
		l, err := list(a, r, c, f)
		if err != nil {
			return err
		}
		return writeRunners(a, w, r, pg, l)
	}
}

var (
	listOwnedRunners = listRunnersWith(runnerStatuses,
		func(a *v4.API, r *http.Request, c *v4.Call, f model.RunnerFilter) (*service.RunnerList, error) {
			return a.Service().ListOwnedRunners(r.Context(), c.Identity(), f)
		})
	listAllRunners = listRunnersWith(runnerScopes,
		func(a *v4.API, r *http.Request, c *v4.Call, f model.RunnerFilter) (*service.RunnerList, error) {
			return a.Service().ListAllRunners(r.Context(), c.Identity(), f)
		})
	listProjectRunners = listRunnersWith(runnerScopes,
		func(a *v4.API, r *http.Request, c *v4.Call, f model.RunnerFilter) (*service.RunnerList, error) {
			return a.Service().ListProjectRunners(r.Context(), c.Identity(), r.PathValue("id"), f)
		})
	listGroupRunners = listRunnersWith(nil,
		func(a *v4.API, r *http.Request, c *v4.Call, f model.RunnerFilter) (*service.RunnerList, error) {
			return a.Service().ListGroupRunners(r.Context(), c.Identity(), r.PathValue("id"), f)
		})
)

func getRunner(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	id, err := v4.PathID(r, "id", "id")
	if err != nil {
		return err
	}
	v, err := a.Service().GetRunner(r.Context(), c.Identity(), id)
	if err != nil {
		return err
	}
	return v4.WriteOK(w, runnerDetails(a, r, v))
}

// runnerInput reads a runner's settings (PUT /runners/:id, POST
// /user/runners, POST /runners); active is the deprecated !paused.
func runnerInput(p *v4.Params) (service.RunnerInput, error) {
	var pe v4.ParamErrors
	in := service.RunnerInput{Description: pe.OptStr(p, "description"),
		MaintenanceNote: pe.OptStr(p, "maintenance_note"), Paused: pe.OptBool(p, "paused"),
		Locked: pe.OptBool(p, "locked"), RunUntagged: pe.OptBool(p, "run_untagged")}
	if in.MaintenanceNote == nil {
		in.MaintenanceNote = pe.OptStr(p, "maintainer_note")
	}
	if active := pe.OptBool(p, "active"); active != nil {
		if in.Paused != nil {
			pe.Add(service.ParamError("active, paused are mutually exclusive"))
		}
		paused := !*active
		in.Paused = &paused
	}
	if tags, ok, err := p.StrList("tag_list"); err != nil {
		pe.Add(err)
	} else if ok {
		in.Tags = &tags
	}
	if lvl := pe.OneOf(p, "access_level", "not_protected", "ref_protected"); lvl != "" {
		in.AccessLevel = &lvl
	}
	if t := pe.OptInt(p, "maximum_timeout"); t != nil {
		if *t < -1<<31 || *t > 1<<31-1 {
			pe.Add(service.ParamError("maximum_timeout is invalid"))
		} else {
			v := int(*t)
			in.MaximumTimeout = &v
		}
	}
	return in, pe.Err()
}

func updateRunner(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	id, err := v4.PathID(r, "id", "id")
	if err != nil {
		return err
	}
	in, err := runnerInput(c.Params())
	if err != nil {
		return err
	}
	if in == (service.RunnerInput{}) {
		return service.ParamError("description, active, paused, tag_list, run_untagged, locked, access_level, " +
			"maximum_timeout, maintenance_note are missing, at least one parameter must be provided")
	}
	v, err := a.Service().UpdateRunner(r.Context(), c.Identity(), id, in)
	if err != nil {
		return err
	}
	return v4.WriteOK(w, runnerDetails(a, r, v))
}

func deleteRunner(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	id, err := v4.PathID(r, "id", "id")
	if err != nil {
		return err
	}
	if err := a.Service().DeleteRunner(r.Context(), c.Identity(), id); err != nil {
		return err
	}
	return v4.WriteNoContent(w)
}

func resetRunnerToken(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	id, err := v4.PathID(r, "id", "id")
	if err != nil {
		return err
	}
	rn, token, err := a.Service().ResetRunnerToken(r.Context(), c.Identity(), id)
	if err != nil {
		return err
	}
	return v4.WriteCreated(w, runnerTokenEntity{Token: token, TokenExpiresAt: v4.TSP(rn.TokenExpiresAt)})
}

func createUserRunner(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	p := c.Params()
	var pe v4.ParamErrors
	var in service.NewRunnerInput
	if !p.Has("runner_type") {
		return service.ParamError("runner_type is missing")
	}
	in.RunnerType = pe.OneOf(p, "runner_type", runnerTypes...)
	if err := pe.Err(); err != nil {
		return err
	}
	switch in.RunnerType {
	case model.RunnerGroup:
		id, err := p.RequiredInt("group_id")
		if err != nil {
			return err
		}
		in.GroupID = id
	case model.RunnerProject:
		id, err := p.RequiredInt("project_id")
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
	rn, token, err := a.Service().CreateUserRunner(r.Context(), c.Identity(), in)
	if err != nil {
		return err
	}
	return v4.WriteCreated(w, runnerTokenEntity{ID: rn.ID, Token: token, TokenExpiresAt: v4.TSP(rn.TokenExpiresAt)})
}

func enableProjectRunner(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	runnerID, err := c.Params().RequiredInt("runner_id")
	if err != nil {
		return err
	}
	rn, err := a.Service().EnableProjectRunner(r.Context(), c.Identity(), r.PathValue("id"), runnerID)
	if err != nil {
		return err
	}
	return v4.WriteCreated(w, newRunnerEntity(rn, a.Service().Now()))
}

func disableProjectRunner(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	runnerID, err := v4.PathID(r, "runner_id", "runner_id")
	if err != nil {
		return err
	}
	if err := a.Service().DisableProjectRunner(r.Context(), c.Identity(), r.PathValue("id"), runnerID); err != nil {
		return err
	}
	return v4.WriteNoContent(w)
}
