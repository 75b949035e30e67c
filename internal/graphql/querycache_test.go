package graphql

import (
	"context"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/vektah/gqlparser/v2/ast"
)

// TestQueryCacheBounds: a short query's document is kept, one longer than
// maxCachedQuery is not (it would let a caller fill the cache with large
// documents), and the cache holds at most its size.
func TestQueryCacheBounds(t *testing.T) {
	ctx := context.Background()
	c := queryCache{lru.New[*ast.QueryDocument](2)}
	doc := &ast.QueryDocument{}
	c.Add(ctx, "{ a }", doc)
	if got, ok := c.Get(ctx, "{ a }"); !ok || got != doc {
		t.Fatalf("short query not kept: %v %v", got, ok)
	}
	long := "{ " + strings.Repeat("a ", maxCachedQuery) + "}"
	c.Add(ctx, long, doc)
	if _, ok := c.Get(ctx, long); ok {
		t.Fatal("a query over maxCachedQuery was kept")
	}
	c.Add(ctx, "{ b }", doc)
	c.Add(ctx, "{ c }", doc)
	if _, ok := c.Get(ctx, "{ a }"); ok {
		t.Fatal("the cache grew past its size")
	}
}
