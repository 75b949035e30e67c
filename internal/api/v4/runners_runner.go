package v4

import (
	"net/http"

	"github.com/lablet/lablet/internal/model"
)

// The endpoints GitLab Runner calls with its own token in the body
// (lib/api/ci/runner.rb), and the legacy registration tokens' resets.

// runnerBodyToken is the required token parameter of a runner's request.
func runnerBodyToken(c *call) (string, error) {
	return c.params.required("token", 1024)
}

func (a *API) registerRunner(w http.ResponseWriter, r *http.Request, c *call) error {
	token, err := runnerBodyToken(c)
	if err != nil {
		return err
	}
	in, err := runnerInput(c.params)
	if err != nil {
		return err
	}
	rn, fresh, err := a.svc.RegisterRunner(r.Context(), token, in)
	if err != nil {
		return err
	}
	return writeCreated(w, runnerTokenEntity{ID: rn.ID, Token: fresh, TokenExpiresAt: tsp(rn.TokenExpiresAt)})
}

func (a *API) unregisterRunner(w http.ResponseWriter, r *http.Request, c *call) error {
	token, err := runnerBodyToken(c)
	if err != nil {
		return err
	}
	if err := a.svc.UnregisterRunner(r.Context(), token); err != nil {
		return err
	}
	return writeNoContent(w)
}

func (a *API) verifyRunner(w http.ResponseWriter, r *http.Request, c *call) error {
	token, err := runnerBodyToken(c)
	if err != nil {
		return err
	}
	rn, err := a.svc.VerifyRunner(r.Context(), token)
	if err != nil {
		return err
	}
	return writeOK(w, runnerTokenEntity{ID: rn.ID, Token: token, TokenExpiresAt: tsp(rn.TokenExpiresAt)})
}

func (a *API) resetRunnerTokenByToken(w http.ResponseWriter, r *http.Request, c *call) error {
	token, err := runnerBodyToken(c)
	if err != nil {
		return err
	}
	rn, fresh, err := a.svc.ResetRunnerTokenByToken(r.Context(), token)
	if err != nil {
		return err
	}
	return writeCreated(w, runnerTokenEntity{Token: fresh, TokenExpiresAt: tsp(rn.TokenExpiresAt)})
}

// resetRegistrationToken resets the instance's, a project's or a group's
// legacy registration token (POST …/runners/reset_registration_token).
func resetRegistrationToken(sourceType string) handler {
	return func(a *API, w http.ResponseWriter, r *http.Request, c *call) error {
		token, err := a.svc.ResetRegistrationToken(r.Context(), c.id, sourceType, r.PathValue("id"))
		if err != nil {
			return err
		}
		return writeCreated(w, runnerTokenEntity{Token: token})
	}
}

var (
	resetInstanceRegistrationToken = resetRegistrationToken(model.RegistrationInstance)
	resetProjectRegistrationToken  = resetRegistrationToken(model.RegistrationProject)
	resetGroupRegistrationToken    = resetRegistrationToken(model.RegistrationGroup)
)
