package graphql

import (
	"encoding/json"
	"math"
	"slices"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
)

// GitLab scores a query with graphql-ruby's analyzer and its own field
// rules (app/graphql/types/base_field.rb, resolvers/base_resolver.rb):
//
//   - a field costs 1, plus 1 if it calls Gitaly, plus its selections;
//   - a field served by a resolver costs its selections plus the
//     resolver's complexity: 1, +1 with `sort`, +5 with `search`;
//   - a connection (graphql-ruby 2) multiplies what its items cost by its
//     page size (the larger of `first` and `last`, else the schema's
//     default_max_page_size, 100) and adds its metadata (pageInfo, count
//     and their selections) once;
//   - a connection with a resolver then grows by 1% a loaded item (the
//     smaller of `first`, `last` and 100), unless it selects by iid(s);
//   - selections of the same response key merge, an abstract type costs
//     what its costliest possible type costs.
//
// lablet's schema does not say which field has a resolver in GitLab: a
// connection or field taking arguments beyond the page ones has one
// (Project.issues, Query.projects…), one without (Issue.labels,
// Tree.blobs) has none, as in GitLab. Introspection (__schema, __type) is
// not scored: GitLab lets the standard introspection query through for
// everyone with a limit of its own.

const (
	defaultMaxPageSize = 100
	// complexityMultiplier is base_resolver.rb's 1% an item.
	complexityMultiplier = 0.01
)

// callsGitaly lists the fields GitLab declares `calls_gitaly: true`.
var callsGitaly = map[string]bool{
	"Repository.rootRef": true, "Repository.exists": true, "Repository.empty": true,
	"Repository.tree": true, "Repository.blobs": true,
	"Tree.blobs": true, "Tree.trees": true, "Tree.submodules": true, "Tree.lastCommit": true,
	"RepositoryBlob.rawBlob": true, "RepositoryBlob.rawTextBlob": true,
	"MergeRequest.diffStats": true, "MergeRequest.diffStatsSummary": true,
}

var pageArgs = []string{"after", "before", "first", "last"}

// sortedByDefault lists the fields whose GitLab resolver has a `sort`
// argument with a default (created_desc), which lablet's schema lacks:
// resolver_complexity counts it on every call.
var sortedByDefault = map[string]bool{"Project.issues": true, "Project.mergeRequests": true}

// scorer computes one operation's GitLab complexity.
type scorer struct {
	schema *ast.Schema
	vars   map[string]any
}

func gitlabComplexity(schema *ast.Schema, op *ast.OperationDefinition, vars map[string]any) int {
	s := scorer{schema: schema, vars: vars}
	root := schema.Query
	switch op.Operation {
	case ast.Mutation:
		root = schema.Mutation
	case ast.Subscription:
		root = schema.Subscription
	}
	if root == nil {
		return 0
	}
	return s.set(op.SelectionSet, root.Name)
}

// set scores a selection set on the type named typ.
func (s scorer) set(set ast.SelectionSet, typ string) int {
	def := s.schema.Types[typ]
	if def == nil || (def.Kind != ast.Interface && def.Kind != ast.Union) {
		return s.setOn(set, typ)
	}
	most := 0
	for _, t := range s.schema.GetPossibleTypes(def) {
		most = max(most, s.setOn(set, t.Name))
	}
	return most
}

// setOn scores set on the object type typ.
func (s scorer) setOn(set ast.SelectionSet, typ string) int {
	keys, fields := s.collect(set, typ)
	total := 0
	for _, k := range keys {
		total = satAdd(total, s.field(typ, fields[k]))
	}
	return total
}

// collect gathers the fields set selects on typ by response key, in order,
// through the fragments that apply to typ.
func (s scorer) collect(set ast.SelectionSet, typ string) ([]string, map[string][]*ast.Field) {
	var keys []string
	fields := map[string][]*ast.Field{}
	var walk func(ast.SelectionSet, int)
	walk = func(set ast.SelectionSet, depth int) {
		if depth > maxAuthenticatedDepth+1 {
			return // fragment cycles are refused by validation; stay finite anyway
		}
		for _, sel := range set {
			switch sel := sel.(type) {
			case *ast.Field:
				k := sel.Alias
				if k == "" {
					k = sel.Name
				}
				if _, ok := fields[k]; !ok {
					keys = append(keys, k)
				}
				fields[k] = append(fields[k], sel)
			case *ast.InlineFragment:
				if s.applies(sel.TypeCondition, typ) {
					walk(sel.SelectionSet, depth+1)
				}
			case *ast.FragmentSpread:
				if sel.Definition != nil && s.applies(sel.Definition.TypeCondition, typ) {
					walk(sel.Definition.SelectionSet, depth+1)
				}
			}
		}
	}
	walk(set, 0)
	return keys, fields
}

