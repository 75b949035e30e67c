// Package glob matches paths against the glob patterns of CI/CD
// configuration (rules:changes, rules:exists, artifacts paths) as GitLab
// does: Ruby's File.fnmatch?(pattern, path, File::FNM_PATHNAME |
// File::FNM_DOTMATCH | File::FNM_EXTGLOB).
//
// So * and ? never match a slash, "**/" matches any number of whole
// directories (none too), [a-z] and [!a-z] are character classes,
// {a,b} are alternatives (nested too), a backslash escapes the next
// character and a leading dot needs no explicit match. "**" not followed
// by a slash is a plain *.
package glob

import (
	"strings"
	"unicode/utf8"
)

// maxExpansion bounds the bytes of patterns that brace alternatives may
// expand to (Ruby expands them all, so "{a,b}" repeated n times costs 2ⁿ).
// Beyond it Match gives up and answers false. Real patterns stay far
// below: "{a,b,c}/{x,y}/*.{js,ts}" expands to 12 patterns of ~10 bytes.
const maxExpansion = 1 << 20

// Match reports whether path matches pattern.
func Match(pattern, path string) bool {
	// Ruby refuses strings holding NUL; nothing matches.
	if strings.IndexByte(pattern, 0) >= 0 || strings.IndexByte(path, 0) >= 0 {
		return false
	}
	budget := maxExpansion
	return expand(pattern, path, &budget)
}

// expand tries each pattern the first brace group of pattern stands for,
// recursively, as Ruby's ruby_brace_expand does. A "{" without its "}"
// makes the whole pattern match nothing; a "}" without "{" is literal.
func expand(pattern, path string, budget *int) bool {
	*budget -= len(pattern) + 1
	if *budget < 0 {
		return false
	}
	lbrace, rbrace := -1, -1
	nest := 0
	for i := 0; i < len(pattern); i++ {
		c := pattern[i]
		if c == '{' {
			if nest == 0 {
				lbrace = i
			}
			nest++
		}
		if c == '}' && lbrace >= 0 {
			nest--
			if nest == 0 {
				rbrace = i
				break
			}
		}
		if c == '\\' {
			i++ // the escaped byte is never a brace
		}
	}
	switch {
	case lbrace < 0:
		return fnmatch(pattern, path)
	case rbrace < 0:
		return false
	}
	prefix, rest := pattern[:lbrace], pattern[rbrace+1:]
	for p := lbrace; p < rbrace; {
		start := p + 1
		p = start
		nest := 0
		for p < rbrace && !(pattern[p] == ',' && nest == 0) {
			switch pattern[p] {
			case '{':
				nest++
			case '}':
				nest--
			case '\\':
				if p+1 < rbrace {
					p++
				}
			}
			p++
		}
		if expand(prefix+pattern[start:p]+rest, path, budget) {
			return true
		}
		if *budget < 0 {
			return false
		}
	}
	return false
}

// fnmatch is Ruby's fnmatch with FNM_PATHNAME and FNM_DOTMATCH: the
// pattern and path are matched segment by segment; a run of "**/"
// remembers where to retry with the path one directory deeper.
func fnmatch(p, s string) bool {
	pi, si := 0, 0
	retryP, retryS := -1, -1
	for {
		if strings.HasPrefix(p[pi:], "**/") {
			for strings.HasPrefix(p[pi:], "**/") {
				pi += 3
			}
			retryP, retryS = pi, si
		}
		if np, ns, ok := matchSegment(p, s, pi, si); ok {
			pi = np
			for ns < len(s) && s[ns] != '/' {
				ns++
			}
			si = ns
			if pi < len(p) && si < len(s) { // both at a slash
				pi++
				si++
				continue
			}
			if pi == len(p) && si == len(s) {
				return true
			}
		}
		// Let the last "**/" swallow one more directory.
		if retryP < 0 {
			return false
		}
		for retryS < len(s) && s[retryS] != '/' {
			retryS++
		}
		if retryS == len(s) {
			return false
		}
		retryS++
		pi, si = retryP, retryS
	}
}

