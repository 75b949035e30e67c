package graphql

// Connection helpers of the content types: a page's edges, and a list
// loaded whole windowed into a connection's parts.

// edgesOf are a page's edges: each node with its cursor, from the page's
// offset.
func edgesOf[T, E any](w page, nodes []T, edge func(cursor string, node T) E) []E {
	out := make([]E, len(nodes))
	for i, n := range nodes {
		out[i] = edge(cursor(w.offset+i), n)
	}
	return out
}

// windowed is a list loaded whole, windowed: the page's nodes, their edges
// and the page info.
func windowed[T, E any](all []T, after, before *string, first, last *int,
	edge func(cursor string, node T) E) ([]T, []E, *PageInfo, error) {
	list, w, err := inMemory(all, after, before, first, last)
	if err != nil {
		return nil, nil, nil, err
	}
	return list, edgesOf(w, list, edge), pageInfo(w, len(list), w.offset+len(list) < len(all)), nil
}

// mapped renders each item.
func mapped[T, N any](items []T, node func(T) N) []N {
	out := make([]N, len(items))
	for i, it := range items {
		out[i] = node(it)
	}
	return out
}