// applies reports whether a fragment on cond applies to the type typ.
func (s scorer) applies(cond, typ string) bool {
	if cond == "" || cond == typ {
		return true
	}
	c, t := s.schema.Types[cond], s.schema.Types[typ]
	if c == nil || t == nil {
		return false
	}
	if c.Kind == ast.Interface || c.Kind == ast.Union {
		return slices.ContainsFunc(s.schema.GetPossibleTypes(c), func(d *ast.Definition) bool { return d.Name == typ })
	}
	return false
}

// field scores the merged selections of one response key on typ.
func (s scorer) field(typ string, same []*ast.Field) int {
	f := same[0]
	if f.Name == "__schema" || f.Name == "__type" {
		return 0
	}
	if f.Definition == nil || f.Definition.Type == nil {
		return 1
	}
	var sub ast.SelectionSet
	for _, g := range same {
		sub = append(sub, g.SelectionSet...)
	}
	childType := f.Definition.Type.Name()
	child := 0
	if d := s.schema.Types[childType]; d != nil && (d.Kind == ast.Object || d.Kind == ast.Interface || d.Kind == ast.Union) {
		child = s.set(sub, childType)
	}
	gitaly := 0
	if callsGitaly[typ+"."+f.Name] {
		gitaly = 1
	}
	args := f.ArgumentMap(s.vars)
	if sortedByDefault[typ+"."+f.Name] && args["sort"] == nil {
		args["sort"] = "created_desc"
	}
	resolver := hasResolver(f.Definition)
	if typ == "Repository" && f.Name == "blobs" {
		// blobs_resolver.rb: each path asked for costs 1 more.
		paths, _ := args["paths"].([]any)
		gitaly += len(paths)
	}
	if s.isConnection(childType) {
		return s.connection(sub, childType, child, args, resolver, gitaly)
	}
	if resolver {
		return satAdd(child, resolverComplexity(args)+gitaly)
	}
	return satAdd(child, 1+gitaly)
}

// connection applies graphql-ruby's connection rule, then GitLab's.
func (s scorer) connection(sub ast.SelectionSet, typ string, child int, args map[string]any,
	resolver bool, extra int) int {
	first, hasFirst := intArg(args, "first")
	last, hasLast := intArg(args, "last")
	page := defaultMaxPageSize
	switch {
	case hasFirst && hasLast:
		page = max(first, last)
	case hasFirst:
		page = first
	case hasLast:
		page = last
	}
	metadata := 0
	keys, fields := s.collect(sub, typ)
	for _, k := range keys {
		g := fields[k][0]
		metadata++
		if g.Name != "nodes" && g.Name != "edges" {
			var inner ast.SelectionSet
			for _, h := range fields[k] {
				inner = append(inner, h.SelectionSet...)
			}
			innerKeys, _ := s.collect(inner, g.Definition.Type.Name())
			metadata += len(innerKeys)
		}
	}
	items := child - metadata
	subfields := satAdd(satMul(page, items), metadata)
	if !resolver {
		return satAdd(subfields, 1+extra)
	}
	c := float64(satAdd(subfields, resolverComplexity(args)+extra))
	if args["iid"] == nil && args["iids"] == nil {
		limit := defaultMaxPageSize
		if hasFirst {
			limit = min(limit, first)
		}
		if hasLast {
			limit = min(limit, last)
		}
		c += c * (float64(limit) * complexityMultiplier) // Ruby's order: the multiplier first
	}
	if c >= math.MaxInt32 {
		return math.MaxInt32
	}
	return int(c)
}

// resolverComplexity is base_resolver.rb's resolver_complexity.
func resolverComplexity(args map[string]any) int {
	c := 1
	if args["sort"] != nil {
		c++
	}
	if args["search"] != nil {
		c += 5
	}
	return c
}

// hasResolver tells a GitLab field served by a resolver: one that takes
// arguments beyond the page ones.
func hasResolver(def *ast.FieldDefinition) bool {
	for _, a := range def.Arguments {
		if !slices.Contains(pageArgs, a.Name) {
			return true
		}
	}
	return false
}

// isConnection reports a relay connection type (GitLab's are all named so).
func (s scorer) isConnection(typ string) bool {
	d := s.schema.Types[typ]
	return d != nil && d.Kind == ast.Object && strings.HasSuffix(typ, "Connection") &&
		d.Fields.ForName("pageInfo") != nil
}

func intArg(args map[string]any, name string) (int, bool) {
	switch v := args[name].(type) {
	case int:
		return v, true
	case int64:
		return int(v), true
	case float64:
		return int(v), true
	case json.Number: // variables keep JSON's numbers (handler.go)
		if n, err := v.Int64(); err == nil {
			return int(n), true
		}
	}
	return 0, false
}

func satAdd(a, b int) int {
	if c := a + b; c >= a || b < 0 {
		return c
	}
	return math.MaxInt32
}

func satMul(a, b int) int {
	if a < 0 || b <= 0 {
		return 0
	}
	if a > math.MaxInt32/b {
		return math.MaxInt32
	}
	return a * b
}
