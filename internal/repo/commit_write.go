package repo

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"
)

// writeCommit stores a commit object with the bytes `git commit-tree
// <tree> -p <parent>…` writes for these signatures and message (msg is
// written as given: callers end it with a newline, as commit-tree's stdin
// would), and returns its id. It is written directly as a loose object,
// which saves a git process per API commit; inputs whose handling by git is
// not reproduced here exactly (see commitObject) still go through git.
func (r *Repo) writeCommit(ctx context.Context, tree string, parents []string, author, committer Signature, msg string) (string, error) {
	if data, ok := commitObject(tree, parents, author, committer, msg); ok {
		oid, ok, err := r.writeLooseObject("commit", data)
		if ok {
			if err != nil {
				return "", fmt.Errorf("write commit: %w", err)
			}
			return oid, nil
		}
	}
	args := []string{"commit-tree", tree}
	for _, p := range parents {
		args = append(args, "-p", p)
	}
	out, err := gitCmd{dir: r.path, args: args, stdin: strings.NewReader(msg), env: []string{
		"GIT_AUTHOR_NAME=" + author.Name,
		"GIT_AUTHOR_EMAIL=" + author.Email,
		"GIT_AUTHOR_DATE=" + formatSignatureDate(author.Date),
		"GIT_COMMITTER_NAME=" + committer.Name,
		"GIT_COMMITTER_EMAIL=" + committer.Email,
		"GIT_COMMITTER_DATE=" + formatSignatureDate(committer.Date),
	}}.run(ctx)
	if err != nil {
		return "", fmt.Errorf("commit-tree: %w", err)
	}
	return strings.TrimSpace(string(out)), nil
}

// commitObject encodes a commit as git 2.39's commit-tree does in a
// repository without i18n.commitEncoding or commit signing (lablet sets
// neither; the global and system configs are not read): the headers, a
// blank line, then the message as read from stdin. ok is false for what git
// would treat specially, so that git handles it: a name git refuses
// (nothing but "crud"), a NUL (cannot be passed in the environment;
// commit-tree keeps it in the message), a date before 1970 (not the
// "@<seconds>" form git parses as is) and text that is not UTF-8 by git's
// rules (git then re-encodes it from Latin-1 and warns).
func commitObject(tree string, parents []string, author, committer Signature, msg string) ([]byte, bool) {
	if !isHexID(tree, 40) || len(tree) != 40 {
		return nil, false
	}
	for _, p := range parents {
		if !isHexID(p, 40) || len(p) != 40 {
			return nil, false
		}
	}
	a, ok := commitIdent(author)
	if !ok {
		return nil, false
	}
	c, ok := commitIdent(committer)
	if !ok || strings.IndexByte(msg, 0) >= 0 {
		return nil, false
	}
	var b strings.Builder
	b.Grow(len(msg) + 100 + 48*len(parents) + len(a) + len(c))
	b.WriteString("tree " + tree + "\n")
	for _, p := range parents {
		b.WriteString("parent " + p + "\n")
	}
	b.WriteString("author " + a + "\n")
	b.WriteString("committer " + c + "\n")
	b.WriteString("\n")
	b.WriteString(msg)
	if !gitValidUTF8(b.String()) {
		return nil, false
	}
	return []byte(b.String()), true
}

// commitIdent formats "Name <email> <seconds> <±hhmm>" as git's fmt_ident
// does with IDENT_STRICT from GIT_{AUTHOR,COMMITTER}_{NAME,EMAIL,DATE} set
// to s.Name, s.Email and formatSignatureDate(s.Date).
func commitIdent(s Signature) (string, bool) {
	if strings.IndexByte(s.Name, 0) >= 0 || strings.IndexByte(s.Email, 0) >= 0 {
		return "", false
	}
	name := withoutCrud(s.Name)
	if name == "" { // git dies: empty name or only disallowed characters
		return "", false
	}
	if s.Date.IsZero() || s.Date.Unix() < 0 {
		return "", false
	}
	_, off := s.Date.Zone()
	// git keeps whole minutes of the offset ("-0700" formatting, then
	// hours*60+minutes) and prints a zero offset as +0000.
	sign := byte('+')
	if off < 0 {
		sign, off = '-', -off
	}
	mins := off / 60
	if mins == 0 {
		sign = '+'
	}
	if mins/60 > 99 {
		return "", false
	}
	tz := fmt.Sprintf("%c%02d%02d", sign, mins/60, mins%60)
	return name + " <" + withoutCrud(s.Email) + "> " + strconv.FormatInt(s.Date.Unix(), 10) + " " + tz, true
}

