package packages_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// TestGroupPackagesAndConcurrentPublish: files published at once to one
// new package make one package with every file; a group lists its
// subgroups' packages unless exclude_subgroups, and only those of
// projects whose packages the caller reads.
func TestGroupPackagesAndConcurrentPublish(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	f := s.NewTeam(t)
	root := s.Client(t, s.RootToken)
	dc := s.Client(t, f.Developer.Token)

	const n = 8
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, err := dc.GenericPackages.PublishPackageFile(f.Project.ID, "same", "1.0", "f"+itoa(int64(i)),
				strings.NewReader("x"), nil)
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("concurrent publish: %v", err)
		}
	}
	list, _, err := dc.Packages.ListProjectPackages(f.Project.ID, nil)
	if err != nil || len(list) != 1 {
		t.Fatalf("packages after concurrent publishes: %+v %v", list, err)
	}
	files, _, err := dc.Packages.ListPackageFiles(f.Project.ID, list[0].ID, &gitlab.ListPackageFilesOptions{ListOptions: gitlab.ListOptions{PerPage: 100}})
	if err != nil || len(files) != n {
		t.Fatalf("files: %d %v, want %d", len(files), err, n)
	}

	sub, _, err := root.Groups.CreateGroup(&gitlab.CreateGroupOptions{Name: gitlab.Ptr("Sub"), Path: gitlab.Ptr("sub"),
		ParentID: gitlab.Ptr(f.Group.ID), Visibility: gitlab.Ptr(gitlab.PrivateVisibility)})
	if err != nil {
		t.Fatal(err)
	}
	inner, _, err := root.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("Inner"), NamespaceID: gitlab.Ptr(sub.ID)})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := root.GenericPackages.PublishPackageFile(inner.ID, "deep", "0.1", "d.bin", strings.NewReader("d"), nil); err != nil {
		t.Fatal(err)
	}
	names := func(c *gitlab.Client, exclude bool) string {
		t.Helper()
		l, _, err := c.Packages.ListGroupPackages(f.Group.ID, &gitlab.ListGroupPackagesOptions{ExcludeSubGroups: gitlab.Ptr(exclude),
			OrderBy: gitlab.Ptr("project_path")})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, p := range l {
			out = append(out, p.ProjectPath+":"+p.Name)
		}
		return strings.Join(out, ",")
	}
	owner := s.Client(t, f.Owner.Token)
	if got := names(owner, false); got != "team/app:same,team/sub/inner:deep" {
		t.Errorf("group list = %s", got)
	}
	if got := names(owner, true); got != "team/app:same" {
		t.Errorf("group list without subgroups = %s", got)
	}
	// The Developer of team/app reads only its packages.
	if got := names(dc, false); got != "team/app:same" {
		t.Errorf("a project member's group list = %s", got)
	}
	s.Do(t, labtest.Request{Path: "/groups/" + itoa(f.Group.ID) + "/packages?order_by=size", Token: f.Owner.Token}).
		ExpectError(t, http.StatusBadRequest, `{"error":"order_by does not have a valid value"}`)
	s.Do(t, labtest.Request{Path: "/groups/" + itoa(f.Group.ID) + "/packages", Token: s.NewUser(t, "stranger").Token}).
		ExpectError(t, http.StatusNotFound, `{"message":"404 Group Not Found"}`)
}
