package entitygen

import (
	"go/ast"
	"go/constant"
	"go/parser"
	"go/token"
	"go/types"
)

// eval evaluates an expression of fr's function.
func (g *generator) eval(fr *frame, e ast.Expr) value {
	info := fr.pkg.TypesInfo
	if tv, ok := info.Types[e]; ok && tv.Value != nil {
		return constVal{tv.Value, tv.Type}
	}
	switch e := e.(type) {
	case *ast.ParenExpr:
		return g.eval(fr, e.X)
	case *ast.Ident:
		switch obj := info.ObjectOf(e).(type) {
		case *types.Nil:
			return nilVal{}
		case *types.Var:
			if v, ok := fr.vars[obj]; ok {
				return v
			}
			if obj.Parent() == obj.Pkg().Scope() {
				return runtimeVal{g.qualified(e, obj), obj.Type()}
			}
		}
	case *ast.SelectorExpr:
		if sel, ok := info.Selections[e]; ok {
			if sel.Kind() == types.FieldVal {
				return g.field(e, g.eval(fr, e.X), sel.Recv(), sel.Index())
			}
			break
		}
		if obj, ok := info.Uses[e.Sel].(*types.Var); ok { // a package's variable
			return runtimeVal{g.qualified(e, obj), obj.Type()}
		}
	case *ast.StarExpr:
		return g.deref(e, g.eval(fr, e.X))
	case *ast.UnaryExpr:
		return g.unary(fr, e)
	case *ast.BinaryExpr:
		return g.binary(fr, e)
	case *ast.CallExpr:
		return g.call(fr, e)
	case *ast.CompositeLit:
		return g.composite(fr, e)
	case *ast.SliceExpr:
		return g.slice(fr, e)
	}
	g.fail(e, "unsupported expression %s", exprString(e))
	return nil
}

// field selects the field at index (a path through embedded fields) of
// base, whose type is t.
func (g *generator) field(n ast.Node, base value, t types.Type, index []int) value {
	for len(index) > 0 {
		if c, ok := base.(*condVal); ok {
			return g.choose(c.cond, g.field(n, c.then, t, index), g.field(n, c.els, t, index))
		}
		if p, ok := t.Underlying().(*types.Pointer); ok {
			t = p.Elem()
			if _, ok := base.(runtimeVal); !ok { // a runtime selector dereferences itself
				base = g.deref(n, base)
				continue
			}
		}
		f := t.Underlying().(*types.Struct).Field(index[0])
		switch b := base.(type) {
		case *structVal:
			base = b.field(index[0])
		case runtimeVal:
			base = runtimeVal{&ast.SelectorExpr{X: primary(b.x), Sel: ident(f.Name())}, f.Type()}
		default:
			g.fail(n, "unsupported selection of field %s of %T", f.Name(), base)
		}
		t, index = f.Type(), index[1:]
	}
	return base
}

func (g *generator) deref(n ast.Node, v value) value {
	switch v := v.(type) {
	case *ptrVal:
		return v.elem
	case runtimeVal:
		return runtimeVal{&ast.StarExpr{X: v.x}, v.typ.Underlying().(*types.Pointer).Elem()}
	case *condVal:
		return g.choose(v.cond, g.deref(n, v.then), g.deref(n, v.els))
	case nilVal:
		g.fail(n, "dereferences nil")
	}
	g.fail(n, "unsupported dereference")
	return nil
}

func (g *generator) unary(fr *frame, e *ast.UnaryExpr) value {
	info := fr.pkg.TypesInfo
	switch e.Op {
	case token.AND: // a pointer to the value; which variable it points to does not matter
		if id, ok := ast.Unparen(e.X).(*ast.Ident); ok {
			if obj := info.ObjectOf(id); obj != nil {
				fr.addr[obj] = true
			}
		}
		return &ptrVal{g.eval(fr, e.X)}
	case token.NOT:
		return g.not(e, g.eval(fr, e.X))
	}
	x := g.expr(e.X, g.eval(fr, e.X))
	return runtimeVal{&ast.UnaryExpr{Op: e.Op, X: x}, info.TypeOf(e)}
}

