package cicd

import (
	"encoding/json"
	"net/http"

	v4 "github.com/lablet/lablet/internal/api/v4"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// ciVariableEntity is GitLab's Entities::Ci::Variable for project and group
// variables; a hidden variable's value is null.
type ciVariableEntity struct {
	VariableType     string  `json:"variable_type"`
	Key              string  `json:"key"`
	Value            *string `json:"value"`
	Hidden           bool    `json:"hidden"`
	Protected        bool    `json:"protected"`
	Masked           bool    `json:"masked"`
	Raw              bool    `json:"raw"`
	EnvironmentScope string  `json:"environment_scope"`
	Description      *string `json:"description"`
}

// instanceCIVariableEntity is the same entity for an instance variable,
// which has neither hidden nor environment_scope.
type instanceCIVariableEntity struct {
	VariableType string  `json:"variable_type"`
	Key          string  `json:"key"`
	Value        string  `json:"value"`
	Protected    bool    `json:"protected"`
	Masked       bool    `json:"masked"`
	Raw          bool    `json:"raw"`
	Description  *string `json:"description"`
}

func ciVariableJSON(v *model.StoredCIVariable) any {
	if v.Owner.Kind == model.CIVariableOfInstance {
		return instanceCIVariableEntity{VariableType: v.VariableType, Key: v.Key, Value: v.Value,
			Protected: v.Protected, Masked: v.Masked, Raw: v.Raw, Description: v.Description}
	}
	e := ciVariableEntity{VariableType: v.VariableType, Key: v.Key, Hidden: v.Hidden, Protected: v.Protected,
		Masked: v.Masked, Raw: v.Raw, EnvironmentScope: v.EnvironmentScope, Description: v.Description}
	if !v.Hidden {
		e.Value = &v.Value
	}
	return e
}

// ciVariableRef is the project or group of the path; the instance has none.
func ciVariableRef(kind model.CIVariableOwnerKind, r *http.Request) string {
	if kind == model.CIVariableOfInstance {
		return ""
	}
	return r.PathValue("id")
}

// ciVariableFilter reads filter[environment_scope], from the query or a
// JSON body's {"filter": {"environment_scope": …}}. A blank one filters
// nothing, as in Ci::VariablesFinder; a filter that is not a hash is
// Grape's 400.
func ciVariableFilter(p *v4.Params) (string, error) {
	f := p.Object("filter")
	if f == nil {
		if v, ok := p.Raw("filter"); ok && v != nil {
			return "", service.ParamError("filter is invalid")
		}
		return "", nil
	}
	switch v := f["environment_scope"].(type) {
	case nil:
		return "", nil
	case string:
		return v, nil
	case json.Number:
		return v.String(), nil
	}
	return "", service.ParamError("filter[environment_scope] is invalid")
}

func listCIVariables(kind model.CIVariableOwnerKind) v4.Handler {
	return func(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
		list, err := a.Service().ListCIVariables(r.Context(), c.Identity(), kind, ciVariableRef(kind, r))
		if err != nil {
			return err
		}
		page := v4.PaginateSlice(a, w, r, c, list)
		out := make([]any, 0, len(page))
		for _, v := range page {
			out = append(out, ciVariableJSON(v))
		}
		return v4.WriteOK(w, out)
	}
}

func getCIVariable(kind model.CIVariableOwnerKind) v4.Handler {
	return func(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
		scope, err := ciVariableFilter(c.Params())
		if err != nil {
			return err
		}
		v, err := a.Service().CIVariable(r.Context(), c.Identity(), kind, ciVariableRef(kind, r), r.PathValue("key"), scope)
		if err != nil {
			return err
		}
		return v4.WriteOK(w, ciVariableJSON(v))
	}
}

func createCIVariable(kind model.CIVariableOwnerKind) v4.Handler {
	return func(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
		in, err := ciVariableInput(c.Params(), kind, true)
		if err != nil {
			return err
		}
		v, err := a.Service().CreateCIVariable(r.Context(), c.Identity(), kind, ciVariableRef(kind, r), in)
		if err != nil {
			return err
		}
		return v4.WriteCreated(w, ciVariableJSON(v))
	}
}

func updateCIVariable(kind model.CIVariableOwnerKind) v4.Handler {
	return func(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
		in, err := ciVariableInput(c.Params(), kind, false)
		if err != nil {
			return err
		}
		scope, err := ciVariableFilter(c.Params())
		if err != nil {
			return err
		}
		v, err := a.Service().UpdateCIVariable(r.Context(), c.Identity(), kind, ciVariableRef(kind, r), r.PathValue("key"), scope, in)
		if err != nil {
			return err
		}
		return v4.WriteOK(w, ciVariableJSON(v))
	}
}

func deleteCIVariable(kind model.CIVariableOwnerKind) v4.Handler {
	return func(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
		scope, err := ciVariableFilter(c.Params())
		if err != nil {
			return err
		}
		if err := a.Service().DeleteCIVariable(r.Context(), c.Identity(), kind, ciVariableRef(kind, r), r.PathValue("key"), scope); err != nil {
			return err
		}
		return v4.WriteNoContent(w)
	}
}

// ciVariableInput reads the parameters GitLab declares for creating
// (create) or updating a variable of kind: the key and masked_and_hidden
// only on creation, environment_scope not for the instance.
func ciVariableInput(p *v4.Params, kind model.CIVariableOwnerKind, create bool) (service.CIVariableInput, error) {
	var in service.CIVariableInput
	type textParam struct {
		name string
		max  int
		dst  **string
	}
	texts := []textParam{{"value", v4.MaxBodyBytes, &in.Value}}
	if create {
		texts = append(texts, textParam{"key", v4.MaxParamText, &in.Key})
	}
	if kind != model.CIVariableOfInstance {
		texts = append(texts, textParam{"environment_scope", v4.MaxParamText, &in.EnvironmentScope})
	}
	for _, t := range texts {
		s, ok, err := p.Text(t.name, t.max)
		if err != nil {
			return in, err
		}
		if ok {
			*t.dst = &s
		}
	}
	if v, ok := p.Raw("description"); ok {
		in.SetDescription = true
		if v != nil {
			d, _, err := p.Text("description", v4.MaxParamText)
			if err != nil {
				return in, err
			}
			in.Description = &d
		}
	}
	if t, ok, err := p.OneOf("variable_type", model.CIVariableEnvVar, model.CIVariableFile); err != nil {
		return in, err
	} else if ok {
		in.VariableType = &t
	}
	type boolParam struct {
		name string
		dst  **bool
	}
	bools := []boolParam{{"protected", &in.Protected}, {"masked", &in.Masked}, {"raw", &in.Raw}}
	if create && kind != model.CIVariableOfInstance {
		bools = append(bools, boolParam{"masked_and_hidden", &in.MaskedAndHidden})
	}
	for _, b := range bools {
		v, ok, err := p.Bool(b.name)
		if err != nil {
			return in, err
		}
		if ok {
			*b.dst = &v
		}
	}
	return in, nil
}
