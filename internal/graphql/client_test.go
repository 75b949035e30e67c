package graphql_test

import (
	"os/exec"
	"strings"
	"testing"
)

// runClientLibrary introspects url with graphql-core's standard
// introspection query and builds a client schema from the answer.
func runClientLibrary(t *testing.T, url string) {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil || exec.Command(py, "-c", "import graphql").Run() != nil {
		t.Skip("python3 with graphql-core is not installed: the client-library check needs it")
	}
	script := `
import json, urllib.request
from graphql import get_introspection_query, build_client_schema
req = urllib.request.Request(` + jsonString(url) + `, data=json.dumps({"query": get_introspection_query()}).encode(),
    headers={"Content-Type": "application/json"})
res = json.load(urllib.request.urlopen(req))
# graphql-core 3.2 predates the spec's newer directive locations, which
# the server's built-in directives list: keep the ones it knows.
from graphql import DirectiveLocation
known = set(DirectiveLocation.__members__)
for d in res["data"]["__schema"]["directives"]:
    d["locations"] = [l for l in d["locations"] if l in known]
schema = build_client_schema(res["data"])
print(schema.query_type.fields["project"].type, schema.mutation_type.fields["createBranch"].type)
`
	out, err := exec.Command(py, "-c", script).CombinedOutput()
	if err != nil {
		t.Fatalf("graphql-core: %v\n%s", err, out)
	}
	if got := strings.TrimSpace(string(out)); got != "Project CreateBranchPayload" {
		t.Errorf("client schema says %q", got)
	}
}
