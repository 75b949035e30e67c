package markdown

import (
	"regexp"
	"strings"

	emoji "github.com/yuin/goldmark-emoji"
	east "github.com/yuin/goldmark-emoji/ast"
	"github.com/yuin/goldmark-emoji/definition"
	"github.com/yuin/goldmark/util"

	"github.com/microcosm-cc/bluemonday"
)

// renderEmoji writes an emoji shortcode as GitLab does:
// <gl-emoji title="grinning face" data-name="grinning">😀</gl-emoji>.
func renderEmoji(w util.BufWriter, source []byte, n *east.Emoji, _ *emoji.RendererConfig) {
	writeEmoji(w, n.Value, string(n.ShortName))
}

// writeEmoji writes e, written as :short:, as GitLab's gl-emoji.
func writeEmoji(w htmlWriter, e *definition.Emoji, short string) {
	_, _ = w.WriteString(`<gl-emoji title="`)
	_, _ = w.Write(util.EscapeHTML([]byte(strings.ToLower(e.Name))))
	_, _ = w.WriteString(`" data-name="`)
	_, _ = w.Write(util.EscapeHTML([]byte(short)))
	_, _ = w.WriteString(`">`)
	_, _ = w.WriteString(string(e.Unicode))
	_, _ = w.WriteString(`</gl-emoji>`)
}

// dataAttributes are the data-* attributes the reference links and emoji
// carry; user HTML may carry them too (they are inert text).
var dataAttributes = []string{
	"data-reference-type", "data-original", "data-link", "data-link-reference", "data-project",
	"data-project-path", "data-issue", "data-iid", "data-issue-type", "data-merge-request",
	"data-milestone", "data-label", "data-user", "data-group", "data-author", "data-container",
	"data-placement", "data-name", "data-unicode-version",
}

var (
	classNames  = regexp.MustCompile(`^[A-Za-z0-9_\- ]{1,200}$`)
	directions  = regexp.MustCompile(`^(auto|ltr|rtl)$`)
	alignments  = regexp.MustCompile(`^(left|right|center)$`)
	checkbox    = regexp.MustCompile(`^checkbox$`)
	emptyOrFlag = regexp.MustCompile(`^(|checked|disabled)$`)
	langs       = regexp.MustCompile(`^[A-Za-z0-9_+\-]{1,50}$`)
	langParams  = regexp.MustCompile(`^[A-Za-z0-9_+\-]{1,50}$`)
	roles       = regexp.MustCompile(`^(doc-endnotes|doc-noteref|doc-backlink|note)$`)
)

// newPolicy is the sanitizer every rendering passes through: bluemonday's
// policy for user content (no script, style, event handler, frame, form
// or object; links and images only to http, https, mailto and relative
// URLs) plus what GitLab's own sanitizer keeps: classes, the reference
// links' data attributes, disabled task-list checkboxes,
// details/summary, table alignment, footnote roles and gl-emoji.
func newPolicy() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.AllowElements("details", "summary", "gl-emoji", "input", "section")
	p.AllowAttrs("open").Matching(regexp.MustCompile(`^(|open)$`)).OnElements("details")
	p.AllowAttrs("type").Matching(checkbox).OnElements("input")
	p.AllowAttrs("checked", "disabled").Matching(emptyOrFlag).OnElements("input")
	p.AllowAttrs("class").Matching(classNames).OnElements("a", "span", "code", "pre", "li", "ul", "ol",
		"input", "div", "sup", "section", "p", "gl-emoji", "table", "td", "th", "hr")
	p.AllowAttrs(dataAttributes...).OnElements("a", "span", "gl-emoji")
	p.AllowAttrs("title").OnElements("a", "span", "gl-emoji", "abbr")
	// Suggestion blocks: their language and -N+M parameters.
	p.AllowAttrs("lang").Matching(langs).OnElements("pre")
	p.AllowAttrs("data-lang-params").Matching(langParams).OnElements("pre")
	p.AllowAttrs("dir").Matching(directions).Globally()
	p.AllowAttrs("align").Matching(alignments).OnElements("th", "td")
	p.AllowAttrs("role").Matching(roles).OnElements("a", "div", "section", "sup")
	p.AddTargetBlankToFullyQualifiedLinks(true)
	p.RequireNoReferrerOnFullyQualifiedLinks(true)
	return p
}
