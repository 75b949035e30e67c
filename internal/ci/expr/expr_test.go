package expr

import (
	"fmt"
	"strings"
	"testing"
)

// specVariables are the variables of GitLab's statement_spec.rb.
var specVariables = map[string]string{
	"PRESENT_VARIABLE":   "my variable",
	"PATH_VARIABLE":      "a/path/variable/value",
	"FULL_PATH_VARIABLE": "/a/full/path/variable/value",
	"EMPTY_VARIABLE":     "",
}

func lookupIn(vars map[string]string) func(string) (string, bool) {
	return func(name string) (string, bool) {
		v, ok := vars[name]
		return v, ok
	}
}

// ruby renders a value as the spec's expectations are written: nil,
// true/false, or the string.
func ruby(v value) any {
	switch v.kind {
	case kindNull:
		return nil
	case kindBool:
		return v.b
	case kindRegexp:
		return "/" + v.str + "/"
	}
	return v.str
}

// TestEvaluateValue holds the value of each expression of GitLab's
// Statement#evaluate table (statement_spec.rb) before the final
// truthiness test: && and || yield an operand, as in Ruby.
func TestEvaluateValue(t *testing.T) {
	for _, tc := range []struct {
		expr string
		want any
	}{
		{`$PRESENT_VARIABLE == "my variable"`, true},
		{`"my variable" == $PRESENT_VARIABLE`, true},
		{`$PRESENT_VARIABLE == null`, false},
		{`$EMPTY_VARIABLE == null`, false},
		{`"" == $EMPTY_VARIABLE`, true},
		{`$EMPTY_VARIABLE`, ""},
		{`$UNDEFINED_VARIABLE == null`, true},
		{`null == $UNDEFINED_VARIABLE`, true},
		{`$PRESENT_VARIABLE`, "my variable"},
		{`$UNDEFINED_VARIABLE`, nil},
		{`$PRESENT_VARIABLE =~ /var.*e$/`, true},
		{`$PRESENT_VARIABLE =~ /va\r.*e$/`, false},
		{`$PRESENT_VARIABLE =~ /va\/r.*e$/`, false},
		{`$PRESENT_VARIABLE =~ /^var.*/`, false},
		{`$EMPTY_VARIABLE =~ /var.*/`, false},
		{`$UNDEFINED_VARIABLE =~ /var.*/`, false},
		{`$PRESENT_VARIABLE =~ /VAR.*/i`, true},
		{`$PATH_VARIABLE =~ /path\/variable/`, true},
		{`$FULL_PATH_VARIABLE =~ /^\/a\/full\/path\/variable\/value$/`, true},
		{`$FULL_PATH_VARIABLE =~ /\\/path\\/variable\\/value$/`, true},
		{`$PRESENT_VARIABLE != "my variable"`, false},
		{`"my variable" != $PRESENT_VARIABLE`, false},
		{`$PRESENT_VARIABLE != null`, true},
		{`$EMPTY_VARIABLE != null`, true},
		{`"" != $EMPTY_VARIABLE`, false},
		{`$UNDEFINED_VARIABLE != null`, false},
		{`null != $UNDEFINED_VARIABLE`, false},
		{`$PRESENT_VARIABLE !~ /var.*e$/`, false},
		{`$PRESENT_VARIABLE !~ /^var.*/`, true},
		{`$PRESENT_VARIABLE !~ /^v\ar.*/`, true},
		{`$PRESENT_VARIABLE !~ /^v\/ar.*/`, true},
		{`$EMPTY_VARIABLE !~ /var.*/`, true},
		{`$UNDEFINED_VARIABLE !~ /var.*/`, true},
		{`$PRESENT_VARIABLE !~ /VAR.*/i`, false},

		{`$PRESENT_VARIABLE && "string"`, "string"},
		{`$PRESENT_VARIABLE && $PRESENT_VARIABLE`, "my variable"},
		{`$PRESENT_VARIABLE && $EMPTY_VARIABLE`, ""},
		{`$PRESENT_VARIABLE && null`, nil},
		{`"string" && $PRESENT_VARIABLE`, "my variable"},
		{`$EMPTY_VARIABLE && $PRESENT_VARIABLE`, "my variable"},
		{`null && $PRESENT_VARIABLE`, nil},
		{`$EMPTY_VARIABLE && "string"`, "string"},
		{`$EMPTY_VARIABLE && $EMPTY_VARIABLE`, ""},
		{`"string" && $EMPTY_VARIABLE`, ""},
		{`"string" && null`, nil},
		{`null && "string"`, nil},
		{`"string" && "string"`, "string"},
		{`null && null`, nil},

		{`$PRESENT_VARIABLE =~ /my var/ && $EMPTY_VARIABLE =~ /nope/`, false},
		{`$EMPTY_VARIABLE == "" && $PRESENT_VARIABLE`, "my variable"},
		{`$EMPTY_VARIABLE == "" && $PRESENT_VARIABLE != "nope"`, true},
		{`$PRESENT_VARIABLE && $UNDEFINED_VARIABLE`, nil},
		{`$UNDEFINED_VARIABLE && $EMPTY_VARIABLE`, nil},
		{`$UNDEFINED_VARIABLE && $PRESENT_VARIABLE`, nil},

		{`$FULL_PATH_VARIABLE =~ /^\/a\/full\/path\/variable\/value$/ && $PATH_VARIABLE =~ /path\/variable/`, true},
		{`$FULL_PATH_VARIABLE =~ /^\/a\/bad\/path\/variable\/value$/ && $PATH_VARIABLE =~ /path\/variable/`, false},
		{`$FULL_PATH_VARIABLE =~ /^\/a\/full\/path\/variable\/value$/ && $PATH_VARIABLE =~ /bad\/path\/variable/`, false},
		{`$FULL_PATH_VARIABLE =~ /^\/a\/bad\/path\/variable\/value$/ && $PATH_VARIABLE =~ /bad\/path\/variable/`, false},
		{`$FULL_PATH_VARIABLE =~ /^\/a\/full\/path\/variable\/value$/ || $PATH_VARIABLE =~ /path\/variable/`, true},
		{`$FULL_PATH_VARIABLE =~ /^\/a\/bad\/path\/variable\/value$/ || $PATH_VARIABLE =~ /path\/variable/`, true},
		{`$FULL_PATH_VARIABLE =~ /^\/a\/full\/path\/variable\/value$/ || $PATH_VARIABLE =~ /bad\/path\/variable/`, true},
		{`$FULL_PATH_VARIABLE =~ /^\/a\/bad\/path\/variable\/value$/ || $PATH_VARIABLE =~ /bad\/path\/variable/`, false},

		{`$PRESENT_VARIABLE =~ /my var/ || $EMPTY_VARIABLE =~ /nope/`, true},
		{`$EMPTY_VARIABLE == "" || $PRESENT_VARIABLE`, true},
		{`$PRESENT_VARIABLE != "nope" || $EMPTY_VARIABLE == ""`, true},
		{`$PRESENT_VARIABLE && null || $EMPTY_VARIABLE == ""`, true},
		{`$PRESENT_VARIABLE || $UNDEFINED_VARIABLE`, "my variable"},
		{`$UNDEFINED_VARIABLE || $PRESENT_VARIABLE`, "my variable"},
		{`$UNDEFINED_VARIABLE == null || $PRESENT_VARIABLE`, true},
		{`$PRESENT_VARIABLE || $UNDEFINED_VARIABLE == null`, "my variable"},

		{`($PRESENT_VARIABLE)`, "my variable"},
		{`(($PRESENT_VARIABLE))`, "my variable"},
		{`(($PRESENT_VARIABLE && null) || $EMPTY_VARIABLE == "")`, true},
		{`($PRESENT_VARIABLE) && (null || $EMPTY_VARIABLE == "")`, true},
		{`("string" || "test") == "string"`, true},
		{`(null || ("test" == "string"))`, false},
		{`("string" == ("test" && "string"))`, true},
		{`("string" == ("test" || "string"))`, false},
		{`("string" == "test" || "string")`, "string"},
		{`("string" == ("string" || (("1" == "1") && ("2" == "3"))))`, true},
		// Single quotes, and the empty string literal.
		{`$PRESENT_VARIABLE == 'my variable'`, true},
		{`$EMPTY_VARIABLE == ''`, true},
	} {
		e, err := Parse(tc.expr)
		if err != nil {
			t.Errorf("Parse(%s): %v", tc.expr, err)
			continue
		}
		if got := ruby(e.value(lookupIn(specVariables))); got != tc.want {
			t.Errorf("%s = %#v, want %#v", tc.expr, got, tc.want)
		}
	}
}

