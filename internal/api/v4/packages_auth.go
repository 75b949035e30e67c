package v4

import (
	"net/http"
	"strings"

	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/service"
)

// jobTokenUser is the HTTP Basic user name a CI job token comes with.
const jobTokenUser = "gitlab-ci-token"

// packageIdentity resolves the credentials only the package registry
// takes (GitLab's deploy_token_from_request, and job and personal access
// tokens sent through HTTP Basic): a Deploy-Token header, or HTTP Basic
// whose password is a deploy token (its user name must be the token's),
// a job token (user gitlab-ci-token) or a personal access token (any user
// name). ok is false when the request carries none of them.
func (a *API) packageIdentity(r *http.Request) (id *auth.Identity, ok bool, err error) {
	if t := r.Header.Get("Deploy-Token"); t != "" {
		id, err = a.auth.DeployTokenOnly(r.Context(), t)
		return id, true, err
	}
	user, password, basic := r.BasicAuth()
	if !basic || password == "" {
		return nil, false, nil
	}
	switch {
	case strings.HasPrefix(password, service.DeployTokenPrefix):
		id, err = a.auth.DeployToken(r.Context(), user, password)
	case user == jobTokenUser:
		id, err = a.auth.JobToken(r.Context(), password)
	default:
		id, err = a.auth.Token(r.Context(), password, "")
	}
	return id, true, err
}
