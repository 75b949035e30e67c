package entitygen

import (
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
)

// call evaluates a call: a conversion, a builtin, an appender's function,
// a call made at run time (bool and number results, and string results
// the evaluator cannot follow), or an inlined call.
func (g *generator) call(fr *frame, e *ast.CallExpr) value {
	info := fr.pkg.TypesInfo
	fun := ast.Unparen(e.Fun)
	if tv := info.Types[fun]; tv.IsType() {
		return g.convert(fr, e, tv.Type)
	} else if tv.IsBuiltin() {
		return g.builtin(fr, e)
	}
	var fn *types.Func
	var recv ast.Expr
	switch f := fun.(type) {
	case *ast.Ident:
		fn, _ = info.Uses[f].(*types.Func)
	case *ast.SelectorExpr:
		if sel, ok := info.Selections[f]; ok {
			if sel.Kind() == types.MethodVal {
				fn, recv = sel.Obj().(*types.Func), f.X
			}
		} else {
			fn, _ = info.Uses[f.Sel].(*types.Func)
		}
	}
	if fn == nil {
		g.fail(e, "unsupported call of a function value")
	}
	sig := fn.Type().(*types.Signature)
	if sig.Results().Len() != 1 || sig.Variadic() || sig.TypeParams().Len() > 0 || sig.RecvTypeParams().Len() > 0 {
		g.fail(e, "unsupported call of %s: one result, no variadic or type parameters", fn.Name())
	}
	var recvVal value
	if recv != nil {
		recvVal = g.eval(fr, recv)
	}
	args := make([]value, len(e.Args))
	for i, a := range e.Args {
		args[i] = g.eval(fr, a)
	}
	argExprs := func() []ast.Expr {
		xs := make([]ast.Expr, len(args))
		for i, a := range args {
			xs[i] = g.expr(e.Args[i], a)
		}
		return xs
	}
	if a, ok := g.prog.appender(fn); ok {
		if _, isFunc := a.pkg.Scope().Lookup(a.name).(*types.Func); !isFunc || sig.Recv() != nil {
			g.fail(e, "%s: the appender %s is not a function of %s, or %s is a method", fn.Name(), a.name,
				a.pkg.Path(), fn.Name())
		}
		var fx ast.Expr = ident(a.name)
		what := ident(fn.Name())
		if a.pkg.Path() != g.prog.target.PkgPath {
			fx = &ast.SelectorExpr{X: ident(g.importName(a.pkg)), Sel: ident(a.name)}
			what.Name = fn.Pkg().Name() + "." + fn.Name()
		}
		xs := argExprs()
		return &appendVal{fn: fx, args: xs, what: callString(what, xs)}
	}
	res := sig.Results().At(0).Type()
	atRunTime := func() value {
		var fx ast.Expr
		if recv != nil {
			fx = &ast.SelectorExpr{X: primary(g.expr(recv, recvVal)), Sel: ident(fn.Name())}
		} else {
			fx = g.qualified(e, fn)
		}
		return runtimeVal{&ast.CallExpr{Fun: fx, Args: argExprs()}, res}
	}
	if isScalar(res) {
		return atRunTime()
	}
	src, ok := g.prog.source(fn)
	if !ok {
		if isString(res) {
			return atRunTime()
		}
		g.fail(e, "no source for %s", fn.FullName())
	}
	v, err := g.inline(src, fn, recvVal, args)
	if err != nil {
		if isString(res) {
			return atRunTime()
		}
		g.fail(e, "inlining %s: %v", fn.Name(), err)
	}
	return v
}

func (g *generator) builtin(fr *frame, e *ast.CallExpr) value {
	info := fr.pkg.TypesInfo
	switch name := ast.Unparen(e.Fun).(*ast.Ident).Name; name {
	case "new":
		if tv := info.Types[e.Args[0]]; tv.IsType() {
			return &ptrVal{zero(tv.Type)}
		}
		return &ptrVal{g.eval(fr, e.Args[0])}
	case "len":
		switch v := g.eval(fr, e.Args[0]).(type) {
		case runtimeVal:
			return runtimeVal{&ast.CallExpr{Fun: ident("len"), Args: []ast.Expr{v.x}}, info.TypeOf(e)}
		case *sliceVal:
			return constVal{constant.MakeInt64(int64(len(v.elems))), info.TypeOf(e)}
		}
	case "min", "max":
		args := make([]ast.Expr, len(e.Args))
		for i, a := range e.Args {
			args[i] = g.expr(a, g.eval(fr, a))
		}
		return runtimeVal{&ast.CallExpr{Fun: ident(name), Args: args}, info.TypeOf(e)}
	}
	g.fail(e, "unsupported use of builtin %s", exprString(e.Fun))
	return nil
}

