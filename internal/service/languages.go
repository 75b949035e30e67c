package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"path"
	"sort"
	"strings"

	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/repo"
	"github.com/lablet/lablet/internal/store"
)

// Languages (GET /projects/:id/languages): the share of each language in
// the bytes of the default branch's files, as Gitaly's CommitLanguages
// answers it from linguist. lablet knows languages by file extension
// (languageByExt, the detectable ones: programming and markup), skips
// vendored and documentation directories, and keeps the answer per
// (project, commit), so a repeated read runs no git.

// Language is one language's share of a project, in percent.
type Language struct {
	Name  string  `json:"name"`
	Share float64 `json:"share"`
}

// ProjectLanguages returns the languages of the project's default branch,
// largest share first; none for an empty repository.
func (s *Service) ProjectLanguages(ctx context.Context, id *auth.Identity, ref string) ([]Language, error) {
	pr, err := s.RepoForRead(ctx, id, ref)
	if err != nil {
		return nil, err
	}
	p := pr.Project
	if p.EmptyRepo || p.DefaultBranch == nil {
		return nil, nil
	}
	b, err := pr.Repo.Branch(*p.DefaultBranch)
	if errors.Is(err, repo.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("service: languages: %w", err)
	}
	q := s.db.Queries()
	if kept, err := q.ProjectLanguages(ctx, p.ID, b.Target); err == nil {
		var out []Language
		if json.Unmarshal([]byte(kept), &out) == nil {
			return out, nil
		}
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	files, err := pr.Repo.FileSizes(ctx, b.Target)
	if err != nil {
		return nil, fmt.Errorf("service: languages: %w", err)
	}
	out := languageShares(files)
	text, err := json.Marshal(out)
	if err != nil {
		return nil, err
	}
	if err := q.SaveProjectLanguages(ctx, p.ID, b.Target, string(text)); err != nil {
		return nil, err
	}
	return out, nil
}

// languageShares sums file sizes per language into percentages rounded
// to two decimals, largest first (ties by name).
func languageShares(files []repo.FileSize) []Language {
	bytes := map[string]int64{}
	var total int64
	for _, f := range files {
		if skippedLanguagePath(f.Path) {
			continue
		}
		lang := languageOf(f.Path)
		if lang == "" {
			continue
		}
		bytes[lang] += f.Size
		total += f.Size
	}
	out := make([]Language, 0, len(bytes))
	if total == 0 {
		return out
	}
	for name, n := range bytes {
		out = append(out, Language{Name: name, Share: math.Round(float64(n)*10000/float64(total)) / 100})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Share != out[j].Share {
			return out[i].Share > out[j].Share
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// skippedLanguagePath is linguist's vendored and documentation paths, in short.
func skippedLanguagePath(p string) bool {
	for _, dir := range []string{"vendor/", "node_modules/", "third_party/", "bower_components/", "doc/", "docs/",
		"Documentation/", ".git/"} {
		if strings.HasPrefix(p, dir) || strings.Contains(p, "/"+dir) {
			return true
		}
	}
	return strings.HasSuffix(p, ".min.js") || strings.HasSuffix(p, ".min.css")
}

func languageOf(p string) string {
	base := path.Base(p)
	if lang, ok := languageByName[base]; ok {
		return lang
	}
	return languageByExt[strings.ToLower(path.Ext(base))]
}

// languageByName names files known by their whole name.
var languageByName = map[string]string{
	"Makefile": "Makefile", "GNUmakefile": "Makefile", "Dockerfile": "Dockerfile", "Rakefile": "Ruby",
	"Gemfile": "Ruby", "CMakeLists.txt": "CMake", "Jenkinsfile": "Groovy",
}

// languageByExt maps extensions onto linguist's names of detectable
// (programming and markup) languages.
var languageByExt = map[string]string{
	".go": "Go", ".rb": "Ruby", ".py": "Python", ".js": "JavaScript", ".mjs": "JavaScript", ".cjs": "JavaScript",
	".jsx": "JavaScript", ".ts": "TypeScript", ".tsx": "TSX", ".vue": "Vue", ".java": "Java", ".kt": "Kotlin",
	".kts": "Kotlin", ".scala": "Scala", ".groovy": "Groovy", ".c": "C", ".h": "C", ".cc": "C++", ".cpp": "C++",
	".cxx": "C++", ".hpp": "C++", ".hh": "C++", ".cs": "C#", ".fs": "F#", ".m": "Objective-C", ".mm": "Objective-C++",
	".swift": "Swift", ".rs": "Rust", ".php": "PHP", ".pl": "Perl", ".pm": "Perl", ".sh": "Shell", ".bash": "Shell",
	".zsh": "Shell", ".ps1": "PowerShell", ".lua": "Lua", ".r": "R", ".jl": "Julia", ".ex": "Elixir", ".exs": "Elixir",
	".erl": "Erlang", ".hs": "Haskell", ".ml": "OCaml", ".clj": "Clojure", ".dart": "Dart", ".elm": "Elm",
	".html": "HTML", ".htm": "HTML", ".css": "CSS", ".scss": "SCSS", ".sass": "Sass", ".less": "Less",
	".haml": "Haml", ".erb": "HTML+ERB", ".tf": "HCL", ".hcl": "HCL", ".nix": "Nix",
	".zig": "Zig", ".v": "V", ".sv": "SystemVerilog", ".vhd": "VHDL", ".asm": "Assembly", ".s": "Assembly",
	".cmake": "CMake", ".mk": "Makefile", ".proto": "Protocol Buffer", ".svelte": "Svelte", ".tex": "TeX",
	".vim": "Vim Script", ".el": "Emacs Lisp", ".lisp": "Common Lisp", ".scm": "Scheme", ".rkt": "Racket",
	".coffee": "CoffeeScript", ".cr": "Crystal", ".nim": "Nim", ".d": "D", ".f90": "Fortran", ".pas": "Pascal",
	".bat": "Batchfile", ".cmd": "Batchfile", ".awk": "Awk", ".tcl": "Tcl", ".gd": "GDScript", ".sol": "Solidity",
}
