// Package expr is GitLab's CI/CD variable expression language: the
// conditions of rules:if, workflow:rules:if and only/except:variables
// ($VAR == "value", $VAR =~ /regexp/i, &&, ||, parentheses, null).
//
// It follows GitLab's lexer, parser and operators
// (lib/gitlab/ci/pipeline/expression): the same tokens, the same
// precedence, the same Ruby-flavoured values while evaluating (an operand
// is null, a string, a boolean or a regular expression; && and || yield
// one of their operands) and the same final truthiness (null, false and
// blank strings are false). Regular expressions are RE2, as in GitLab, so
// an untrusted pattern runs in linear time; unlike GitLab, a pattern
// compiling to more than 10000 instructions is refused, which bounds that
// time (no rule comes near).
package expr

import (
	"regexp"
	"strings"
	"unicode"
)

// Error is a syntax error, worded as GitLab's lexer and parser word it
// ("Unknown lexeme found!", "Unmatched parenthesis" …). GitLab's
// configuration check reports every one of them to the user as
// InvalidSyntax.
type Error struct {
	Msg string
}

func (e *Error) Error() string { return e.Msg }

// InvalidSyntax is the message GitLab's configuration validation gives
// for any expression that does not parse (rules:if, workflow:rules:if).
const InvalidSyntax = "Invalid expression syntax"

// Expression is a parsed expression, safe for concurrent use.
type Expression struct {
	root node
}

// Parse parses s. A syntax error is an *Error.
func Parse(s string) (*Expression, error) {
	toks, err := lex(s)
	if err != nil {
		return nil, err
	}
	if len(toks) == 0 {
		// GitLab's Statement refuses an expression without lexemes
		// before its parser would say the same.
		return nil, &Error{Msg: "Empty parse tree"}
	}
	root, err := parse(toks)
	if err != nil {
		return nil, err
	}
	return &Expression{root: root}, nil
}

// Eval evaluates the expression with the variables lookup finds; a
// variable lookup does not find is null. lookup may be nil (no variables).
func (e *Expression) Eval(lookup func(name string) (string, bool)) bool {
	return e.value(lookup).present()
}

// value is the expression's value before GitLab's final truthiness test.
func (e *Expression) value(lookup func(name string) (string, bool)) value {
	if lookup == nil {
		lookup = func(string) (string, bool) { return "", false }
	}
	return e.root.eval(lookup)
}

// Evaluate parses and evaluates s. GitLab treats an expression that does
// not parse as false; the error says why.
func Evaluate(s string, lookup func(name string) (string, bool)) (bool, error) {
	e, err := Parse(s)
	if err != nil {
		return false, err
	}
	return e.Eval(lookup), nil
}

// kind is the Ruby class an operand evaluates to in GitLab.
type kind uint8

const (
	kindNull kind = iota
	kindString
	kindBool
	kindRegexp
)

type value struct {
	kind kind
	str  string         // kindString; kindRegexp: its source
	b    bool           // kindBool
	re   *regexp.Regexp // kindRegexp
}

var null = value{kind: kindNull}

func str(s string) value   { return value{kind: kindString, str: s} }
func boolean(b bool) value { return value{kind: kindBool, b: b} }

// truthy is Ruby's truthiness, which && and || use: only nil and false
// are false, an empty string is true.
func (v value) truthy() bool {
	switch v.kind {
	case kindNull:
		return false
	case kindBool:
		return v.b
	}
	return true
}

// present is ActiveSupport's present?, GitLab's test of the whole
// expression: a blank string (empty or only white space) is false too.
func (v value) present() bool {
	if v.kind == kindString {
		return strings.TrimFunc(v.str, unicode.IsSpace) != ""
	}
	return v.truthy()
}

// equal is Ruby's == between two operands.
func equal(a, b value) bool {
	if a.kind != b.kind {
		return false
	}
	switch a.kind {
	case kindNull:
		return true
	case kindBool:
		return a.b == b.b
	}
	// Strings by content; GitLab's untrusted regexps by source.
	return a.str == b.str
}

// text is the string a value is matched as on the left of =~ (Ruby's
// to_s: nil is empty).
func (v value) text() string {
	switch v.kind {
	case kindNull:
		return ""
	case kindBool:
		if v.b {
			return "true"
		}
		return "false"
	}
	return v.str
}

// matches is GitLab's =~: the right operand is a regular expression, a
// string holding one ("/…/flags", from a variable), or else a plain
// string, in which case Ruby's String#scan makes it a substring test the
// other way round: the right operand contains the left one.
func matches(left, right value) bool {
	switch right.kind {
	case kindRegexp:
		return right.re.MatchString(left.text())
	case kindString:
		if re, err := compilePattern(right.str); err == nil {
			return re.MatchString(left.text())
		}
		return strings.Contains(right.str, left.text())
	}
	// null and false match nothing; GitLab fails on true (it is not a
	// pattern), and so does nothing here.
	return false
}
