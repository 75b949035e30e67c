package config

import "strings"

// The values of workflow:auto_cancel's keys (GitLab's
// Ci::PipelineMetadata auto_cancel_on_new_commits and
// auto_cancel_on_job_failures).
var (
	autoCancelOnNewCommit  = []string{"conservative", "interruptible", "none"}
	autoCancelOnJobFailure = []string{"none", "all"}
)

// checkAutoCancel validates a workflow's, or a workflow rule's,
// auto_cancel.
func checkAutoCancel(where string, v any, e *errs) {
	m, ok := v.(*Map)
	if !ok {
		e.add("%s config should be a hash", where)
		return
	}
	if u := unknownKeys(m, set("on_new_commit", "on_job_failure")); len(u) > 0 {
		e.add("%s config contains unknown keys: %s", where, strings.Join(u, ", "))
		return
	}
	for _, k := range []struct {
		key, name string
		allowed   []string
	}{{"on_new_commit", "on new commit", autoCancelOnNewCommit},
		{"on_job_failure", "on job failure", autoCancelOnJobFailure}} {
		if v, ok := m.Get(k.key); ok {
			if s, _ := v.(string); !oneOf(s, k.allowed) {
				e.add("%s %s must be one of: %s", where, k.name, strings.Join(k.allowed, ", "))
			}
		}
	}
}

// onNewCommit is an auto_cancel's on_new_commit ("" when not set).
func onNewCommit(autoCancel any) string {
	m, _ := autoCancel.(*Map)
	v, _ := m.Get("on_new_commit")
	s, _ := v.(string)
	return s
}
