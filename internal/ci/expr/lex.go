package expr

import (
	"regexp"
	"strings"
)

// tokKind is a lexeme's role for the parser (GitLab's Lexeme.type).
type tokKind uint8

const (
	tokValue tokKind = iota
	tokOperator
	tokOpen
	tokClose
)

// op is a binary operator.
type op uint8

const (
	opEquals op = iota
	opNotEquals
	opMatches
	opNotMatches
	opAnd
	opOr
)

// precedence is GitLab's: a lower number binds tighter, as in Ruby.
// Comparisons are 10, && 11, || 12; the parentheses' numbers only make
// sure no operator pops them.
func (o op) precedence() int {
	switch o {
	case opAnd:
		return 11
	case opOr:
		return 12
	}
	return 10
}

const (
	precClose = 900
	precOpen  = 901
)

// valKind says which value lexeme a tokValue is.
type valKind uint8

const (
	valVariable valKind = iota
	valString
	valPattern
	valNull
)

type token struct {
	kind tokKind
	op   op
	val  valKind
	text string // variable name, string content or pattern source
}

func (t token) precedence() int {
	switch t.kind {
	case tokOpen:
		return precOpen
	case tokClose:
		return precClose
	}
	return t.op.precedence()
}

// maxTokens is GitLab's Lexer::MAX_TOKENS. Its loop scans at most that
// many times and complains when the input is not over by then, so an
// expression may hold one token fewer.
const maxTokens = 100

// patternLexeme is GitLab's Pattern::PATTERN: slashes around at least two
// characters, \/ escaping a slash, then RE2's flags. Go's leftmost-first
// matching picks the same match as Ruby's backtracking.
var patternLexeme = regexp.MustCompile(`^/(?:[^/]|\\/)+[^\\]/[ismU]*`)

// operators in GitLab's lexer order, after the value lexemes.
var operators = []struct {
	text string
	op   op
}{
	{"==", opEquals},
	{"=~", opMatches},
	{"!=", opNotEquals},
	{"!~", opNotMatches},
	{"&&", opAnd},
	{"||", opOr},
}

// lex splits s into tokens, trying GitLab's lexemes in GitLab's order at
// each position.
func lex(s string) ([]token, error) {
	var toks []token
	for range maxTokens {
		s = strings.TrimLeft(s, " \t\n\v\f\r") // Ruby's \s
		if s == "" {
			return toks, nil
		}
		t, n := scan(s)
		if n == 0 {
			return nil, &Error{Msg: "Unknown lexeme found!"}
		}
		toks = append(toks, t)
		s = s[n:]
	}
	return nil, &Error{Msg: "Too many tokens!"}
}

// scan reads one token at the start of s; n is 0 when none fits.
func scan(s string) (t token, n int) {
	switch s[0] {
	case '(':
		return token{kind: tokOpen}, 1
	case ')':
		return token{kind: tokClose}, 1
	case '$':
		if n := wordLen(s[1:]); n > 0 {
			return token{kind: tokValue, val: valVariable, text: s[1 : 1+n]}, 1 + n
		}
	case '"', '\'':
		// The content is the shortest run up to the same quote, on one
		// line (Ruby's . does not match a newline); no escapes.
		if end := strings.IndexAny(s[1:], string(s[0])+"\n"); end >= 0 && s[1+end] == s[0] {
			return token{kind: tokValue, val: valString, text: s[1 : 1+end]}, end + 2
		}
	case '/':
		if m := patternLexeme.FindString(s); m != "" {
			return token{kind: tokValue, val: valPattern, text: m}, len(m)
		}
	}
	if strings.HasPrefix(s, "null") {
		return token{kind: tokValue, val: valNull}, 4
	}
	for _, o := range operators {
		if strings.HasPrefix(s, o.text) {
			return token{kind: tokOperator, op: o.op}, len(o.text)
		}
	}
	return token{}, 0
}

// wordLen is the length of the run of Ruby \w characters (ASCII letters,
// digits, underscore) at the start of s.
func wordLen(s string) int {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '_' && (c < '0' || c > '9') && (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') {
			return i
		}
	}
	return len(s)
}
