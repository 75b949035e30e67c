// Command entitygen writes a JSON encoder from an entity's specification;
// see package entitygen. go generate runs it in the package's directory:
//
//	//go:generate go run ./internal/entitygen/cmd/entitygen -spec fullProjectAt -nil perms -func appendProjectEntity -o project_encode_gen.go
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/lablet/lablet/internal/api/v4/internal/entitygen"
)

func main() {
	cfg, err := entitygen.ParseArgs(os.Args[1:])
	if err == nil {
		var src []byte
		if src, err = entitygen.Generate(cfg); err == nil {
			err = os.WriteFile(filepath.Join(cfg.Dir, cfg.Out), src, 0o644)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
