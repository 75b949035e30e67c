package markdown

import (
	"context"
	"testing"
)

// FuzzRender holds the sanitizer's invariants on arbitrary input: no
// executable element, no event handler, no URL but http(s), mailto or
// relative, with and without GitLab's additions.
func FuzzRender(f *testing.F) {
	for _, p := range xssPayloads {
		f.Add(p, true)
	}
	f.Add("see #1, group/app#2 ~bug ~\"to do\" %v1.0 @root :smile:", true)
	f.Add("- [x] done\n\n|a|b|\n|-|-|\n|1|2|", false)
	r := New()
	f.Fuzz(func(t *testing.T, src string, gfm bool) {
		out, err := r.Render(context.Background(), src, Options{GFM: gfm, Resolver: &fakeResolver{}, UploadsPrefix: "/g/p"})
		if err != nil {
			t.Fatalf("Render: %v", err)
		}
		if problem := unsafeHTML(out); problem != "" {
			t.Fatalf("Render(%q) = %q: %s", src, out, problem)
		}
	})
}

// FuzzRenderLines holds the same invariants for the single-line
// pipeline (labels' descriptions).
func FuzzRenderLines(f *testing.F) {
	for _, p := range xssPayloads {
		f.Add(p, "g/p")
	}
	f.Add("see #1, app#2 @root :smile: https://example.com/(x).", "group/app")
	r := New()
	f.Fuzz(func(t *testing.T, src, project string) {
		out, err := r.RenderLines(context.Background(), []Line{{Text: src, Project: project}}, &fakeResolver{})
		if err != nil {
			t.Fatalf("RenderLines: %v", err)
		}
		if problem := unsafeHTML(out[0]); problem != "" {
			t.Fatalf("RenderLines(%q) = %q: %s", src, out[0], problem)
		}
	})
}
