package graphql

import (
	"context"
	"errors"
	"fmt"

	"github.com/99designs/gqlgen/complexity"
	gql "github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/lablet/lablet/internal/service"
)

// GitLab's limits (doc/api/graphql/_index.md, "Limits"): complexity 200
// for anonymous callers and 250 for signed-in ones; depth 15.
const (
	maxComplexityAnonymous     = 200
	maxComplexityAuthenticated = 250
	maxDepth                   = 15
)

// limits refuses over-complex and over-deep operations before they run,
// with graphql-ruby's messages, which GitLab answers.
type limits struct{ es gql.ExecutableSchema }

var _ interface {
	gql.HandlerExtension
	gql.OperationContextMutator
} = &limits{}

func (*limits) ExtensionName() string { return "GitLabLimits" }

func (l *limits) Validate(es gql.ExecutableSchema) error {
	l.es = es
	return nil
}

func (l *limits) MutateOperationContext(ctx context.Context, rc *gql.OperationContext) *gqlerror.Error {
	// Introspection is open to everyone, as in GitLab: codegen tools
	// read the schema.
	rc.DisableIntrospection = false
	if rc.Operation == nil {
		return nil
	}
	if d := depth(rc.Operation.SelectionSet, rc.Doc.Fragments, 0); d > maxDepth {
		return gqlerror.Errorf("Query has depth of %d, which exceeds max depth of %d", d, maxDepth)
	}
	limit := maxComplexityAnonymous
	if callerOf(ctx).Authenticated() {
		limit = maxComplexityAuthenticated
	}
	if c := complexity.Calculate(ctx, l.es, rc.Operation, rc.Variables); c > limit {
		return gqlerror.Errorf("Query has complexity of %d, which exceeds max complexity of %d", c, limit)
	}
	return nil
}

// depth is the operation's nesting depth: fields count, fragments don't.
func depth(set ast.SelectionSet, frags ast.FragmentDefinitionList, d int) int {
	if d > maxDepth+1 {
		return d // deep enough to refuse; stops fragment cycles too
	}
	most := d
	for _, s := range set {
		switch s := s.(type) {
		case *ast.Field:
			most = max(most, depth(s.SelectionSet, frags, d+1))
		case *ast.InlineFragment:
			most = max(most, depth(s.SelectionSet, frags, d))
		case *ast.FragmentSpread:
			if f := frags.ForName(s.Name); f != nil {
				most = max(most, depth(f.SelectionSet, frags, d))
			}
		}
	}
	return most
}

// presentError words a resolver's failure in GitLab's shape: a missing or
// invisible resource is ResourceNotAvailable, a service refusal its
// message, anything unexpected a generic message (logged by the caller).
func presentError(ctx context.Context, err error) *gqlerror.Error {
	var ge *gqlerror.Error
	if errors.As(err, &ge) && ge.Err == nil {
		return ge
	}
	e := gql.DefaultErrorPresenter(ctx, err)
	var se *service.Error
	switch {
	case errors.As(err, &se) && (se.Kind == service.KindNotFound || se.Kind == service.KindForbidden ||
		se.Kind == service.KindUnauthorized || se.Kind == service.KindInsufficientScope):
		e.Message = msgNoAccess
	case errors.As(err, &se) && se.Kind != service.KindInternal:
		e.Message = se.Error()
	case errors.As(err, &se):
		e.Message = "Internal server error"
	default:
		e.Message = fmt.Sprint(err)
	}
	return e
}
