package service

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// CI/CD variables of projects, groups and the instance, with GitLab's
// validations (Ci::HasVariable, Ci::Maskable, Ci::HidableVariable,
// HasEnvironmentScope) and its API's lookups (Ci::VariablesFinder).

var (
	ciVariableKeyPattern = regexp.MustCompile(`^[a-zA-Z0-9_]+$`)
	// ciMaskedPattern is Ci::Maskable::REGEX: what a masked, expanded
	// value may hold.
	ciMaskedPattern = regexp.MustCompile(`^[a-zA-Z0-9_+=/@:.~-]{8,}$`)
	// ciMaskedRawPattern is MASK_AND_RAW_REGEX: a raw masked value is any
	// single word of eight characters or more (Ruby's \S).
	ciMaskedRawPattern = regexp.MustCompile(`^[^ \t\r\n\f\v]{8,}$`)
	// ciScopePattern is Gitlab::Regex.environment_scope_regex.
	ciScopePattern = regexp.MustCompile(`^[a-zA-Z0-9_/${}. *-]+$`)
)

const (
	maxCIVariableKey         = 255
	maxCIVariableDescription = 255
	maxCIVariableScope       = 255
	// maxInstanceCIVariableValue is Ci::InstanceVariable's value limit.
	maxInstanceCIVariableValue = 10000
)

// CIVariableInput are the settable fields of a variable; nil means not
// given. Description is set when SetDescription (a JSON null clears it).
type CIVariableInput struct {
	Key              *string
	Value            *string
	Description      *string
	SetDescription   bool
	VariableType     *string
	Protected        *bool
	Masked           *bool
	MaskedAndHidden  *bool
	Raw              *bool
	EnvironmentScope *string
}

// ciVariableNotFound is the API's not_found! of each owner's variable.
func ciVariableNotFound(kind model.CIVariableOwnerKind) error {
	switch kind {
	case model.CIVariableOfGroup:
		return NotFound("GroupVariable")
	case model.CIVariableOfInstance:
		return NotFound("InstanceVariable")
	}
	return NotFound("Variable")
}

// ciVariablesAmbiguous is the API's answer when a key names variables of
// several scopes and no filter picks one.
var ciVariablesAmbiguous = Conflict("There are multiple variables with provided parameters. Please use 'filter[environment_scope]'")

// ciVariableOwner resolves whose variables the caller manages: a
// project's take Maintainer, a group's Owner (GitLab's
// admin_cicd_variables), the instance's an administrator. A project or
// group the caller can't see is not found.
func (s *Service) ciVariableOwner(ctx context.Context, id *auth.Identity, kind model.CIVariableOwnerKind, ref string) (model.CIVariableOwner, error) {
	owner := model.CIVariableOwner{Kind: kind}
	switch kind {
	case model.CIVariableOfProject:
		p, level, err := s.VisibleProject(ctx, id, ref)
		if err != nil {
			return owner, err
		}
		if level < access.Maintainer {
			return owner, Forbidden("")
		}
		owner.ID = p.ID
	case model.CIVariableOfGroup:
		g, level, err := s.VisibleGroup(ctx, id, ref)
		if err != nil {
			return owner, err
		}
		if level < access.Owner {
			return owner, Forbidden("")
		}
		owner.ID = g.ID
	default:
		if err := requireAdmin(id); err != nil {
			return owner, err
		}
	}
	return owner, nil
}

// ListCIVariables lists the variables of a project, a group (ref) or the
// instance in creation order.
func (s *Service) ListCIVariables(ctx context.Context, id *auth.Identity, kind model.CIVariableOwnerKind, ref string) ([]*model.StoredCIVariable, error) {
	owner, err := s.ciVariableOwner(ctx, id, kind, ref)
	if err != nil {
		return nil, err
	}
	return s.db.Queries().CIVariables(ctx, owner)
}

