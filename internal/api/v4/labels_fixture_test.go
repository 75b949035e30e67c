package v4_test

import (
	"context"
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// planFixture is a private group "plan" with a subgroup "plan/sub", a
// project "plan/app" and a sibling "plan/other", and a project
// "plan/sub/deep"; owner owns the group, reporter and guest are members
// of the group with those roles, outsider is no member.
type planFixture struct {
	s                                *labtest.Server
	owner, reporter, guest, outsider *labtest.User
	group, sub                       *gitlab.Group
	app, other, deep                 *gitlab.Project
	oc                               *gitlab.Client
}

func newPlanFixture(t *testing.T) *planFixture {
	t.Helper()
	s := labtest.Start(t)
	f := &planFixture{s: s, owner: s.NewUser(t, "olive"), reporter: s.NewUser(t, "rita"), guest: s.NewUser(t, "gail"),
		outsider: s.NewUser(t, "otto")}
	f.oc = s.Client(t, f.owner.Token)
	var err error
	f.group, _, err = f.oc.Groups.CreateGroup(&gitlab.CreateGroupOptions{Name: gitlab.Ptr("Plan"), Path: gitlab.Ptr("plan"),
		Visibility: gitlab.Ptr(gitlab.PrivateVisibility)})
	if err != nil {
		t.Fatal(err)
	}
	f.sub, _, err = f.oc.Groups.CreateGroup(&gitlab.CreateGroupOptions{Name: gitlab.Ptr("Sub"), Path: gitlab.Ptr("sub"),
		ParentID: gitlab.Ptr(f.group.ID), Visibility: gitlab.Ptr(gitlab.PrivateVisibility)})
	if err != nil {
		t.Fatal(err)
	}
	for u, l := range map[*labtest.User]gitlab.AccessLevelValue{f.reporter: gitlab.ReporterPermissions, f.guest: gitlab.GuestPermissions} {
		if _, _, err := f.oc.GroupMembers.AddGroupMember(f.group.ID, &gitlab.AddGroupMemberOptions{UserID: gitlab.Ptr(u.ID),
			AccessLevel: gitlab.Ptr(l)}); err != nil {
			t.Fatal(err)
		}
	}
	mk := func(name string, ns int64) *gitlab.Project {
		p, _, err := f.oc.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr(name), NamespaceID: gitlab.Ptr(ns),
			Visibility: gitlab.Ptr(gitlab.PrivateVisibility)})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	f.app, f.other, f.deep = mk("app", f.group.ID), mk("other", f.group.ID), mk("deep", f.sub.ID)
	return f
}

// issue creates an issue of project directly in the store (the issues
// API is not this package's subject here), with labels and a milestone.
func (f *planFixture) issue(t *testing.T, project int64, state string, confidential bool, milestone *int64, labels ...int64) *model.Issue {
	t.Helper()
	ctx := context.Background()
	i := &model.Issue{ProjectID: project, AuthorID: &f.owner.ID, Title: "issue", State: state, Confidential: confidential,
		MilestoneID: milestone}
	err := f.s.Srv.DB.WithTx(ctx, func(q *store.Queries) error {
		if err := q.InsertIssue(ctx, i); err != nil {
			return err
		}
		return q.SetLabelLinks(ctx, model.NoteableIssue, i.ID, labels)
	})
	if err != nil {
		t.Fatal(err)
	}
	return i
}

// reload reads an issue back with its labels.
func (f *planFixture) reload(t *testing.T, id int64) *model.Issue {
	t.Helper()
	ctx := context.Background()
	q := f.s.Srv.DB.Queries()
	i, err := q.IssueByID(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return i
}

// do sends a raw request as user u (nil: anonymous).
func (f *planFixture) do(t *testing.T, u *labtest.User, method, path string, body any) *labtest.Response {
	t.Helper()
	req := labtest.Request{Method: method, Path: path, JSON: body}
	if u != nil {
		req.Token = u.Token
	}
	return f.s.Do(t, req)
}

var longTitle = strings.Repeat("x", 1<<20)
