package v4_test

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/config"
	"github.com/lablet/lablet/internal/labtest"
)

// waitStatistics polls GET /projects/:id?statistics=true as token until
// ok accepts the statistics the background refresh stored.
func waitStatistics(t *testing.T, c *gitlab.Client, pid int64, ok func(*gitlab.Statistics) bool) *gitlab.Statistics {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		p, _, err := c.Projects.GetProject(pid, &gitlab.GetProjectOptions{Statistics: gitlab.Ptr(true)})
		if err != nil {
			t.Fatal(err)
		}
		if p.Statistics != nil && ok(p.Statistics) {
			return p.Statistics
		}
		if time.Now().After(deadline) {
			t.Fatalf("statistics never refreshed: %+v", p.Statistics)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Statistics (GET /projects/:id?statistics=true and the project list's)
// show a Reporter the figures the background refresh stored after an API
// commit and an upload: the repository's size, its default branch's
// commits, the upload's bytes, their sum. A Guest, a non-member and an
// anonymous caller of the public project don't get the key, nor does the
// Reporter without statistics=true.
func TestProjectStatisticsForReporters(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	owner, reporter, guest, outsider := s.NewUser(t, "ola"), s.NewUser(t, "rita"), s.NewUser(t, "gus"), s.NewUser(t, "otto")
	oc := s.Client(t, owner.Token)
	p, _, err := oc.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("Measured"),
		Visibility: gitlab.Ptr(gitlab.PublicVisibility), InitializeWithReadme: gitlab.Ptr(true)})
	if err != nil {
		t.Fatal(err)
	}
	for u, level := range map[*labtest.User]gitlab.AccessLevelValue{reporter: gitlab.ReporterPermissions,
		guest: gitlab.GuestPermissions} {
		if _, _, err := oc.ProjectMembers.AddProjectMember(p.ID, &gitlab.AddProjectMemberOptions{UserID: u.ID,
			AccessLevel: gitlab.Ptr(level)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := oc.RepositoryFiles.CreateFile(p.ID, "big.txt", &gitlab.CreateFileOptions{Branch: gitlab.Ptr("main"),
		Content: gitlab.Ptr(strings.Repeat("lablet ", 4000)), CommitMessage: gitlab.Ptr("add big")}); err != nil {
		t.Fatal(err)
	}
	upload := bytes.Repeat([]byte("u"), 1234)
	if _, _, err := oc.ProjectMarkdownUploads.UploadProjectMarkdown(p.ID, bytes.NewReader(upload), "notes.txt"); err != nil {
		t.Fatal(err)
	}

	rc := s.Client(t, reporter.Token)
	st := waitStatistics(t, rc, p.ID, func(st *gitlab.Statistics) bool {
		return st.CommitCount == 2 && st.RepositorySize > 0 && st.UploadsSize == int64(len(upload))
	})
	if st.StorageSize != st.RepositorySize+st.UploadsSize+st.WikiSize+st.LFSObjectsSize+st.JobArtifactsSize+
		st.PackagesSize+st.SnippetsSize {
		t.Errorf("storage_size %d is not the sum of %+v", st.StorageSize, st)
	}

	// Without statistics=true: no statistics.
	got, _, err := rc.Projects.GetProject(p.ID, nil)
	if err != nil || got.Statistics != nil {
		t.Fatalf("without statistics=true: %+v, %v", got.Statistics, err)
	}
	// The list shows them to the Reporter, on the project entity.
	list, _, err := rc.Projects.ListProjects(&gitlab.ListProjectsOptions{Membership: gitlab.Ptr(true),
		Statistics: gitlab.Ptr(true)})
	if err != nil || len(list) != 1 || list[0].Statistics == nil || *list[0].Statistics != *st {
		t.Fatalf("reporter's list: %v, %v", list, err)
	}

	// Others of the public project: the key is absent.
	path := fmt.Sprintf("/projects/%d?statistics=true", p.ID)
	for name, token := range map[string]string{"guest": guest.Token, "non-member": outsider.Token, "anonymous": ""} {
		r := s.Do(t, labtest.Request{Method: http.MethodGet, Path: path, Token: token})
		if r.Status != http.StatusOK {
			t.Fatalf("%s: %d %s", name, r.Status, r.Body)
		}
		if _, ok := r.Map(t)["statistics"]; ok {
			t.Errorf("%s sees statistics: %s", name, r.Body)
		}
		r = s.Do(t, labtest.Request{Method: http.MethodGet, Path: "/projects?statistics=true", Token: token})
		if r.Status != http.StatusOK || bytes.Contains(r.Body, []byte(`"statistics"`)) {
			t.Errorf("%s's list: %d %s", name, r.Status, r.Body)
		}
	}
	s.Do(t, labtest.Request{Method: http.MethodGet, Path: fmt.Sprintf("/projects/%d?statistics=maybe", p.ID),
		Token: reporter.Token}).ExpectError(t, http.StatusBadRequest, `{"error":"statistics is invalid"}`)
	// An administrator sees them without being a member.
	root, _, err := s.Client(t, s.RootToken).Projects.GetProject(p.ID, &gitlab.GetProjectOptions{Statistics: gitlab.Ptr(true)})
	if err != nil || root.Statistics == nil || *root.Statistics != *st {
		t.Fatalf("admin: %+v, %v", root, err)
	}
}

// TestProjectListStatisticsNoNPlusOne: a page of 6 projects with their
// statistics costs the statements a page of 2 does, one more than the
// page without them.
func TestProjectListStatisticsNoNPlusOne(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t, func(c *config.Config) { c.CachesOff = true })
	u := s.NewUser(t, "stella")
	c := s.Client(t, u.Token)
	for i := range 6 {
		if _, _, err := c.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr(fmt.Sprintf("p%d", i))}); err != nil {
			t.Fatal(err)
		}
	}
	statements := func(perPage int, stats bool) int64 {
		path := fmt.Sprintf("/projects?owned=true&per_page=%d&statistics=%t", perPage, stats)
		s.Do(t, labtest.Request{Method: http.MethodGet, Path: path, Token: u.Token})
		var r *labtest.Response
		n := s.FewestStatements(3, func() {
			r = s.Do(t, labtest.Request{Method: http.MethodGet, Path: path, Token: u.Token})
		})
		var ps []*gitlab.Project
		r.JSON(t, &ps)
		if len(ps) != perPage {
			t.Fatalf("%s: %s", path, r.Body)
		}
		for _, p := range ps {
			if (p.Statistics != nil) != stats {
				t.Fatalf("%s: statistics %+v", path, p.Statistics)
			}
		}
		return n
	}
	few, many, bare := statements(2, true), statements(6, true), statements(6, false)
	if few == 0 || many != few || many != bare+1 {
		t.Errorf("6 projects' statistics ran %d statements, 2 ran %d, 6 without statistics %d", many, few, bare)
	}
	t.Logf("statements: 2 projects %d, 6 projects %d, without statistics %d", few, many, bare)
}
