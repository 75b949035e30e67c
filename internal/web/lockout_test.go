package web_test

import (
	"context"
	"database/sql"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/labtest"
	"github.com/lablet/lablet/internal/service"
)

// TestSignInLockoutParallel sends 100 wrong passwords at once through the
// sign-in form: exactly MaxFailedSignIns of them are checked, the last of
// those locks the account, every other one is refused as locked, and the
// right password is refused afterwards, on the form and by the OAuth
// password grant alike.
func TestSignInLockoutParallel(t *testing.T) {
	s := labtest.Start(t)
	ctx := context.Background()
	alice := s.NewUser(t, "alice")
	hash, err := auth.HashPassword("correct-horse-battery")
	if err != nil {
		t.Fatal(err)
	}
	alice.PasswordHash = hash
	if err := s.Srv.DB.Queries().UpdateUser(ctx, alice.User); err != nil {
		t.Fatal(err)
	}
	c := newClient(t)
	tok := formToken(t, c, s.URL+"/users/sign_in")
	signIn := func(password string) (int, string) {
		resp, err := c.PostForm(s.URL+"/users/sign_in", url.Values{"authenticity_token": {tok},
			"user[login]": {"alice"}, "user[password]": {password}})
		if err != nil {
			t.Error(err)
			return 0, ""
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	const guesses = 100
	var mu sync.Mutex
	answers := map[string]int{}
	var wg sync.WaitGroup
	for i := 0; i < guesses; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			status, body := signIn("wrong-password")
			answer := "other"
			switch {
			case status == http.StatusUnauthorized && strings.Contains(body, "Invalid login or password."):
				answer = "invalid"
			case status == http.StatusUnauthorized && strings.Contains(body, "Your account is locked."):
				answer = "locked"
			}
			mu.Lock()
			answers[answer]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	// The tenth failure is answered "locked" already, as before.
	want := map[string]int{"invalid": service.MaxFailedSignIns - 1, "locked": guesses - service.MaxFailedSignIns + 1}
	if answers["invalid"] != want["invalid"] || answers["locked"] != want["locked"] || answers["other"] != 0 {
		t.Fatalf("answers to %d parallel wrong passwords = %v, want %v", guesses, answers, want)
	}
	var failed int
	var locked sql.NullInt64
	if err := s.Srv.DB.SQL().QueryRow("SELECT failed_attempts, locked_until FROM users WHERE id = "+
		strconv.FormatInt(alice.ID, 10)).Scan(&failed, &locked); err != nil {
		t.Fatal(err)
	}
	if failed != service.MaxFailedSignIns || !locked.Valid {
		t.Fatalf("after the burst: failed_attempts = %d, locked_until = %v; want %d and a lock", failed, locked,
			service.MaxFailedSignIns)
	}

	// Locked: the right password is refused, on the form and by OAuth.
	if status, body := signIn("correct-horse-battery"); status != http.StatusUnauthorized ||
		!strings.Contains(body, "Your account is locked.") {
		t.Fatalf("right password while locked = %d", status)
	}
	form := url.Values{"grant_type": {"password"}, "username": {"alice"}, "password": {"correct-horse-battery"}}
	resp, err := http.PostForm(s.URL+"/oauth/token", form)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(b), `"invalid_grant"`) {
		t.Fatalf("password grant while locked = %d %s", resp.StatusCode, b)
	}

	// Once the lock has expired the right password works and clears the count.
	if _, err := s.Srv.DB.SQL().Exec("UPDATE users SET locked_until = 1 WHERE id = " + strconv.FormatInt(alice.ID, 10)); err != nil {
		t.Fatal(err)
	}
	if status, _ := signIn("correct-horse-battery"); status != http.StatusFound {
		t.Fatalf("right password after the lock expired = %d", status)
	}
	if err := s.Srv.DB.SQL().QueryRow("SELECT failed_attempts, locked_until FROM users WHERE id = "+
		strconv.FormatInt(alice.ID, 10)).Scan(&failed, &locked); err != nil {
		t.Fatal(err)
	}
	if failed != 0 || locked.Valid {
		t.Fatalf("after signing in: failed_attempts = %d, locked_until = %v", failed, locked)
	}
}
