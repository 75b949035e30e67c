package expr

import (
	"testing"
	"time"
)

// FuzzEvaluate holds that any expression and any variable value parse
// and evaluate without panicking, in bounded time, and that a parsed
// expression's answer does not change between evaluations.
func FuzzEvaluate(f *testing.F) {
	for _, s := range []string{
		`$CI_PIPELINE_SOURCE == "merge_request_event"`,
		`$CI_COMMIT_BRANCH =~ /^feature\/.+$/i && $CI_COMMIT_TAG == null`,
		`($A || $B) && ($C != "x" || $D !~ /(a+)+$/)`,
		`$A =~ $A`,
		`(((((`,
		`"unterminated`,
		`/\/\/\//ismU`,
	} {
		f.Add(s, "/^(a|aa)*b$/", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")
	}
	f.Fuzz(func(t *testing.T, s, a, b string) {
		lookup := func(name string) (string, bool) {
			switch name {
			case "A":
				return a, true
			case "B", "CI_COMMIT_BRANCH":
				return b, true
			}
			return "", false
		}
		start := time.Now()
		got, err := Evaluate(s, lookup)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("Evaluate(%q) error %T %v, want *Error", s, err, err)
			}
			return
		}
		e, _ := Parse(s)
		if again := e.Eval(lookup); again != got {
			t.Fatalf("Evaluate(%q) = %v, then Eval = %v", s, got, again)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("Evaluate(%q) took %v", s, d)
		}
	})
}
