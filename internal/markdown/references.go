package markdown

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// Kind is what a reference names.
type Kind string

// The kinds of references, named as GitLab's data-reference-type.
const (
	KindIssue        Kind = "issue"
	KindMergeRequest Kind = "merge_request"
	KindMilestone    Kind = "milestone"
	KindLabel        Kind = "label"
	KindUser         Kind = "user" // users, groups and @all
)

// Ref is one reference found in the text.
type Ref struct {
	Kind Kind
	// Project is the project part of a cross-project reference
	// ("group/project#1": "group/project"; "project#1": "project", a
	// project of the context project's namespace); empty for the context
	// project.
	Project string
	// IID is an issue's or merge request's number.
	IID int64
	// Name is a milestone's or label's title, or a username or group
	// path (users: without the "@"; "all" for @all).
	Name string
	// Original is the reference as written ("#1", `~"to do"`).
	Original string
	// Addressed is a user reference's place (1, 2 …) among those that
	// open a top-level paragraph with nothing but whitespace between them
	// ("@alice @bob, please look": 1 and 2); 0 for any other reference.
	// GitLab's directly addressed users are read from these
	// (DirectlyAddressedUserParser); a name that resolves to nothing
	// stays text there and ends the run.
	Addressed int
}

// Link is a resolved reference: what the Resolver knows of the object.
type Link struct {
	URL string
	// Title is the link's title attribute (an issue's title).
	Title string
	// Text replaces the reference's text when set (labels show their
	// title); otherwise the reference is shown as written.
	Text string
	// Data are the link's data-* attributes after data-reference-type
	// and data-original, in order (names without "data-").
	Data []Attr
}

// Attr is one data attribute.
type Attr struct{ Name, Value string }

// Resolver resolves references for one caller: it returns a slice as
// long as refs, nil where a reference names nothing the caller may see.
// It is called once per rendering, with every reference of the text, so
// it can resolve each kind with one query.
type Resolver interface {
	Resolve(ctx context.Context, refs []Ref) ([]*Link, error)
}

// refNode is a reference in the AST; resolved when Link is set.
type refNode struct {
	ast.BaseInline
	Ref     Ref
	Segment text.Segment
	Link    *Link
}

var kindRef = ast.NewNodeKind("GitLabReference")

func (n *refNode) Kind() ast.NodeKind { return kindRef }

func (n *refNode) Dump(source []byte, level int) {
	ast.DumpHelper(n, source, level, map[string]string{"Original": n.Ref.Original}, nil)
}

var (
	refsKey          = parser.NewContextKey()
	uploadsPrefixKey = parser.NewContextKey()
)

// referenceTransformer replaces references in text with refNodes and
// rewrites upload links; it runs after inline parsing, so code spans,
// links and raw HTML are already nodes of their own and are skipped.
type referenceTransformer struct{}

func (referenceTransformer) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	source := reader.Source()
	prefix, _ := pc.Get(uploadsPrefixKey).(string)
	var found []*refNode
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Link:
			n.Destination = rewriteUpload(n.Destination, prefix)
			return ast.WalkSkipChildren, nil
		case *ast.Image:
			n.Destination = rewriteUpload(n.Destination, prefix)
			return ast.WalkSkipChildren, nil
		case *ast.AutoLink, *ast.CodeSpan, *ast.RawHTML, *ast.CodeBlock, *ast.FencedCodeBlock, *ast.HTMLBlock:
			return ast.WalkSkipChildren, nil
		}
		if n.Type() != ast.TypeDocument && n.FirstChild() != nil {
			found = append(found, replaceRefs(n, source)...)
		}
		return ast.WalkContinue, nil
	})
	markAddressed(doc, source)
	pc.Set(refsKey, found)
}

// markAddressed numbers the user references that open each top-level
// paragraph: GitLab looks at the paragraphs at the root of the document
// only (not in lists, quotes or headings) and takes their first children
// while each is a user reference, skipping whitespace.
func markAddressed(doc ast.Node, source []byte) {
	for p := doc.FirstChild(); p != nil; p = p.NextSibling() {
		if p.Kind() != ast.KindParagraph {
			continue
		}
		n := 0
		for c := p.FirstChild(); c != nil; c = c.NextSibling() {
			if rn, ok := c.(*refNode); ok && rn.Ref.Kind == KindUser {
				n++
				rn.Ref.Addressed = n
				continue
			}
			if t, ok := c.(*ast.Text); ok && len(bytes.TrimSpace(t.Segment.Value(source))) == 0 {
				continue
			}
			break
		}
	}
}

// rewriteUpload points "/uploads/…" at the project's uploads, as GitLab's
// UploadLinkFilter does.
func rewriteUpload(dest []byte, prefix string) []byte {
	if prefix == "" || !strings.HasPrefix(string(dest), "/uploads/") {
		return dest
	}
	return append([]byte(prefix), dest...)
}