// findCIVariable is Ci::VariablesFinder with the API's find_variable: the
// variables of key, narrowed to scope when one is given; several left is
// a conflict. firstOfMany picks the oldest instead (the group API's update
// without a filter, as GitLab keeps it).
func findCIVariable(ctx context.Context, q *store.Queries, owner model.CIVariableOwner, key, scope string, firstOfMany bool) (*model.StoredCIVariable, error) {
	vars, err := q.CIVariablesByKey(ctx, owner, key)
	if err != nil {
		return nil, err
	}
	if scope != "" {
		var kept []*model.StoredCIVariable
		for _, v := range vars {
			if v.EnvironmentScope == scope {
				kept = append(kept, v)
			}
		}
		vars = kept
	}
	switch {
	case len(vars) == 0:
		return nil, ciVariableNotFound(owner.Kind)
	case len(vars) > 1 && !firstOfMany:
		return nil, ciVariablesAmbiguous
	}
	return vars[0], nil
}

// CIVariable returns the variable of key; scope is filter[environment_scope].
func (s *Service) CIVariable(ctx context.Context, id *auth.Identity, kind model.CIVariableOwnerKind, ref, key, scope string) (*model.StoredCIVariable, error) {
	owner, err := s.ciVariableOwner(ctx, id, kind, ref)
	if err != nil {
		return nil, err
	}
	return findCIVariable(ctx, s.db.Queries(), owner, key, scope, false)
}

// CreateCIVariable adds a variable. masked_and_hidden makes it masked and
// hidden for good.
func (s *Service) CreateCIVariable(ctx context.Context, id *auth.Identity, kind model.CIVariableOwnerKind, ref string, in CIVariableInput) (*model.StoredCIVariable, error) {
	owner, err := s.ciVariableOwner(ctx, id, kind, ref)
	if err != nil {
		return nil, err
	}
	if in.Key == nil {
		return nil, ParamError("key is missing")
	}
	if in.Value == nil {
		return nil, ParamError("value is missing")
	}
	v := &model.StoredCIVariable{Owner: owner, CIVariable: model.CIVariable{Key: strings.TrimSpace(*in.Key),
		VariableType: model.CIVariableEnvVar, EnvironmentScope: model.CIVariableScopeAll}}
	if kind != model.CIVariableOfInstance && in.MaskedAndHidden != nil && *in.MaskedAndHidden {
		v.Masked, v.Hidden = true, true
	}
	applyCIVariableInput(v, in)
	fields := validateCIVariable(v, nil)
	if msg := validateCIVariableKey(v.Key); msg != nil {
		fields["key"] = append(msg, fields["key"]...)
	}
	err = s.db.WithTx(ctx, func(q *store.Queries) error {
		return saveCIVariable(ctx, q, v, fields, true, q.CreateCIVariable)
	})
	if err != nil {
		return nil, err
	}
	return v, nil
}

// UpdateCIVariable changes the variable of key (scope: the filter). The
// key and whether it is hidden stay as created.
func (s *Service) UpdateCIVariable(ctx context.Context, id *auth.Identity, kind model.CIVariableOwnerKind, ref, key, scope string, in CIVariableInput) (*model.StoredCIVariable, error) {
	owner, err := s.ciVariableOwner(ctx, id, kind, ref)
	if err != nil {
		return nil, err
	}
	var v *model.StoredCIVariable
	err = s.db.WithTx(ctx, func(q *store.Queries) error {
		var err error
		// GitLab's group API updates the first variable of the key when
		// no filter is given, for compatibility; the project API refuses.
		if v, err = findCIVariable(ctx, q, owner, key, scope, kind == model.CIVariableOfGroup && scope == ""); err != nil {
			return err
		}
		before := *v
		applyCIVariableInput(v, in)
		fields := validateCIVariable(v, &before)
		return saveCIVariable(ctx, q, v, fields, v.EnvironmentScope != before.EnvironmentScope, q.UpdateCIVariable)
	})
	if err != nil {
		return nil, err
	}
	return v, nil
}

// DeleteCIVariable removes the variable of key (scope: the filter).
func (s *Service) DeleteCIVariable(ctx context.Context, id *auth.Identity, kind model.CIVariableOwnerKind, ref, key, scope string) error {
	owner, err := s.ciVariableOwner(ctx, id, kind, ref)
	if err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(q *store.Queries) error {
		v, err := findCIVariable(ctx, q, owner, key, scope, false)
		if err != nil {
			return err
		}
		return q.DeleteCIVariable(ctx, v)
	})
}

