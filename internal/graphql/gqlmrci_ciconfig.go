package graphql

import (
	"context"
	"errors"

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
