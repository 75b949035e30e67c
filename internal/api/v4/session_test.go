package v4_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/labtest"
	"github.com/lablet/lablet/internal/service"
)

// TestSessionCookie checks the API's session authentication: the cookie
// reads, writes also need the CSRF token, and a bad cookie is anonymous.
func TestSessionCookie(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	ctx := context.Background()
	in, err := s.Srv.Service.SignIn(ctx, service.SignInInput{Login: "root", Password: s.Config.RootPassword})
	if err != nil {
		t.Fatal(err)
	}
	cookie := map[string]string{"Cookie": auth.SessionCookie + "=" + in.Cookie}

	t.Run("Read", func(t *testing.T) {
		r := s.Do(t, labtest.Request{Path: "/user", Header: cookie})
		if r.Status != http.StatusOK || r.Map(t)["username"] != "root" {
			t.Fatalf("GET /user with session = %d %s", r.Status, r.Body)
		}
	})
	t.Run("WriteWithoutCSRF", func(t *testing.T) {
		// The 401 says what is missing: a newcomer scripting against a
		// session learns about X-CSRF-Token from the answer.
		const want = `{"message":"401 Unauthorized - a request signed in by session cookie needs the session's CSRF token in X-CSRF-Token"}`
		s.Do(t, labtest.Request{Method: "POST", Path: "/projects", Header: cookie, JSON: map[string]any{"name": "x"}}).
			ExpectError(t, http.StatusUnauthorized, want)
		h := map[string]string{"Cookie": cookie["Cookie"], "X-CSRF-Token": "forged"}
		s.Do(t, labtest.Request{Method: "POST", Path: "/projects", Header: h, JSON: map[string]any{"name": "x"}}).
			ExpectError(t, http.StatusUnauthorized, want)
		// A cookie that names no session is simply anonymous.
		bad := map[string]string{"Cookie": "_gitlab_session=nonsense"}
		s.Do(t, labtest.Request{Method: "POST", Path: "/projects", Header: bad, JSON: map[string]any{"name": "x"}}).
			ExpectError(t, http.StatusUnauthorized, `{"message":"401 Unauthorized"}`)
	})
	t.Run("WriteWithCSRF", func(t *testing.T) {
		h := map[string]string{"Cookie": cookie["Cookie"], "X-CSRF-Token": in.Session.CSRFToken}
		r := s.Do(t, labtest.Request{Method: "POST", Path: "/projects", Header: h, JSON: map[string]any{"name": "viasession"}})
		if r.Status != http.StatusCreated {
			t.Fatalf("POST with CSRF = %d %s", r.Status, r.Body)
		}
	})
	t.Run("UnknownCookie", func(t *testing.T) {
		h := map[string]string{"Cookie": auth.SessionCookie + "=nope"}
		s.Do(t, labtest.Request{Path: "/user", Header: h}).ExpectError(t, http.StatusUnauthorized, `{"message":"401 Unauthorized"}`)
	})
	t.Run("SignOut", func(t *testing.T) {
		other, err := s.Srv.Service.SignIn(ctx, service.SignInInput{Login: "admin@example.com", Password: s.Config.RootPassword})
		if err != nil {
			t.Fatal(err)
		}
		h := map[string]string{"Cookie": auth.SessionCookie + "=" + other.Cookie}
		if r := s.Do(t, labtest.Request{Path: "/user", Header: h}); r.Status != http.StatusOK {
			t.Fatalf("signed in by email: %d", r.Status)
		}
		if err := s.Srv.Service.SignOut(ctx, other.Cookie); err != nil {
			t.Fatal(err)
		}
		s.Do(t, labtest.Request{Path: "/user", Header: h}).ExpectError(t, http.StatusUnauthorized, `{"message":"401 Unauthorized"}`)
	})
}

func TestSignInLockout(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	ctx := context.Background()
	alice := s.NewUser(t, "alice")
	if _, err := s.Srv.Service.SignIn(ctx, service.SignInInput{Login: "alice", Password: "whatever1"}); !errors.Is(err, service.ErrInvalidLogin) {
		t.Fatalf("user without password: %v", err)
	}
	hash, _ := auth.HashPassword("correct-horse")
	alice.PasswordHash = hash
	if err := s.Srv.DB.Queries().UpdateUser(ctx, alice.User); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Srv.Service.SignIn(ctx, service.SignInInput{Login: "nobody", Password: "x"}); !errors.Is(err, service.ErrInvalidLogin) {
		t.Fatalf("unknown user: %v", err)
	}
	// The attempt without a password above was the first failure.
	for i := 2; i < service.MaxFailedSignIns; i++ {
		if _, err := s.Srv.Service.SignIn(ctx, service.SignInInput{Login: "alice", Password: "wrong"}); !errors.Is(err, service.ErrInvalidLogin) {
			t.Fatalf("attempt %d: %v", i, err)
		}
	}
	if _, err := s.Srv.Service.SignIn(ctx, service.SignInInput{Login: "alice", Password: "wrong"}); !errors.Is(err, service.ErrLocked) {
		t.Fatalf("attempt %d: %v, want locked", service.MaxFailedSignIns, err)
	}
	if _, err := s.Srv.Service.SignIn(ctx, service.SignInInput{Login: "alice", Password: "correct-horse"}); !errors.Is(err, service.ErrLocked) {
		t.Fatalf("right password while locked: %v, want locked", err)
	}
}
