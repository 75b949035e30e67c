package config

import "testing"

// workflow:auto_cancel:on_new_commit reaches the compiled pipeline; the
// matching workflow rule's overrides it; bad values are GitLab's errors.
func TestWorkflowAutoCancel(t *testing.T) {
	if p := compile(t, "j: {script: x}\n", fixture{}); p.AutoCancelOnNewCommit != "" {
		t.Errorf("unset: %q", p.AutoCancelOnNewCommit)
	}
	yml := `
workflow:
  auto_cancel:
    on_new_commit: interruptible
    on_job_failure: none
  rules:
    - if: $CI_COMMIT_TAG
      auto_cancel:
        on_new_commit: none
    - when: always
j: {script: x}
`
	if p := compile(t, yml, fixture{}); p.AutoCancelOnNewCommit != "interruptible" {
		t.Errorf("workflow's: %q, want interruptible", p.AutoCancelOnNewCommit)
	}
	if p := compile(t, yml, fixture{vars: map[string]string{"CI_COMMIT_TAG": "v1"}}); p.AutoCancelOnNewCommit != "none" {
		t.Errorf("rule's: %q, want none", p.AutoCancelOnNewCommit)
	}
	expectErrors(t, map[string]string{
		"workflow: {auto_cancel: {on_new_commit: always}}\nj: {script: x}\n":       "workflow:auto_cancel on new commit must be one of: conservative, interruptible, none",
		"workflow: {auto_cancel: {on_job_failure: some}}\nj: {script: x}\n":        "workflow:auto_cancel on job failure must be one of: none, all",
		"workflow: {auto_cancel: {later: true}}\nj: {script: x}\n":                 "workflow:auto_cancel config contains unknown keys: later",
		"workflow: {auto_cancel: none}\nj: {script: x}\n":                          "workflow:auto_cancel config should be a hash",
		"workflow: {rules: [{auto_cancel: {on_new_commit: x}}]}\nj: {script: x}\n": "workflow:rules:rule:auto_cancel on new commit must be one of: conservative, interruptible, none",
	}, fixture{})
}
