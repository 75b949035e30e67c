package v4_test

import (
	"net/http"
	"slices"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// TestTopics: projects' topics are topics rows (made when new, counted),
// administrators create, rename, merge and delete topics and projects'
// topic lists follow; the topic filter finds projects; bad input is
// GitLab's 400.
func TestTopics(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	root := s.Client(t, s.RootToken)
	alice := s.NewUser(t, "alice")
	ac := s.Client(t, alice.Token)
	a, _, err := ac.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("A"),
		Visibility: gitlab.Ptr(gitlab.PublicVisibility), Topics: &[]string{"go", "CLI"}})
	if err != nil || !slices.Equal(a.Topics, []string{"go", "CLI"}) {
		t.Fatalf("create = %+v, %v", a, err)
	}
	b, _, err := ac.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("B"),
		Visibility: gitlab.Ptr(gitlab.PublicVisibility)})
	if err != nil {
		t.Fatal(err)
	}
	// tag_list names existing topics in their stored spelling.
	if b, _, err = ac.Projects.EditProject(b.ID, &gitlab.EditProjectOptions{TagList: &[]string{"Go", "web"}}); err != nil ||
		!slices.Equal(b.Topics, []string{"go", "web"}) || !slices.Equal(b.TagList, b.Topics) {
		t.Fatalf("edit = %+v, %v", b, err)
	}
	topics, resp, err := ac.Topics.ListTopics(nil)
	if err != nil || len(topics) != 3 || resp.Header.Get("X-Total") != "3" || topics[0].Name != "go" || topics[0].TotalProjectsCount != 2 {
		t.Fatalf("topics = %v, %v", topics, err)
	}
	if got, _, _ := ac.Topics.ListTopics(&gitlab.ListTopicsOptions{Search: gitlab.Ptr("cl")}); len(got) != 1 || got[0].Name != "CLI" {
		t.Fatalf("search = %v", got)
	}
	empty, _, err := root.Topics.CreateTopic(&gitlab.CreateTopicOptions{Name: gitlab.Ptr("unused"), Title: gitlab.Ptr("Unused"),
		Description: gitlab.Ptr("nothing yet")})
	if err != nil || empty.Title != "Unused" || empty.Description != "nothing yet" || empty.TotalProjectsCount != 0 {
		t.Fatalf("create topic = %+v, %v", empty, err)
	}
	var without []map[string]any
	s.Do(t, labtest.Request{Path: "/topics?without_projects=true"}).JSON(t, &without)
	if len(without) != 1 || without[0]["name"] != "unused" {
		t.Fatalf("without_projects = %v", without)
	}
	found, _, err := ac.Projects.ListProjects(&gitlab.ListProjectsOptions{Topic: gitlab.Ptr("GO")})
	if err != nil || len(found) != 2 {
		t.Fatalf("topic filter = %v, %v", found, err)
	}

	// Renaming a topic renames it in its projects.
	cli := topicNamed(t, topics, "CLI")
	if _, _, err := root.Topics.UpdateTopic(cli.ID, &gitlab.UpdateTopicOptions{Name: gitlab.Ptr("cli-tools")}); err != nil {
		t.Fatal(err)
	}
	if got, _, _ := ac.Projects.GetProject(a.ID, nil); !slices.Equal(got.Topics, []string{"go", "cli-tools"}) {
		t.Fatalf("after rename: %v", got.Topics)
	}
	// Merging web into go leaves B with go once, and deletes web.
	web := topicNamed(t, topics, "web")
	goTopic := topicNamed(t, topics, "go")
	// client-go has no merge call.
	var merged gitlab.Topic
	r := s.Do(t, labtest.Request{Method: "POST", Path: "/topics/merge", Token: s.RootToken,
		JSON: map[string]any{"source_topic_id": web.ID, "target_topic_id": goTopic.ID}})
	if r.Status != http.StatusCreated {
		t.Fatalf("merge = %d", r.Status)
	}
	r.JSON(t, &merged)
	if merged.ID != goTopic.ID || merged.TotalProjectsCount != 2 {
		t.Fatalf("merge = %+v", merged)
	}
	if got, _, _ := ac.Projects.GetProject(b.ID, nil); !slices.Equal(got.Topics, []string{"go"}) {
		t.Fatalf("after merge: %v", got.Topics)
	}
	s.Do(t, labtest.Request{Path: "/topics/" + itoa(web.ID)}).ExpectError(t, http.StatusNotFound, `{"message":"404 Not found"}`)
	s.Do(t, labtest.Request{Method: "POST", Path: "/topics/merge", Token: s.RootToken,
		JSON: map[string]any{"source_topic_id": goTopic.ID, "target_topic_id": goTopic.ID}}).
		ExpectError(t, http.StatusBadRequest, `{"message":"The source topic and the target topic are identical."}`)
	// Deleting a topic takes it off its projects.
	if _, err := root.Topics.DeleteTopic(goTopic.ID); err != nil {
		t.Fatal(err)
	}
	if got, _, _ := ac.Projects.GetProject(a.ID, nil); !slices.Equal(got.Topics, []string{"cli-tools"}) {
		t.Fatalf("after delete: %v", got.Topics)
	}

	for _, bad := range []struct {
		body map[string]any
		want string
	}{
		{map[string]any{"title": "x"}, `{"error":"name is missing"}`},
		{map[string]any{"name": "unused", "title": "x"}, `{"message":{"name":["has already been taken"]}}`},
		{map[string]any{"name": "UNUSED", "title": "x"}, `{"message":{"name":["has already been taken"]}}`},
		{map[string]any{"name": "a,b", "title": "x"}, `{"message":{"name":["is invalid"]}}`},
		{map[string]any{"name": "ok", "title": ""}, `{"message":{"title":["can't be blank"]}}`},
		{map[string]any{"name": []int{1}, "title": "x"}, `{"error":"name is invalid"}`},
	} {
		s.Do(t, labtest.Request{Method: "POST", Path: "/topics", Token: s.RootToken, JSON: bad.body}).ExpectError(t, http.StatusBadRequest, bad.want)
	}
	s.Do(t, labtest.Request{Method: "POST", Path: "/topics", Token: alice.Token, JSON: map[string]any{"name": "n", "title": "n"}}).
		ExpectError(t, http.StatusForbidden, `{"message":"403 Forbidden"}`)
	s.Do(t, labtest.Request{Path: "/topics/abc"}).ExpectError(t, http.StatusBadRequest, `{"error":"id is invalid"}`)
	s.Do(t, labtest.Request{Method: "POST", Path: "/topics/merge", Token: s.RootToken, JSON: map[string]any{"source_topic_id": 1}}).
		ExpectError(t, http.StatusBadRequest, `{"error":"target_topic_id is missing"}`)
}

func topicNamed(t *testing.T, topics []*gitlab.Topic, name string) *gitlab.Topic {
	t.Helper()
	for _, tp := range topics {
		if tp.Name == name {
			return tp
		}
	}
	t.Fatalf("no topic %q in %v", name, topics)
	return nil
}
