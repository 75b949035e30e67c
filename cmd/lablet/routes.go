package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/lablet/lablet/internal/route"
	"github.com/lablet/lablet/internal/server"
)

const routesUsage = `Usage: lablet routes

Prints every route the server serves — REST API, git over HTTP, OAuth,
pages and health — one a line: METHOD PATTERN HANDLER AUTH. HANDLER is the
function that serves the route and its source line; AUTH lists the
credentials the route accepts (anonymous, token:<scopes>, session, basic,
bearer, client), "admin" where only administrators may call it, and the
ability its operation checks (ability:read_project …), as GitLab's
policies name them.
`

// runRoutes prints the route table.
func runRoutes(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("routes", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(fs.Output(), routesUsage) }
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("routes: unexpected argument %q", fs.Arg(0))
	}
	routes, err := server.RouteTable()
	if err != nil {
		return err
	}
	return route.Print(stdout, routes)
}
