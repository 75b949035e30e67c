package config

import (
	"context"
	"testing"
	"time"
)

// FuzzCompile holds that no input panics Compile or Lint, and that each
// ends quickly whatever its anchors, extends, references or includes do.
func FuzzCompile(f *testing.F) {
	for _, s := range []string{
		"j: {script: x}\n",
		"stages: [a, b]\na: {stage: a, script: x}\nb: {stage: b, script: x, needs: [a]}\n",
		".b: &b {image: alpine, script: [x]}\nj:\n  <<: *b\n  extends: .b\n  script: !reference [.b, script]\n",
		"include: a.yml\nj: {script: x, rules: [{if: $A == \"1\", when: manual}, {changes: [x/**]}]}\n",
		"workflow: {rules: [{if: $CI_COMMIT_TAG, when: never}], name: $X}\nj: {script: x, parallel: {matrix: [{A: [1, 2], B: c}]}}\n",
		"default: {retry: 1, cache: {key: {files: [a]}}}\nj: {script: x, only: {refs: [/^r-.*/], variables: [$A]}}\n",
		"a: &a [x, x]\nb: &b [*a, *a]\nj: {script: *b}\n",
		"j: {trigger: {include: c.yml}}\nk: {script: x, environment: {name: p, on_stop: j}}\n",
	} {
		f.Add([]byte(s))
	}
	fx := fixture{files: map[string]string{
		"a.yml": "include: a.yml\nk: {script: y}\n",
		"c.yml": "c: {extends: .c}\n.c: {script: !reference [k, script]}\n",
	}}
	opts := fx.options()
	f.Fuzz(func(t *testing.T, yml []byte) {
		start := time.Now()
		_, _ = Compile(context.Background(), yml, opts)
		_ = Lint(context.Background(), yml, opts)
		if d := time.Since(start); d > 5*time.Second {
			t.Fatalf("took %v", d)
		}
	})
}
