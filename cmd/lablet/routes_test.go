package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// `lablet routes` prints one route a line — METHOD PATTERN HANDLER AUTH —
// for every surface, so a newcomer finds a route's code and rules at once.
func TestRoutesCommand(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"routes"}, &out, &errOut); err != nil {
		t.Fatalf("routes: %v (%s)", err, errOut.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	seen := map[string]string{}
	for _, l := range lines {
		f := strings.Fields(l)
		if len(f) != 4 {
			t.Fatalf("line %q has %d fields, want 4", l, len(f))
		}
		seen[f[0]+" "+f[1]] = f[2] + " " + f[3]
	}
	for key, want := range map[string]string{
		"GET /api/v4/projects/{id}":                     "getProject(internal/api/v4/projects.go:",
		"GET /api/v4/projects/{id}/members":             "listMembers(internal/api/v4/members.go:",
		"POST /{repo...}/git-receive-pack":              "receivePackRoute(internal/githttp/handler.go:",
		"POST /oauth/token":                             "token(internal/oauth/",
		"GET /users/sign_in":                            "signInForm(internal/web/sign_in.go:",
		"GET /-/readiness":                              "readiness(internal/server/server.go:",
		"DELETE /api/v4/projects/{id}":                  "ability:remove_project",
		"PUT /api/v4/projects/{id}/members/{user_id}":   "ability:admin_project_member",
		"GET /api/v4/projects/{id}/repository/tree":     "anonymous,token:api|read_api,session,ability:read_code",
		"POST /api/v4/projects/{id}/repository/commits": "token:api,session,ability:push_code",
	} {
		if got, ok := seen[key]; !ok || !strings.Contains(got, want) {
			t.Errorf("%s: %q, want it to contain %q", key, got, want)
		}
	}
	if len(lines) < 150 {
		t.Errorf("only %d routes", len(lines))
	}
}
