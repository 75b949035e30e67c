package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sync"
)

// scimUsers is how many users the SCIM row's group has provisioned.
const scimUsers = 20

// scimEndpoints are the rows of SCIM provisioning: an identity provider
// finding one of the repos group's 20 provisioned users by userName, as
// it does before every change. The group's SCIM token (reset by root) and
// the users are made once, before the first request.
func (l *loader) scimEndpoints() []*endpoint {
	var ready struct {
		sync.Mutex
		token string
	}
	prepare := func(ctx context.Context) (string, error) {
		ready.Lock()
		defer ready.Unlock()
		if ready.token != "" {
			return ready.token, nil
		}
		status, b, err := l.do(ctx, reqSpec{method: http.MethodPost, path: fmt.Sprintf("/groups/%d/scim/tokens", l.sd.ReposGroup),
			token: l.sd.RootToken})
		if err != nil {
			return "", err
		}
		var tok struct{ Token string }
		if err := json.Unmarshal(b, &tok); err != nil || status != http.StatusCreated {
			return "", fmt.Errorf("scim token: %d %s", status, b)
		}
		for i := range scimUsers {
			name := fmt.Sprintf("scim-bench-%d", i)
			body := mustJSON(map[string]any{"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:User"},
				"externalId": "uid-" + name, "userName": name, "name": map[string]any{"formatted": name},
				"emails": []map[string]any{{"type": "work", "value": name + "@example.com", "primary": true}}})
			if _, _, err := l.do(ctx, reqSpec{method: http.MethodPost, path: "/api/scim/v2/groups/bench-repos/Users",
				ctype: "application/scim+json", body: body, token: tok.Token, bearer: true}); err != nil {
				return "", err
			}
		}
		ready.token = tok.Token
		return ready.token, nil
	}
	return []*endpoint{
		{name: `GET /api/scim/v2/groups/:path/Users?filter=userName eq "x"`, setup: func(ctx context.Context, w *worker) (reqSpec, error) {
			tok, err := prepare(ctx)
			filter := url.QueryEscape(fmt.Sprintf(`userName eq "scim-bench-%d"`, w.rng.IntN(scimUsers)))
			return reqSpec{method: http.MethodGet, path: "/api/scim/v2/groups/bench-repos/Users?filter=" + filter,
				token: tok, bearer: true}, err
		}},
	}
}
