package expr

import (
	"regexp"
	"regexp/syntax"
	"strings"
)

// node is a parsed operand or operation.
type node interface {
	eval(lookup func(string) (string, bool)) value
}

type literal struct{ v value }

func (l literal) eval(func(string) (string, bool)) value { return l.v }

type variable struct{ name string }

func (v variable) eval(lookup func(string) (string, bool)) value {
	if s, ok := lookup(v.name); ok {
		return str(s)
	}
	return null
}

type binary struct {
	op          op
	left, right node
}

func (b binary) eval(lookup func(string) (string, bool)) value {
	switch b.op {
	case opAnd:
		if l := b.left.eval(lookup); !l.truthy() {
			return l
		}
		return b.right.eval(lookup)
	case opOr:
		if l := b.left.eval(lookup); l.truthy() {
			return l
		}
		return b.right.eval(lookup)
	}
	l, r := b.left.eval(lookup), b.right.eval(lookup)
	switch b.op {
	case opEquals:
		return boolean(equal(l, r))
	case opNotEquals:
		return boolean(!equal(l, r))
	case opMatches:
		return boolean(matches(l, r))
	}
	return boolean(!matches(l, r))
}

// parse turns tokens into a tree the way GitLab's parser does: the
// shunting-yard algorithm to reverse Polish notation, then a stack
// machine, failing with GitLab's messages in GitLab's order.
func parse(toks []token) (node, error) {
	rpn, err := toRPN(toks)
	if err != nil {
		return nil, err
	}
	var stack []node
	pop := func() node {
		if len(stack) == 0 {
			return nil
		}
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		return n
	}
	for _, t := range rpn {
		switch t.kind {
		case tokValue:
			n, err := build(t)
			if err != nil {
				return nil, err
			}
			stack = append(stack, n)
		case tokOperator:
			right, left := pop(), pop()
			if left == nil {
				return nil, &Error{Msg: "Invalid left operand"}
			}
			if right == nil {
				return nil, &Error{Msg: "Invalid right operand"}
			}
			stack = append(stack, binary{op: t.op, left: left, right: right})
		default: // an unclosed parenthesis
			return nil, &Error{Msg: "Unprocessable token found in parse tree: parenthesis_open"}
		}
	}
	switch {
	case len(stack) > 1:
		return nil, &Error{Msg: "Unreachable nodes in parse tree"}
	case len(stack) == 0:
		return nil, &Error{Msg: "Empty parse tree"}
	}
	return stack[0], nil
}

// toRPN is GitLab's tokens_rpn: an operator pops every stacked operator
// that binds at least as tightly (left associativity), a closing
// parenthesis pops down to its opening one.
func toRPN(toks []token) ([]token, error) {
	var out, ops []token
	popWhile := func(t token) {
		for len(ops) > 0 && t.precedence() >= ops[len(ops)-1].precedence() {
			out = append(out, ops[len(ops)-1])
			ops = ops[:len(ops)-1]
		}
	}
	for _, t := range toks {
		switch t.kind {
		case tokValue:
			out = append(out, t)
		case tokOperator:
			popWhile(t)
			ops = append(ops, t)
		case tokOpen:
			ops = append(ops, t)
		case tokClose:
			popWhile(t)
			if len(ops) == 0 {
				return nil, &Error{Msg: "Unmatched parenthesis"}
			}
			ops = ops[:len(ops)-1] // the opening parenthesis
		}
	}
	for i := len(ops) - 1; i >= 0; i-- {
		out = append(out, ops[i])
	}
	return out, nil
}

// build makes a value token's node; a pattern compiles here, as GitLab's
// Pattern lexeme does when the parser builds it.
func build(t token) (node, error) {
	switch t.val {
	case valVariable:
		return variable{name: t.text}, nil
	case valString:
		return literal{str(t.text)}, nil
	case valNull:
		return literal{null}, nil
	}
	re, err := compilePattern(t.text)
	if err != nil {
		return nil, &Error{Msg: "Invalid regular expression!"}
	}
	return literal{value{kind: kindRegexp, str: re.String(), re: re}}, nil
}

// rubySyntax is GitLab's UntrustedRegexp::RubySyntax::PATTERN, whose ^, $
// and . are Ruby's: lines, not the whole string.
var rubySyntax = regexp.MustCompile(`(?m)^/(.*)/([ismU]*)$`)

// compilePattern compiles "/source/flags" as GitLab does for a pattern
// lexeme or a variable's value on the right of =~: \/ is a slash, the
// flags become RE2's (?flags) prefix.
func compilePattern(s string) (*regexp.Regexp, error) {
	s = strings.ReplaceAll(s, `\/`, "/")
	m := rubySyntax.FindStringSubmatch(s)
	if m == nil {
		return nil, errBadPattern
	}
	src := m[1]
	if m[2] != "" {
		src = "(?" + m[2] + ")" + src
	}
	// Matching costs up to the text's length times the program's size;
	// a size cap keeps a hostile pattern from taking minutes over a long
	// variable (".{1000}" a hundred times over 100 kB took 80 s).
	re, err := syntax.Parse(src, syntax.Perl)
	if err != nil {
		return nil, err
	}
	prog, err := syntax.Compile(re.Simplify())
	if err != nil {
		return nil, err
	}
	if len(prog.Inst) > maxProgram {
		return nil, errBadPattern
	}
	return regexp.Compile(src)
}

// maxProgram bounds a pattern's compiled size, far above what rules
// write (a hundred branch names in an alternation stay below 3000).
const maxProgram = 10000

var errBadPattern = &Error{Msg: "Invalid regular expression!"}
