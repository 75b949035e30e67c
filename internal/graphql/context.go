package graphql

import (
	"context"
	"sync"

	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/service"
)

type callerKey struct{}

func withCaller(ctx context.Context, id *auth.Identity) context.Context {
	return context.WithValue(ctx, callerKey{}, id)
}

// callerOf is the request's caller; anonymous if none was set.
func callerOf(ctx context.Context) *auth.Identity {
	if id, ok := ctx.Value(callerKey{}).(*auth.Identity); ok {
		return id
	}
	return &auth.Identity{}
}

type baseURLKey struct{}

// withBaseURL records the server's URL as the request reached it (the
// configured external URL, else the request's host), as REST's links.
func withBaseURL(ctx context.Context, base string) context.Context {
	return context.WithValue(ctx, baseURLKey{}, base)
}

// view renders lablet's models for one request, with its base URL.
type view struct {
	r      *Resolver
	base   string
	l      *loader
	caller *auth.Identity
}

// at is the view of ctx's request.
func (r *Resolver) at(ctx context.Context) view {
	base, ok := ctx.Value(baseURLKey{}).(string)
	if !ok {
		base = r.externalURL
	}
	return view{r: r, base: base, l: loaderOf(ctx), caller: callerOf(ctx)}
}

type loaderKey struct{}

// loader caches, per query, what several fields of one answer share, so
// that a list of projects is loaded once and not once per node.
type loader struct {
	mu    sync.Mutex
	repos map[int64]*service.ProjectRepo
	calls map[string]int // fields GitLab answers for one object per request
	// users are the users the answer shows so far (gqlaudit_status.go).
	users userStatuses
	// emails are their addresses, read a batch at a time (gqlusers_emails.go).
	emails userEmails
	// memberships are their group and project memberships (gqlmember.go).
	memberships userMemberships
}

func withLoader(ctx context.Context) context.Context {
	return context.WithValue(ctx, loaderKey{}, &loader{repos: map[int64]*service.ProjectRepo{}})
}

func loaderOf(ctx context.Context) *loader {
	if l, ok := ctx.Value(loaderKey{}).(*loader); ok {
		return l
	}
	return &loader{repos: map[int64]*service.ProjectRepo{}}
}
