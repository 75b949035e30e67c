package junit

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"
)

// GitLab reads JUnit XML through ActiveSupport's Hash.from_xml, whose
// quirks decide what a report means: attributes and child elements are
// keys of one hash, a repeated element becomes an array, an element with
// text is that text (its attributes dropped), an empty one is nil. This
// file reproduces that conversion on ordered hashes; the parser walks the
// result exactly as GitLab walks its hash.

// hash is a Ruby Hash: string keys in insertion order. Values are nil,
// string, *hash or []any.
type hash struct {
	keys []string
	vals map[string]any
}

func newHash() *hash { return &hash{vals: map[string]any{}} }

func (h *hash) get(k string) any { return h.vals[k] }

func (h *hash) has(k string) bool {
	_, ok := h.vals[k]
	return ok
}

// set keeps an existing key's position, as Ruby does.
func (h *hash) set(k string, v any) {
	if _, ok := h.vals[k]; !ok {
		h.keys = append(h.keys, k)
	}
	h.vals[k] = v
}

func (h *hash) del(k string) {
	if _, ok := h.vals[k]; !ok {
		return
	}
	delete(h.vals, k)
	for i, key := range h.keys {
		if key == k {
			h.keys = append(h.keys[:i], h.keys[i+1:]...)
			break
		}
	}
}

const (
	content = "__content__" // ActiveSupport's key for an element's text
	// maxXMLSize is GitLab's XmlConverter::MAX_XML_SIZE.
	maxXMLSize = 30 << 20
	// maxDepth is libxml2's nesting limit under XML_PARSE_HUGE.
	maxDepth = 2048
)

// syntaxError is an XML error, which GitLab reports as "JUnit XML
// parsing failed"; any other as "JUnit data parsing failed".
type syntaxError struct{ err error }

func (e syntaxError) Error() string { return e.err.Error() }

// element is a parsed XML element before conversion.
type element struct {
	name     string
	attrs    []xml.Attr
	children []any // *element or string (text and CDATA)
}

// parseXML reads the document's root element. Like libxml2 it wants
// exactly one root and nothing but white space around it. encoding/xml
// expands no entity but XML's five, so nothing can blow up.
func parseXML(data []byte) (*element, error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.CharsetReader = charsetReader
	var root *element
	var stack []*element
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, syntaxError{err}
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(stack) == 0 && root != nil {
				return nil, syntaxError{errors.New("extra content at the end of the document")}
			}
			if len(stack) >= maxDepth {
				return nil, syntaxError{fmt.Errorf("excessive depth in document: %d", maxDepth)}
			}
			e := &element{name: t.Name.Local, attrs: t.Attr}
			if len(stack) == 0 {
				root = e
			} else {
				parent := stack[len(stack)-1]
				parent.children = append(parent.children, e)
			}
			stack = append(stack, e)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) == 0 {
				if len(bytes.TrimSpace(t)) > 0 {
					return nil, syntaxError{errors.New("start tag expected, '<' not found")}
				}
				continue
			}
			parent := stack[len(stack)-1]
			parent.children = append(parent.children, string(t))
		}
	}
	if root == nil {
		return nil, syntaxError{errors.New("start tag expected, '<' not found")}
	}
	return root, nil
}

// charsetReader reads the single-byte encodings a JUnit file may declare
// besides UTF-8.
func charsetReader(label string, in io.Reader) (io.Reader, error) {
	switch strings.ToLower(label) {
	case "utf-8", "utf8", "us-ascii", "ascii":
		return in, nil
	case "iso-8859-1", "latin1", "latin-1", "iso8859-1":
		b, err := io.ReadAll(in)
		if err != nil {
			return nil, err
		}
		out := make([]byte, 0, len(b))
		for _, c := range b {
			out = utf8.AppendRune(out, rune(c))
		}
		return bytes.NewReader(out), nil
	}
	return nil, fmt.Errorf("unsupported encoding %q", label)
}

// toHash is ActiveSupport's Nokogiri Node#to_hash: e becomes a hash
// under its name in parent, keys with dashes normalized to underscores.
func toHash(e *element, parent *hash) {
	node := newHash()
	name := normalize(e.name)
	switch prev := parent.get(name).(type) {
	case []any:
		parent.set(name, append(prev, node))
	case *hash:
		parent.set(name, []any{prev, node})
	case nil:
		parent.set(name, node)
	}
	// The text of all text and CDATA nodes, its key placed where the
	// first of them was; gathered in one builder, as a file may hold
	// millions of pieces.
	var text strings.Builder
	hasText := false
	for _, c := range e.children {
		switch c := c.(type) {
		case *element:
			toHash(c, node)
		case string:
			if !hasText {
				node.set(content, "")
				hasText = true
			}
			text.WriteString(c)
		}
	}
	if hasText {
		node.set(content, text.String())
	}
	if len(node.keys) > 1 && blank(text.String()) {
		node.del(content)
	}
	for _, a := range e.attrs {
		node.set(normalize(a.Name.Local), a.Value)
	}
}

func normalize(name string) string { return strings.ReplaceAll(name, "-", "_") }

// blank is ActiveSupport's blank? for strings.
func blank(s string) bool { return strings.TrimFunc(s, unicode.IsSpace) == "" }

// present is ActiveSupport's present? for converted values.
func present(v any) bool {
	switch v := v.(type) {
	case nil:
		return false
	case string:
		return !blank(v)
	case *hash:
		return len(v.keys) > 0
	case []any:
		return len(v) > 0
	}
	return true
}

// convert is ActiveSupport's XMLConverter#deep_to_h: hashes of text
// become their text, empty ones nil. Typecasting by a "type" attribute
// ("integer", "date" …) is not reproduced: the text stays a string.
func convert(v any) (any, error) {
	switch v := v.(type) {
	case *hash:
		return convertHash(v)
	case []any:
		out, err := convertAll(v)
		if err != nil {
			return nil, err
		}
		switch len(out) {
		case 0:
			return nil, nil
		case 1:
			return out[0], nil
		}
		return out, nil
	}
	return v, nil
}

func convertAll(vs []any) ([]any, error) {
	out := make([]any, 0, len(vs))
	for _, v := range vs {
		c, err := convert(v)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

func convertHash(h *hash) (any, error) {
	typ, typed := h.get("type").(string)
	if typed && (typ == "symbol" || typ == "yaml") {
		return nil, fmt.Errorf("Disallowed type attribute: %q", typ)
	}
	text, hasText := h.get(content).(string)
	switch {
	case typed && typ == "array":
		if hasText && text == "" {
			return []any{}, nil
		}
		for _, k := range h.keys {
			switch entries := h.get(k).(type) {
			case []any:
				return convertAll(entries)
			case *hash:
				c, err := convert(entries)
				if err != nil {
					return nil, err
				}
				return []any{c}, nil
			}
		}
		return []any{}, nil
	case hasText && (len(h.keys) == 1 || !blank(text)):
		return text, nil
	case typed && typ == "string" && h.get("nil") != "true":
		return "", nil
	case len(h.keys) == 0 || h.get("nil") == "true": // nothing
		return nil, nil
	case typed && len(h.keys) == 1: // garbage: only a type
		return nil, nil
	}
	out := newHash()
	for _, k := range h.keys {
		c, err := convert(h.get(k))
		if err != nil {
			return nil, err
		}
		out.set(k, c)
	}
	return out, nil
}
