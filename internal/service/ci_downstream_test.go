package service

import "testing"

// TestInheritedStatus holds GitLab's Ci::Bridge mapping of a downstream
// pipeline's status onto its bridge, by strategy.
func TestInheritedStatus(t *testing.T) {
	for _, tc := range []struct{ strategy, downstream, want string }{
		{"", "failed", ""},
		{"depend", "success", "success"},
		{"depend", "failed", "failed"},
		{"depend", "canceled", "canceled"},
		{"depend", "skipped", "failed"},
		{"depend", "manual", ""},
		{"depend", "running", ""},
		{"mirror", "skipped", "skipped"},
		{"mirror", "manual", "manual"},
		{"mirror", "failed", "failed"},
		{"mirror", "running", ""},
	} {
		if got := inheritedStatus(tc.strategy, tc.downstream); got != tc.want {
			t.Errorf("%q bridge of a %s pipeline: %q, want %q", tc.strategy, tc.downstream, got, tc.want)
		}
	}
}

// TestChildConfig: a child pipeline's configuration includes its
// trigger's files, quoted whatever their names.
func TestChildConfig(t *testing.T) {
	got := string(childConfig([]string{"ci/child.yml", `odd "name".yml`}))
	want := "include:\n- local: \"ci/child.yml\"\n- local: \"odd \\\"name\\\".yml\"\n"
	if got != want {
		t.Errorf("child config %q, want %q", got, want)
	}
}
