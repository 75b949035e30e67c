// Package route holds the route tables of every surface lablet serves —
// REST, git over HTTP, OAuth, pages, health — and the one router that
// serves them all. A surface lists its routes as data (method, pattern,
// handler, who may call, what the service checks); `lablet routes` prints
// the tables and the authorization matrix tests every row, so a route can
// neither be served without being listed nor listed without its rules.
package route

import (
	"fmt"
	"io"
	"net/http"
	"path"
	"reflect"
	"runtime"
	"strings"
	"text/tabwriter"

	"github.com/lablet/lablet/internal/access"
)

// Route is one row of a route table.
type Route struct {
	// Method is GET, POST, PUT, PATCH or DELETE; a GET route answers HEAD
	// too unless a HEAD route of the same pattern exists.
	Method string
	// Pattern is the path the route serves, from the server's root:
	// literal segments, {name} for one segment (which may hold %2F, as
	// GitLab's encoded ids and file paths do) and {name...} for one or
	// more segments. A {name...} may be followed by literal segments
	// (git's /{repo...}/info/refs). {$} alone is the root page.
	Pattern string
	// Handler serves the route once matched; path values are set on the
	// request (r.PathValue).
	Handler http.Handler
	// Func is the function that does the route's work, for the printed
	// table (its name and source line); see FuncName.
	Func any
	// Auth says who may call: the credentials the route accepts and the
	// token scopes it needs (e.g. "anonymous,token:api|read_api").
	Auth string
	// Ability is the permission the operation checks, GitLab's ability
	// name (read_project, push_code …); the authorization matrix derives
	// each caller's expected answer from it.
	Ability access.Ability
}

// String is the route's line in `lablet routes`: METHOD PATTERN HANDLER AUTH.
func (r Route) String() string {
	return r.Method + " " + r.Pattern + " " + FuncName(r.Func) + " " + r.AuthColumn()
}

// AuthColumn is Auth and the ability as one field.
func (r Route) AuthColumn() string {
	a := r.Auth
	if r.Ability != "" {
		a += ",ability:" + string(r.Ability)
	}
	return a
}

// FuncName names a handler function by its name and source position, e.g.
// "getProject(internal/api/v4/projects.go:211)". Method expressions such as
// (*API).getProject and closures name the code itself; method values
// (a.getProject) would name only a generated wrapper, so tables use the
// former.
func FuncName(fn any) string {
	if fn == nil {
		return "-"
	}
	v := reflect.ValueOf(fn)
	if v.Kind() != reflect.Func {
		return fmt.Sprintf("%T", fn)
	}
	f := runtime.FuncForPC(v.Pointer())
	if f == nil {
		return "?"
	}
	name := f.Name()
	name = name[strings.LastIndexByte(name, '/')+1:] // package.(*T).method.func1
	if _, rest, ok := strings.Cut(name, "."); ok {
		name = rest
	}
	name = strings.TrimSuffix(name, "-fm")
	// Closures are named after the function that builds them.
	for {
		i := strings.LastIndex(name, ".func")
		if i < 0 {
			break
		}
		name = name[:i]
	}
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		name = name[i+1:] // drop the receiver
	}
	file, line := f.FileLine(v.Pointer())
	return fmt.Sprintf("%s(%s:%d)", name, sourcePath(file), line)
}

// sourcePath shortens a build path to the module-relative one.
func sourcePath(file string) string {
	file = path.Clean(strings.ReplaceAll(file, "\\", "/"))
	for _, dir := range []string{"/internal/", "/cmd/", "/bench/"} {
		if i := strings.LastIndex(file, dir); i >= 0 {
			return file[i+1:]
		}
	}
	return path.Base(file)
}

// Print writes routes one a line as METHOD PATTERN HANDLER AUTH, in
// aligned columns.
func Print(w io.Writer, routes []Route) error {
	tw := tabwriter.NewWriter(w, 0, 4, 1, ' ', 0)
	for _, r := range routes {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.Method, r.Pattern, FuncName(r.Func), r.AuthColumn())
	}
	return tw.Flush()
}

// ExternalURL is the base URL clients reach the server by: the configured
// one, else the scheme and Host of the request (https behind TLS or a
// proxy that says so in X-Forwarded-Proto). Links, redirects and the OAuth
// issuer are built on it.
func ExternalURL(r *http.Request, configured string) string {
	if configured != "" {
		return configured
	}
	scheme := "http"
	if r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https") {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// SSHRepoURL is the git-over-SSH URL of a repository path (without
// ".git") as GitLab writes ssh_url_to_repo: the scp-like form on port 22
// (port empty), the URL form with any other port.
func SSHRepoURL(host, port, fullPath string) string {
	if port != "" && port != "22" {
		return "ssh://git@" + host + ":" + port + "/" + fullPath + ".git"
	}
	return "git@" + host + ":" + fullPath + ".git"
}