// identCrud is git's ident.c crud(): characters trimmed from both ends of
// an ident's name and email.
func identCrud(c byte) bool {
	return c <= 32 || c == '.' || c == ',' || c == ':' || c == ';' || c == '<' || c == '>' ||
		c == '"' || c == '\\' || c == '\''
}

// withoutCrud is git's strbuf_addstr_without_crud: crud trimmed from both
// ends, then every '\n', '<' and '>' dropped.
func withoutCrud(s string) string {
	i, j := 0, len(s)
	for i < j && identCrud(s[i]) {
		i++
	}
	for j > i && identCrud(s[j-1]) {
		j--
	}
	s = s[i:j]
	if !strings.ContainsAny(s, "\n<>") {
		return s
	}
	b := make([]byte, 0, len(s))
	for k := 0; k < len(s); k++ { // bytes, as git: s need not be UTF-8
		if c := s[k]; c != '\n' && c != '<' && c != '>' {
			b = append(b, c)
		}
	}
	return string(b)
}

// gitValidUTF8 is git's find_invalid_utf8() finding nothing: valid UTF-8
// (no overlong forms, surrogates or code points past U+10FFFF, as Go's
// check) without the non-characters U+FDD0..U+FDEF and U+xxFFFE/U+xxFFFF,
// which git also counts as invalid.
func gitValidUTF8(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < utf8.RuneSelf {
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r&0xfffe == 0xfffe || (r >= 0xfdd0 && r <= 0xfdef) {
			return false
		}
		i += n - 1
	}
	return true
}

type statsKey struct{ repo, id string }

// rememberStats records a new commit's stats when every action created a
// file (each at a distinct path that did not exist, or the commit would
// have failed), as "diff-tree -r --root --numstat --no-renames" against
// its first parent counts them.
func (r *Repo) rememberStats(id string, actions []Action) {
	var st Stats
	for _, a := range actions {
		// Past core.bigFileThreshold (512 MiB) git calls any file binary.
		if a.Kind != ActionCreate || len(a.Content) >= 512<<20 {
			return
		}
		st.Additions += int64(numstatLines(a.Content))
	}
	// Attributes could make git treat a file as binary or text regardless
	// of its content; lablet writes none, but a repository that has some
	// keeps asking git.
	if _, err := os.Lstat(filepath.Join(r.path, "info", "attributes")); err == nil {
		return
	}
	r.cache.stats.Put(statsKey{r.path, id}, st)
}

// numstatLines is the count of added lines git's numstat gives a new
// file: 0 for binary content (a NUL in the first 8000 bytes, git's
// buffer_is_binary; numstat prints "-"), otherwise its lines, a last line
// without newline included (diff.c count_lines).
func numstatLines(b []byte) int {
	if bytes.IndexByte(b[:min(len(b), 8000)], 0) >= 0 || len(b) == 0 {
		return 0
	}
	n := bytes.Count(b, []byte{'\n'})
	if b[len(b)-1] != '\n' {
		n++
	}
	return n
}

// KnownCommitStats returns the stats of commits this server wrote and
// remembered (see rememberStats), the same as CommitStats would compute;
// ok is false unless every commit's stats are known.
func (r *Repo) KnownCommitStats(commits []*Commit) (map[string]Stats, bool) {
	out := make(map[string]Stats, len(commits))
	for _, c := range commits {
		st, ok := r.cache.stats.Get(statsKey{r.path, c.ID})
		if !ok {
			return nil, false
		}
		out[c.ID] = st
	}
	return out, true
}