// convert evaluates t(x).
func (g *generator) convert(fr *frame, e *ast.CallExpr, t types.Type) value {
	switch x := g.eval(fr, e.Args[0]).(type) {
	case runtimeVal:
		return runtimeVal{&ast.CallExpr{Fun: g.typeExpr(t), Args: []ast.Expr{x.x}}, t}
	case nilVal:
		return x
	case *concatVal, *appendVal, *condVal:
		if isString(t) {
			return x
		}
	case *structVal:
		if types.Identical(x.typ.Underlying(), t.Underlying()) {
			return &structVal{typ: t, fields: x.fields}
		}
	case *ptrVal:
		if types.Identical(fr.pkg.TypesInfo.TypeOf(e.Args[0]).Underlying(), t.Underlying()) {
			return x
		}
	}
	g.fail(e, "unsupported conversion %s", exprString(e))
	return nil
}

func (g *generator) composite(fr *frame, e *ast.CompositeLit) value {
	t := fr.pkg.TypesInfo.TypeOf(e)
	switch u := t.Underlying().(type) {
	case *types.Struct:
		sv := &structVal{typ: t, fields: map[int]value{}}
		for i, elt := range e.Elts {
			kv, ok := elt.(*ast.KeyValueExpr)
			if !ok {
				sv.fields[i] = g.eval(fr, elt)
				continue
			}
			name := kv.Key.(*ast.Ident).Name
			for j := range u.NumFields() {
				if u.Field(j).Name() == name {
					sv.fields[j] = g.eval(fr, kv.Value)
				}
			}
		}
		return sv
	case *types.Slice:
		sl := &sliceVal{typ: t}
		for _, elt := range e.Elts {
			if _, ok := elt.(*ast.KeyValueExpr); ok {
				g.fail(elt, "unsupported indexed slice literal")
			}
			sl.elems = append(sl.elems, g.eval(fr, elt))
		}
		return sl
	}
	g.fail(e, "unsupported composite literal of %s", t)
	return nil
}

// slice evaluates s[:len(s)-k], a string less a constant suffix: the
// one slicing an entity needs (web_url is http_url_to_repo less ".git").
func (g *generator) slice(fr *frame, e *ast.SliceExpr) value {
	info := fr.pkg.TypesInfo
	base := g.eval(fr, e.X)
	if hi, ok := e.High.(*ast.BinaryExpr); ok && e.Low == nil && !e.Slice3 && hi.Op == token.SUB {
		call, isCall := ast.Unparen(hi.X).(*ast.CallExpr)
		k := info.Types[hi.Y].Value
		if isCall && k != nil && len(call.Args) == 1 && isBuiltin(info, call.Fun, "len") &&
			same(g.eval(fr, call.Args[0]), base) {
			n, _ := constant.Int64Val(k)
			if c, ok := base.(*concatVal); ok {
				if last, ok := c.parts[len(c.parts)-1].(constVal); ok {
					if s := constant.StringVal(last.val); int64(len(s)) >= n && n >= 0 {
						parts := append(c.parts[:len(c.parts)-1:len(c.parts)-1],
							constVal{constant.MakeString(s[:len(s)-int(n)]), last.typ})
						return concat(parts...)
					}
				}
			}
		}
	}
	g.fail(e, "unsupported slice expression (only s[:len(s)-k] of a string ending in a constant)")
	return nil
}

func isBuiltin(info *types.Info, fun ast.Expr, name string) bool {
	id, ok := ast.Unparen(fun).(*ast.Ident)
	return ok && id.Name == name && info.Types[id].IsBuiltin()
}