func applyCIVariableInput(v *model.StoredCIVariable, in CIVariableInput) {
	if in.Value != nil {
		v.Value = *in.Value
	}
	if in.SetDescription {
		v.Description = in.Description
	}
	if in.VariableType != nil {
		v.VariableType = *in.VariableType
	}
	for _, f := range []struct {
		in  *bool
		dst *bool
	}{{in.Protected, &v.Protected}, {in.Masked, &v.Masked}, {in.Raw, &v.Raw}} {
		if f.in != nil {
			*f.dst = *f.in
		}
	}
	if in.EnvironmentScope != nil && v.Owner.Kind != model.CIVariableOfInstance {
		v.EnvironmentScope = strings.TrimSpace(*in.EnvironmentScope)
	}
}

// validateCIVariableKey is Ci::HasVariable's key validation, in its order.
func validateCIVariableKey(key string) []string {
	var msgs []string
	if key == "" {
		msgs = append(msgs, "can't be blank")
	}
	if utf8.RuneCountInString(key) > maxCIVariableKey {
		msgs = append(msgs, fmt.Sprintf("is too long (maximum is %d characters)", maxCIVariableKey))
	}
	if !ciVariableKeyPattern.MatchString(key) {
		msgs = append(msgs, "can contain only letters, digits and '_'.")
	}
	return msgs
}

// validateCIVariable checks v as GitLab's models do; before is the
// variable as stored, for an update.
func validateCIVariable(v *model.StoredCIVariable, before *model.StoredCIVariable) Validation {
	fields := Validation{}
	if v.Masked {
		pattern := ciMaskedPattern
		if v.Raw {
			pattern = ciMaskedRawPattern
		}
		if !pattern.MatchString(v.Value) {
			fields.Add("value", "is invalid")
		}
	}
	if v.Description != nil && utf8.RuneCountInString(*v.Description) > maxCIVariableDescription {
		fields.Add("description", fmt.Sprintf("is too long (maximum is %d characters)", maxCIVariableDescription))
	}
	if v.Owner.Kind == model.CIVariableOfInstance {
		if n := utf8.RuneCountInString(v.Value); n > maxInstanceCIVariableValue {
			fields.Add("value", fmt.Sprintf("The value of the provided variable exceeds the %d character limit", maxInstanceCIVariableValue))
		}
	} else {
		if v.EnvironmentScope == "" {
			fields.Add("environment_scope", "can't be blank")
		}
		if utf8.RuneCountInString(v.EnvironmentScope) > maxCIVariableScope {
			fields.Add("environment_scope", fmt.Sprintf("is too long (maximum is %d characters)", maxCIVariableScope))
		}
		if !ciScopePattern.MatchString(v.EnvironmentScope) {
			fields.Add("environment_scope", "can contain only letters, digits, '-', '_', '/', '$', '{', '}', '.', '*' and spaces")
		}
	}
	// Ci::HidableVariable: a hidden variable stays masked.
	if before != nil && before.Hidden && v.Masked != before.Masked {
		fields.Add("base", "Updating masked attribute is not allowed on updates for hidden variables.")
	}
	return fields
}

// saveCIVariable writes v with write unless fields (with the uniqueness
// of its key and scope, when checkUnique) hold errors. A racing writer of
// the same key and scope loses on the unique index, with the same answer.
func saveCIVariable(ctx context.Context, q *store.Queries, v *model.StoredCIVariable, fields Validation, checkUnique bool,
	write func(context.Context, *model.StoredCIVariable) error) error {
	if checkUnique {
		if err := checkCIVariableUnique(ctx, q, v, fields); err != nil {
			return err
		}
	}
	if err := fields.Err(); err != nil {
		return err
	}
	if err := write(ctx, v); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return Validation{"key": {ciVariableTaken(v.Key)}}.Err()
		}
		return err
	}
	return nil
}

func ciVariableTaken(key string) string { return "(" + key + ") has already been taken" }

// checkCIVariableUnique adds the uniqueness error when another variable of
// v's owner has its key and scope.
func checkCIVariableUnique(ctx context.Context, q *store.Queries, v *model.StoredCIVariable, fields Validation) error {
	if v.Key == "" {
		return nil
	}
	same, err := q.CIVariablesByKey(ctx, v.Owner, v.Key)
	if err != nil {
		return err
	}
	for _, o := range same {
		if o.ID != v.ID && o.EnvironmentScope == v.EnvironmentScope {
			fields.Add("key", ciVariableTaken(v.Key))
			break
		}
	}
	return nil
}
