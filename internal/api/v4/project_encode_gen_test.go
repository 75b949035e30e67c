package v4

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/lablet/lablet/internal/api/v4/internal/entitygen"
)

// The committed encoder is what the generator writes from the
// specification now, run as project_encode.go's go:generate line says: a
// specification changed without go generate fails here (and, when the
// bytes change, in TestAppendProjectEntityMatchesEncodingJSON too).
func TestProjectEncoderIsGenerated(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("the generator loads packages with the go command")
	}
	t.Parallel()
	src, err := os.ReadFile("project_encode.go")
	if err != nil {
		t.Fatal(err)
	}
	const run = "//go:generate go run ./internal/entitygen/cmd/entitygen "
	var args []string
	for line := range strings.Lines(string(src)) {
		if rest, ok := strings.CutPrefix(line, run); ok {
			args = strings.Fields(rest)
		}
	}
	if args == nil {
		t.Fatalf("project_encode.go has no line %q", run)
	}
	cfg, err := entitygen.ParseArgs(args)
	if err != nil {
		t.Fatal(err)
	}
	got, err := entitygen.Generate(cfg)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(cfg.Out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s is stale: run go generate ./internal/api/v4\n%s", cfg.Out, firstDiff(want, got))
	}
}
