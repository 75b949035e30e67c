package server_test

import (
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"
)

// TestGitPushEvents: a push over HTTP records one push event per ref that
// landed, with the commits it brought, and none for a ref git refused.
func TestGitPushEvents(t *testing.T) {
	f := newGitFixture(t)
	path := "team/app.git"
	w := f.clone(f.url("d", f.dev.Token, path))
	f.mustGit(w, "checkout", "-q", "-b", "topic")
	f.commit(w, "a.txt", "a\n")
	f.commit(w, "b.txt", "b\n")
	f.mustGit(w, "push", "-q", "origin", "topic")
	f.commit(w, "c.txt", "c\n")
	f.mustGit(w, "push", "-q", "origin", "topic")
	// main is protected for Maintainers: the developer's push is refused.
	f.mustGit(w, "checkout", "-q", "main")
	f.commit(w, "d.txt", "d\n")
	f.failGit("", w, "push", "-q", "origin", "main")

	root := f.s.Client(t, f.s.RootToken)
	events, _, err := root.Events.ListProjectVisibleEvents(f.project.ID, &gitlab.ListProjectVisibleEventsOptions{
		Action: gitlab.Ptr(gitlab.EventTypeValue("pushed")), Sort: gitlab.Ptr("asc")})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range events {
		got = append(got, strings.Join([]string{e.ActionName, e.Author.Username, e.PushData.Ref,
			e.PushData.CommitTitle, itoa(e.PushData.CommitCount)}, " "))
	}
	want := []string{"pushed new dev topic change b.txt 2", "pushed to dev topic change c.txt 1"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("push events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
