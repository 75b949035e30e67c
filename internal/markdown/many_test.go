package markdown

import (
	"context"
	"strings"
	"testing"
)

// TestRenderManyResolvesOnce: a page of texts is rendered with one
// Resolver call for all their references, and each text comes out as
// Render alone makes it.
func TestRenderManyResolvesOnce(t *testing.T) {
	texts := []string{
		"Fixed in #1 by @root",
		"no references here",
		"see group/app#2 and ~bug, %\"v1.0\"",
		"",
		"@all and ~\"to do\" and #1 again",
	}
	f := &fakeResolver{}
	got, err := New().RenderMany(context.Background(), texts, Options{GFM: true, Resolver: f, UploadsPrefix: "/g/p"})
	if err != nil {
		t.Fatal(err)
	}
	if f.calls != 1 {
		t.Errorf("RenderMany called the resolver %d times for %d texts, want 1", f.calls, len(texts))
	}
	if len(got) != len(texts) {
		t.Fatalf("RenderMany returned %d texts for %d", len(got), len(texts))
	}
	for i, text := range texts {
		if want := render(text); got[i] != want {
			t.Errorf("text %d:\nRenderMany: %s\nRender:     %s", i, got[i], want)
		}
	}
	if !strings.Contains(got[0], `href="http://x/g/p/-/issues/1"`) || !strings.Contains(got[2], `href="http://x/group/app/-/issues/2"`) {
		t.Errorf("references were not linked: %q, %q", got[0], got[2])
	}
}