// TestEvaluate holds GitLab's truthful? table: the answer rules:if uses.
func TestEvaluate(t *testing.T) {
	for expr, want := range map[string]bool{
		`$PRESENT_VARIABLE == "my variable"`: true,
		`$PRESENT_VARIABLE == 'no match'`:    false,
		`$UNDEFINED_VARIABLE == null`:        true,
		`$PRESENT_VARIABLE`:                  true,
		`$UNDEFINED_VARIABLE`:                false,
		`$EMPTY_VARIABLE`:                    false,
		`$PRESENT_VARIABLE =~ /var.*/`:       true,
		`$UNDEFINED_VARIABLE =~ /var.*/`:     false,
		`$PRESENT_VARIABLE !~ /var.*/`:       false,
		`$UNDEFINED_VARIABLE !~ /var.*/`:     true,
		// A blank string is false (ActiveSupport's present?).
		`$BLANK_VARIABLE`: false,
		// && yields its last operand, judged at the end.
		`$PRESENT_VARIABLE && $EMPTY_VARIABLE`: false,
	} {
		vars := map[string]string{"BLANK_VARIABLE": " \t"}
		for k, v := range specVariables {
			vars[k] = v
		}
		got, err := Evaluate(expr, lookupIn(vars))
		if err != nil || got != want {
			t.Errorf("Evaluate(%s) = %v, %v; want %v", expr, got, err, want)
		}
	}
	// An expression that does not parse is false, with the reason.
	if got, err := Evaluate(`$INVALID = 1`, lookupIn(specVariables)); got || err == nil {
		t.Errorf("Evaluate($INVALID = 1) = %v, %v; want false and an error", got, err)
	}
}

