package runner

import (
	"bytes"
	"strings"
	"testing"
)

// maskAll feeds the masker the input cut at every "|" and returns what
// came out after Close.
func maskAll(t *testing.T, values, prefixes []string, input string) string {
	t.Helper()
	var out bytes.Buffer
	m := newMasker(&out, values, prefixes)
	for _, part := range strings.Split(input, "|") {
		if n, err := m.Write([]byte(part)); err != nil || n != len(part) {
			t.Fatalf("Write(%q) = %d, %v", part, n, err)
		}
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

func TestMaskerValues(t *testing.T) {
	values := []string{"s3cr3t-value", "hunter22"}
	cases := map[string]struct{ in, want string }{
		"whole":              {"a s3cr3t-value b", "a [MASKED] b"},
		"split in two":       {"a s3cr|3t-value b", "a [MASKED] b"},
		"split byte by byte": {"x|s|3|c|r|3|t|-|v|a|l|u|e|y", "x[MASKED]y"},
		"at the end":         {"end hunter|22", "end [MASKED]"},
		"twice, adjacent":    {"hunter22hunter22", "[MASKED][MASKED]"},
		"near miss kept":     {"hunter2|3 and s3cr3t-valu", "hunter23 and s3cr3t-valu"},
		"across lines":       {"line1\nhun|ter22\nline3", "line1\n[MASKED]\nline3"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			if got := maskAll(t, values, nil, c.in); got != c.want {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}

// A value that contains another one is masked whole, also when the
// shorter one completes first.
func TestMaskerOverlappingValues(t *testing.T) {
	got := maskAll(t, []string{"abcdef", "cd"}, nil, "xab|cd|efy cdz")
	if want := "x[MASKED]y [MASKED]z"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// Tokens with a known prefix are masked after the prefix, as GitLab
// Runner does; glpat- is always among the prefixes.
func TestMaskerTokenPrefixes(t *testing.T) {
	cases := map[string]struct {
		prefixes []string
		in, want string
	}{
		"default prefix":  {nil, "use glpat-abc_DEF-12.x= now", "use glpat-[MASKED] now"},
		"split prefix":    {nil, "a gl|pat-abc|def b", "a glpat-[MASKED] b"},
		"bare prefix":     {nil, "glpat| -x", "glpat -x"},
		"runner token":    {[]string{"glrt-"}, "token glrt-t1_abcdef\n", "token glrt-[MASKED]\n"},
		"token at end":    {[]string{"glrt-"}, "glrt-zz|zz", "glrt-[MASKED]"},
		"prefix repeated": {nil, "glpat- glpat-x", "glpat- glpat-[MASKED]"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			if got := maskAll(t, nil, c.prefixes, c.in); got != c.want {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}

// Nothing is held back that could not be a secret's start: output that
// ends far from any value is passed on by Write, before Close.
func TestMaskerPassesOnEarly(t *testing.T) {
	var out bytes.Buffer
	m := newMasker(&out, []string{"secret"}, nil)
	m.Write([]byte("hello world, nothing to hide here"))
	if got := out.String(); !strings.HasPrefix(got, "hello world, nothing to hide") {
		t.Errorf("before Close: %q", got)
	}
}
