package entitygen

import (
	"bytes"
	"encoding/json"
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"unicode/utf8"
)

// The layout turns the specification's value into pieces of output, as
// encoding/json would write it (HTML escaping off): a literal where the
// value is a constant, the code that writes it where it is not.

// A piece is one of the types below.
type piece any

// litPiece is JSON text.
type litPiece string

// escPiece is a string, escaped (without quotes).
type escPiece struct{ x ast.Expr }

// callPiece is dst = fn(dst, args...), which appends what.
type callPiece struct {
	fn   ast.Expr
	args []ast.Expr
	what string
}

// branchPiece writes then when cond holds, else els.
type branchPiece struct {
	cond      ast.Expr
	then, els []piece
}

// markPiece records len(dst) in a variable (spans.go).
type markPiece struct{ id int }

// copyPiece copies what was written between two marks.
type copyPiece struct {
	from, to int
	what     string // a comment: what is copied
}

func (g *generator) lit(s string) []piece { return []piece{litPiece(s)} }

// value renders v, of type t; path names it in errors.
func (g *generator) value(t types.Type, v value, path string) []piece {
	if c, ok := v.(*condVal); ok {
		return []piece{&branchPiece{cond: c.cond, then: g.value(t, c.then, path), els: g.value(t, c.els, path)}}
	}
	if marshals(t) {
		g.fail(nil, "%s: %s has its own JSON encoding, which is not supported", path, t)
	}
	if _, ok := v.(nilVal); ok {
		return g.lit("null")
	}
	switch u := t.Underlying().(type) {
	case *types.Basic:
		return g.basic(u, v, path)
	case *types.Pointer:
		switch v := v.(type) {
		case *ptrVal:
			return g.value(u.Elem(), v.elem, path)
		case runtimeVal:
			elem := runtimeVal{&ast.StarExpr{X: v.x}, u.Elem()}
			if _, ok := u.Elem().Underlying().(*types.Struct); ok { // selectors dereference it
				elem.x = v.x
			}
			return []piece{&branchPiece{cond: binary(token.EQL, v.x, ident("nil")), then: g.lit("null"),
				els: g.value(u.Elem(), elem, path)}}
		}
	case *types.Struct:
		return g.object(t, v, path)
	case *types.Slice:
		switch v := v.(type) {
		case *sliceVal:
			out := g.lit("[")
			for i, e := range v.elems {
				if i > 0 {
					out = append(out, litPiece(","))
				}
				out = append(out, g.value(u.Elem(), e, path)...)
			}
			return append(out, litPiece("]"))
		case runtimeVal:
			if isString(u.Elem()) && !marshals(u.Elem()) {
				return []piece{callPiece{g.helper("appendJSONStrings"), []ast.Expr{v.x}, exprString(v.x)}}
			}
		}
	case *types.Interface: // the dynamic type of a constant or a literal
		switch v := v.(type) {
		case constVal:
			return g.value(types.Default(v.typ), v, path)
		case *structVal:
			return g.value(v.typ, v, path)
		case *sliceVal:
			return g.value(v.typ, v, path)
		}
	}
	g.fail(nil, "%s: cannot encode %T as %s", path, v, t)
	return nil
}

func (g *generator) basic(t *types.Basic, v value, path string) []piece {
	if c, ok := v.(constVal); ok {
		var x any
		switch {
		case t.Info()&types.IsFloat != 0:
			x, _ = constant.Float64Val(constant.ToFloat(c.val))
		case t.Info()&types.IsInteger != 0:
			return g.lit(constant.ToInt(c.val).ExactString())
		case t.Info()&types.IsString != 0:
			x = constant.StringVal(c.val)
		default:
			x = constant.BoolVal(c.val)
		}
		return g.lit(jsonText(x))
	}
	x, ok := v.(runtimeVal)
	switch {
	case t.Info()&types.IsString != 0:
		ps := append(append(g.lit(`"`), g.str(v, path)...), litPiece(`"`))
		if s := summarize(ps); s.bad {
			g.fail(nil, "%s: joins two strings with nothing between them; escaping them apart "+
				"could differ from escaping them joined", path)
		}
		return ps
	case !ok:
	case t.Info()&types.IsBoolean != 0:
		return []piece{callPiece{g.strconv("AppendBool"), []ast.Expr{g.as(x, types.Typ[types.Bool])}, exprString(x.x)}}
	case t.Info()&types.IsUnsigned != 0:
		return []piece{callPiece{g.strconv("AppendUint"), []ast.Expr{g.as(x, types.Typ[types.Uint64]), ten}, exprString(x.x)}}
	case t.Info()&types.IsInteger != 0:
		return []piece{callPiece{g.strconv("AppendInt"), []ast.Expr{g.as(x, types.Typ[types.Int64]), ten}, exprString(x.x)}}
	}
	g.fail(nil, "%s: cannot encode %T as %s", path, v, t)
	return nil
}

var ten = &ast.BasicLit{Value: "10"}

// as is x converted to t unless it is of type t.
func (g *generator) as(x runtimeVal, t types.Type) ast.Expr {
	if types.Identical(x.typ, t) {
		return x.x
	}
	return &ast.CallExpr{Fun: g.typeExpr(t), Args: []ast.Expr{x.x}}
}

// str renders a string value without its quotes.
func (g *generator) str(v value, path string) []piece {
	switch v := v.(type) {
	case constVal:
		s := constant.StringVal(v.val)
		if !utf8.ValidString(s) {
			g.fail(nil, "%s: a constant that is not UTF-8", path)
		}
		if s == "" {
			return nil
		}
		q := jsonText(s)
		return g.lit(q[1 : len(q)-1])
	case runtimeVal:
		return []piece{escPiece{g.as(v, types.Typ[types.String])}}
	case *appendVal:
		return []piece{callPiece{v.fn, v.args, v.what}}
	case *concatVal:
		var out []piece
		for _, p := range v.parts {
			out = append(out, g.str(p, path)...)
		}
		return out
	case *condVal:
		return []piece{&branchPiece{cond: v.cond, then: g.str(v.then, path), els: g.str(v.els, path)}}
	}
	g.fail(nil, "%s: cannot encode %T as a string", path, v)
	return nil
}

