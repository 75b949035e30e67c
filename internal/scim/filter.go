package scim

import (
	"encoding/json"
	"strings"

	filter "github.com/scim2/filter-parser/v2"

	"github.com/lablet/lablet/internal/service"
)

// parseFilter reads GET …/Users' filter with the SCIM filter grammar and
// accepts what GitLab does: one equality on userName, externalId or id
// (id is the externalId). It returns "userName" or "externalId" and the
// value; anything else is 400 invalidFilter.
func parseFilter(raw string) (string, string, error) {
	exp, err := filter.ParseFilter([]byte(raw))
	if err != nil {
		return "", "", badRequest("invalidFilter", "The filter is not valid SCIM filter syntax: "+raw)
	}
	ae, ok := exp.(*filter.AttributeExpression)
	if !ok {
		return "", "", badRequest("invalidFilter", "Only one equality comparison is supported: "+raw)
	}
	if !strings.EqualFold(string(ae.Operator), string(filter.EQ)) {
		return "", "", badRequest("invalidFilter", "Only the eq operator is supported: "+raw)
	}
	p := ae.AttributePath
	if p.SubAttribute != nil || (p.URIPrefix != nil && !strings.EqualFold(*p.URIPrefix, schemaUser)) {
		return "", "", badRequest("invalidFilter", "Unsupported attribute: "+p.String())
	}
	value, ok := ae.CompareValue.(string)
	if !ok {
		return "", "", badRequest("invalidFilter", "The compared value must be a string: "+raw)
	}
	switch strings.ToLower(p.AttributeName) {
	case "username":
		return "userName", value, nil
	case "externalid", "id":
		return "externalId", value, nil
	}
	return "", "", badRequest("invalidFilter", "Unsupported attribute: "+p.AttributeName)
}

// patchBody is RFC 7644's PatchOp request.
type patchBody struct {
	Schemas    []string `json:"schemas"`
	Operations []struct {
		Op    string          `json:"op"`
		Path  string          `json:"path"`
		Value json.RawMessage `json:"value"`
	} `json:"Operations"`
}

// patchState collects what the operations set.
type patchState struct {
	p             service.SCIMUserPatch
	given, family *string
	nameSet       bool
}

// patchOf turns PATCH operations into the service's patch: add and
// replace (GitLab's examples also say "Update") on the attributes lablet
// keeps, with or without a path. An unknown attribute is 400 invalidPath,
// remove 400 mutability (no attribute lablet keeps may be unset), a
// value of the wrong type 400 invalidValue.
func patchOf(b *patchBody) (service.SCIMUserPatch, error) {
	var st patchState
	if err := checkSchemas(b.Schemas, schemaPatchOp); err != nil {
		return st.p, err
	}
	if len(b.Operations) == 0 {
		return st.p, badRequest("invalidValue", "Operations must hold at least one operation")
	}
	for _, op := range b.Operations {
		switch strings.ToLower(op.Op) {
		case "add", "replace", "update":
		case "remove":
			return st.p, badRequest("mutability", "remove is not supported: the attributes of a User here are required")
		default:
			return st.p, badRequest("invalidSyntax", "Unknown operation "+op.Op)
		}
		if op.Path == "" {
			var values map[string]json.RawMessage
			if err := json.Unmarshal(op.Value, &values); err != nil {
				return st.p, badRequest("invalidValue", "An operation without a path needs an object value")
			}
			for k, v := range values {
				if err := st.set(k, v); err != nil {
					return st.p, err
				}
			}
			continue
		}
		if err := st.set(op.Path, op.Value); err != nil {
			return st.p, err
		}
	}
	if !st.nameSet && (st.given != nil || st.family != nil) {
		n := strings.TrimSpace(deref(st.given) + " " + deref(st.family))
		st.p.Name = &n
	}
	return st.p, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// set applies one path's value.
func (st *patchState) set(path string, value json.RawMessage) error {
	p, err := filter.ParsePath([]byte(path))
	if err != nil {
		return badRequest("invalidPath", "The path is not valid SCIM path syntax: "+path)
	}
	ap := p.AttributePath
	if ap.URIPrefix != nil {
		switch {
		case strings.EqualFold(*ap.URIPrefix, schemaEnterpriseUser):
			return nil // the enterprise extension: lablet keeps none of it
		case !strings.EqualFold(*ap.URIPrefix, schemaUser):
			return badRequest("invalidPath", "Unknown schema in path "+path)
		}
	}
	sub := ""
	if ap.SubAttribute != nil {
		sub = *ap.SubAttribute
	} else if p.SubAttribute != nil {
		sub = *p.SubAttribute
	}
	name := strings.ToLower(ap.AttributeName)
	if name == "urn:ietf:params:scim:schemas:extension:enterprise:2.0:user" {
		return nil // a value object of the enterprise extension, Azure's way
	}
	switch {
	case name == "active" && sub == "":
		a, err := boolValue(value)
		if err != nil {
			return err
		}
		st.p.Active = &a
	case (name == "username" || name == "externalid" || name == "id" || name == "displayname") && sub == "":
		s, err := stringValue(path, value)
		if err != nil {
			return err
		}
		switch name {
		case "username":
			st.p.UserName = &s
		case "displayname":
			st.p.Name, st.nameSet = &s, true
		default:
			st.p.ExternalID = &s
		}
	case name == "name":
		return st.setName(path, strings.ToLower(sub), value)
	case name == "emails" && (sub == "" || strings.EqualFold(sub, "value")):
		return st.setEmail(path, sub != "", value)
	default:
		return badRequest("invalidPath", "Unknown or unsupported attribute "+path)
	}
	return nil
}

func (st *patchState) setName(path, sub string, value json.RawMessage) error {
	if sub == "" {
		var n struct {
			Formatted  *string `json:"formatted"`
			GivenName  *string `json:"givenName"`
			FamilyName *string `json:"familyName"`
		}
		if err := json.Unmarshal(value, &n); err != nil {
			return badRequest("invalidValue", "name must be an object")
		}
		if n.Formatted != nil {
			st.p.Name, st.nameSet = n.Formatted, true
		}
		st.given, st.family = n.GivenName, n.FamilyName
		return nil
	}
	s, err := stringValue(path, value)
	if err != nil {
		return err
	}
	switch sub {
	case "formatted":
		st.p.Name, st.nameSet = &s, true
	case "givenname":
		st.given = &s
	case "familyname":
		st.family = &s
	default:
		return badRequest("invalidPath", "Unknown or unsupported attribute "+path)
	}
	return nil
}

// setEmail takes emails[…].value (a string) or emails (a list).
func (st *patchState) setEmail(path string, isValue bool, value json.RawMessage) error {
	if isValue {
		s, err := stringValue(path, value)
		if err != nil {
			return err
		}
		st.p.Email = &s
		return nil
	}
	var list []email
	if err := json.Unmarshal(value, &list); err != nil || len(list) == 0 {
		return badRequest("invalidValue", "emails must be a list of emails")
	}
	s := workEmail(list)
	st.p.Email = &s
	return nil
}

func stringValue(path string, raw json.RawMessage) (string, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", badRequest("invalidValue", path+" must be a string")
	}
	return s, nil
}
