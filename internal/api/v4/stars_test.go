package v4_test

import (
	"net/http"
	"sync"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// TestProjectStars: starring and unstarring answer 201 then 304, the
// project's star_count follows (also in cached reads and lists), starrers
// and starred projects list them, and the starred filter keeps them.
func TestProjectStars(t *testing.T) {
	t.Parallel()
	f := atkSetup(t)
	s := f.s
	mc := s.Client(t, f.maint.Token)
	// Read first, so that a cached entity would be stale.
	if p, _, err := mc.Projects.GetProject(f.project.ID, nil); err != nil || p.StarCount != 0 {
		t.Fatalf("before = %+v, %v", p, err)
	}
	p, resp, err := mc.Projects.StarProject(f.project.ID)
	if err != nil || resp.StatusCode != http.StatusCreated || p.StarCount != 1 {
		t.Fatalf("star = %+v, %v", p, err)
	}
	if r := s.Do(t, labtest.Request{Method: "POST", Path: "/projects/" + itoa(f.project.ID) + "/star", Token: f.maint.Token}); r.Status != http.StatusNotModified {
		t.Fatalf("star again = %d", r.Status)
	}
	if got, _, _ := mc.Projects.GetProject(f.project.ID, nil); got.StarCount != 1 {
		t.Fatalf("get after star: star_count = %d", got.StarCount)
	}
	list, _, err := mc.Projects.ListProjects(&gitlab.ListProjectsOptions{Starred: gitlab.Ptr(true)})
	if err != nil || len(list) != 1 || list[0].ID != f.project.ID || list[0].StarCount != 1 {
		t.Fatalf("starred list = %v, %v", list, err)
	}
	if other, _, _ := s.Client(t, f.dev.Token).Projects.ListProjects(&gitlab.ListProjectsOptions{Starred: gitlab.Ptr(true)}); len(other) != 0 {
		t.Fatalf("dev's starred list = %v", other)
	}
	starrers, _, err := mc.Projects.ListProjectStarrers(f.project.ID, nil)
	if err != nil || len(starrers) != 1 || starrers[0].User.Username != f.maint.Username || starrers[0].StarredSince.IsZero() {
		t.Fatalf("starrers = %+v, %v", starrers, err)
	}
	if none, _, _ := mc.Projects.ListProjectStarrers(f.project.ID, &gitlab.ListProjectStarrersOptions{Search: gitlab.Ptr("nobody")}); len(none) != 0 {
		t.Fatalf("starrers search = %+v", none)
	}
	starred, _, err := mc.Projects.ListUserStarredProjects(f.maint.ID, nil)
	if err != nil || len(starred) != 1 {
		t.Fatalf("starred projects = %v, %v", starred, err)
	}
	// Someone who can't see the private project sees neither.
	outsider := s.NewUser(t, "outsider")
	if got, _, _ := s.Client(t, outsider.Token).Projects.ListUserStarredProjects(f.maint.ID, nil); len(got) != 0 {
		t.Fatalf("outsider sees %v", got)
	}
	s.Do(t, labtest.Request{Method: "POST", Path: "/projects/" + itoa(f.project.ID) + "/star", Token: outsider.Token}).
		ExpectError(t, http.StatusNotFound, `{"message":"404 Project Not Found"}`)
	s.Do(t, labtest.Request{Path: "/users/999999/starred_projects", Token: f.maint.Token}).
		ExpectError(t, http.StatusNotFound, `{"message":"404 User Not Found"}`)
	s.Do(t, labtest.Request{Method: "POST", Path: "/projects/" + itoa(f.project.ID) + "/star"}).
		ExpectError(t, http.StatusUnauthorized, `{"message":"401 Unauthorized"}`)

	p, resp, err = mc.Projects.UnstarProject(f.project.ID)
	if err != nil || resp.StatusCode != http.StatusCreated || p.StarCount != 0 {
		t.Fatalf("unstar = %+v, %v", p, err)
	}
	if r := s.Do(t, labtest.Request{Method: "POST", Path: "/projects/" + itoa(f.project.ID) + "/unstar", Token: f.maint.Token}); r.Status != http.StatusNotModified {
		t.Fatalf("unstar again = %d", r.Status)
	}
}

// TestProjectStarCountConcurrent: parallel stars and unstars keep
// star_count the number of stars.
func TestProjectStarCountConcurrent(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	root := s.Client(t, s.RootToken)
	p, _, err := root.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("Popular"),
		Visibility: gitlab.Ptr(gitlab.PublicVisibility)})
	if err != nil {
		t.Fatal(err)
	}
	const n = 12
	users := make([]*labtest.User, n)
	for i := range users {
		users[i] = s.NewUser(t, "fan"+itoa(int64(i)))
	}
	var wg sync.WaitGroup
	for i, u := range users {
		for range 2 { // each star twice at once: one 201, one 304
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := s.Do(t, labtest.Request{Method: "POST", Path: "/projects/" + itoa(p.ID) + "/star", Token: u.Token})
				if r.Status != http.StatusCreated && r.Status != http.StatusNotModified {
					t.Errorf("star %d = %d", i, r.Status)
				}
			}()
		}
	}
	wg.Wait()
	if got, _, _ := root.Projects.GetProject(p.ID, nil); got.StarCount != n {
		t.Fatalf("star_count = %d, want %d", got.StarCount, n)
	}
	for _, u := range users[:n/2] {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.Do(t, labtest.Request{Method: "POST", Path: "/projects/" + itoa(p.ID) + "/unstar", Token: u.Token})
		}()
	}
	wg.Wait()
	if got, _, _ := root.Projects.GetProject(p.ID, nil); got.StarCount != n-n/2 {
		t.Fatalf("star_count after unstars = %d, want %d", got.StarCount, n-n/2)
	}
}
