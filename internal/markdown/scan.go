package markdown

import (
	"strconv"
	"strings"
)

// match is a reference found at s[start:end].
type match struct {
	start, end int
	ref        Ref
}

// maxRefName bounds a label's, milestone's or user's name in a reference.
const maxRefName = 255

// scanRefs finds GitLab's references in a run of text, in order:
//
//	#1  !1  project#1  group/project#1  group/project!1
//	%title  %"title with spaces"  %1 (by iid)  ~label  ~"label with spaces"  ~1 (by id)
//	group/project~label  project%title (and the other forms, qualified)
//	@username  @group/subgroup  @all
//
// A reference starts after the start of the text or a character that
// cannot be part of a word or a path (so "a#1", "a@b.c", "\#1" and the
// "&#35;" entity are not references) and ends before a word character.
func scanRefs(s string) []match {
	var out []match
	for i := 0; i < len(s); {
		if i > 0 && !boundary(s[i-1]) {
			i++
			continue
		}
		if m, ok := scanAt(s, i); ok {
			out = append(out, m)
			i = m.end
			continue
		}
		i++
	}
	return out
}

// boundary reports whether a reference may start after c.
func boundary(c byte) bool {
	return !(isWord(c) || c == '&' || c == '\\' || c == '/' || c == '.' || c == '-' || c == '@' ||
		c == '#' || c == '!' || c == '%' || c == '~' || c == ':')
}

func isWord(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

func isPathChar(c byte) bool { return isWord(c) || c == '.' || c == '-' }

func scanAt(s string, i int) (match, bool) {
	c := s[i]
	switch {
	case c == '@':
		end := scanPath(s, i+1)
		if end == i+1 {
			return match{}, false
		}
		return match{i, end, Ref{Kind: KindUser, Name: s[i+1 : end], Original: s[i:end]}}, true
	case isWord(c):
		// A cross-project reference: a project path, then its sigil.
		end := scanPath(s, i)
		if end > i && end < len(s) {
			return scanSigil(s, i, end, s[i:end])
		}
		return match{}, false
	}
	return scanSigil(s, i, i, "")
}

// scanSigil reads the reference whose sigil (# ! % ~) is at sigil, of
// project (empty: the context project); the match starts at start.
func scanSigil(s string, start, sigil int, project string) (match, bool) {
	switch s[sigil] {
	case '#', '!':
		return scanNumbered(s, start, sigil, project)
	case '%', '~':
		kind := KindMilestone
		if s[sigil] == '~' {
			kind = KindLabel
		}
		if name, end, ok := scanName(s, sigil+1, kind == KindLabel); ok {
			return match{start, end, Ref{Kind: kind, Project: project, Name: name, Original: s[start:end]}}, true
		}
	}
	return match{}, false
}

// scanNumbered reads "#123" or "!123" at sigil; the match starts at start.
func scanNumbered(s string, start, sigil int, project string) (match, bool) {
	j := sigil + 1
	for j < len(s) && s[j] >= '0' && s[j] <= '9' {
		j++
	}
	if j == sigil+1 || j < len(s) && isWord(s[j]) {
		return match{}, false
	}
	iid, err := strconv.ParseInt(s[sigil+1:j], 10, 64)
	if err != nil || iid <= 0 {
		return match{}, false
	}
	kind := KindIssue
	if s[sigil] == '!' {
		kind = KindMergeRequest
	}
	return match{start, j, Ref{Kind: kind, Project: project, IID: iid, Original: s[start:j]}}, true
}

// scanPath reads a username or a project or group path at i: segments of
// word characters, dots and dashes joined by "/", not starting or ending
// with a dot or a dash. It returns where it ends (i if there is none).
func scanPath(s string, i int) int {
	end := i
	j := i
	for {
		k := j
		for k < len(s) && isPathChar(s[k]) {
			k++
		}
		seg := s[j:k]
		seg = strings.TrimRight(seg, ".-")
		if seg == "" || !isWord(seg[0]) {
			return end
		}
		end = j + len(seg)
		if end-i > maxRefName || end < k || k >= len(s) || s[k] != '/' {
			return min(end, i+maxRefName)
		}
		j = k + 1
	}
}

// scanName reads a milestone's or label's name after its sigil: quoted
// ("…", on one line) or bare. Bare label names are GitLab's
// [A-Za-z0-9_\-?.&]+; bare milestone names run to a space, a quote or
// "<". Either ends on a word character.
func scanName(s string, i int, label bool) (string, int, bool) {
	if i < len(s) && s[i] == '"' {
		end := strings.IndexAny(s[i+1:], "\"\n")
		if end <= 0 || s[i+1+end] != '"' || end > maxRefName {
			return "", 0, false
		}
		return s[i+1 : i+1+end], i + end + 2, true
	}
	j := i
	for j < len(s) && j-i < maxRefName {
		c := s[j]
		if label && !(isWord(c) || c == '-' || c == '?' || c == '.' || c == '&') ||
			!label && (c <= ' ' || c == '"' || c == '<' || c >= 0x80) {
			break
		}
		j++
	}
	for j > i && !isWord(s[j-1]) {
		j--
	}
	if j == i {
		return "", 0, false
	}
	return s[i:j], j, true
}
