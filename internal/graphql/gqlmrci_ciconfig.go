package graphql

import (
	"context"
	"errors"
	"strings"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// ciConfig is GitLab's Query.ciConfig through REST's POST …/ci/lint
// (create_pipeline): a caller who may not create pipelines in the project
// gets GitLab's ResourceNotAvailable error, as its resolver's authorize.
// lablet lints against the default branch's head: sha and
// skipVerifyProjectSha are accepted and change nothing.
func (r *Resolver) ciConfig(ctx context.Context, projectPath, content string, dryRun *bool) (*CiConfig, error) {
	in := service.LintInput{Content: &content, DryRun: dryRun != nil && *dryRun, BaseURL: r.at(ctx).base}
	res, err := r.svc.LintCIContent(ctx, callerOf(ctx), projectPath, in)
	if hidden(err) {
		return nil, errors.New(msgNoAccess)
	}
	if err != nil {
		return nil, err
	}
	out := &CiConfig{Errors: nonNil(res.Errors), Warnings: nonNil(res.Warnings), Includes: []*CiConfigInclude{},
		Status: ptr(CiConfigStatusInvalid)}
	if res.Valid {
		out.Status = ptr(CiConfigStatusValid)
		out.MergedYaml = ptr(res.MergedYAML)
	}
	for _, inc := range res.Includes {
		out.Includes = append(out.Includes, &CiConfigInclude{Type: ptr(inc.Type), Location: ptr(inc.Location),
			Blob: ptr(inc.Blob), Raw: ptr(inc.Raw), ContextProject: ptr(inc.ContextProject), ContextSha: ptr(inc.ContextSHA)})
	}
	return out, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// instanceCIVariables is GET /admin/ci/variables: administrators only;
// anyone else gets null, as GitLab's admin-only resolver.
func (r *Resolver) instanceCIVariables(ctx context.Context, after, before *string, first, last *int) (*CiInstanceVariableConnection, error) {
	vars, err := r.svc.ListCIVariables(ctx, callerOf(ctx), model.CIVariableOfInstance, "")
	if hidden(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	list, pg, err := inMemory(vars, after, before, first, last)
	if err != nil {
		return nil, err
	}
	c := &CiInstanceVariableConnection{Count: len(vars), PageInfo: pageInfo(pg, len(list), pg.offset+len(list) < len(vars)),
		Nodes: []*CiInstanceVariable{}, Edges: []*CiInstanceVariableEdge{}}
	for i, v := range list {
		node := &CiInstanceVariable{ID: gid("Ci::InstanceVariable", v.ID), Key: ptr(v.Key),
			VariableType: ptr(CiVariableType(strings.ToUpper(v.VariableType))), Protected: ptr(v.Protected),
			Masked: ptr(v.Masked), Raw: ptr(v.Raw), Description: v.Description}
		if !v.Hidden {
			node.Value = ptr(v.Value)
		}
		c.Nodes = append(c.Nodes, node)
		c.Edges = append(c.Edges, &CiInstanceVariableEdge{Cursor: cursor(pg.offset + i), Node: node})
	}
	return c, nil
}
