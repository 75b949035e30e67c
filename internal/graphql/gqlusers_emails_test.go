package graphql_test

import (
	"fmt"
	"slices"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/config"
	"github.com/lablet/lablet/internal/labtest"
)

// TestGraphQLUserEmails reads CurrentUser.emails and UserCore.emails
// against REST's GET /user/emails and /users/:id/emails: only the user and
// administrators read them, and a page of users' addresses costs one
// statement.
func TestGraphQLUserEmails(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t, func(c *config.Config) { c.CachesOff = true })
	var names []string
	for i := range 6 {
		u := s.NewUser(t, fmt.Sprintf("em%d", i))
		names = append(names, u.Username)
		for j := range i % 3 {
			if _, _, err := s.Client(t, u.Token).Users.AddEmail(&gitlab.AddEmailOptions{
				Email: gitlab.Ptr(fmt.Sprintf("em%d.%d@example.org", i, j))}); err != nil {
				t.Fatal(err)
			}
		}
	}
	emails := func(c any) []string {
		var out []string
		nodes, _ := dig(c, "nodes").([]any)
		for _, n := range nodes {
			out = append(out, dig(n, "email").(string))
		}
		slices.Sort(out)
		return out
	}
	em2 := s.NewToken(t, mustUserID(t, s, "em2"))
	rest, _, err := s.Client(t, em2).Users.ListEmails(nil)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, e := range rest {
		want = append(want, e.Email)
	}
	slices.Sort(want)
	_, r := post(t, s, em2, `query { currentUser { emails(first: 10) { count nodes { id email confirmedAt createdAt } } } }`, nil)
	c := dig(mustData(t, r), "currentUser", "emails")
	if got := emails(c); len(got) != 2 || !slices.Equal(got, want) || dig(c, "count") != float64(2) {
		t.Errorf("own emails = %v, REST %v", c, want)
	}
	// Another user's addresses are not theirs to read: empty, as GitLab.
	_, r = post(t, s, em2, `query { user(username: "em1") { emails(first: 10) { count nodes { email } } } }`, nil)
	if c := dig(mustData(t, r), "user", "emails"); dig(c, "count") != float64(0) || len(emails(c)) != 0 {
		t.Errorf("em1's emails seen by em2 = %v", c)
	}

	// An administrator reads everyone's, one statement for a page of users.
	statements := func(withEmails bool) (int64, []any) {
		fields := "username"
		if withEmails {
			fields += " emails(first: 5) { nodes { email } }"
		}
		q := `query($u: [String!]) { users(usernames: $u, first: 10) { nodes { ` + fields + ` } } }`
		vars := map[string]any{"u": names}
		post(t, s, s.RootToken, q, vars)
		r, count := countedPost(t, s, s.RootToken, q, vars)
		nodes, _ := dig(mustData(t, r), "users", "nodes").([]any)
		return count, nodes
	}
	plain, _ := statements(false)
	with, nodes := statements(true)
	if len(nodes) != 6 || with-plain > 1 {
		t.Errorf("emails of 6 users ran %d more statements", with-plain)
	}
	root := s.Client(t, s.RootToken)
	for _, n := range nodes {
		name := fmt.Sprint(dig(n, "username"))
		rest, _, err := root.Users.ListEmailsForUser(mustUserID(t, s, name), nil)
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, e := range rest {
			want = append(want, e.Email)
		}
		slices.Sort(want)
		if got := emails(dig(n, "emails")); !slices.Equal(got, want) {
			t.Errorf("%s: emails %v, REST %v", name, got, want)
		}
	}
	// A negative page size is refused.
	_, r = post(t, s, em2, `query { currentUser { emails(first: -1) { count } } }`, nil)
	if len(r.Errors) == 0 {
		t.Errorf("first: -1 = %v", r.Data)
	}
}

func mustUserID(t *testing.T, s *labtest.Server, username string) int64 {
	t.Helper()
	u, err := s.Srv.DB.Queries().UserByUsername(t.Context(), username)
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}
