package markdown

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// TestGolden renders testdata/golden/*.md (GitLab's reference kinds,
// resolved and not, GFM's extensions) and compares with the .html next
// to each.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/golden/*.md")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden inputs: %v", err)
	}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		got := render(string(src)) + "\n"
		want := strings.TrimSuffix(f, ".md") + ".html"
		if *update {
			if err := os.WriteFile(want, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		w, err := os.ReadFile(want)
		if err != nil {
			t.Fatal(err)
		}
		if got != string(w) {
			t.Errorf("%s:\ngot:\n%s\nwant:\n%s", f, got, w)
		}
	}
}

func TestReferencesResolveInOneCall(t *testing.T) {
	f := &fakeResolver{}
	_, err := New().Render(context.Background(), "#1 #2 ~bug %v1.0 @root @all group/app#2 !3", Options{GFM: true, Resolver: f})
	if err != nil || f.calls != 1 {
		t.Fatalf("calls = %d, err %v; want one batch", f.calls, err)
	}
}

func TestScanRefs(t *testing.T) {
	cases := map[string][]Ref{
		"#1":                  {{Kind: KindIssue, IID: 1, Original: "#1"}},
		"(#12)":               {{Kind: KindIssue, IID: 12, Original: "#12"}},
		"group/sub/app#3.":    {{Kind: KindIssue, Project: "group/sub/app", IID: 3, Original: "group/sub/app#3"}},
		"app!4":               {{Kind: KindMergeRequest, Project: "app", IID: 4, Original: "app!4"}},
		"!5,":                 {{Kind: KindMergeRequest, IID: 5, Original: "!5"}},
		`%"big one" ~"to do"`: {{Kind: KindMilestone, Name: "big one", Original: `%"big one"`}, {Kind: KindLabel, Name: "to do", Original: `~"to do"`}},
		"~bug? %v1.0.":        {{Kind: KindLabel, Name: "bug", Original: "~bug"}, {Kind: KindMilestone, Name: "v1.0", Original: "%v1.0"}},
		"g/app~bug app%\"a b\" ~7": {{Kind: KindLabel, Project: "g/app", Name: "bug", Original: "g/app~bug"},
			{Kind: KindMilestone, Project: "app", Name: "a b", Original: `app%"a b"`}, {Kind: KindLabel, Name: "7", Original: "~7"}},
		"@root. @group/sub @all":                                 {{Kind: KindUser, Name: "root", Original: "@root"}, {Kind: KindUser, Name: "group/sub", Original: "@group/sub"}, {Kind: KindUser, Name: "all", Original: "@all"}},
		"word.#1 x@y.z \\#1 &#35;1 #1a #0 50% ~ @ # ~\"\" 1~ x%": nil,
	}
	for in, want := range cases {
		ms := scanRefs(in)
		var got []Ref
		for _, m := range ms {
			got = append(got, m.ref)
		}
		if len(got) != len(want) {
			t.Errorf("scanRefs(%q) = %+v, want %+v", in, got, want)
			continue
		}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("scanRefs(%q)[%d] = %+v, want %+v", in, i, got[i], want[i])
			}
		}
	}
}

// TestReferencesAddressed follows GitLab's ReferenceExtractor spec for
// directly addressed users: the user references opening a top-level
// paragraph, not those in lists, quotes, headings or emphasis, nor those
// after other text. (GitLab's ">>>" quote fence is not supported here.)
func TestReferencesAddressed(t *testing.T) {
	for src, want := range map[string]string{
		"@foo What do you think? cc: @bar, @tom": "foo:1 bar:0 tom:0",
		"What do you think? cc: @foo @bar @tom":  "foo:0 bar:0 tom:0",
		"@foo @bar What do you think? cc: @tom":  "foo:1 bar:2 tom:0",
		"@foo What do you think? cc: @tom\n\n- @bar can you please have a look?\n\n@foo3 @foo4 thank you!\n\n" +
			"> @foo5 well done!\n\n1. @bar3 Can you please check? cc: @tom2\n2. @bar4 What do you this of this MR?\n": "foo:1 tom:0 bar:0 foo3:1 foo4:2 foo5:0 bar3:0 tom2:0 bar4:0",
		"@foo, @bar":            "foo:1 bar:0",
		"@foo\n@bar  \n@baz hi": "foo:1 bar:2 baz:3",
		"**@foo** hi":           "foo:0",
		"@bar **@foo**":         "bar:1 foo:0",
		"# @foo\n\n#1 @bar":     "foo:0 bar:0",
		"`@foo` @bar":           "bar:0",
	} {
		var got []string
		for _, r := range New().References(src) {
			if r.Kind == KindUser {
				got = append(got, fmt.Sprintf("%s:%d", r.Name, r.Addressed))
			}
		}
		if g := strings.Join(got, " "); g != want {
			t.Errorf("References(%q) = %s, want %s", src, g, want)
		}
	}
}