// replaceRefs scans each run of adjacent text children of parent (the
// parser splits text at every character that might start markup, such as
// "~" or "!") and splices in refNodes.
func replaceRefs(parent ast.Node, source []byte) []*refNode {
	var found []*refNode
	c := parent.FirstChild()
	for c != nil {
		first, ok := c.(*ast.Text)
		if !ok || first.IsRaw() {
			c = c.NextSibling()
			continue
		}
		// Extend the run over text nodes contiguous in the source.
		last := first
		for !last.SoftLineBreak() && !last.HardLineBreak() {
			next, ok := last.NextSibling().(*ast.Text)
			if !ok || next.IsRaw() || next.Segment.Start != last.Segment.Stop {
				break
			}
			last = next
		}
		after := last.NextSibling()
		start, stop := first.Segment.Start, last.Segment.Stop
		matches := scanRefs(string(source[start:stop]))
		if len(matches) > 0 {
			soft, hard := last.SoftLineBreak(), last.HardLineBreak()
			for n := ast.Node(first); n != after; {
				next := n.NextSibling()
				parent.RemoveChild(parent, n)
				n = next
			}
			insert := func(n ast.Node) {
				if after != nil {
					parent.InsertBefore(parent, after, n)
				} else {
					parent.AppendChild(parent, n)
				}
			}
			pos := start
			for _, m := range matches {
				if start+m.start > pos {
					insert(ast.NewTextSegment(text.NewSegment(pos, start+m.start)))
				}
				rn := &refNode{Ref: m.ref, Segment: text.NewSegment(start+m.start, start+m.end)}
				insert(rn)
				found = append(found, rn)
				pos = start + m.end
			}
			tail := ast.NewTextSegment(text.NewSegment(pos, stop))
			tail.SetSoftLineBreak(soft)
			tail.SetHardLineBreak(hard)
			insert(tail)
		}
		c = after
	}
	return found
}

// resolveAll resolves the references the transformer found, in one call.
func resolveAll(ctx context.Context, nodes []*refNode, r Resolver) error {
	if len(nodes) == 0 || r == nil {
		return nil
	}
	refs := make([]Ref, len(nodes))
	for i, n := range nodes {
		refs[i] = n.Ref
	}
	links, err := r.Resolve(ctx, refs)
	if err != nil {
		return fmt.Errorf("markdown: resolve references: %w", err)
	}
	for i, n := range nodes {
		if i < len(links) {
			n.Link = links[i]
		}
	}
	return nil
}

// referenceRenderer writes refNodes: a resolved one as GitLab's link,
// any other as the text it was.
type referenceRenderer struct{}

func (referenceRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(kindRef, renderRef)
}

// refClasses are the classes GitLab's reference filters give each kind.
var refClasses = map[Kind]string{
	KindIssue:        "gfm gfm-issue",
	KindMergeRequest: "gfm gfm-merge_request",
	KindMilestone:    "gfm gfm-milestone has-tooltip",
	KindLabel:        "gfm gfm-label has-tooltip gl-link gl-label-link",
	KindUser:         "gfm gfm-project_member js-user-link",
}

func renderRef(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	n := node.(*refNode)
	written := n.Segment.Value(source)
	if n.Link == nil {
		_, _ = w.Write(util.EscapeHTML(written))
		return ast.WalkContinue, nil
	}
	writeRefLink(w, n.Ref.Kind, string(written), n.Link)
	return ast.WalkContinue, nil
}

// htmlWriter is what both renderers write into (a goldmark BufWriter, a
// bytes.Buffer).
type htmlWriter interface {
	io.Writer
	io.StringWriter
	io.ByteWriter
}

// writeRefLink writes a resolved reference as GitLab's link; written is
// the reference as the text has it.
func writeRefLink(w htmlWriter, kind Kind, written string, l *Link) {
	attr := func(name, value string) {
		_, _ = fmt.Fprintf(w, ` %s="%s"`, name, util.EscapeHTML([]byte(value)))
	}
	if kind == KindLabel {
		_, _ = w.WriteString(`<span class="gl-label">`)
	}
	_, _ = w.WriteString("<a")
	attr("href", l.URL)
	attr("data-reference-type", string(kind))
	attr("data-original", written)
	for _, d := range l.Data {
		attr("data-"+d.Name, d.Value)
	}
	attr("data-container", "body")
	attr("data-placement", "top")
	if l.Title != "" {
		attr("title", l.Title)
	}
	attr("class", refClasses[kind])
	_ = w.WriteByte('>')
	shown := written
	if l.Text != "" {
		shown = l.Text
	}
	if kind == KindLabel {
		_, _ = fmt.Fprintf(w, `<span class="gl-label-text">%s</span></a></span>`, util.EscapeHTML([]byte(shown)))
		return
	}
	_, _ = w.Write(util.EscapeHTML([]byte(shown)))
	_, _ = w.WriteString("</a>")
}

// References returns the references src holds, as GitLab Flavored
// Markdown reads them (none in code, links or raw HTML), without
// rendering: what mentions, to-do items and cross-references are made
// from.
func (r *Renderer) References(src string) []Ref {
	pc := parser.NewContext()
	r.gfm.Parser().Parse(text.NewReader([]byte(src)), parser.WithContext(pc))
	nodes, _ := pc.Get(refsKey).([]*refNode)
	refs := make([]Ref, len(nodes))
	for i, n := range nodes {
		refs[i] = n.Ref
	}
	return refs
}
