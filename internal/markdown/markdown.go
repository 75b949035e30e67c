// Package markdown renders GitLab Flavored Markdown to sanitized HTML:
// CommonMark with GitHub's extensions (tables, strikethrough, autolinks,
// task lists), footnotes, emoji shortcodes and GitLab's references
// (#1, group/project#1, !1, %milestone, ~label, @user). References are
// resolved in one batch through a Resolver the caller provides, so the
// package imports nothing of lablet's and decides nothing about
// permissions: what the Resolver does not return stays plain text.
package markdown

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"github.com/yuin/goldmark"
	emoji "github.com/yuin/goldmark-emoji"
	"github.com/yuin/goldmark-emoji/definition"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"

	"github.com/microcosm-cc/bluemonday"
)

// Options are one rendering's context.
type Options struct {
	// GFM turns on GitLab's additions (references, emoji, the uploads
	// rewrite); without it the text is rendered as GitLab's
	// plain_markdown pipeline does: CommonMark with GitHub's extensions.
	GFM bool
	// Resolver resolves references; nil leaves them all as text.
	Resolver Resolver
	// UploadsPrefix, when set, is prepended to link and image
	// destinations starting with "/uploads/" (a project's uploads are
	// served under its path: "/group/project").
	UploadsPrefix string
}

// Renderer renders Markdown; it is safe for concurrent use.
type Renderer struct {
	plain  goldmark.Markdown
	gfm    goldmark.Markdown
	policy *bluemonday.Policy
	emojis definition.Emojis
}

// New builds a Renderer.
func New() *Renderer {
	base := func(extra ...goldmark.Extender) goldmark.Markdown {
		exts := append([]goldmark.Extender{
			extension.NewTable(extension.WithTableCellAlignMethod(extension.TableCellAlignAttribute)),
			extension.Linkify, extension.TaskList, extension.Footnote,
		}, extra...)
		return goldmark.New(
			goldmark.WithExtensions(exts...),
			// Raw HTML is allowed, as GitLab allows it; the sanitizer
			// decides what of it survives.
			goldmark.WithRendererOptions(html.WithUnsafe()),
			goldmark.WithParserOptions(parser.WithASTTransformers(util.Prioritized(&paragraphDir{}, 1000))),
		)
	}
	emojis := definition.Github()
	return &Renderer{
		emojis: emojis,
		plain:  base(extension.Strikethrough),
		gfm: base(
			// "~bug and ~feature" are two labels, not "bug and "
			// struck through: GitLab strikes through ~~text~~ only.
			doubleTildeStrikethrough{},
			emoji.New(emoji.WithEmojis(emojis), emoji.WithRenderingMethod(emoji.Func), emoji.WithRendererFunc(renderEmoji)),
			&gitlabExtension{},
		),
		policy: newPolicy(),
	}
}

// Render renders src to sanitized HTML. Errors come from the Resolver only.
func (r *Renderer) Render(ctx context.Context, src string, o Options) (string, error) {
	out, err := r.RenderMany(ctx, []string{src}, o)
	if err != nil {
		return "", err
	}
	return out[0], nil
}

// RenderMany renders each of srcs as Render would, with one call of the
// Resolver for the references of all of them: a page of texts costs one
// batch of lookups, not one per text.
func (r *Renderer) RenderMany(ctx context.Context, srcs []string, o Options) ([]string, error) {
	md := r.plain
	if o.GFM {
		md = r.gfm
	}
	sources := make([][]byte, len(srcs))
	docs := make([]ast.Node, len(srcs))
	var nodes []*refNode
	for i, src := range srcs {
		sources[i] = []byte(src)
		pc := parser.NewContext()
		if o.GFM {
			pc.Set(uploadsPrefixKey, o.UploadsPrefix)
		}
		docs[i] = md.Parser().Parse(text.NewReader(sources[i]), parser.WithContext(pc))
		found, _ := pc.Get(refsKey).([]*refNode)
		nodes = append(nodes, found...)
	}
	if o.GFM {
		if err := resolveAll(ctx, nodes, o.Resolver); err != nil {
			return nil, err
		}
	}
	out := make([]string, len(srcs))
	var buf bytes.Buffer
	for i, doc := range docs {
		buf.Reset()
		if err := md.Renderer().Render(&buf, sources[i], doc); err != nil {
			return nil, fmt.Errorf("markdown: render: %w", err)
		}
		out[i] = strings.TrimSuffix(r.policy.Sanitize(buf.String()), "\n")
	}
	return out, nil
}

// paragraphDir marks paragraphs dir="auto", as GitLab's output does, so
// right-to-left text displays right.
type paragraphDir struct{}

func (paragraphDir) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if entering && n.Kind() == ast.KindParagraph {
			n.SetAttributeString("dir", []byte("auto"))
		}
		return ast.WalkContinue, nil
	})
}

// gitlabExtension adds references, the uploads rewrite and suggestion
// blocks.
type gitlabExtension struct{}

func (gitlabExtension) Extend(m goldmark.Markdown) {
	m.Parser().AddOptions(parser.WithASTTransformers(util.Prioritized(&referenceTransformer{}, 900)))
	m.Renderer().AddOptions(renderer.WithNodeRenderers(util.Prioritized(&referenceRenderer{}, 100),
		util.Prioritized(newSuggestionRenderer(), 100)))
}

// doubleTildeStrikethrough is GFM's strikethrough for ~~text~~ only.
type doubleTildeStrikethrough struct{}

func (doubleTildeStrikethrough) Extend(m goldmark.Markdown) {
	m.Parser().AddOptions(parser.WithInlineParsers(
		util.Prioritized(doubleTilde{extension.NewStrikethroughParser()}, 500)))
	m.Renderer().AddOptions(renderer.WithNodeRenderers(
		util.Prioritized(extension.NewStrikethroughHTMLRenderer(), 500)))
}

// doubleTilde lets its parser see "~~" only; a single "~" stays text.
type doubleTilde struct{ parser.InlineParser }

func (d doubleTilde) Parse(parent ast.Node, block text.Reader, pc parser.Context) ast.Node {
	if line, _ := block.PeekLine(); len(line) < 2 || line[1] != '~' {
		return nil
	}
	return d.InlineParser.Parse(parent, block, pc)
}
