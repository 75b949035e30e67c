package entitygen

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"path/filepath"
	"strings"

	"golang.org/x/tools/go/packages"
)

// program is the target package and the module's packages whose
// functions the specification calls, loaded from source as they are
// needed.
type program struct {
	fset      *token.FileSet
	dir       string
	module    string
	target    *packages.Package
	loaded    map[string]bool
	funcs     map[string]funcSource // by types.Func.FullName
	appenders map[string]appender   // by the FullName of the function they replace
}

// funcSource is a function's declaration and the package that types it.
type funcSource struct {
	decl *ast.FuncDecl
	pkg  *packages.Package
}

// appender writes what a function returns: pkg.name(dst, args...).
type appender struct {
	pkg  *types.Package
	name string
}

// stdAppenders are the standard library's appending twins.
var stdAppenders = map[string]string{
	"strconv.FormatInt":  "AppendInt",
	"strconv.FormatUint": "AppendUint",
	"strconv.FormatBool": "AppendBool",
}

const loadMode = packages.NeedName | packages.NeedFiles | packages.NeedSyntax | packages.NeedTypes |
	packages.NeedTypesInfo | packages.NeedModule

// load loads the package in dir. When it does not type-check, it is
// loaded again without the generated file out, which may be what breaks
// it (stale against a changed row type); the callers of fn then miss it,
// and only that is forgiven.
func load(dir, out, fn string) (*program, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	p := &program{fset: token.NewFileSet(), dir: abs, loaded: map[string]bool{},
		funcs: map[string]funcSource{}, appenders: map[string]appender{}}
	cfg := &packages.Config{Mode: loadMode, Dir: abs, Fset: p.fset}
	pkg, err := loadOne(cfg, ".")
	if err != nil {
		return nil, err
	}
	if len(pkg.Errors) > 0 {
		cfg.Overlay = map[string][]byte{filepath.Join(abs, out): []byte("package " + pkg.Name + "\n")}
		if pkg, err = loadOne(cfg, "."); err != nil {
			return nil, err
		}
		if err := typeErrors(pkg, "undefined: "+fn); err != nil {
			return nil, err
		}
	}
	if pkg.Module == nil {
		return nil, fmt.Errorf("%s is not in a module", pkg.PkgPath)
	}
	p.target, p.module = pkg, pkg.Module.Path
	p.index(pkg)
	return p, nil
}

func loadOne(cfg *packages.Config, pattern string) (*packages.Package, error) {
	pkgs, err := packages.Load(cfg, pattern)
	if err != nil {
		return nil, err
	}
	if len(pkgs) != 1 {
		return nil, fmt.Errorf("%s: %d packages", pattern, len(pkgs))
	}
	return pkgs[0], nil
}

// typeErrors reports pkg's errors but those whose message is forgiven.
// The build's own report (a list error) repeats the type errors.
func typeErrors(pkg *packages.Package, forgiven string) error {
	var msgs []string
	typed := false
	for _, e := range pkg.Errors {
		if e.Kind == packages.TypeError {
			typed = true
			if e.Msg != forgiven {
				msgs = append(msgs, e.Error())
			}
		}
	}
	for _, e := range pkg.Errors {
		if e.Kind != packages.TypeError && !typed {
			msgs = append(msgs, e.Error())
		}
	}
	if len(msgs) > 0 {
		return fmt.Errorf("%s does not type-check:\n%s", pkg.PkgPath, strings.Join(msgs, "\n"))
	}
	return nil
}

// index records pkg's function declarations and its appender directives.
func (p *program) index(pkg *packages.Package) {
	p.loaded[pkg.PkgPath] = true
	for _, f := range pkg.Syntax {
		for _, d := range f.Decls {
			decl, ok := d.(*ast.FuncDecl)
			if !ok || decl.Body == nil {
				continue
			}
			fn, ok := pkg.TypesInfo.Defs[decl.Name].(*types.Func)
			if !ok {
				continue
			}
			p.funcs[fn.FullName()] = funcSource{decl: decl, pkg: pkg}
			if decl.Doc == nil {
				continue
			}
			for _, c := range decl.Doc.List {
				if name, ok := strings.CutPrefix(c.Text, "//entitygen:appender "); ok {
					p.appenders[fn.FullName()] = appender{pkg: pkg.Types, name: strings.TrimSpace(name)}
				}
			}
		}
	}
}

// source returns fn's declaration, loading its package when it is one of
// the module's.
func (p *program) source(fn *types.Func) (funcSource, bool) {
	p.require(fn)
	s, ok := p.funcs[fn.FullName()]
	return s, ok
}

// appender returns the function that appends what fn returns.
func (p *program) appender(fn *types.Func) (appender, bool) {
	if fn.Pkg() != nil && fn.Pkg().Path() == "strconv" {
		if name, ok := stdAppenders[fn.FullName()]; ok {
			return appender{pkg: fn.Pkg(), name: name}, true
		}
	}
	p.require(fn)
	a, ok := p.appenders[fn.FullName()]
	return a, ok
}

// require loads fn's package from source when it is the module's.
func (p *program) require(fn *types.Func) {
	if fn.Pkg() == nil {
		return
	}
	path := fn.Pkg().Path()
	if p.loaded[path] || path != p.module && !strings.HasPrefix(path, p.module+"/") {
		return
	}
	p.loaded[path] = true
	pkg, err := loadOne(&packages.Config{Mode: loadMode, Dir: p.dir, Fset: p.fset}, path)
	if err == nil {
		err = typeErrors(pkg, "")
	}
	if err != nil {
		panic(&unsupportedError{msg: fmt.Sprintf("loading %s: %v", path, err)})
	}
	p.index(pkg)
}
