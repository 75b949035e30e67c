package config

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"
)

// ErrIncludeProjectNotFound is what an Include fetcher wraps when the
// project of a project include does not exist or may not be read.
var ErrIncludeProjectNotFound = errors.New("include project not found")

// includer expands include: recursively. Every included file counts
// against one limit, so a loop ends at the limit as it does in GitLab.
type includer struct {
	c     *compiler
	count int
}

// expand returns m with its includes merged under it: included files in
// order, then m itself on top (GitLab's deep_merge order).
func (in *includer) expand(ctx context.Context, m *Map, from Include) (*Map, error) {
	raw, ok := m.Get("include")
	if !ok {
		return m, nil
	}
	specs, err := in.specs(ctx, raw, from)
	if err != nil {
		return nil, err
	}
	merged := newMap()
	for _, inc := range specs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		in.count++
		if in.count > in.c.maxIncludes {
			return nil, fmt.Errorf("Maximum of %d nested includes are allowed!", in.c.maxIncludes)
		}
		sub, err := in.fetch(ctx, inc)
		if err != nil {
			return nil, err
		}
		if sub, err = in.expand(ctx, sub, inc); err != nil {
			return nil, err
		}
		merged = deepMerge(merged, sub)
	}
	own := m.clone()
	own.del("include")
	return deepMerge(merged, own), nil
}

func (in *includer) fetch(ctx context.Context, inc Include) (*Map, error) {
	if in.c.opts.Include == nil {
		return nil, errors.New(notFound(inc, nil))
	}
	data, err := in.c.opts.Include(ctx, inc)
	if err != nil {
		if errors.Is(err, ErrIncludeNotFound) || errors.Is(err, ErrIncludeProjectNotFound) {
			return nil, errors.New(notFound(inc, err))
		}
		return nil, fmt.Errorf("include %s `%s`: %w", inc.Kind, inc.File, err)
	}
	m, err := in.c.loader.load(data)
	switch {
	case errors.Is(err, errBlankInput):
		return nil, fmt.Errorf("%s is empty!", describe(inc))
	case errors.Is(err, errTooBig), errors.Is(err, errTooBigRaw):
		return nil, err
	case err != nil:
		return nil, fmt.Errorf("Included file `%s` does not have valid YAML syntax!", inc.File)
	}
	return m, nil
}

func describe(inc Include) string {
	switch inc.Kind {
	case "project":
		return fmt.Sprintf("Project `%s` file `%s`", inc.Project, inc.File)
	case "template":
		return fmt.Sprintf("Template file `%s`", inc.File)
	}
	return fmt.Sprintf("Local file `%s`", inc.File)
}

func notFound(inc Include, err error) string {
	switch {
	case inc.Kind == "project" && errors.Is(err, ErrIncludeProjectNotFound):
		return fmt.Sprintf("Project `%s` not found or access denied! Make sure any includes in the pipeline configuration are correctly defined.", inc.Project)
	case inc.Kind == "template":
		return fmt.Sprintf("Included file `%s` is empty or does not exist!", inc.File)
	}
	return describe(inc) + " does not exist!"
}

// specs normalises include: (a string, a hash, or an array of both) into
// the files to fetch, with rules evaluated and local files made relative
// to the including file's project.
func (in *includer) specs(ctx context.Context, raw any, from Include) ([]Include, error) {
	var items []any
	switch x := raw.(type) {
	case []any:
		items = x
	case string, *Map:
		items = []any{x}
	default:
		return nil, errors.New("include config should be a hash, a string or an array")
	}
	var out []Include
	for _, it := range items {
		got, err := in.spec(ctx, it, from)
		if err != nil {
			return nil, err
		}
		out = append(out, got...)
	}
	return out, nil
}

func (in *includer) spec(ctx context.Context, it any, from Include) ([]Include, error) {
	switch x := it.(type) {
	case string:
		loc := in.c.expandVars(x)
		if isURL(loc) {
			return nil, remoteRefused(loc)
		}
		return in.local(ctx, loc, from)
	case *Map:
		return in.hashSpec(ctx, x, from)
	}
	return nil, fmt.Errorf("Include `%s` needs to match exactly one accessor!", jsonOf(it))
}