func (g *generator) not(n ast.Node, v value) value {
	switch v := v.(type) {
	case constVal:
		return constVal{constant.UnaryOp(token.NOT, v.val, 0), v.typ}
	case *condVal:
		return g.choose(v.cond, g.not(n, v.then), g.not(n, v.els))
	}
	return runtimeVal{not(g.expr(n, v)), types.Typ[types.Bool]}
}

func (g *generator) binary(fr *frame, e *ast.BinaryExpr) value {
	info := fr.pkg.TypesInfo
	typ := info.TypeOf(e)
	switch e.Op {
	case token.LAND, token.LOR:
		// A constant operand decides or drops out.
		or := e.Op == token.LOR
		l := g.eval(fr, e.X)
		if c, ok := l.(constVal); ok {
			if constant.BoolVal(c.val) == or {
				return l
			}
			return g.eval(fr, e.Y)
		}
		r := g.eval(fr, e.Y)
		if c, ok := r.(constVal); ok {
			if constant.BoolVal(c.val) == or {
				return r
			}
			return l
		}
		return runtimeVal{binary(e.Op, g.expr(e.X, l), g.expr(e.Y, r)), typ}
	case token.EQL, token.NEQ:
		if info.Types[e.Y].IsNil() {
			return g.compareNil(e, g.eval(fr, e.X), e.Op)
		}
		if info.Types[e.X].IsNil() {
			return g.compareNil(e, g.eval(fr, e.Y), e.Op)
		}
	case token.ADD:
		if isString(typ) {
			return concat(g.eval(fr, e.X), g.eval(fr, e.Y))
		}
	}
	l, r := g.eval(fr, e.X), g.eval(fr, e.Y)
	return runtimeVal{binary(e.Op, g.expr(e.X, l), g.expr(e.Y, r)), typ}
}

func (g *generator) compareNil(n ast.Node, v value, op token.Token) value {
	isNil := func(b bool) value { return constVal{constant.MakeBool(b == (op == token.EQL)), types.Typ[types.Bool]} }
	switch v := v.(type) {
	case nilVal:
		return isNil(true)
	case *ptrVal, *sliceVal:
		return isNil(false)
	case runtimeVal:
		return runtimeVal{binary(op, v.x, ident("nil")), types.Typ[types.Bool]}
	case *condVal:
		return g.choose(v.cond, g.compareNil(n, v.then, op), g.compareNil(n, v.els, op))
	}
	g.fail(n, "unsupported comparison with nil")
	return nil
}

// expr is v as an expression of the generated code; n is where v comes
// from, for errors.
func (g *generator) expr(n ast.Node, v value) ast.Expr {
	switch v := v.(type) {
	case runtimeVal:
		return v.x
	case constVal:
		return constExpr(v.val)
	case nilVal:
		return ident("nil")
	case *condVal: // of bools: (c && a) || (!c && b)
		a, b := g.expr(n, v.then), g.expr(n, v.els)
		return binary(token.LOR, binary(token.LAND, v.cond, a), binary(token.LAND, not(v.cond), b))
	}
	what := "a value"
	if x, ok := n.(ast.Expr); ok {
		what = exprString(x)
	}
	g.fail(n, "%s is needed at run time, where the generated code does not build it", what)
	return nil
}

// qualified names a package-level object in the generated code.
func (g *generator) qualified(n ast.Node, obj types.Object) ast.Expr {
	if obj.Pkg().Path() == g.prog.target.PkgPath {
		return ident(obj.Name())
	}
	if !obj.Exported() {
		g.fail(n, "refers to %s, which is not exported", obj.Name())
	}
	return &ast.SelectorExpr{X: ident(g.importName(obj.Pkg())), Sel: ident(obj.Name())}
}

// typeExpr writes t in the generated code.
func (g *generator) typeExpr(t types.Type) ast.Expr {
	x, err := parser.ParseExpr(types.TypeString(t, g.qualifier))
	if err != nil {
		panic(err)
	}
	return x
}
