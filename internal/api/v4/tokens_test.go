package v4_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/labtest"
	"github.com/lablet/lablet/internal/service"
)

func day(offset int) string { return time.Now().UTC().AddDate(0, 0, offset).Format("2006-01-02") }

func isoDay(t *testing.T, offset int) *gitlab.ISOTime {
	t.Helper()
	d, err := gitlab.ParseISOTime(day(offset))
	if err != nil {
		t.Fatal(err)
	}
	return &d
}

func tokenIDs(ts []*gitlab.PersonalAccessToken) []int64 {
	var out []int64
	for _, t := range ts {
		out = append(out, t.ID)
	}
	return out
}

// selfTokenID returns the id of the token text.
func selfTokenID(t *testing.T, s *labtest.Server, token string) int64 {
	t.Helper()
	tok, _, err := s.Client(t, token).PersonalAccessTokens.GetSinglePersonalAccessToken()
	if err != nil {
		t.Fatal(err)
	}
	return tok.ID
}

func TestTokenList(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	alice := s.NewUser(t, "alice")
	bob := s.NewUser(t, "bob")
	aliceID := selfTokenID(t, s, alice.Token)
	second, _, err := s.Client(t, s.RootToken).Users.CreatePersonalAccessToken(alice.ID, &gitlab.CreatePersonalAccessTokenOptions{
		Name: gitlab.Ptr("Deploy helper"), Scopes: &[]string{"read_api"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Client(t, second.Token).PersonalAccessTokens.RevokePersonalAccessTokenSelf(); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Client(t, s.RootToken).Users.CreateImpersonationToken(alice.ID, &gitlab.CreateImpersonationTokenOptions{
		Name: gitlab.Ptr("imp"), Scopes: &[]string{"api"}}); err != nil {
		t.Fatal(err)
	}
	ac := s.Client(t, alice.Token)
	t.Run("OwnOnly", func(t *testing.T) {
		ts, resp, err := ac.PersonalAccessTokens.ListPersonalAccessTokens(&gitlab.ListPersonalAccessTokensOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(ts) != 2 || ts[0].ID != aliceID || ts[1].ID != second.ID || resp.TotalItems != 2 {
			t.Fatalf("tokens = %v", tokenIDs(ts))
		}
		if !ts[0].Active || ts[0].UserID != alice.ID || ts[0].Scopes[0] != "api" || ts[0].CreatedAt == nil || ts[0].Token != "" {
			t.Fatalf("token = %+v", ts[0])
		}
		if ts[1].Active || !ts[1].Revoked {
			t.Fatalf("revoked token = %+v", ts[1])
		}
	})
	t.Run("Filters", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			opt  gitlab.ListPersonalAccessTokensOptions
			want []int64
		}{
			{"Revoked", gitlab.ListPersonalAccessTokensOptions{Revoked: gitlab.Ptr(true)}, []int64{second.ID}},
			{"StateActive", gitlab.ListPersonalAccessTokensOptions{State: gitlab.Ptr("active")}, []int64{aliceID}},
			{"StateInactive", gitlab.ListPersonalAccessTokensOptions{State: gitlab.Ptr("inactive")}, []int64{second.ID}},
			{"Search", gitlab.ListPersonalAccessTokensOptions{Search: gitlab.Ptr("deploy")}, []int64{second.ID}},
			{"CreatedAfterTomorrow", gitlab.ListPersonalAccessTokensOptions{CreatedAfter: isoDay(t, 1)}, nil},
			{"CreatedBeforeTomorrow", gitlab.ListPersonalAccessTokensOptions{CreatedBefore: isoDay(t, 1)}, []int64{aliceID, second.ID}},
			{"LastUsedAfterYesterday", gitlab.ListPersonalAccessTokensOptions{LastUsedAfter: isoDay(t, -1)}, []int64{aliceID, second.ID}},
			{"SortNameDesc", gitlab.ListPersonalAccessTokensOptions{Sort: gitlab.Ptr("name_desc")}, []int64{aliceID, second.ID}},
			{"SortNameAsc", gitlab.ListPersonalAccessTokensOptions{Sort: gitlab.Ptr("name_asc")}, []int64{second.ID, aliceID}},
			{"OwnUserID", gitlab.ListPersonalAccessTokensOptions{UserID: gitlab.Ptr(alice.ID)}, []int64{aliceID, second.ID}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				ts, _, err := ac.PersonalAccessTokens.ListPersonalAccessTokens(&tc.opt)
				if err != nil {
					t.Fatal(err)
				}
				got := tokenIDs(ts)
				if len(got) != len(tc.want) {
					t.Fatalf("tokens = %v, want %v", got, tc.want)
				}
				for i := range got {
					if got[i] != tc.want[i] {
						t.Fatalf("tokens = %v, want %v", got, tc.want)
					}
				}
			})
		}
	})
	t.Run("AdminSeesAllAndFilters", func(t *testing.T) {
		admin := s.Client(t, s.RootToken)
		all, _, err := admin.PersonalAccessTokens.ListPersonalAccessTokens(&gitlab.ListPersonalAccessTokensOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 5 { // root's, alice's two, bob's, alice's impersonation token
			t.Fatalf("tokens = %v", tokenIDs(all))
		}
		bobs, _, err := admin.PersonalAccessTokens.ListPersonalAccessTokens(&gitlab.ListPersonalAccessTokensOptions{UserID: gitlab.Ptr(bob.ID)})
		if err != nil {
			t.Fatal(err)
		}
		if len(bobs) != 1 || bobs[0].UserID != bob.ID {
			t.Fatalf("tokens = %+v", bobs)
		}
	})
	t.Run("ErrOtherUserID", func(t *testing.T) {
		s.Do(t, labtest.Request{Path: "/personal_access_tokens?user_id=" + itoa(bob.ID), Token: alice.Token}).
			ExpectError(t, http.StatusUnauthorized, unauthorized)
	})
	t.Run("ErrBadParams", func(t *testing.T) {
		s.Do(t, labtest.Request{Path: "/personal_access_tokens?state=gone", Token: alice.Token}).
			ExpectError(t, http.StatusBadRequest, `{"error":"state does not have a valid value"}`)
		s.Do(t, labtest.Request{Path: "/personal_access_tokens?created_after=soon&revoked=kind-of", Token: alice.Token}).
			ExpectError(t, http.StatusBadRequest, `{"error":"revoked is invalid, created_after is invalid"}`)
		s.Do(t, labtest.Request{Path: "/personal_access_tokens?user_id=x", Token: alice.Token}).
			ExpectError(t, http.StatusBadRequest, `{"error":"user_id is invalid"}`)
	})
	t.Run("ErrAnonymous", func(t *testing.T) {
		s.Do(t, labtest.Request{Path: "/personal_access_tokens"}).ExpectError(t, http.StatusUnauthorized, unauthorized)
	})
}

func TestTokenGet(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	alice := s.NewUser(t, "alice")
	bob := s.NewUser(t, "bob")
	aliceID := selfTokenID(t, s, alice.Token)
	t.Run("Own", func(t *testing.T) {
		tok, _, err := s.Client(t, alice.Token).PersonalAccessTokens.GetSinglePersonalAccessTokenByID(aliceID)
		if err != nil {
			t.Fatal(err)
		}
		if tok.ID != aliceID || tok.UserID != alice.ID || tok.Name != "labtest" {
			t.Fatalf("token = %+v", tok)
		}
	})
	t.Run("AdminAny", func(t *testing.T) {
		if _, _, err := s.Client(t, s.RootToken).PersonalAccessTokens.GetSinglePersonalAccessTokenByID(aliceID); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("ErrOthers", func(t *testing.T) {
		s.Do(t, labtest.Request{Path: "/personal_access_tokens/" + itoa(aliceID), Token: bob.Token}).
			ExpectError(t, http.StatusUnauthorized, unauthorized)
		s.Do(t, labtest.Request{Path: "/personal_access_tokens/99999", Token: bob.Token}).
			ExpectError(t, http.StatusUnauthorized, unauthorized)
	})
	t.Run("ErrAdminUnknown", func(t *testing.T) {
		s.Do(t, labtest.Request{Path: "/personal_access_tokens/99999", Token: s.RootToken}).
			ExpectError(t, http.StatusNotFound, `{"message":"404 Not Found"}`)
		s.Do(t, labtest.Request{Path: "/personal_access_tokens/abc", Token: s.RootToken}).
			ExpectError(t, http.StatusBadRequest, `{"error":"id is invalid"}`)
	})
}

func TestTokenRevoke(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	alice := s.NewUser(t, "alice")
	bob := s.NewUser(t, "bob")
	t.Run("OwnByID", func(t *testing.T) {
		tok := s.NewToken(t, alice.ID)
		id := selfTokenID(t, s, tok)
		resp, err := s.Client(t, alice.Token).PersonalAccessTokens.RevokePersonalAccessTokenByID(id)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusNoContent {
			t.Fatalf("status = %d", resp.StatusCode)
		}
		s.Do(t, labtest.Request{Path: "/user", Token: tok}).ExpectError(t, http.StatusUnauthorized, unauthorized)
		// Revoking again is harmless.
		if _, err := s.Client(t, alice.Token).PersonalAccessTokens.RevokePersonalAccessTokenByID(id); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("Self", func(t *testing.T) {
		tok := s.NewToken(t, alice.ID, "read_repository")
		if _, err := s.Client(t, tok).PersonalAccessTokens.RevokePersonalAccessTokenSelf(); err != nil {
			t.Fatal(err)
		}
		s.Do(t, labtest.Request{Path: "/personal_access_tokens/self", Token: tok}).ExpectError(t, http.StatusUnauthorized, unauthorized)
	})
	t.Run("AdminOthers", func(t *testing.T) {
		tok := s.NewToken(t, bob.ID)
		if _, err := s.Client(t, s.RootToken).PersonalAccessTokens.RevokePersonalAccessTokenByID(selfTokenID(t, s, tok)); err != nil {
			t.Fatal(err)
		}
		s.Do(t, labtest.Request{Path: "/user", Token: tok}).ExpectError(t, http.StatusUnauthorized, unauthorized)
	})
	t.Run("ErrOthers", func(t *testing.T) {
		id := selfTokenID(t, s, bob.Token)
		s.Do(t, labtest.Request{Method: "DELETE", Path: "/personal_access_tokens/" + itoa(id), Token: alice.Token}).
			ExpectError(t, http.StatusBadRequest, `{"message":"400 Bad request"}`)
		if r := s.Do(t, labtest.Request{Path: "/user", Token: bob.Token}); r.Status != http.StatusOK {
			t.Fatalf("bob's token was revoked: %d", r.Status)
		}
	})
	t.Run("ErrUnknown", func(t *testing.T) {
		s.Do(t, labtest.Request{Method: "DELETE", Path: "/personal_access_tokens/99999", Token: alice.Token}).
			ExpectError(t, http.StatusNotFound, `{"message":"404 Not found"}`)
	})
	t.Run("ErrReadAPI", func(t *testing.T) {
		tok := s.NewToken(t, alice.ID, "read_api")
		s.Do(t, labtest.Request{Method: "DELETE", Path: "/personal_access_tokens/" + itoa(selfTokenID(t, s, alice.Token)), Token: tok}).
			ExpectError(t, http.StatusForbidden, insufficientScope("api"))
	})
}

func TestTokenRotate(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	alice := s.NewUser(t, "alice")
	bob := s.NewUser(t, "bob")
	t.Run("ByID", func(t *testing.T) {
		old := s.NewToken(t, alice.ID, "api", "read_user")
		oldID := selfTokenID(t, s, old)
		tok, resp, err := s.Client(t, alice.Token).PersonalAccessTokens.RotatePersonalAccessTokenByID(oldID, nil)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusOK || tok.Token == "" || tok.ID == oldID || tok.Name != "labtest" ||
			len(tok.Scopes) != 2 || tok.ExpiresAt == nil || tok.ExpiresAt.String() != day(7) || !tok.Active {
			t.Fatalf("rotated = %+v (status %d)", tok, resp.StatusCode)
		}
		s.Do(t, labtest.Request{Path: "/user", Token: old}).ExpectError(t, http.StatusUnauthorized, unauthorized)
		if got := currentUsername(t, s.Do(t, labtest.Request{Path: "/user", Token: tok.Token})); got != "alice" {
			t.Fatalf("username = %q", got)
		}
		// Reuse of the rotated token revokes its successor too.
		s.Do(t, labtest.Request{Method: "POST", Path: "/personal_access_tokens/" + itoa(oldID) + "/rotate", Token: alice.Token}).
			ExpectError(t, http.StatusBadRequest, `{"message":"400 Bad request - token already revoked"}`)
		s.Do(t, labtest.Request{Path: "/user", Token: tok.Token}).ExpectError(t, http.StatusUnauthorized, unauthorized)
	})
	t.Run("SelfWithExpiry", func(t *testing.T) {
		old := s.NewToken(t, alice.ID, "self_rotate")
		tok, _, err := s.Client(t, old).PersonalAccessTokens.RotatePersonalAccessTokenSelf(
			&gitlab.RotatePersonalAccessTokenOptions{ExpiresAt: isoDay(t, 30)})
		if err != nil {
			t.Fatal(err)
		}
		if tok.ExpiresAt.String() != day(30) || tok.Scopes[0] != "self_rotate" {
			t.Fatalf("rotated = %+v", tok)
		}
	})
	t.Run("AdminOthers", func(t *testing.T) {
		old := s.NewToken(t, bob.ID)
		tok, _, err := s.Client(t, s.RootToken).PersonalAccessTokens.RotatePersonalAccessToken(selfTokenID(t, s, old), nil)
		if err != nil {
			t.Fatal(err)
		}
		if tok.UserID != bob.ID {
			t.Fatalf("rotated = %+v", tok)
		}
	})
	t.Run("ErrScope", func(t *testing.T) {
		tok := s.NewToken(t, alice.ID, "read_api")
		s.Do(t, labtest.Request{Method: "POST", Path: "/personal_access_tokens/self/rotate", Token: tok}).
			ExpectError(t, http.StatusForbidden, insufficientScope("api self_rotate"))
	})
	t.Run("ErrOthers", func(t *testing.T) {
		id := selfTokenID(t, s, bob.Token)
		s.Do(t, labtest.Request{Method: "POST", Path: "/personal_access_tokens/" + itoa(id) + "/rotate", Token: alice.Token}).
			ExpectError(t, http.StatusUnauthorized, unauthorized)
		s.Do(t, labtest.Request{Method: "POST", Path: "/personal_access_tokens/99999/rotate", Token: s.RootToken}).
			ExpectError(t, http.StatusNotFound, `{"message":"404 Not Found"}`)
	})
	t.Run("ErrExpiry", func(t *testing.T) {
		tok := s.NewToken(t, alice.ID)
		path := "/personal_access_tokens/" + itoa(selfTokenID(t, s, tok)) + "/rotate"
		s.Do(t, labtest.Request{Method: "POST", Path: path, Token: tok, JSON: map[string]any{"expires_at": "tomorrow"}}).
			ExpectError(t, http.StatusBadRequest, `{"error":"expires_at is invalid"}`)
		s.Do(t, labtest.Request{Method: "POST", Path: path, Token: tok, JSON: map[string]any{"expires_at": day(-1)}}).
			ExpectError(t, http.StatusBadRequest, `{"message":"400 Bad request - Expiration date must be in the future"}`)
		// Nothing was rotated.
		if r := s.Do(t, labtest.Request{Path: "/user", Token: tok}); r.Status != http.StatusOK {
			t.Fatalf("token revoked by a failed rotation: %d", r.Status)
		}
	})
}

func TestTokenCreate(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	alice := s.NewUser(t, "alice")
	admin := s.Client(t, s.RootToken)
	t.Run("AdminForUser", func(t *testing.T) {
		tok, resp, err := admin.Users.CreatePersonalAccessToken(alice.ID, &gitlab.CreatePersonalAccessTokenOptions{
			Name: gitlab.Ptr("ci"), Description: gitlab.Ptr("for CI"), Scopes: &[]string{"api", "read_repository"}})
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusCreated || tok.Token == "" || tok.UserID != alice.ID || tok.Description != "for CI" ||
			tok.ExpiresAt == nil || tok.ExpiresAt.String() != day(365) || tok.Revoked || !tok.Active {
			t.Fatalf("token = %+v", tok)
		}
		if got := currentUsername(t, s.Do(t, labtest.Request{Path: "/user", Token: tok.Token})); got != "alice" {
			t.Fatalf("username = %q", got)
		}
	})
	t.Run("AdminWithExpiry", func(t *testing.T) {
		tok, _, err := admin.Users.CreatePersonalAccessToken(alice.ID, &gitlab.CreatePersonalAccessTokenOptions{
			Name: gitlab.Ptr("x"), Scopes: &[]string{"read_api"}, ExpiresAt: isoDay(t, 3)})
		if err != nil {
			t.Fatal(err)
		}
		if tok.ExpiresAt.String() != day(3) {
			t.Fatalf("expires_at = %v", tok.ExpiresAt)
		}
	})
	t.Run("Self", func(t *testing.T) {
		tok, resp, err := s.Client(t, alice.Token).Users.CreatePersonalAccessTokenForCurrentUser(
			&gitlab.CreatePersonalAccessTokenForCurrentUserOptions{Name: gitlab.Ptr("k8s"), Scopes: &[]string{"k8s_proxy"}})
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusCreated || tok.UserID != alice.ID || tok.Token == "" {
			t.Fatalf("token = %+v", tok)
		}
	})
	t.Run("ErrSelfScopes", func(t *testing.T) {
		s.Do(t, labtest.Request{Method: "POST", Path: "/user/personal_access_tokens", Token: alice.Token,
			JSON: map[string]any{"name": "x", "scopes": []string{"api"}}}).
			ExpectError(t, http.StatusBadRequest, `{"error":"scopes does not have a valid value"}`)
	})
	path := "/users/" + itoa(alice.ID) + "/personal_access_tokens"
	for _, tc := range []struct {
		name   string
		body   map[string]any
		status int
		want   string
	}{
		{"Missing", map[string]any{}, 400, `{"error":"name is missing, scopes is missing"}`},
		{"BadScope", map[string]any{"name": "x", "scopes": []string{"api", "root"}}, 400, `{"error":"scopes does not have a valid value"}`},
		{"ScopesWrongType", map[string]any{"name": "x", "scopes": 7}, 400, `{"error":"scopes is invalid"}`},
		{"BadDate", map[string]any{"name": "x", "scopes": []string{"api"}, "expires_at": "2024-02-30"}, 400, `{"error":"expires_at is invalid"}`},
		{"PastDate", map[string]any{"name": "x", "scopes": []string{"api"}, "expires_at": "2020-01-01"}, 400, `{"message":"Expiration date must be in the future"}`},
		{"LongName", map[string]any{"name": longString(300), "scopes": []string{"api"}}, 400, `{"error":"name is too long (maximum is 255 characters)"}`},
		{"LongDescription", map[string]any{"name": "x", "description": longString(300), "scopes": []string{"api"}}, 400, `{"error":"description is too long (maximum is 255 characters)"}`},
	} {
		t.Run("Err"+tc.name, func(t *testing.T) {
			s.Do(t, labtest.Request{Method: "POST", Path: path, Token: s.RootToken, JSON: tc.body}).ExpectError(t, tc.status, tc.want)
		})
	}
	t.Run("ErrNotAdmin", func(t *testing.T) {
		s.Do(t, labtest.Request{Method: "POST", Path: path, Token: alice.Token, JSON: map[string]any{"name": "x", "scopes": []string{"api"}}}).
			ExpectError(t, http.StatusForbidden, forbidden)
	})
	t.Run("ErrUnknownUser", func(t *testing.T) {
		s.Do(t, labtest.Request{Method: "POST", Path: "/users/99999/personal_access_tokens", Token: s.RootToken,
			JSON: map[string]any{"name": "x", "scopes": []string{"api"}}}).
			ExpectError(t, http.StatusNotFound, `{"message":"404 User Not Found"}`)
	})
	t.Run("NothingHalfWritten", func(t *testing.T) {
		ts, _, err := admin.PersonalAccessTokens.ListPersonalAccessTokens(&gitlab.ListPersonalAccessTokensOptions{UserID: gitlab.Ptr(alice.ID)})
		if err != nil {
			t.Fatal(err)
		}
		if len(ts) != 4 { // labtest, ci, x, k8s
			t.Fatalf("tokens = %v", tokenIDs(ts))
		}
	})
}

func TestImpersonationTokens(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	alice := s.NewUser(t, "alice")
	bob := s.NewUser(t, "bob")
	admin := s.Client(t, s.RootToken)
	imp, resp, err := admin.Users.CreateImpersonationToken(alice.ID, &gitlab.CreateImpersonationTokenOptions{
		Name: gitlab.Ptr("support"), Scopes: &[]string{"api"}})
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusCreated || imp.Token == "" || !imp.Active || imp.ExpiresAt == nil {
		t.Fatalf("token = %+v", imp)
	}
	t.Run("ActsAsUser", func(t *testing.T) {
		if got := currentUsername(t, s.Do(t, labtest.Request{Path: "/user", Token: imp.Token})); got != "alice" {
			t.Fatalf("username = %q", got)
		}
	})
	t.Run("ImpersonationFlag", func(t *testing.T) {
		m := s.Do(t, labtest.Request{Path: "/users/" + itoa(alice.ID) + "/impersonation_tokens/" + itoa(imp.ID), Token: s.RootToken}).Map(t)
		if m["impersonation"] != true || m["user_id"] != float64(alice.ID) {
			t.Fatalf("token = %v", m)
		}
	})
	t.Run("HiddenFromOwnersList", func(t *testing.T) {
		ts, _, err := s.Client(t, alice.Token).PersonalAccessTokens.ListPersonalAccessTokens(&gitlab.ListPersonalAccessTokensOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for _, tok := range ts {
			if tok.ID == imp.ID {
				t.Fatal("impersonation token in the user's own list")
			}
		}
	})
	t.Run("ListAndState", func(t *testing.T) {
		second, _, err := admin.Users.CreateImpersonationToken(alice.ID, &gitlab.CreateImpersonationTokenOptions{
			Name: gitlab.Ptr("second"), Scopes: &[]string{"read_user"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := admin.Users.RevokeImpersonationToken(alice.ID, second.ID); err != nil {
			t.Fatal(err)
		}
		for state, want := range map[string][]int64{"all": {imp.ID, second.ID}, "active": {imp.ID}, "inactive": {second.ID}} {
			ts, _, err := admin.Users.GetAllImpersonationTokens(alice.ID, &gitlab.GetAllImpersonationTokensOptions{State: gitlab.Ptr(state)})
			if err != nil {
				t.Fatal(err)
			}
			if len(ts) != len(want) {
				t.Fatalf("%s: %d tokens, want %v", state, len(ts), want)
			}
			for i := range ts {
				if ts[i].ID != want[i] || ts[i].Token != "" {
					t.Fatalf("%s: token %+v, want id %d", state, ts[i], want[i])
				}
			}
		}
		ts, _, err := admin.Users.GetAllImpersonationTokens(bob.ID, nil)
		if err != nil || len(ts) != 0 {
			t.Fatalf("bob's = %v, %v", ts, err)
		}
	})
	t.Run("Get", func(t *testing.T) {
		tok, _, err := admin.Users.GetImpersonationToken(alice.ID, imp.ID)
		if err != nil {
			t.Fatal(err)
		}
		if tok.Name != "support" || tok.Token != "" {
			t.Fatalf("token = %+v", tok)
		}
	})
	base := "/users/" + itoa(alice.ID) + "/impersonation_tokens"
	t.Run("ErrNotAdmin", func(t *testing.T) {
		s.Do(t, labtest.Request{Path: base, Token: alice.Token}).ExpectError(t, http.StatusForbidden, forbidden)
		s.Do(t, labtest.Request{Method: "POST", Path: base, Token: imp.Token, JSON: map[string]any{"name": "x", "scopes": []string{"api"}}}).
			ExpectError(t, http.StatusForbidden, forbidden)
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		s.Do(t, labtest.Request{Path: "/users/" + itoa(bob.ID) + "/impersonation_tokens/" + itoa(imp.ID), Token: s.RootToken}).
			ExpectError(t, http.StatusNotFound, `{"message":"404 Impersonation Token Not Found"}`)
		pat := selfTokenID(t, s, alice.Token)
		s.Do(t, labtest.Request{Path: base + "/" + itoa(pat), Token: s.RootToken}).
			ExpectError(t, http.StatusNotFound, `{"message":"404 Impersonation Token Not Found"}`)
		s.Do(t, labtest.Request{Path: "/users/99999/impersonation_tokens", Token: s.RootToken}).
			ExpectError(t, http.StatusNotFound, `{"message":"404 User Not Found"}`)
	})
	t.Run("ErrBadInput", func(t *testing.T) {
		s.Do(t, labtest.Request{Path: base + "?state=maybe", Token: s.RootToken}).
			ExpectError(t, http.StatusBadRequest, `{"error":"state does not have a valid value"}`)
		s.Do(t, labtest.Request{Method: "POST", Path: base, Token: s.RootToken, JSON: map[string]any{"name": "x"}}).
			ExpectError(t, http.StatusBadRequest, `{"error":"scopes is missing"}`)
	})
	t.Run("Revoke", func(t *testing.T) {
		resp, err := admin.Users.RevokeImpersonationToken(alice.ID, imp.ID)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusNoContent {
			t.Fatalf("status = %d", resp.StatusCode)
		}
		s.Do(t, labtest.Request{Path: "/user", Token: imp.Token}).ExpectError(t, http.StatusUnauthorized, unauthorized)
	})
}

// TestTokenSelfOtherCredentials checks /personal_access_tokens/self with
// credentials that are not personal access tokens, as GitLab answers
// them: an OAuth access token or a session gets 400 on GET and DELETE and
// 405 on rotate, and nothing is revoked.
func TestTokenSelfOtherCredentials(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	ctx := context.Background()
	form := url.Values{"grant_type": {"password"}, "username": {"root"}, "password": {s.Config.RootPassword}}
	resp, err := http.PostForm(s.URL+"/oauth/token", form)
	if err != nil {
		t.Fatal(err)
	}
	var grant struct {
		AccessToken string `json:"access_token"`
	}
	err = json.NewDecoder(resp.Body).Decode(&grant)
	resp.Body.Close()
	if err != nil || grant.AccessToken == "" {
		t.Fatalf("password grant: %d %v", resp.StatusCode, err)
	}
	in, err := s.Srv.Service.SignIn(ctx, service.SignInInput{Login: "root", Password: s.Config.RootPassword})
	if err != nil {
		t.Fatal(err)
	}
	const notPAT = `{"message":"400 Bad request - This endpoint requires token type to be a personal access token"}`
	const notAllowed = `{"message":"405 Method Not Allowed"}`
	for name, h := range map[string]map[string]string{
		"OAuth":   {"Authorization": "Bearer " + grant.AccessToken},
		"Session": {"Cookie": auth.SessionCookie + "=" + in.Cookie, "X-CSRF-Token": in.Session.CSRFToken},
	} {
		t.Run(name, func(t *testing.T) {
			s.Do(t, labtest.Request{Path: "/personal_access_tokens/self", Header: h}).
				ExpectError(t, http.StatusBadRequest, notPAT)
			s.Do(t, labtest.Request{Method: "DELETE", Path: "/personal_access_tokens/self", Header: h}).
				ExpectError(t, http.StatusBadRequest, notPAT)
			s.Do(t, labtest.Request{Method: "POST", Path: "/personal_access_tokens/self/rotate", Header: h}).
				ExpectError(t, http.StatusMethodNotAllowed, notAllowed)
			// The credential still works: nothing was revoked.
			if r := s.Do(t, labtest.Request{Path: "/user", Header: h}); r.Status != http.StatusOK {
				t.Fatalf("GET /user afterwards = %d %s", r.Status, r.Body)
			}
		})
	}
}
