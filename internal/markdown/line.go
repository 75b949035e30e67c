package markdown

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"strings"
)

// Line is one text RenderLines renders. Project is the full path of the
// project its references are relative to ("#1", "app#1"); "" when there
// is none (a group's label): then only "group/project#1" references can
// resolve.
type Line struct {
	Text    string
	Project string
}

// RenderLines renders texts as GitLab's SingleLinePipeline does (what
// labels' descriptions are rendered with): no Markdown at all — the text
// is escaped as it is — but emoji shortcodes, URLs made links, and
// references to users, issues and merge requests. The references of every
// line are resolved in one call of res (nil leaves them text).
func (r *Renderer) RenderLines(ctx context.Context, lines []Line, res Resolver) ([]string, error) {
	pieces := make([][]piece, len(lines))
	var refs []Ref
	for i, l := range lines {
		pieces[i] = r.linePieces(l)
		for _, p := range pieces[i] {
			if p.kind == pieceRef {
				refs = append(refs, p.ref)
			}
		}
	}
	var links []*Link
	if len(refs) > 0 && res != nil {
		var err error
		if links, err = res.Resolve(ctx, refs); err != nil {
			return nil, fmt.Errorf("markdown: resolve references: %w", err)
		}
	}
	out := make([]string, len(lines))
	k := 0
	var buf bytes.Buffer
	for i, l := range lines {
		buf.Reset()
		for _, p := range pieces[i] {
			s := l.Text[p.start:p.end]
			switch p.kind {
			case pieceText:
				writeText(&buf, s)
			case pieceEmoji:
				e, _ := r.emojis.Get(s[1 : len(s)-1])
				writeEmoji(&buf, e, s[1:len(s)-1])
			case pieceURL:
				writeAutolink(&buf, s)
			case pieceRef:
				if k < len(links) && links[k] != nil {
					writeRefLink(&buf, p.ref.Kind, s, links[k])
				} else {
					writeText(&buf, s)
				}
				k++
			}
		}
		out[i] = buf.String()
	}
	return out, nil
}

type pieceKind int

const (
	pieceText pieceKind = iota
	pieceEmoji
	pieceURL
	pieceRef
)

// piece is a part of a line: text, or what the pipeline turns into an
// element.
type piece struct {
	kind       pieceKind
	start, end int
	ref        Ref
}

// linePieces splits a line the way the pipeline's filters take it: emoji
// first, then URLs in what is left, then references in what is left.
func (r *Renderer) linePieces(l Line) []piece {
	ps := []piece{{kind: pieceText, start: 0, end: len(l.Text)}}
	ps = splitText(ps, l.Text, r.findEmoji)
	ps = splitText(ps, l.Text, findURLs)
	return splitText(ps, l.Text, func(s string) []piece {
		var out []piece
		for _, m := range scanRefs(s) {
			switch m.ref.Kind {
			case KindUser, KindIssue, KindMergeRequest:
				m.ref.Project = qualify(m.ref, l.Project)
				out = append(out, piece{kind: pieceRef, start: m.start, end: m.end, ref: m.ref})
			}
		}
		return out
	})
}

// splitText replaces each text piece with the pieces find returns in it
// (offsets relative to the piece) and the text between them.
func splitText(ps []piece, src string, find func(string) []piece) []piece {
	var out []piece
	for _, p := range ps {
		if p.kind != pieceText {
			out = append(out, p)
			continue
		}
		pos := p.start
		for _, f := range find(src[p.start:p.end]) {
			f.start, f.end = f.start+p.start, f.end+p.start
			if f.start > pos {
				out = append(out, piece{kind: pieceText, start: pos, end: f.start})
			}
			out = append(out, f)
			pos = f.end
		}
		if pos < p.end {
			out = append(out, piece{kind: pieceText, start: pos, end: p.end})
		}
	}
	return out
}

// qualify makes a reference's project a full path when the line has a
// project: "#1" is the line's project's, "app#1" its namespace's.
func qualify(ref Ref, project string) string {
	if project == "" || ref.Kind == KindUser {
		return ref.Project
	}
	switch {
	case ref.Project == "":
		return project
	case !strings.Contains(ref.Project, "/"):
		if i := strings.LastIndexByte(project, '/'); i > 0 {
			return project[:i] + "/" + ref.Project
		}
	}
	return ref.Project
}

