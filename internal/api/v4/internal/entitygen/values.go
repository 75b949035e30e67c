package entitygen

import (
	"bytes"
	"go/ast"
	"go/constant"
	"go/printer"
	"go/token"
	"go/types"
	"strconv"
)

// A value is what the evaluator knows of a Go value of the
// specification: one of the types below.
type value any

// constVal is a constant.
type constVal struct {
	val constant.Value
	typ types.Type
}

// nilVal is nil.
type nilVal struct{}

// runtimeVal is computed by the generated code: x is written in terms
// of the generated function's parameters.
type runtimeVal struct {
	x   ast.Expr
	typ types.Type
}

// concatVal is a string joined at run time from parts: constVal (never
// empty, never two in a row), runtimeVal, *appendVal and *condVal of
// strings.
type concatVal struct{ parts []value }

// appendVal is a string written by an appender, fn(dst, args...), which
// needs no escaping; what is the call of the specification it replaces.
type appendVal struct {
	fn   ast.Expr
	args []ast.Expr
	what string
}

// condVal is then when cond holds at run time, else els.
type condVal struct {
	cond      ast.Expr
	then, els value
}

// ptrVal points to elem; it is never nil. Pointers the specification
// builds are values here: it must not share them.
type ptrVal struct{ elem value }

// structVal is a struct of type typ; fields not in the map are zero.
type structVal struct {
	typ    types.Type
	fields map[int]value
}

// sliceVal is a slice literal (never nil).
type sliceVal struct {
	typ   types.Type
	elems []value
}

// field returns field i of s, zero when it was never set.
func (s *structVal) field(i int) value {
	if v, ok := s.fields[i]; ok {
		return v
	}
	return zero(s.typ.Underlying().(*types.Struct).Field(i).Type())
}

func (s *structVal) with(i int, v value) *structVal {
	c := &structVal{typ: s.typ, fields: make(map[int]value, len(s.fields)+1)}
	for k, f := range s.fields {
		c.fields[k] = f
	}
	c.fields[i] = v
	return c
}

// zero is t's zero value.
func zero(t types.Type) value {
	switch u := t.Underlying().(type) {
	case *types.Basic:
		switch {
		case u.Info()&types.IsString != 0:
			return constVal{constant.MakeString(""), t}
		case u.Info()&types.IsBoolean != 0:
			return constVal{constant.MakeBool(false), t}
		case u.Info()&types.IsInteger != 0:
			return constVal{constant.MakeInt64(0), t}
		case u.Info()&types.IsFloat != 0:
			return constVal{constant.MakeFloat64(0), t}
		}
		return nilVal{} // unsafe.Pointer
	case *types.Struct:
		return &structVal{typ: t, fields: map[int]value{}}
	case *types.Array:
		return &sliceVal{typ: t} // only ever rendered, and then refused
	}
	return nilVal{}
}

// same reports whether a and b are known to be the same value.
func same(a, b value) bool {
	switch a := a.(type) {
	case constVal:
		b, ok := b.(constVal)
		return ok && a.val.Kind() == b.val.Kind() && constant.Compare(a.val, token.EQL, b.val)
	case nilVal:
		_, ok := b.(nilVal)
		return ok
	case runtimeVal:
		b, ok := b.(runtimeVal)
		return ok && (a.x == b.x || exprString(a.x) == exprString(b.x))
	}
	return a == b
}

// concat joins string values, folding constants.
func concat(vs ...value) value {
	var parts []value
	add := func(v value) {
		if c, ok := v.(constVal); ok {
			s := constant.StringVal(c.val)
			if s == "" {
				return
			}
			if n := len(parts); n > 0 {
				if last, ok := parts[n-1].(constVal); ok {
					parts[n-1] = constVal{constant.MakeString(constant.StringVal(last.val) + s), last.typ}
					return
				}
			}
		}
		parts = append(parts, v)
	}
	for _, v := range vs {
		if c, ok := v.(*concatVal); ok {
			for _, p := range c.parts {
				add(p)
			}
		} else {
			add(v)
		}
	}
	switch len(parts) {
	case 0:
		return constVal{constant.MakeString(""), types.Typ[types.String]}
	case 1:
		return parts[0]
	}
	return &concatVal{parts: parts}
}

// Expressions of the generated code.

func exprString(x ast.Expr) string {
	var b bytes.Buffer
	if err := printer.Fprint(&b, token.NewFileSet(), x); err != nil {
		panic(err)
	}
	return b.String()
}

func ident(name string) *ast.Ident { return &ast.Ident{Name: name} }

// primary parenthesizes x unless it can be the operand of a selector.
func primary(x ast.Expr) ast.Expr {
	switch x.(type) {
	case *ast.Ident, *ast.SelectorExpr, *ast.CallExpr, *ast.IndexExpr, *ast.ParenExpr, *ast.BasicLit:
		return x
	}
	return &ast.ParenExpr{X: x}
}

// binary is x op y, parenthesizing operands that bind less tightly.
func binary(op token.Token, x, y ast.Expr) ast.Expr {
	paren := func(e ast.Expr, right bool) ast.Expr {
		if b, ok := e.(*ast.BinaryExpr); ok {
			if p := b.Op.Precedence(); p < op.Precedence() || right && p == op.Precedence() {
				return &ast.ParenExpr{X: e}
			}
		}
		return e
	}
	return &ast.BinaryExpr{X: paren(x, false), Op: op, Y: paren(y, true)}
}

// not is !x, simplified.
func not(x ast.Expr) ast.Expr {
	switch e := x.(type) {
	case *ast.BinaryExpr:
		switch e.Op {
		case token.EQL:
			return &ast.BinaryExpr{X: e.X, Op: token.NEQ, Y: e.Y}
		case token.NEQ:
			return &ast.BinaryExpr{X: e.X, Op: token.EQL, Y: e.Y}
		}
	case *ast.UnaryExpr:
		if e.Op == token.NOT {
			return e.X
		}
	case *ast.Ident:
		return &ast.UnaryExpr{Op: token.NOT, X: e}
	}
	return &ast.UnaryExpr{Op: token.NOT, X: primary(x)}
}

// constExpr writes a constant as a literal.
func constExpr(c constant.Value) ast.Expr {
	switch c.Kind() {
	case constant.Bool:
		return ident(strconv.FormatBool(constant.BoolVal(c)))
	case constant.String:
		return &ast.BasicLit{Kind: token.STRING, Value: strconv.Quote(constant.StringVal(c))}
	case constant.Int:
		return &ast.BasicLit{Kind: token.INT, Value: c.ExactString()}
	}
	f, _ := constant.Float64Val(c)
	return &ast.BasicLit{Kind: token.FLOAT, Value: strconv.FormatFloat(f, 'g', -1, 64)}
}

func isKind(t types.Type, info types.BasicInfo) bool {
	b, ok := t.Underlying().(*types.Basic)
	return ok && b.Info()&info != 0
}

func isString(t types.Type) bool { return isKind(t, types.IsString) }

// isScalar: a bool or a number, which the generated code computes with
// a call rather than inlining it.
func isScalar(t types.Type) bool { return isKind(t, types.IsBoolean|types.IsNumeric) }
