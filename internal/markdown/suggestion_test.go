package markdown

import (
	"reflect"
	"testing"
)

func TestSuggestionBlocks(t *testing.T) {
	src := "Try:\n\n```suggestion:-1+2\nnew <line>\nsecond\n```\n\n```go\nx := 1\n```\n\n```suggestion\n```\n\n" +
		"```suggestion:\"><script>\nbad\n```\n"
	got := New().Suggestions(src)
	want := []Suggestion{{Params: "-1+2", Text: "new <line>\nsecond"}, {}, {Params: `"><script>`, Text: "bad"}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Suggestions = %#v, want %#v", got, want)
	}
	html := render(src)
	wantHTML := `<p dir="auto">Try:</p>
<pre class="code highlight js-syntax-highlight language-suggestion" lang="suggestion" data-lang-params="-1+2"><code class="js-render-suggestion">new &lt;line&gt;
second
</code></pre>
<pre><code class="language-go">x := 1
</code></pre>
<pre class="code highlight js-syntax-highlight language-suggestion" lang="suggestion"><code class="js-render-suggestion"></code></pre>
<pre class="code highlight js-syntax-highlight language-suggestion" lang="suggestion"><code class="js-render-suggestion">bad
</code></pre>`
	if html != wantHTML {
		t.Fatalf("Render =\n%s\nwant\n%s", html, wantHTML)
	}
}
