package scim

import (
	"net/http"

	"github.com/lablet/lablet/internal/service"
)

// The discovery endpoints (RFC 7644 section 4): what this service provider
// supports, so that a generic SCIM client configures itself. They are
// public, as the RFC allows, and the same under every base.

type supported struct {
	Supported bool `json:"supported"`
}

type filterSupport struct {
	Supported  bool `json:"supported"`
	MaxResults int  `json:"maxResults"`
}

type bulkSupport struct {
	Supported      bool `json:"supported"`
	MaxOperations  int  `json:"maxOperations"`
	MaxPayloadSize int  `json:"maxPayloadSize"`
}

type authScheme struct {
	Type        string `json:"type"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Primary     bool   `json:"primary"`
}

func (h *Handler) serviceProviderConfig(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"schemas":          []string{schemaSPConfig},
		"documentationUri": "https://docs.gitlab.com/development/internal_api/#group-scim-api",
		"patch":            supported{true},
		"bulk":             bulkSupport{},
		"filter":           filterSupport{true, service.SCIMMaxCount},
		"changePassword":   supported{false},
		"sort":             supported{false},
		"etag":             supported{true},
		"authenticationSchemes": []authScheme{{Type: "oauthbearertoken", Name: "OAuth Bearer Token",
			Description: "The group's (or the instance's) SCIM token as a bearer token", Primary: true}},
		"meta": map[string]string{"resourceType": "ServiceProviderConfig",
			"location": h.baseURL(r) + "/ServiceProviderConfig"},
	})
}

type attribute struct {
	Name          string      `json:"name"`
	Type          string      `json:"type"`
	MultiValued   bool        `json:"multiValued"`
	Required      bool        `json:"required"`
	CaseExact     bool        `json:"caseExact"`
	Mutability    string      `json:"mutability"`
	Returned      string      `json:"returned"`
	Uniqueness    string      `json:"uniqueness"`
	SubAttributes []attribute `json:"subAttributes,omitempty"`
}

func str(name string, required bool, uniqueness string) attribute {
	return attribute{Name: name, Type: "string", Required: required, Mutability: "readWrite", Returned: "default",
		Uniqueness: uniqueness}
}

// userSchema is the part of RFC 7643's User schema lablet keeps.
func (h *Handler) userSchema(r *http.Request) map[string]any {
	emails := attribute{Name: "emails", Type: "complex", MultiValued: true, Required: true, Mutability: "readWrite",
		Returned: "default", Uniqueness: "none",
		SubAttributes: []attribute{str("value", true, "none"), str("type", false, "none"),
			{Name: "primary", Type: "boolean", Mutability: "readWrite", Returned: "default", Uniqueness: "none"}}}
	name := attribute{Name: "name", Type: "complex", Mutability: "readWrite", Returned: "default", Uniqueness: "none",
		SubAttributes: []attribute{str("formatted", false, "none"), str("givenName", false, "none"),
			str("familyName", false, "none")}}
	return map[string]any{
		"schemas":     []string{schemaSchema},
		"id":          schemaUser,
		"name":        "User",
		"description": "User Account",
		"attributes": []attribute{
			str("userName", true, "server"), str("externalId", true, "server"), name, str("displayName", false, "none"),
			emails,
			{Name: "active", Type: "boolean", Mutability: "readWrite", Returned: "default", Uniqueness: "none"},
		},
		"meta": map[string]string{"resourceType": "Schema", "location": h.baseURL(r) + "/Schemas/" + schemaUser},
	}
}

func (h *Handler) schemas(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, listResponse{Schemas: []string{schemaListResponse}, TotalResults: 1, ItemsPerPage: 1,
		StartIndex: 1, Resources: []any{h.userSchema(r)}})
}

func (h *Handler) resourceTypes(w http.ResponseWriter, r *http.Request) {
	user := map[string]any{
		"schemas":     []string{schemaResourceType},
		"id":          "User",
		"name":        "User",
		"endpoint":    "/Users",
		"description": "User Account",
		"schema":      schemaUser,
		"meta":        map[string]string{"resourceType": "ResourceType", "location": h.baseURL(r) + "/ResourceTypes/User"},
	}
	writeJSON(w, http.StatusOK, listResponse{Schemas: []string{schemaListResponse}, TotalResults: 1, ItemsPerPage: 1,
		StartIndex: 1, Resources: []any{user}})
}
