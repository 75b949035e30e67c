package v4

import (
	"encoding/json"
	"unicode/utf8"
)

// Encoding fullProject by reflection was most of the CPU of a project list
// on a cache miss and of GET /projects/:id. appendProjectEntity
// (project_encode_gen.go) writes the same bytes json.Encoder writes with
// SetEscapeHTML(false) (without its trailing newline) straight from the
// row: building the struct — its URLs joined, its timestamps formatted,
// each an allocation — cost more than encoding it. It is generated from
// fullProjectAt and the entity structs (entity_project_spec.go), which stay
// the single source of truth; run go generate after changing them.
// TestAppendProjectEntityMatchesEncodingJSON compares the two on random
// rows, and TestProjectEncoderIsGenerated the committed file with a fresh
// run of the generator. Permissions, when a response has them, are spliced
// in before the closing brace (appendPermissions).
//
//go:generate go run ./internal/entitygen/cmd/entitygen -spec fullProjectAt -nil perms -func appendProjectEntity -o project_encode_gen.go

// The generated code writes strings with the functions below.

const lowerHex = "0123456789abcdef"

// jsonSpecial marks the bytes appendJSONString must look at: control
// bytes, '"', '\\' and every byte of a multi-byte sequence. One table load
// per byte beat the four comparisons it replaces by about a fifth.
const jsonSpecial = "" +
	"\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01" + // 0x00
	"\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01" + // 0x10
	"\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" + // 0x20: '"'
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" + // 0x30
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" + // 0x40
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00" + // 0x50: '\\'
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" + // 0x60
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" + // 0x70: DEL is left as is
	"\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01" + // 0x80
	"\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01" + // 0x90
	"\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01" + // 0xa0
	"\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01" + // 0xb0
	"\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01" + // 0xc0
	"\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01" + // 0xd0
	"\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01" + // 0xe0
	"\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01" // 0xf0

// appendJSONString appends s quoted as encoding/json quotes it without
// HTML escaping: short escapes for \" \\ \n \r \t \b \f, \u00xx for the
// other control bytes, \ufffd for each invalid UTF-8 byte, and \u2028 and
// \u2029 escaped (for JSONP). Runs that need nothing are copied whole.
func appendJSONString(dst []byte, s string) []byte {
	return append(appendJSONEscaped(append(dst, '"'), s), '"')
}

// appendJSONStrings appends ss as encoding/json writes a []string: null
// when nil.
func appendJSONStrings(dst []byte, ss []string) []byte {
	if ss == nil {
		return append(dst, "null"...)
	}
	dst = append(dst, '[')
	for i, s := range ss {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendJSONString(dst, s)
	}
	return append(dst, ']')
}

// appendJSONEscaped appends s escaped as appendJSONString does, without the
// quotes. Escaping a+b is escaping a then b whenever b starts with an ASCII
// byte (a cut there never splits a UTF-8 sequence), so a string joined from
// parts by "/" or " / " can be escaped part by part without joining it.
func appendJSONEscaped(dst []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if jsonSpecial[c] == 0 {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', lowerHex[c>>4], lowerHex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', lowerHex[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	return append(dst, s[start:]...)
}

// appendMarshaled appends v as encoding/json encodes it without HTML
// escaping (as writeJSON, without the newline): the one fallback of the
// hand-written entities for what they do not write themselves.
func appendMarshaled(dst []byte, v any) ([]byte, error) {
	w := appendWriter{dst}
	enc := json.NewEncoder(&w)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return w.b[:len(w.b)-1], nil // Encode ends with a newline
}

type appendWriter struct{ b []byte }

func (w *appendWriter) Write(p []byte) (int, error) {
	w.b = append(w.b, p...)
	return len(p), nil
}