// findEmoji finds ":name:" shortcodes of known emoji, where GitLab's
// EmojiFilter does: not inside a word or next to another colon.
func (r *Renderer) findEmoji(s string) []piece {
	var out []piece
	for i := 0; i < len(s); i++ {
		if s[i] != ':' || i > 0 && (isAlnum(s[i-1]) || s[i-1] == ':') {
			continue
		}
		j := i + 1
		for j < len(s) && (isWord(s[j]) || s[j] == '+' || s[j] == '-') {
			j++
		}
		if j == i+1 || j >= len(s) || s[j] != ':' || j+1 < len(s) && (isAlnum(s[j+1]) || s[j+1] == ':') {
			continue
		}
		if _, ok := r.emojis.Get(s[i+1 : j]); ok {
			out = append(out, piece{kind: pieceEmoji, start: i, end: j + 1})
			i = j
		}
	}
	return out
}

func isAlnum(c byte) bool { return isWord(c) && c != '_' || c >= 0x80 }

// findURLs finds what GitLab's AutolinkFilter links: a scheme, "://" and
// everything up to a space or ">", less trailing punctuation (". , : ! ?")
// and a closing bracket or quote the URL does not open. Only http and
// https become links: no other scheme leaves lablet's renderers.
func findURLs(s string) []piece {
	var out []piece
	for i := 0; i+3 <= len(s); {
		k := strings.Index(s[i:], "://")
		if k < 0 {
			break
		}
		sep := i + k
		start := sep
		for start > i && isSchemeChar(s[start-1]) {
			start--
		}
		// The scheme starts with a letter: skip leading digits and signs.
		for start < sep && !(s[start] >= 'a' && s[start] <= 'z') {
			start++
		}
		scheme := s[start:sep]
		end := sep + 3
		for end < len(s) && !isSpace(s[end]) && s[end] != '>' {
			end++
		}
		end = trimURL(s[start:end]) + start
		// A URL that does not parse (a bad escape: "http://%") stays text.
		if (scheme == "http" || scheme == "https") && end > sep+3 && parsesAsURL(s[start:end]) {
			out = append(out, piece{kind: pieceURL, start: start, end: end})
			i = end
			continue
		}
		i = sep + 3
	}
	return out
}

func isSchemeChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '.' || c == '-'
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

// urlPairs are the closing characters a URL keeps only when it holds as
// many of their opening ones (quotes never).
var urlPairs = map[byte]byte{')': '(', ']': '[', '}': '{', '\'': '\'', '"': '"'}

// trimURL returns the length of u without the trailing punctuation
// GitLab leaves out of links.
func trimURL(u string) int {
	for len(u) > 0 && strings.IndexByte(".,:!?", u[len(u)-1]) >= 0 {
		u = u[:len(u)-1]
	}
	if len(u) > 0 {
		c := u[len(u)-1]
		if open, ok := urlPairs[c]; ok && (open == c || strings.Count(u, string(open)) != strings.Count(u, string(c))) {
			u = u[:len(u)-1]
		}
	}
	return len(u)
}

// writeAutolink writes a URL as a link to itself, external as GitLab's
// ExternalLinkFilter marks it.
func parsesAsURL(u string) bool {
	_, err := url.Parse(encodeURL(u))
	return err == nil
}

func writeAutolink(buf *bytes.Buffer, u string) {
	buf.WriteString(`<a href="`)
	writeAttr(buf, encodeURL(u))
	buf.WriteString(`" rel="nofollow noreferrer noopener" target="_blank">`)
	writeText(buf, u)
	buf.WriteString("</a>")
}

// encodeURL percent-encodes what may not stand in a URL as written
// (non-ASCII, quotes, angle brackets …), as Addressable::URI.encode does.
func encodeURL(u string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(u); i++ {
		c := u[i]
		if c >= 0x80 || c < 0x21 || strings.IndexByte("\"<>\\^`{|}", c) >= 0 {
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// writeText escapes text as an HTML serializer does (& < >).
func writeText(buf *bytes.Buffer, s string) {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '&':
			buf.WriteString("&amp;")
		case '<':
			buf.WriteString("&lt;")
		case '>':
			buf.WriteString("&gt;")
		default:
			buf.WriteByte(s[i])
		}
	}
}

// writeAttr escapes an attribute value.
func writeAttr(buf *bytes.Buffer, s string) {
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			buf.WriteString("&quot;")
			continue
		}
		writeText(buf, s[i:i+1])
	}
}
