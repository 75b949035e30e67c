package cicd

import (
	"net/http"

	v4 "github.com/lablet/lablet/internal/api/v4"
	"github.com/lablet/lablet/internal/model"
)

// The endpoints GitLab Runner calls with its own token in the body
// (lib/api/ci/runner.rb), and the legacy registration tokens' resets.

// runnerBodyToken is the required token parameter of a runner's request.
func runnerBodyToken(c *v4.Call) (string, error) {
	return c.Params().Required("token", 1024)
}

func registerRunner(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	token, err := runnerBodyToken(c)
	if err != nil {
		return err
	}
	in, err := runnerInput(c.Params())
	if err != nil {
		return err
	}
	rn, fresh, err := a.Service().RegisterRunner(r.Context(), token, in)
	if err != nil {
		return err
	}
	return v4.WriteCreated(w, runnerTokenEntity{ID: rn.ID, Token: fresh, TokenExpiresAt: v4.TSP(rn.TokenExpiresAt)})
}

func unregisterRunner(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	token, err := runnerBodyToken(c)
	if err != nil {
		return err
	}
	if err := a.Service().UnregisterRunner(r.Context(), token); err != nil {
		return err
	}
	return v4.WriteNoContent(w)
}

func verifyRunner(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	token, err := runnerBodyToken(c)
	if err != nil {
		return err
	}
	rn, err := a.Service().VerifyRunner(r.Context(), token)
	if err != nil {
		return err
	}
	return v4.WriteOK(w, runnerTokenEntity{ID: rn.ID, Token: token, TokenExpiresAt: v4.TSP(rn.TokenExpiresAt)})
}

func resetRunnerTokenByToken(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	token, err := runnerBodyToken(c)
	if err != nil {
		return err
	}
	rn, fresh, err := a.Service().ResetRunnerTokenByToken(r.Context(), token)
	if err != nil {
		return err
	}
	return v4.WriteCreated(w, runnerTokenEntity{Token: fresh, TokenExpiresAt: v4.TSP(rn.TokenExpiresAt)})
}

// resetRegistrationToken resets the instance's, a project's or a group's
// legacy registration token (POST …/runners/reset_registration_token).
func resetRegistrationToken(sourceType string) v4.Handler {
	return func(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
		token, err := a.Service().ResetRegistrationToken(r.Context(), c.Identity(), sourceType, r.PathValue("id"))
		if err != nil {
			return err
		}
		return v4.WriteCreated(w, runnerTokenEntity{Token: token})
	}
}

var (
	resetInstanceRegistrationToken = resetRegistrationToken(model.RegistrationInstance)
	resetProjectRegistrationToken  = resetRegistrationToken(model.RegistrationProject)
	resetGroupRegistrationToken    = resetRegistrationToken(model.RegistrationGroup)
)