func (in *includer) hashSpec(ctx context.Context, x *Map, from Include) ([]Include, error) {
	if rules, ok := x.Get("rules"); ok {
		run, err := in.c.includeRules(ctx, rules)
		if err != nil {
			return nil, err
		}
		if !run {
			return nil, nil
		}
	}
	accessors := 0
	for _, k := range []string{"local", "project", "template", "remote", "component", "artifact"} {
		if x.Has(k) {
			accessors++
		}
	}
	if accessors != 1 {
		return nil, fmt.Errorf("Include `%s` needs to match exactly one accessor!", jsonOf(x))
	}
	for _, k := range x.Keys() {
		switch k {
		case "local", "project", "file", "ref", "template", "remote", "component", "rules", "inputs", "cache", "integrity":
		default:
			return nil, fmt.Errorf("Include `%s` contains unknown keys: %s", jsonOf(x), k)
		}
	}
	str := func(k string) (string, error) {
		v, _ := x.Get(k)
		s, ok := v.(string)
		if !ok || s == "" {
			return "", fmt.Errorf("Include `%s` needs to match exactly one accessor!", jsonOf(x))
		}
		return in.c.expandVars(s), nil
	}
	switch {
	case x.Has("local"):
		s, err := str("local")
		if err != nil {
			return nil, err
		}
		return in.local(ctx, s, from)
	case x.Has("remote"):
		s, _ := str("remote")
		return nil, remoteRefused(s)
	case x.Has("template"):
		s, err := str("template")
		if err != nil {
			return nil, err
		}
		if !strings.HasSuffix(s, templateSuffix) {
			return nil, fmt.Errorf("Template file `%s` is not a valid location!", s)
		}
		return []Include{{Kind: "template", File: s}}, nil
	case x.Has("project"):
		p, err := str("project")
		if err != nil {
			return nil, err
		}
		ref := ""
		if x.Has("ref") {
			if ref, err = str("ref"); err != nil {
				return nil, err
			}
		}
		fv, _ := x.Get("file")
		files, ok := stringList(fv)
		if !ok || len(files) == 0 {
			return nil, fmt.Errorf("Include `%s` needs to match exactly one accessor!", jsonOf(x))
		}
		var out []Include
		for _, f := range files {
			f = strings.TrimPrefix(in.c.expandVars(f), "/")
			if err := yamlExt(f); err != nil {
				return nil, err
			}
			out = append(out, Include{Kind: "project", Project: p, Ref: ref, File: f})
		}
		return out, nil
	}
	return nil, fmt.Errorf("Include `%s` is not supported", jsonOf(x))
}

// local resolves a local include (wildcards against the ref's files); from
// a project-included file, local means that project at that ref.
func (in *includer) local(ctx context.Context, loc string, from Include) ([]Include, error) {
	loc = strings.TrimPrefix(loc, "/")
	mk := func(f string) Include {
		if from.Kind == "project" {
			return Include{Kind: "project", Project: from.Project, Ref: from.Ref, File: f}
		}
		return Include{Kind: "local", File: f}
	}
	if !strings.Contains(loc, "*") {
		if err := yamlExt(loc); err != nil {
			return nil, err
		}
		return []Include{mk(loc)}, nil
	}
	if in.c.opts.Files == nil || in.c.opts.Match == nil || from.Kind == "project" {
		return nil, nil
	}
	files, err := in.c.opts.Files(ctx)
	if err != nil {
		return nil, fmt.Errorf("include `%s`: %w", loc, err)
	}
	files = slices.Sorted(slices.Values(files)) // file order is the include order
	var out []Include
	for _, f := range files {
		if in.c.opts.Match(loc, f) && yamlExt(f) == nil {
			out = append(out, mk(f))
		}
	}
	return out, nil
}

func yamlExt(f string) error {
	switch path.Ext(f) {
	case ".yml", ".yaml":
		return nil
	}
	return fmt.Errorf("Included file `%s` does not have YAML extension!", f)
}

func isURL(s string) bool {
	return strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://")
}

func remoteRefused(loc string) error {
	return fmt.Errorf("Remote file `%s` could not be fetched: remote includes are not allowed on this instance", loc)
}

// jsonOf renders a value as GitLab renders an include location in messages.
func jsonOf(v any) string {
	b, err := json.Marshal(plain(v))
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// plain converts values to encoding/json's types (maps lose order).
func plain(v any) any {
	switch x := v.(type) {
	case *Map:
		out := make(map[string]any, x.Len())
		for _, k := range x.keys {
			out[k] = plain(x.vals[k])
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = plain(e)
		}
		return out
	case *ref:
		return x.String()
	}
	return v
}