// TestPatternVariables holds statement_spec.rb's "variables have
// patterns": a variable holding /…/ on the right of =~ is a regexp, any
// other string a (reversed) substring test.
func TestPatternVariables(t *testing.T) {
	vars := lookupIn(map[string]string{
		"teststring": "abcde",
		"pattern1":   "/^ab.*/",
		"pattern2":   "/^at.*/",
		"caseless":   "/^AB/i",
		"escaped":    `/^a\/b$/`,
		"slashpath":  "a/b",
		"badpattern": "/ab(/",
		"longer":     "xxabcdexx",
	})
	for expr, want := range map[string]bool{
		`$teststring =~ "abcde"`:     true,
		`$teststring =~ $teststring`: true,
		`$teststring =~ $pattern1`:   true,
		`$teststring =~ $pattern2`:   false,
		`$teststring !~ $pattern2`:   true,
		`$teststring =~ $caseless`:   true,
		`$slashpath =~ $escaped`:     true,
		// Not a valid regexp: a plain string, which must contain the left.
		`"ab(" =~ $badpattern`:    true,
		`$teststring =~ $longer`:  true,
		`$longer =~ $teststring`:  false,
		`$teststring =~ "bcd"`:    false,
		`$teststring =~ null`:     false,
		`$teststring !~ null`:     true,
		`$teststring =~ $nothing`: false,
	} {
		got, err := Evaluate(expr, vars)
		if err != nil || got != want {
			t.Errorf("Evaluate(%s) = %v, %v; want %v", expr, got, err, want)
		}
	}
}

// inspect prints a tree as GitLab's parser_spec.rb does.
func inspect(n node) string {
	switch n := n.(type) {
	case variable:
		return "$" + n.name
	case literal:
		switch n.v.kind {
		case kindNull:
			return "null"
		case kindRegexp:
			return "/" + n.v.str + "/"
		}
		return fmt.Sprintf("%q", n.v.str)
	case binary:
		name := map[op]string{opEquals: "equals", opNotEquals: "not_equals", opMatches: "matches",
			opNotMatches: "not_matches", opAnd: "and", opOr: "or"}[n.op]
		return name + "(" + inspect(n.left) + ", " + inspect(n.right) + ")"
	}
	return "?"
}