// strSummary says of a run of string pieces whether it may start or end
// with an escaped run-time string, whether it may be empty, and whether
// it joins two run-time strings with nothing between them. Escaping a+b
// is escaping a then b when the cut cannot split a UTF-8 sequence, which
// a constant (valid UTF-8) or an appender's ASCII on either side
// guarantees; two run-time strings side by side do not.
type strSummary struct{ start, end, empty, bad bool }

func summarize(ps []piece) strSummary {
	acc := strSummary{empty: true}
	for _, p := range ps {
		var s strSummary
		switch p := p.(type) {
		case escPiece:
			s = strSummary{start: true, end: true, empty: true}
		case callPiece:
			s = strSummary{empty: true}
		case *branchPiece:
			a, b := summarize(p.then), summarize(p.els)
			s = strSummary{start: a.start || b.start, end: a.end || b.end, empty: a.empty || b.empty, bad: a.bad || b.bad}
		}
		acc = strSummary{bad: acc.bad || s.bad || acc.end && s.start, start: acc.start || acc.empty && s.start,
			end: s.end || s.empty && acc.end, empty: acc.empty && s.empty}
	}
	return acc
}

// object renders a struct value: a *structVal, or a runtime struct whose
// fields the generated code reads.
func (g *generator) object(t types.Type, v value, path string) []piece {
	fields, err := jsonFields(t)
	if err != nil {
		g.fail(nil, "%s: %v", path, err)
	}
	out := g.lit("{")
	for i, f := range fields {
		fv := g.field(nil, v, t, f.index)
		ps, always := g.member(f, fv, i == 0, path+"."+f.name)
		if i == 0 && !always {
			g.fail(nil, "%s: the first member of an object may be left out, which is not supported", path)
		}
		out = append(out, ps...)
	}
	return append(out, litPiece("}"))
}

// member renders a member of an object, its key and its value, or
// nothing when omitempty leaves it out; always says it is never left out.
func (g *generator) member(f jsonField, v value, first bool, path string) (ps []piece, always bool) {
	key := `,"` + f.name + `":`
	if first {
		key = key[1:]
	}
	if !f.omitEmpty {
		return append(g.lit(key), g.value(f.typ, v, path)...), true
	}
	if c, ok := v.(*condVal); ok {
		then, a := g.member(f, c.then, first, path)
		els, b := g.member(f, c.els, first, path)
		if a && b {
			return append(g.lit(key), g.value(f.typ, v, path)...), true
		}
		return []piece{&branchPiece{cond: c.cond, then: then, els: els}}, false
	}
	empty, nonEmpty := g.emptiness(v, path)
	switch {
	case empty:
		return nil, false
	case nonEmpty == nil:
		return append(g.lit(key), g.value(f.typ, v, path)...), true
	}
	return []piece{&branchPiece{cond: nonEmpty, then: append(g.lit(key), g.value(f.typ, v, path)...)}}, false
}

// emptiness says whether v is empty as omitempty means it: known empty,
// known non-empty (nonEmpty nil), or not empty when nonEmpty holds.
func (g *generator) emptiness(v value, path string) (empty bool, nonEmpty ast.Expr) {
	switch v := v.(type) {
	case constVal:
		switch v.val.Kind() {
		case constant.String:
			return constant.StringVal(v.val) == "", nil
		case constant.Bool:
			return !constant.BoolVal(v.val), nil
		}
		return constant.Sign(v.val) == 0, nil
	case nilVal:
		return true, nil
	case *ptrVal, *structVal, *appendVal:
		return false, nil
	case *sliceVal:
		return len(v.elems) == 0, nil
	case *concatVal:
		for _, p := range v.parts {
			if _, ok := p.(constVal); ok {
				return false, nil
			}
		}
	case runtimeVal:
		switch u := v.typ.Underlying().(type) {
		case *types.Basic:
			switch {
			case u.Info()&types.IsBoolean != 0:
				return false, v.x
			case u.Info()&types.IsString != 0:
				return false, binary(token.NEQ, v.x, &ast.BasicLit{Value: `""`})
			}
			return false, binary(token.NEQ, v.x, &ast.BasicLit{Value: "0"})
		case *types.Pointer, *types.Interface:
			return false, binary(token.NEQ, v.x, ident("nil"))
		case *types.Slice, *types.Map:
			return false, binary(token.NEQ, &ast.CallExpr{Fun: ident("len"), Args: []ast.Expr{v.x}}, &ast.BasicLit{Value: "0"})
		case *types.Struct:
			return false, nil
		}
	}
	g.fail(nil, "%s: cannot tell whether omitempty leaves it out", path)
	return false, nil
}

// marshals reports whether t encodes itself (json.Marshaler or
// encoding.TextMarshaler).
func marshals(t types.Type) bool {
	if _, ok := t.(*types.Named); !ok {
		return false
	}
	for _, tt := range []types.Type{t, types.NewPointer(t)} {
		ms := types.NewMethodSet(tt)
		if ms.Lookup(nil, "MarshalJSON") != nil || ms.Lookup(nil, "MarshalText") != nil {
			return true
		}
	}
	return false
}

// jsonText is encoding/json's encoding of x, HTML escaping off.
func jsonText(x any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(x); err != nil {
		panic(err)
	}
	return string(bytes.TrimSuffix(b.Bytes(), []byte("\n")))
}
