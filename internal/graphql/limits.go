package graphql

import (
	"context"
	"errors"
	"fmt"

	gql "github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/lablet/lablet/internal/service"
)

// GitLab's limits (doc/api/graphql/_index.md, "Limits";
// app/graphql/gitlab_schema.rb): complexity 200 for anonymous callers, 250
// for signed-in ones and 300 for administrators; depth 15 anonymous and 20
// signed in; a query (all of a multiplex's together) of at most 10,000
// characters (graphql_controller.rb).
const (
	maxComplexityAnonymous     = 200
	maxComplexityAuthenticated = 250
	maxComplexityAdmin         = 300
	maxDepth                   = 15
	maxAuthenticatedDepth      = 20
	maxQuerySize               = 10_000
)

// complexityStats is where the limits extension leaves the operation's
// score and limit for Query.queryComplexity.
const complexityStats = "GitLabComplexity"

type complexityScore struct{ score, limit int }

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
	caller := callerOf(ctx)
	limit, deepest := maxComplexityAnonymous, maxDepth
	switch {
	case caller.Authenticated() && caller.User.IsAdmin:
		limit, deepest = maxComplexityAdmin, maxAuthenticatedDepth
	case caller.Authenticated():
		limit, deepest = maxComplexityAuthenticated, maxAuthenticatedDepth
	}
	if d := depth(rc.Operation.SelectionSet, rc.Doc.Fragments, 0); d > deepest {
		return gqlerror.Errorf("Query has depth of %d, which exceeds max depth of %d", d, deepest)
	}
	c := gitlabComplexity(l.es.Schema(), rc.Operation, rc.Variables)
	if c > limit {
		return gqlerror.Errorf("Query has complexity of %d, which exceeds max complexity of %d", c, limit)
	}
	rc.Stats.SetExtension(complexityStats, complexityScore{score: c, limit: limit})
	return nil
}

// depth is the operation's nesting depth: fields count, fragments don't.
func depth(set ast.SelectionSet, frags ast.FragmentDefinitionList, d int) int {
	if d > maxAuthenticatedDepth+1 {
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
	case errors.As(err, &ge) && ge.Err != nil:
		e.Message = ge.Err.Error() // a resolver's own words, without the path gqlgen wraps them in
	default:
		e.Message = fmt.Sprint(err)
	}
	return e
}
