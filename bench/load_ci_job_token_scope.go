package main

// ciJobTokenScopeEndpoints is the row of the job token's allowlist: a
// project's list of up to 20 projects (the ones the bench user sees,
// other than the project itself), which its maintainer reads.
func (l *loader) ciJobTokenScopeEndpoints() []*endpoint {
	var targets []int64
	src := l.sd.RepoProjects[0].ID
	for _, p := range l.sd.VisibleProjects {
		if p.ID != src && len(targets) < 20 {
			targets = append(targets, p.ID)
		}
	}
	return []*endpoint{l.madeListEndpoint("GET /projects/:id/job_token_scope/allowlist (20)", "job_token_scope/allowlist", len(targets),
		func(w *worker, i int) map[string]any { return map[string]any{"target_project_id": targets[i]} })}
}
