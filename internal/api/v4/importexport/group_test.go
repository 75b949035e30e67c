package importexport_test

import (
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lablet/lablet/internal/labtest"
	gitlab "gitlab.com/gitlab-org/api/client-go"
)

// downloadGroupExport polls the download until the archive is there and
// writes it to a file.
func downloadGroupExport(t *testing.T, c *gitlab.Client, gid int64) string {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		rd, resp, err := c.GroupImportExport.ExportDownload(gid)
		if resp != nil && resp.StatusCode == http.StatusNotFound {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if cd := resp.Header.Get("Content-Disposition"); !strings.Contains(cd, "_export.tar.gz") {
			t.Errorf("Content-Disposition = %q", cd)
		}
		file := filepath.Join(t.TempDir(), "group.tar.gz")
		b, _ := io.ReadAll(rd)
		if err := os.WriteFile(file, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return file
	}
	t.Fatal("group export did not finish")
	return ""
}

// groupShape is what a group tree answers: its subgroups' relative paths,
// and per group its labels, milestones, badges and boards.
func groupShape(t *testing.T, c *gitlab.Client, gid int64, full string) []string {
	t.Helper()
	var out []string
	groups := []*gitlab.Group{{ID: gid, FullPath: full}}
	desc, _, err := c.Groups.ListDescendantGroups(gid, &gitlab.ListDescendantGroupsOptions{})
	if err != nil {
		t.Fatal(err)
	}
	groups = append(groups, desc...)
	for _, g := range groups {
		rel := strings.TrimPrefix(g.FullPath, full)
		out = append(out, "group "+rel)
		labels, _, err := c.GroupLabels.ListGroupLabels(g.ID, &gitlab.ListGroupLabelsOptions{IncludeAncestorGroups: gitlab.Ptr(false)})
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range labels {
			out = append(out, rel+" label "+l.Name+" "+l.Color+" "+l.Description)
		}
		ms, _, err := c.GroupMilestones.ListGroupMilestones(g.ID, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range ms {
			out = append(out, rel+" milestone "+itoa(m.IID)+" "+m.Title+" "+m.State)
		}
		badges, _, err := c.GroupBadges.ListGroupBadges(g.ID, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range badges {
			out = append(out, rel+" badge "+b.Name+" "+b.LinkURL+" "+b.ImageURL)
		}
		boards, _, err := c.GroupIssueBoards.ListGroupIssueBoards(g.ID, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range boards {
			var lists []string
			for _, l := range b.Lists {
				if l.Label != nil {
					lists = append(lists, l.Label.Name)
				}
			}
			out = append(out, rel+" board "+b.Name+" "+strings.Join(lists, ","))
		}
	}
	sort.Strings(out)
	return out
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestGroupExportImportRoundTrip: a group exported by its Owner and
// imported into a new path (top level, and under a parent) answers the
// same subgroups, labels, milestones (iids and states), badges and boards.
func TestGroupExportImportRoundTrip(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	f := s.NewTeam(t)
	oc := s.Client(t, f.Owner.Token)
	team := f.Group
	sub, _, err := oc.Groups.CreateGroup(&gitlab.CreateGroupOptions{Name: gitlab.Ptr("Sub"), Path: gitlab.Ptr("sub"),
		ParentID: gitlab.Ptr(team.ID), Description: gitlab.Ptr("the sub")})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := oc.Groups.CreateGroup(&gitlab.CreateGroupOptions{Name: gitlab.Ptr("Deep"), Path: gitlab.Ptr("deep"),
		ParentID: gitlab.Ptr(sub.ID)}); err != nil {
		t.Fatal(err)
	}
	for gid, names := range map[int64][]string{team.ID: {"bug", "feature"}, sub.ID: {"sub-only"}} {
		for _, n := range names {
			if _, _, err := oc.GroupLabels.CreateGroupLabel(gid, &gitlab.CreateGroupLabelOptions{Name: gitlab.Ptr(n),
				Color: gitlab.Ptr("#ff0000"), Description: gitlab.Ptr("about " + n)}); err != nil {
				t.Fatal(err)
			}
		}
	}
	for gid, titles := range map[int64][]string{team.ID: {"v1", "v2", "v3"}, sub.ID: {"s1"}} {
		for _, title := range titles {
			if _, _, err := oc.GroupMilestones.CreateGroupMilestone(gid, &gitlab.CreateGroupMilestoneOptions{Title: gitlab.Ptr(title)}); err != nil {
				t.Fatal(err)
			}
		}
	}
	// A gap in the iids: v2 deleted, v3 closed.
	ms, _, err := oc.GroupMilestones.ListGroupMilestones(team.ID, &gitlab.ListGroupMilestonesOptions{Search: gitlab.Ptr("v")})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		switch m.Title {
		case "v2":
			if _, err := oc.GroupMilestones.DeleteGroupMilestone(team.ID, m.ID); err != nil {
				t.Fatal(err)
			}
		case "v3":
			if _, _, err := oc.GroupMilestones.UpdateGroupMilestone(team.ID, m.ID, &gitlab.UpdateGroupMilestoneOptions{
				StateEvent: gitlab.Ptr("close")}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, _, err := oc.GroupBadges.AddGroupBadge(team.ID, &gitlab.AddGroupBadgeOptions{LinkURL: gitlab.Ptr("https://example.com/%{project_path}"),
		ImageURL: gitlab.Ptr("https://example.com/badge.svg"), Name: gitlab.Ptr("ci")}); err != nil {
		t.Fatal(err)
	}
	board, _, err := oc.GroupIssueBoards.CreateGroupIssueBoard(team.ID, &gitlab.CreateGroupIssueBoardOptions{Name: gitlab.Ptr("Plan")})
	if err != nil {
		t.Fatal(err)
	}
	labels, _, _ := oc.GroupLabels.ListGroupLabels(team.ID, nil)
	for _, l := range labels {
		if _, _, err := oc.GroupIssueBoards.CreateGroupIssueBoardList(team.ID, board.ID,
			&gitlab.CreateGroupIssueBoardListOptions{LabelID: gitlab.Ptr(l.ID)}); err != nil {
			t.Fatal(err)
		}
	}
	want := groupShape(t, oc, team.ID, team.FullPath)

	// Download before any export: GitLab's 404.
	if r := s.Do(t, labtest.Request{Method: "GET", Path: "/groups/" + itoa(team.ID) + "/export/download", Token: f.Owner.Token}); r.Status != http.StatusNotFound ||
		!strings.Contains(string(r.Body), `"404 Not found or has expired"`) {
		t.Fatalf("download before export = %d %s", r.Status, r.Body)
	}
	resp, err := oc.GroupImportExport.ScheduleExport(team.ID)
	if err != nil || resp.StatusCode != http.StatusAccepted {
		t.Fatalf("schedule export = %v", err)
	}
	file := downloadGroupExport(t, oc, team.ID)

	// Top level, by its Owner (who may create groups).
	resp, err = oc.GroupImportExport.ImportFile(&gitlab.GroupImportFileOptions{Name: gitlab.Ptr("Copy"),
		Path: gitlab.Ptr("copy"), File: gitlab.Ptr(file)})
	if err != nil || resp.StatusCode != http.StatusAccepted {
		t.Fatalf("import = %v", err)
	}
	cp, _, err := oc.Groups.GetGroup("copy", nil)
	if err != nil {
		t.Fatal(err)
	}
	if cp.Name != "Copy" || cp.Visibility != gitlab.PrivateVisibility || cp.Description != team.Description {
		t.Errorf("imported group = %q %q %q", cp.Name, cp.Visibility, cp.Description)
	}
	if got := groupShape(t, oc, cp.ID, cp.FullPath); !slices.Equal(got, want) {
		t.Errorf("imported tree:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	deep, _, err := oc.Groups.GetGroup("copy/sub", nil)
	if err != nil || deep.Description != "the sub" {
		t.Fatalf("copy/sub = %+v, %v", deep, err)
	}
	// Under a parent the importer may create subgroups in.
	resp, err = oc.GroupImportExport.ImportFile(&gitlab.GroupImportFileOptions{Name: gitlab.Ptr("Nested"),
		Path: gitlab.Ptr("nested"), File: gitlab.Ptr(file), ParentID: gitlab.Ptr(team.ID)})
	if err != nil || resp.StatusCode != http.StatusAccepted {
		t.Fatalf("import under a parent = %v", err)
	}
	nested, _, err := oc.Groups.GetGroup("team/nested", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := groupShape(t, oc, nested.ID, nested.FullPath); !slices.Equal(got, want) {
		t.Errorf("nested tree:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// The path taken: GitLab's 400, nothing new.
	_, err = oc.GroupImportExport.ImportFile(&gitlab.GroupImportFileOptions{Name: gitlab.Ptr("Copy"),
		Path: gitlab.Ptr("copy"), File: gitlab.Ptr(file)})
	var er *gitlab.ErrorResponse
	if !errors.As(err, &er) || er.Response.StatusCode != http.StatusBadRequest || !strings.Contains(er.Message, "has already been taken") {
		t.Fatalf("path taken = %v", err)
	}
}

// TestGroupExportImportPermissions: export and download take the group's
// Owner (admin_group); a caller who cannot see the group gets 404; an
// import under a parent takes the right to create subgroups there.
func TestGroupExportImportPermissions(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	f := s.NewTeam(t)
	oc := s.Client(t, f.Owner.Token)
	outsider := s.NewUser(t, "outsider")
	cases := []struct {
		who  *labtest.User
		want int
	}{{f.GroupMaintainer, http.StatusForbidden}, {f.Developer, http.StatusForbidden}, {outsider, http.StatusNotFound}}
	for _, tc := range cases {
		c := s.Client(t, tc.who.Token)
		if resp, _ := c.GroupImportExport.ScheduleExport(f.Group.ID); resp == nil || resp.StatusCode != tc.want {
			t.Errorf("%s export = %v, want %d", tc.who.Username, resp, tc.want)
		}
		if _, resp, _ := c.GroupImportExport.ExportDownload(f.Group.ID); resp == nil || resp.StatusCode != tc.want {
			t.Errorf("%s download = %v, want %d", tc.who.Username, resp, tc.want)
		}
	}
	if r := s.Do(t, labtest.Request{Method: "POST", Path: "/groups/" + itoa(f.Group.ID) + "/export"}); r.Status != http.StatusUnauthorized {
		t.Errorf("anonymous export = %d", r.Status)
	}
	if _, err := oc.GroupImportExport.ScheduleExport(f.Group.ID); err != nil {
		t.Fatal(err)
	}
	file := downloadGroupExport(t, oc, f.Group.ID)
	imp := func(c *gitlab.Client, path string, parent *int64) int {
		resp, _ := c.GroupImportExport.ImportFile(&gitlab.GroupImportFileOptions{Name: gitlab.Ptr(path),
			Path: gitlab.Ptr(path), File: gitlab.Ptr(file), ParentID: parent})
		if resp == nil {
			return 0
		}
		return resp.StatusCode
	}
	if got := imp(s.Client(t, f.GroupMaintainer.Token), "bymaint", gitlab.Ptr(f.Group.ID)); got != http.StatusAccepted {
		t.Errorf("group maintainer under the group = %d", got)
	}
	if got := imp(s.Client(t, f.Developer.Token), "bydev", gitlab.Ptr(f.Group.ID)); got != http.StatusForbidden {
		t.Errorf("project developer under the group = %d", got)
	}
	if got := imp(s.Client(t, outsider.Token), "byout", gitlab.Ptr(f.Group.ID)); got != http.StatusNotFound {
		t.Errorf("outsider under the group = %d", got)
	}
	if got := imp(s.Client(t, outsider.Token), "byout", gitlab.Ptr(int64(999999))); got != http.StatusNotFound {
		t.Errorf("outsider under no group = %d", got)
	}
	for _, p := range []string{"team/bydev", "team/byout", "byout"} {
		if _, resp, _ := oc.Groups.GetGroup(p, nil); resp == nil || resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s made by a refused import", p)
		}
	}
	// Missing parameters: GitLab's 400.
	if r := s.Do(t, labtest.Request{Method: "POST", Path: "/groups/import", Token: f.Owner.Token, RawBody: "--x--\r\n",
		ContentType: "multipart/form-data; boundary=x"}); r.Status != http.StatusBadRequest ||
		!strings.Contains(string(r.Body), "path is missing, name is missing, file is missing") {
		t.Errorf("no fields = %d %s", r.Status, r.Body)
	}
}