// matchSegment matches one path segment: from p[pi] and s[si] up to the
// next slash or the end of each (Ruby's fnmatch_helper). On success it
// returns where the pattern stopped and where the path did (a trailing *
// leaves the rest of the path's segment to the caller).
func matchSegment(p, s string, pi, si int) (int, int, bool) {
	pend := func(i int) bool { return i >= len(p) || p[i] == '/' }
	send := func(i int) bool { return i >= len(s) || s[i] == '/' }
	unescape := func(i int) int {
		if i < len(p) && p[i] == '\\' {
			return i + 1
		}
		return i
	}
	starP, starS := -1, -1
	for {
		switch {
		case pi < len(p) && p[pi] == '*':
			for pi < len(p) && p[pi] == '*' {
				pi++
			}
			if u := unescape(pi); pend(u) {
				return u, si, true
			}
			if send(si) {
				return pi, si, false
			}
			starP, starS = pi, si
			continue
		case pi < len(p) && p[pi] == '?':
			if send(si) {
				return pi, si, false
			}
			pi++
			si += charLen(s, si)
			continue
		case pi < len(p) && p[pi] == '[':
			if send(si) {
				return pi, si, false
			}
			if next, ok := bracket(p, pi+1, s, si); ok {
				pi = next
				si += charLen(s, si)
				continue
			}
		default:
			pi = unescape(pi)
			if send(si) {
				return pi, si, pend(pi)
			}
			if !pend(pi) {
				// A byte that is not UTF-8 is a character of its own here
				// (Ruby fails it; YAML patterns never hold one).
				if n := charLen(p, pi); strings.HasPrefix(s[si:], p[pi:pi+n]) {
					pi += n
					si += n
					continue
				}
			}
		}
		// Failed here: let the last * take one more character.
		if starP < 0 || send(starS) {
			return pi, si, false
		}
		starS += charLen(s, starS)
		pi, si = starP, starS
	}
}

// bracket matches s[si]'s character against the class starting at p[pi]
// (just after "["). It returns the index after the closing "]". A class
// without its "]" matches nothing, as in Ruby; "[]" is empty and "[!]"
// anything.
func bracket(p string, pi int, s string, si int) (int, bool) {
	if pi >= len(p) {
		return 0, false
	}
	c, _ := utf8.DecodeRuneInString(s[si:])
	sn := charLen(s, si)
	not, ok := false, false
	if p[pi] == '!' || p[pi] == '^' {
		not = true
		pi++
	}
	for pi < len(p) && p[pi] != ']' {
		t1 := pi
		if p[t1] == '\\' {
			t1++
		}
		if t1 >= len(p) {
			return 0, false
		}
		r1n := charLen(p, t1)
		pi = t1 + r1n
		if pi >= len(p) {
			return 0, false
		}
		if p[pi] == '-' && pi+1 < len(p) && p[pi+1] != ']' {
			t2 := pi + 1
			if p[t2] == '\\' {
				t2++
			}
			if t2 >= len(p) {
				return 0, false
			}
			r2n := charLen(p, t2)
			pi = t2 + r2n
			if ok {
				continue
			}
			lo, _ := utf8.DecodeRuneInString(p[t1:])
			hi, _ := utf8.DecodeRuneInString(p[t2:])
			if p[t1:t1+r1n] == s[si:si+sn] || p[t2:t2+r2n] == s[si:si+sn] || (lo <= c && c <= hi) {
				ok = true
			}
			continue
		}
		if !ok && p[t1:t1+r1n] == s[si:si+sn] {
			ok = true
		}
	}
	if pi >= len(p) {
		return 0, false
	}
	return pi + 1, ok != not
}

// charLen is the length of the character at s[i]: a UTF-8 sequence, or
// one byte when it is not valid UTF-8.
func charLen(s string, i int) int {
	if i >= len(s) {
		return 0
	}
	_, n := utf8.DecodeRuneInString(s[i:])
	return n
}
