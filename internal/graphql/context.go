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

type loaderKey struct{}

// loader caches, per query, what several fields of one answer share, so
// that a list of projects is loaded once and not once per node.
type loader struct {
	mu    sync.Mutex
	repos map[int64]*service.ProjectRepo
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
