package v4_test

import (
	"net/http"
	"testing"

	"github.com/lablet/lablet/internal/labtest"
)

func TestVersion(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	t.Run("OK", func(t *testing.T) {
		v, _, err := s.Client(t, s.RootToken).Version.GetVersion()
		if err != nil {
			t.Fatal(err)
		}
		if v.Version == "" {
			t.Fatalf("empty version: %+v", v)
		}
	})
	t.Run("ErrUnauthenticated", func(t *testing.T) {
		s.Do(t, labtest.Request{Path: "/version"}).ExpectError(t, http.StatusUnauthorized, `{"message":"401 Unauthorized"}`)
	})
	t.Run("ErrWrongToken", func(t *testing.T) {
		s.Do(t, labtest.Request{Path: "/version", Token: "glpat-wrong"}).ExpectError(t, http.StatusUnauthorized, `{"message":"401 Unauthorized"}`)
	})
	t.Run("UnknownRoute", func(t *testing.T) {
		s.Do(t, labtest.Request{Path: "/no/such/route", Token: s.RootToken}).ExpectError(t, http.StatusNotFound, `{"error":"404 Not Found"}`)
	})
	t.Run("WrongMethod", func(t *testing.T) {
		// GitLab's catch-all route answers any unknown method and path
		// alike: 404, never 405.
		r := s.Do(t, labtest.Request{Method: "DELETE", Path: "/version", Token: s.RootToken})
		r.ExpectError(t, http.StatusNotFound, `{"error":"404 Not Found"}`)
		r = s.Do(t, labtest.Request{Method: "GET", Path: "/projects/1/archive", Token: s.RootToken})
		r.ExpectError(t, http.StatusNotFound, `{"error":"404 Not Found"}`)
		if allow := r.Header.Get("Allow"); allow != "" {
			t.Fatalf("Allow = %q on a 404", allow)
		}
	})
	t.Run("UnknownAPIs", func(t *testing.T) {
		// APIs lablet does not serve answer as unknown API routes (GraphQL
		// and SCIM have their own tests).
		for _, path := range []string{"/api/v3/projects", "/api/v5/projects", "/api/graphql/x", "/api/scim/v1/groups/x/Users"} {
			s.Do(t, labtest.Request{Method: "POST", Path: s.URL + path, Token: s.RootToken}).
				ExpectError(t, http.StatusNotFound, `{"error":"404 Not Found"}`)
		}
	})
	t.Run("Metadata", func(t *testing.T) {
		m, _, err := s.Client(t, s.RootToken).Metadata.GetMetadata()
		if err != nil {
			t.Fatal(err)
		}
		if m.Version == "" || m.Enterprise {
			t.Fatalf("metadata = %+v", m)
		}
	})
}