// TestParseTree holds parser_spec.rb's trees: precedence, left
// associativity and parentheses.
func TestParseTree(t *testing.T) {
	for expr, want := range map[string]string{
		`$VAR1 == "123"`:                     `equals($VAR1, "123")`,
		`$VAR1 == "123" == $VAR2`:            `equals(equals($VAR1, "123"), $VAR2)`,
		`$VAR`:                               `$VAR`,
		`"some value"`:                       `"some value"`,
		`null`:                               `null`,
		`$VAR1 || $VAR2 && $VAR3`:            `or($VAR1, and($VAR2, $VAR3))`,
		`$VAR1 && $VAR2 || $VAR3`:            `or(and($VAR1, $VAR2), $VAR3)`,
		`$VAR1 && $VAR2 || $VAR3 && $VAR4`:   `or(and($VAR1, $VAR2), and($VAR3, $VAR4))`,
		`$VAR1 && ($VAR2 || $VAR3) && $VAR4`: `and(and($VAR1, or($VAR2, $VAR3)), $VAR4)`,
		`$VAR1 == "a" || $VAR2 == "b" && $VAR3 == "c" || $VAR4 == "d" && $VAR5 == "e"`:     `or(or(equals($VAR1, "a"), and(equals($VAR2, "b"), equals($VAR3, "c"))), and(equals($VAR4, "d"), equals($VAR5, "e")))`,
		`(($VAR1 == "a" || $VAR2 == "b") && $VAR3 == "c" || $VAR4 == "d") && $VAR5 == "e"`: `and(or(and(or(equals($VAR1, "a"), equals($VAR2, "b")), equals($VAR3, "c")), equals($VAR4, "d")), equals($VAR5, "e"))`,
		`$A =~ /ab/i != $B !~ /some .* \/ pattern/`:                                        `not_matches(not_equals(matches($A, /(?i)ab/), $B), /some .* / pattern/)`,
		"\t$VARIABLE\n":       `$VARIABLE`,
		`$a_1=="x"&&$B!=null`: `and(equals($a_1, "x"), not_equals($B, null))`,
	} {
		e, err := Parse(expr)
		if err != nil {
			t.Errorf("Parse(%s): %v", expr, err)
			continue
		}
		if got := inspect(e.root); got != want {
			t.Errorf("Parse(%s) = %s, want %s", expr, got, want)
		}
	}
}

// TestParseErrors holds the lexer's and parser's errors, worded as
// GitLab's.
func TestParseErrors(t *testing.T) {
	for expr, want := range map[string]string{
		``:                       "Empty parse tree",
		"  \t":                   "Empty parse tree",
		`()`:                     "Empty parse tree",
		`$V1 123 $V2`:            "Unknown lexeme found!",
		`$INVALID = 1`:           "Unknown lexeme found!",
		`$`:                      "Unknown lexeme found!",
		`${VAR}`:                 "Unknown lexeme found!",
		`$VAR == "unclosed`:      "Unknown lexeme found!",
		"$VAR == \"a\nb\"":       "Unknown lexeme found!",
		`$VAR =~ //`:             "Unknown lexeme found!",
		`$VAR =~ /x/`:            "Unknown lexeme found!", // GitLab's pattern lexeme needs two characters
		`$VAR =~ /pattern/x`:     "Unknown lexeme found!",
		`$VAR =~ /some ( thin/i`: "Invalid regular expression!",
		"$VAR =~ /" + strings.Repeat(`.{1000}`, 11) + "/": "Invalid regular expression!",
		`$VAR =~ /(?<=a)b/`: "Invalid regular expression!",
		`$VAR "text"`:       "Unreachable nodes in parse tree",
		`== "123"`:          "Invalid left operand",
		`$VAR ==`:           "Invalid left operand",
		`$VAR == (`:         "Unprocessable token found in parse tree: parenthesis_open",
		`$VAR2 == ("aa"`:    "Unprocessable token found in parse tree: parenthesis_open",
		`$VAR2 == ("aa"))`:  "Unmatched parenthesis",
		`$VAR2 == "aa")`:    "Unmatched parenthesis",
		`(($VAR2 == "aa")`:  "Unprocessable token found in parse tree: parenthesis_open",
		`($VAR2 == "aa"))`:  "Unmatched parenthesis",
		`nullnull`:          "Unreachable nodes in parse tree",
		`$A && && $B`:       "Invalid left operand",
	} {
		_, err := Parse(expr)
		e, ok := err.(*Error)
		if !ok || e.Msg != want {
			t.Errorf("Parse(%q) error = %v, want %q", expr, err, want)
		}
	}
}

// TestTooManyTokens holds GitLab's limit: 99 tokens parse, 100 do not.
func TestTooManyTokens(t *testing.T) {
	ok := "$A" + strings.Repeat(" && $A", 49) // 99 tokens
	if _, err := Parse(ok); err != nil {
		t.Errorf("99 tokens: %v", err)
	}
	if _, err := Parse(ok + " $A"); err == nil || err.Error() != "Too many tokens!" {
		t.Errorf("100 tokens: %v, want Too many tokens!", err)
	}
}

// TestNilLookup: without variables every variable is null.
func TestNilLookup(t *testing.T) {
	e, err := Parse(`$CI_COMMIT_TAG == null && $X != "y"`)
	if err != nil {
		t.Fatal(err)
	}
	if !e.Eval(nil) {
		t.Error("Eval(nil) = false, want true")
	}
}
