package entitygen

import (
	"fmt"
	"go/ast"
	"go/constant"
	"go/printer"
	"go/token"
	"go/types"
	"slices"
	"strings"

	"golang.org/x/tools/go/packages"
)

// The evaluator runs the specification on symbolic values: the
// generated function's parameters are runtime values, and what the
// specification computes from them becomes expressions of them, string
// joins, and choices on conditions (an if without a return merges the
// two states; an if with one chooses between the two results). It
// handles straight-line code — assignments, var declarations, if/else,
// return — and panics with an *unsupportedError on anything else.

// frame is one function's variables while it is evaluated.
type frame struct {
	pkg  *packages.Package // types the function's body
	vars map[types.Object]value
	addr map[types.Object]bool // variables whose address was taken
}

func (f *frame) clone() *frame {
	c := &frame{pkg: f.pkg, vars: make(map[types.Object]value, len(f.vars)), addr: make(map[types.Object]bool)}
	for k, v := range f.vars {
		c.vars[k] = v
	}
	for k, v := range f.addr {
		c.addr[k] = v
	}
	return c
}

func (g *generator) fail(n ast.Node, format string, args ...any) {
	var pos token.Position
	if n != nil {
		pos = g.prog.fset.Position(n.Pos())
	}
	panic(&unsupportedError{pos: pos, msg: fmt.Sprintf(format, args...)})
}

// firstLine is the source of n's first line, for errors.
func (g *generator) firstLine(n ast.Node) string {
	var b strings.Builder
	if err := printer.Fprint(&b, g.prog.fset, n); err != nil {
		return fmt.Sprintf("%T", n)
	}
	line, _, _ := strings.Cut(b.String(), "\n")
	return line
}

// inline evaluates a call of fn with the given receiver (nil for a
// function) and arguments, or reports why it cannot.
func (g *generator) inline(src funcSource, fn *types.Func, recv value, args []value) (v value, err error) {
	if g.depth > 32 {
		g.fail(src.decl, "%s: calls nested too deep", fn.Name())
	}
	noted := len(g.inlined)
	defer func() {
		if r := recover(); r != nil {
			u, ok := r.(*unsupportedError)
			if !ok {
				panic(r)
			}
			g.inlined = g.inlined[:noted]
			err = u
		}
	}()
	g.depth++
	defer func() { g.depth-- }()
	fr := &frame{pkg: src.pkg, vars: map[types.Object]value{}, addr: map[types.Object]bool{}}
	info := src.pkg.TypesInfo
	if recv != nil {
		if names := src.decl.Recv.List[0].Names; len(names) == 1 {
			if obj := info.Defs[names[0]]; obj != nil {
				fr.vars[obj] = recv
			}
		}
	}
	i := 0
	for _, field := range src.decl.Type.Params.List {
		if len(field.Names) == 0 {
			i++
		}
		for _, n := range field.Names {
			if obj := info.Defs[n]; obj != nil {
				fr.vars[obj] = args[i]
			}
			i++
		}
	}
	v, ok := g.exec(fr, src.decl.Body.List)
	if !ok {
		g.fail(src.decl, "%s does not end in a return", fn.Name())
	}
	if !slices.Contains(g.inlined, fn.FullName()) {
		g.inlined = append(g.inlined, fn.FullName())
	}
	return v, nil
}

// exec runs stmts: it returns the value of the return statement they
// reach, or ok false when they end without one (fr then holds their
// effect).
func (g *generator) exec(fr *frame, stmts []ast.Stmt) (v value, ok bool) {
	for i, s := range stmts {
		rest := stmts[i+1:]
		switch s := s.(type) {
		case *ast.ReturnStmt:
			if len(s.Results) != 1 {
				g.fail(s, "return with %d results", len(s.Results))
			}
			return g.eval(fr, s.Results[0]), true
		case *ast.AssignStmt:
			g.assign(fr, s)
		case *ast.DeclStmt:
			g.declare(fr, s)
		case *ast.BlockStmt:
			return g.exec(fr, join(s.List, rest))
		case *ast.IfStmt:
			if s.Init != nil {
				if _, ret := g.exec(fr, []ast.Stmt{s.Init}); ret {
					g.fail(s.Init, "unsupported if initializer")
				}
			}
			var els []ast.Stmt
			switch e := s.Else.(type) {
			case *ast.BlockStmt:
				els = e.List
			case *ast.IfStmt:
				els = []ast.Stmt{e}
			}
			c := g.eval(fr, s.Cond)
			if k, isConst := c.(constVal); isConst { // the other branch is dead
				if constant.BoolVal(k.val) {
					return g.exec(fr, join(s.Body.List, rest))
				}
				return g.exec(fr, join(els, rest))
			}
			cond := g.expr(s.Cond, c)
			thenFr, elseFr := fr.clone(), fr.clone()
			if hasReturn(s.Body) || s.Else != nil && hasReturn(s.Else) {
				// Each branch runs on to its return.
				tv, tok := g.exec(thenFr, join(s.Body.List, rest))
				ev, eok := g.exec(elseFr, join(els, rest))
				if tok && eok {
					return g.choose(cond, tv, ev), true
				}
				if tok || eok {
					g.fail(s, "returns on one branch only")
				}
				g.merge(fr, cond, thenFr, elseFr)
				return nil, false
			}
			g.exec(thenFr, s.Body.List)
			g.exec(elseFr, els)
			g.merge(fr, cond, thenFr, elseFr)
		default:
			g.fail(s, "unsupported statement %s", g.firstLine(s))
		}
	}
	return nil, false
}

