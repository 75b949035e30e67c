package markdown

import (
	"bytes"
	"strings"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// suggestionLang is the code block language of GitLab's suggested changes:
// ```suggestion:-1+2 replaces the note's line with one line above and two
// below it.
const suggestionLang = "suggestion"

// Suggestion is one suggestion block of a text: its -N+M parameters as
// written (GitLab's data-lang-params) and its content without the final
// line break, as GitLab reads it from the rendered block.
type Suggestion struct {
	Params string
	Text   string
}

// suggestionInfo splits a fenced block's info string into its language
// and parameters ("suggestion:-0+0"); ok says it is a suggestion.
func suggestionInfo(n *ast.FencedCodeBlock, source []byte) (params string, ok bool) {
	lang := n.Language(source)
	if lang == nil {
		return "", false
	}
	name, params, _ := strings.Cut(string(lang), ":")
	return params, name == suggestionLang
}

// Suggestions returns the suggestion blocks of src, in order, parsed by
// the same GitLab Flavored Markdown parser Render uses, so what renders as
// a suggestion is exactly what is one.
func (r *Renderer) Suggestions(src string) []Suggestion {
	source := []byte(src)
	doc := r.gfm.Parser().Parse(text.NewReader(source), parser.WithContext(parser.NewContext()))
	var out []Suggestion
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		b, isBlock := n.(*ast.FencedCodeBlock)
		if !entering || !isBlock {
			return ast.WalkContinue, nil
		}
		if params, ok := suggestionInfo(b, source); ok {
			var buf bytes.Buffer
			for i := 0; i < b.Lines().Len(); i++ {
				seg := b.Lines().At(i)
				buf.Write(seg.Value(source))
			}
			out = append(out, Suggestion{Params: params, Text: strings.TrimSuffix(buf.String(), "\n")})
		}
		return ast.WalkSkipChildren, nil
	})
	return out
}

// suggestionRenderer renders suggestion blocks as GitLab's
// SuggestionFilter leaves them:
//
//	<pre class="code highlight js-syntax-highlight language-suggestion" lang="suggestion"
//	data-lang-params="-0+0"><code class="js-render-suggestion">…</code></pre>
//
// and every other fenced block as goldmark does.
type suggestionRenderer struct {
	fenced renderer.NodeRendererFunc
}

func newSuggestionRenderer() *suggestionRenderer {
	r := &suggestionRenderer{}
	html.NewRenderer(html.WithUnsafe()).RegisterFuncs(registerFunc(func(k ast.NodeKind, f renderer.NodeRendererFunc) {
		if k == ast.KindFencedCodeBlock {
			r.fenced = f
		}
	}))
	return r
}

// registerFunc adapts a function to renderer.NodeRendererFuncRegisterer.
type registerFunc func(ast.NodeKind, renderer.NodeRendererFunc)

func (f registerFunc) Register(k ast.NodeKind, fn renderer.NodeRendererFunc) { f(k, fn) }

func (r *suggestionRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(ast.KindFencedCodeBlock, r.render)
}

func (r *suggestionRenderer) render(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	n := node.(*ast.FencedCodeBlock)
	params, ok := suggestionInfo(n, source)
	if !ok {
		return r.fenced(w, source, node, entering)
	}
	if !entering {
		_, _ = w.WriteString("</code></pre>\n")
		return ast.WalkContinue, nil
	}
	_, _ = w.WriteString(`<pre class="code highlight js-syntax-highlight language-suggestion" lang="suggestion"`)
	if params != "" {
		_, _ = w.WriteString(` data-lang-params="`)
		_, _ = w.Write(util.EscapeHTML([]byte(params)))
		_ = w.WriteByte('"')
	}
	_, _ = w.WriteString(`><code class="js-render-suggestion">`)
	for i := 0; i < n.Lines().Len(); i++ {
		seg := n.Lines().At(i)
		_, _ = w.Write(util.EscapeHTML(seg.Value(source)))
	}
	return ast.WalkContinue, nil
}
