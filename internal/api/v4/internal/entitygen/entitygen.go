// Package entitygen writes a JSON encoder from an entity's specification,
// so that the two cannot drift.
//
// The specification is a Go function of the package that builds the
// entity struct from a row (-spec); encoding/json of what it returns is
// what the API answers. The generated function (-func) appends the same
// bytes straight from the row, without building the struct: no allocation
// and none of encoding/json's reflection. Change the struct or the
// function, run go generate, and the encoder follows; the package's tests
// compare the two byte for byte on random rows, and the committed file
// with a fresh run.
//
// The generator reads the specification with go/packages and evaluates it
// symbolically (eval.go): each field becomes a constant, an expression of
// the row or a composite of those — a string joined from parts, a choice
// on a condition. Calls are inlined when the callee's source is in the
// module; calls that return a bool or a number, and string calls the
// evaluator cannot follow, are made at run time. The struct's type gives
// the JSON layout as encoding/json derives it (layout.go). Constant runs
// of JSON are folded into single literals, and a run of escaped strings
// that recurs is escaped once and copied where it recurs (spans.go).
//
// The generated code calls the target package's appendJSONEscaped(dst,
// s), appendJSONString(dst, s) and appendJSONStrings(dst, ss), which write
// what encoding/json writes for a string (without, with its quotes) and a
// []string. A function of the module whose doc comment carries
//
//	//entitygen:appender appendX
//
// is written by appendX(dst, args...) instead of being inlined: appendX
// must append what the function returns, which must need no JSON
// escaping (timestamps, numbers).
package entitygen

import (
	"errors"
	"flag"
	"fmt"
	"go/token"
	"go/types"
	"io"
	"strings"
)

// Config says what to generate.
type Config struct {
	Dir  string   // the package's directory
	Spec string   // the function that builds the entity
	Func string   // the generated function
	Nil  []string // parameters of Spec fixed at nil in Func
	Out  string   // the generated file, relative to Dir
}

// ParseArgs reads a Config from a go:generate line's arguments; Dir is
// the current directory, where go generate runs.
func ParseArgs(args []string) (Config, error) {
	cfg := Config{Dir: "."}
	fs := flag.NewFlagSet("entitygen", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&cfg.Spec, "spec", "", "the function that builds the entity struct from a row")
	fs.StringVar(&cfg.Func, "func", "", "the name of the generated function")
	nils := fs.String("nil", "", "comma-separated parameters of -spec fixed at nil")
	fs.StringVar(&cfg.Out, "o", "", "the file to write, relative to the package")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if cfg.Spec == "" || cfg.Func == "" || cfg.Out == "" || fs.NArg() > 0 {
		return cfg, errors.New("usage: entitygen -spec fn -func name [-nil p,q] -o file.go")
	}
	if *nils != "" {
		cfg.Nil = strings.Split(*nils, ",")
	}
	return cfg, nil
}

// unsupportedError is a construct of the specification the generator
// cannot translate, where it is.
type unsupportedError struct {
	pos token.Position
	msg string
}

func (e *unsupportedError) Error() string {
	if !e.pos.IsValid() {
		return e.msg
	}
	return fmt.Sprintf("%s: %s", e.pos, e.msg)
}

// Generate returns the gofmt'ed source of the encoder cfg describes.
func Generate(cfg Config) (src []byte, err error) {
	prog, err := load(cfg.Dir, cfg.Out, cfg.Func)
	if err != nil {
		return nil, err
	}
	spec, ok := prog.target.Types.Scope().Lookup(cfg.Spec).(*types.Func)
	if !ok {
		return nil, fmt.Errorf("%s: no function %s", prog.target.PkgPath, cfg.Spec)
	}
	source, ok := prog.source(spec)
	if !ok {
		return nil, fmt.Errorf("%s: no source for %s", prog.target.PkgPath, cfg.Spec)
	}
	g := newGenerator(prog, cfg)
	defer func() {
		if r := recover(); r != nil {
			u, ok := r.(*unsupportedError)
			if !ok {
				panic(r)
			}
			err = fmt.Errorf("entitygen: %w", u)
		}
	}()
	return g.generate(spec, source)
}
