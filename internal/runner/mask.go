package runner

import (
	"bytes"
	"io"
	"slices"
	"strings"
)

const masked = "[MASKED]"

// defaultTokenPrefix is masked whatever the server sends, as GitLab
// Runner does; it keeps at most maxTokenPrefixes prefixes in all.
const (
	defaultTokenPrefix = "glpat-"
	maxTokenPrefixes   = 10
	// maxTokenLen bounds how long a prefixed token may grow while the
	// masker holds it back waiting for its end.
	maxTokenLen = 512
)

// masker writes what it is given to w with every secret value replaced by
// [MASKED], and every token that starts with one of the prefixes replaced
// after its prefix. A value may arrive split across writes: the masker
// holds back the bytes that could still start one until the next write
// or Close tells.
type masker struct {
	w        io.Writer
	values   [][]byte
	prefixes [][]byte
	hold     int // the longest value less one byte
	buf      []byte
}

func newMasker(w io.Writer, values, prefixes []string) *masker {
	m := &masker{w: w}
	seen := map[string]bool{}
	for _, v := range values {
		if v == "" || seen[v] {
			continue
		}
		seen[v] = true
		m.values = append(m.values, []byte(v))
		m.hold = max(m.hold, len(v)-1)
	}
	// Longest first: where two values start at one place, the longer wins.
	slices.SortFunc(m.values, func(a, b []byte) int { return len(b) - len(a) })
	for _, p := range append([]string{defaultTokenPrefix}, prefixes...) {
		p = strings.TrimSpace(p)
		if p == "" || seen["prefix:"+p] || len(m.prefixes) == maxTokenPrefixes {
			continue
		}
		seen["prefix:"+p] = true
		m.prefixes = append(m.prefixes, []byte(p))
		m.hold = max(m.hold, len(p)-1)
	}
	return m
}

// Write masks p and passes on what can no longer be part of a secret.
func (m *masker) Write(p []byte) (int, error) {
	m.buf = append(m.buf, p...)
	if err := m.flush(false); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Close passes on what is held back; it does not close w.
func (m *masker) Close() error { return m.flush(true) }

// flush writes out buf up to where a secret could still begin.
func (m *masker) flush(final bool) error {
	var out bytes.Buffer
	limit := len(m.buf) // matches must start before limit
	if !final {
		limit = max(0, len(m.buf)-m.hold)
	}
	i := 0
	for i < limit {
		at, n, keep, ok := m.next(i, limit, final)
		if !ok {
			out.Write(m.buf[i:limit])
			i = limit
			break
		}
		out.Write(m.buf[i:at])
		if n < 0 { // a token whose end has not arrived yet
			i = at
			break
		}
		out.Write(m.buf[at : at+keep])
		out.WriteString(masked)
		i = at + n
	}
	if _, err := m.w.Write(out.Bytes()); err != nil {
		return err
	}
	m.buf = append(m.buf[:0], m.buf[i:]...)
	return nil
}

// next finds the first secret starting in buf[from:limit]: where, how
// many bytes it covers (-1: a token still open at the end of buf), and
// how many of them stay (a token's prefix).
func (m *masker) next(from, limit int, final bool) (at, n, keep int, ok bool) {
	at = -1
	for _, v := range m.values {
		j := bytes.Index(m.buf[from:], v)
		if j < 0 || from+j >= limit {
			continue
		}
		if at < 0 || from+j < at {
			at, n, keep = from+j, len(v), 0
		}
	}
	for _, p := range m.prefixes {
		for k := from; ; {
			j := bytes.Index(m.buf[k:], p)
			if j < 0 || k+j >= limit || (at >= 0 && k+j >= at) {
				break
			}
			start := k + j + len(p)
			end := start
			for end < len(m.buf) && isTokenByte(m.buf[end]) {
				end++
			}
			switch {
			case end == len(m.buf) && !final && end-start < maxTokenLen:
				at, n, keep = k+j, -1, 0
			case end == start: // a bare prefix is no token: look further
				k = start
				continue
			default:
				at, n, keep = k+j, end-(k+j), len(p)
			}
			break
		}
	}
	return at, n, keep, at >= 0
}

// isTokenByte: the characters GitLab's tokens are made of.
func isTokenByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '-' || c == '_' || c == '=' || c == '.'
}
