package markdown

import (
	"context"
	"testing"
)

func TestRenderLines(t *testing.T) {
	issue1 := `<a href="http://x/g/p/-/issues/1" data-reference-type="issue" data-original="#1" data-project="1" data-issue="10" data-iid="1" data-container="body" data-placement="top" title="Bug &lt;&quot;one&quot;&gt;" class="gfm gfm-issue">#1</a>`
	cases := []struct {
		in   Line
		want string
	}{
		// No Markdown: emphasis, headings and HTML stay text, escaped.
		{Line{Text: `**bold** # not a heading <b>x</b> & "q" 'a'`},
			`**bold** # not a heading &lt;b&gt;x&lt;/b&gt; &amp; "q" 'a'`},
		{Line{Text: "two\nlines"}, "two\nlines"},
		{Line{Text: "Needs :smile: now:smile: :nope: ::smile::"},
			`Needs <gl-emoji title="grinning face with smiling eyes" data-name="smile">😄</gl-emoji> now:smile: :nope: ::smile::`},
		{Line{Text: "see https://example.com/a?b=1&c=2. or (http://x.org/y) ftp://no"},
			`see <a href="https://example.com/a?b=1&amp;c=2" rel="nofollow noreferrer noopener" target="_blank">https://example.com/a?b=1&amp;c=2</a>. or (<a href="http://x.org/y" rel="nofollow noreferrer noopener" target="_blank">http://x.org/y</a>) ftp://no`},
		{Line{Text: "http://x.org/wiki/A_(b) \"https://é.fr/\""},
			`<a href="http://x.org/wiki/A_(b)" rel="nofollow noreferrer noopener" target="_blank">http://x.org/wiki/A_(b)</a> "<a href="https://%C3%A9.fr/" rel="nofollow noreferrer noopener" target="_blank">https://é.fr/</a>"`},
		// Users, issues and merge requests are references; labels and
		// milestones are not, in this pipeline.
		{Line{Text: "#1 by @root, not ~bug %v1.0 #99 https://x.org/#1"},
			issue1 + ` by <a href="http://x/root" data-reference-type="user" data-original="@root" data-user="1" data-container="body" data-placement="top" title="Administrator" class="gfm gfm-project_member js-user-link">@root</a>, not ~bug %v1.0 #99 <a href="https://x.org/#1" rel="nofollow noreferrer noopener" target="_blank">https://x.org/#1</a>`},
		// A line's project qualifies its relative references.
		{Line{Text: "#2 and app#2", Project: "group/app"},
			`<a href="http://x/group/app/-/issues/2" data-reference-type="issue" data-original="#2" data-project="2" data-issue="20" data-iid="2" data-container="body" data-placement="top" title="Two" class="gfm gfm-issue">#2</a> and <a href="http://x/group/app/-/issues/2" data-reference-type="issue" data-original="app#2" data-project="2" data-issue="20" data-iid="2" data-container="body" data-placement="top" title="Two" class="gfm gfm-issue">app#2</a>`},
		{Line{Text: "#1", Project: "group/app"}, "#1"},
	}
	lines := make([]Line, len(cases))
	for i, c := range cases {
		lines[i] = c.in
	}
	f := &fakeResolver{}
	got, err := New().RenderLines(context.Background(), lines, f)
	if err != nil {
		t.Fatal(err)
	}
	if f.calls != 1 {
		t.Errorf("resolved in %d calls, want one for every line", f.calls)
	}
	for i, c := range cases {
		if got[i] != c.want {
			t.Errorf("RenderLines(%q):\n got %s\nwant %s", c.in.Text, got[i], c.want)
		}
	}
}

func TestRenderLinesWithoutReferencesResolvesNothing(t *testing.T) {
	f := &fakeResolver{}
	got, err := New().RenderLines(context.Background(), []Line{{Text: "plain"}, {Text: ""}}, f)
	if err != nil || f.calls != 0 || got[0] != "plain" || got[1] != "" {
		t.Fatalf("got %q, %d calls, %v", got, f.calls, err)
	}
}

func TestRenderLinesXSSCorpus(t *testing.T) {
	r := New()
	lines := make([]Line, len(xssPayloads))
	for i, p := range xssPayloads {
		lines[i] = Line{Text: p, Project: "g/p"}
	}
	out, err := r.RenderLines(context.Background(), lines, &fakeResolver{})
	if err != nil {
		t.Fatal(err)
	}
	for i, o := range out {
		if problem := unsafeHTML(o); problem != "" {
			t.Errorf("RenderLines(%q) = %q: %s", xssPayloads[i], o, problem)
		}
	}
}
