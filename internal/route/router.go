package route

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// Router serves a set of routes. It matches the request's escaped path
// segment by segment — so a %2F inside a segment never splits it, as
// GitLab's encoded ids and file paths need — preferring at every segment
// a literal over {name} over {name...}, and backtracking when a branch
// leads nowhere. A path that matches no route of the request's method is
// handed to NotFound: GitLab answers unknown routes with 404, never 405.
type Router struct {
	root   node
	routes []Route
	// NotFound answers what no route matches.
	NotFound http.Handler
}

type node struct {
	literal map[string]*node
	param   *node // {name}
	rest    *node // {name...}: one or more segments, then rest's children
	// methods holds the routes ending here by method.
	methods map[string]*entry
}

// entry is a route with the names of its wildcards in pattern order
// (routes sharing a node may name a wildcard differently).
type entry struct {
	*Route
	names []string
}

// maxSegments bounds the segments a path may have to be routed at all.
const maxSegments = 64

// New builds a Router over routes. Two routes with the same method and
// pattern, or malformed patterns, are an error.
func New(routes []Route, notFound http.Handler) (*Router, error) {
	rt := &Router{NotFound: notFound}
	for i := range routes {
		r := &routes[i]
		if r.Handler == nil {
			return nil, fmt.Errorf("route: %s %s has no handler", r.Method, r.Pattern)
		}
		segs, err := parsePattern(r.Pattern)
		if err != nil {
			return nil, err
		}
		n := &rt.root
		e := &entry{Route: r}
		for _, s := range segs {
			n = n.child(s)
			if s.kind != 'l' {
				e.names = append(e.names, s.text)
			}
		}
		if n.methods == nil {
			n.methods = map[string]*entry{}
		}
		if old, dup := n.methods[r.Method]; dup {
			return nil, fmt.Errorf("route: %s %s and %s serve the same paths", r.Method, r.Pattern, old.Pattern)
		}
		n.methods[r.Method] = e
	}
	rt.routes = routes
	return rt, nil
}

// Routes returns the routes served, in the order given.
func (rt *Router) Routes() []Route { return rt.routes }

type segment struct {
	kind byte // 'l'iteral, 'p'aram, 'r'est
	text string
}

func parsePattern(p string) ([]segment, error) {
	if !strings.HasPrefix(p, "/") {
		return nil, fmt.Errorf("route: pattern %q must start with /", p)
	}
	if p == "/{$}" || p == "/" {
		return nil, nil
	}
	var out []segment
	for _, s := range strings.Split(p[1:], "/") {
		switch {
		case s == "":
			return nil, fmt.Errorf("route: pattern %q has an empty segment", p)
		case strings.HasPrefix(s, "{") && strings.HasSuffix(s, "...}"):
			out = append(out, segment{'r', s[1 : len(s)-4]})
		case strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}"):
			out = append(out, segment{'p', s[1 : len(s)-1]})
		case strings.ContainsAny(s, "{}"):
			return nil, fmt.Errorf("route: pattern %q: bad segment %q", p, s)
		default:
			out = append(out, segment{'l', s})
		}
	}
	return out, nil
}

func (n *node) child(s segment) *node {
	switch s.kind {
	case 'l':
		if n.literal == nil {
			n.literal = map[string]*node{}
		}
		c := n.literal[s.text]
		if c == nil {
			c = &node{}
			n.literal[s.text] = c
		}
		return c
	case 'p':
		if n.param == nil {
			n.param = &node{}
		}
		return n.param
	default:
		if n.rest == nil {
			n.rest = &node{}
		}
		return n.rest
	}
}

// match walks segs from n; on success it returns the route, with the
// wildcards' values appended to vals in pattern order.
func (n *node) match(segs []string, method string, vals []string) (*entry, []string) {
	if len(segs) == 0 {
		if e := n.methods[method]; e != nil {
			return e, vals
		}
		if method == http.MethodHead {
			if e := n.methods[http.MethodGet]; e != nil {
				return e, vals
			}
		}
		return nil, vals
	}
	seg := segs[0]
	if c := n.literal[seg]; c != nil {
		if e, v := c.match(segs[1:], method, vals); e != nil {
			return e, v
		}
	}
	if n.param != nil && seg != "" {
		if e, v := n.param.match(segs[1:], method, append(vals, seg)); e != nil {
			return e, v
		}
	}
	if n.rest != nil {
		// Longest first: git's /{repo...}/info/refs takes the last
		// info/refs, as a suffix match would.
		for k := len(segs); k >= 1; k-- {
			v := strings.Join(segs[:k], "/")
			if !cleanPath(v) {
				continue // an escaped %2F may hide a "." or empty segment
			}
			if e, got := n.rest.match(segs[k:], method, append(vals, v)); e != nil {
				return e, got
			}
		}
	}
	return nil, vals
}

// cleanPath reports whether v, the value of a {name...}, is a relative
// path without empty, "." or ".." segments.
func cleanPath(v string) bool {
	for seg := range strings.SplitSeq(v, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return false
		}
	}
	return true
}

// Match finds the route for method and an escaped path, with its path
// values; ok is false when none matches.
func (rt *Router) Match(method, escapedPath string) (r *Route, values map[string]string, ok bool) {
	segs, valid := splitPath(escapedPath)
	if !valid {
		return nil, nil, false
	}
	found, vals := rt.root.match(segs, method, nil)
	if found == nil {
		return nil, nil, false
	}
	values = make(map[string]string, len(vals))
	for i, v := range vals {
		values[found.names[i]] = v
	}
	return found.Route, values, true
}

// splitPath cuts an escaped path into unescaped segments. Empty, "." and
// ".." segments (escaped or not) route nowhere: no route has them, and a
// wildcard must never capture one.
func splitPath(escaped string) ([]string, bool) {
	if !strings.HasPrefix(escaped, "/") {
		return nil, false
	}
	if escaped == "/" {
		return nil, true
	}
	parts := strings.Split(escaped[1:], "/")
	if len(parts) > maxSegments {
		return nil, false
	}
	for i, p := range parts {
		s, err := url.PathUnescape(p)
		if err != nil || s == "." || s == ".." || s == "" && i < len(parts)-1 {
			return nil, false
		}
		parts[i] = s
	}
	return parts, true
}

// ServeHTTP routes r.
func (rt *Router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	segs, valid := splitPath(r.URL.EscapedPath())
	if valid {
		var buf [8]string
		if found, vals := rt.root.match(segs, r.Method, buf[:0]); found != nil {
			for i, v := range vals {
				r.SetPathValue(found.names[i], v)
			}
			found.Handler.ServeHTTP(w, r)
			return
		}
	}
	rt.NotFound.ServeHTTP(w, r)
}