func join(a, b []ast.Stmt) []ast.Stmt { return append(a[:len(a):len(a)], b...) }

func hasReturn(n ast.Node) bool {
	found := false
	ast.Inspect(n, func(n ast.Node) bool {
		switch n.(type) {
		case *ast.ReturnStmt:
			found = true
		case *ast.FuncLit:
			return false
		}
		return !found
	})
	return found
}

// merge sets fr's variables to what they are after an if whose branches
// left thenFr and elseFr.
func (g *generator) merge(fr *frame, cond ast.Expr, thenFr, elseFr *frame) {
	for obj := range fr.vars {
		fr.vars[obj] = g.choose(cond, thenFr.vars[obj], elseFr.vars[obj])
	}
	for obj := range thenFr.addr {
		fr.addr[obj] = true
	}
	for obj := range elseFr.addr {
		fr.addr[obj] = true
	}
}

// choose is a when cond holds, else b; structs are chosen field by
// field, so that only what differs is a choice.
func (g *generator) choose(cond ast.Expr, a, b value) value {
	if same(a, b) {
		return a
	}
	switch a := a.(type) {
	case *structVal:
		if b, ok := b.(*structVal); ok && types.Identical(a.typ, b.typ) {
			c := &structVal{typ: a.typ, fields: map[int]value{}}
			for i := range a.typ.Underlying().(*types.Struct).NumFields() {
				_, inA := a.fields[i]
				_, inB := b.fields[i]
				if inA || inB {
					c.fields[i] = g.choose(cond, a.field(i), b.field(i))
				}
			}
			return c
		}
	case *ptrVal:
		if b, ok := b.(*ptrVal); ok {
			return &ptrVal{g.choose(cond, a.elem, b.elem)}
		}
	}
	return &condVal{cond: cond, then: a, els: b}
}

func (g *generator) assign(fr *frame, s *ast.AssignStmt) {
	if len(s.Lhs) != len(s.Rhs) {
		g.fail(s, "unsupported assignment of a multi-valued expression")
	}
	vals := make([]value, len(s.Rhs))
	for i, r := range s.Rhs {
		switch s.Tok {
		case token.DEFINE, token.ASSIGN:
			vals[i] = g.eval(fr, r)
		case token.ADD_ASSIGN:
			if !isString(fr.pkg.TypesInfo.TypeOf(s.Lhs[i])) {
				g.fail(s, "unsupported %s", s.Tok)
			}
			vals[i] = concat(g.eval(fr, s.Lhs[i]), g.eval(fr, r))
		default:
			g.fail(s, "unsupported %s", s.Tok)
		}
	}
	for i, l := range s.Lhs {
		g.store(fr, l, vals[i])
	}
}

func (g *generator) declare(fr *frame, s *ast.DeclStmt) {
	d := s.Decl.(*ast.GenDecl)
	switch d.Tok {
	case token.CONST: // their uses are constants to go/types
		return
	case token.VAR:
	default:
		g.fail(s, "unsupported %s declaration", d.Tok)
	}
	for _, spec := range d.Specs {
		vs := spec.(*ast.ValueSpec)
		if len(vs.Values) != 0 && len(vs.Values) != len(vs.Names) {
			g.fail(vs, "unsupported declaration of a multi-valued expression")
		}
		for i, n := range vs.Names {
			var v value
			if len(vs.Values) > 0 {
				v = g.eval(fr, vs.Values[i])
			} else {
				v = zero(fr.pkg.TypesInfo.Defs[n].Type())
			}
			g.store(fr, n, v)
		}
	}
}

// store assigns v to a local variable or to a field of one.
func (g *generator) store(fr *frame, lhs ast.Expr, v value) {
	info := fr.pkg.TypesInfo
	switch l := ast.Unparen(lhs).(type) {
	case *ast.Ident:
		if l.Name == "_" {
			return
		}
		obj, ok := info.ObjectOf(l).(*types.Var)
		if !ok || obj.Parent() == obj.Pkg().Scope() {
			g.fail(l, "assigns to %s, which is not a local variable", l.Name)
		}
		if fr.addr[obj] {
			g.fail(l, "assigns to %s after taking its address", l.Name)
		}
		fr.vars[obj] = v
		return
	case *ast.SelectorExpr:
		if sel, ok := info.Selections[l]; ok && sel.Kind() == types.FieldVal {
			base := g.eval(fr, l.X)
			g.store(fr, l.X, g.withField(l, base, sel.Recv(), sel.Index(), v))
			return
		}
	}
	g.fail(lhs, "unsupported assignment to %s", exprString(lhs))
}

// withField is base (of type t) with the field at index set to v.
func (g *generator) withField(n ast.Node, base value, t types.Type, index []int, v value) value {
	if p, ok := t.Underlying().(*types.Pointer); ok {
		pv, ok := base.(*ptrVal)
		if !ok {
			g.fail(n, "assigns through a pointer the specification did not build")
		}
		return &ptrVal{g.withField(n, pv.elem, p.Elem(), index, v)}
	}
	sv, ok := base.(*structVal)
	if !ok {
		g.fail(n, "assigns to a field of a struct the specification did not build")
	}
	if len(index) == 1 {
		return sv.with(index[0], v)
	}
	ft := t.Underlying().(*types.Struct).Field(index[0]).Type()
	return sv.with(index[0], g.withField(n, sv.field(index[0]), ft, index[1:], v))
}
