package v4_test

import (
	"context"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// recordEvents writes events as the issues API will when issues change.
func recordEvents(t *testing.T, s *labtest.Server, events ...*model.ResourceEvent) {
	t.Helper()
	ctx := context.Background()
	err := s.Srv.DB.WithTx(ctx, func(q *store.Queries) error {
		for _, e := range events {
			if err := q.InsertResourceEvent(ctx, e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestIssueResourceEvents(t *testing.T) {
	t.Parallel()
	f := newNotesFixture(t)
	ctx := context.Background()
	// A project label, and a group label of a private group the outsider
	// can't see.
	g, _, err := f.client(t, f.owner).Groups.CreateGroup(&gitlab.CreateGroupOptions{Name: gitlab.Ptr("Hidden"),
		Path: gitlab.Ptr("hidden"), Visibility: gitlab.Ptr(gitlab.PrivateVisibility)})
	if err != nil {
		t.Fatal(err)
	}
	bug := &model.Label{ProjectID: &f.p.ID, Title: "bug", Color: "#FF0000", Description: "broken"}
	secret := &model.Label{GroupID: &g.ID, Title: "secret", Color: "#EEEEEE"}
	due := "2000-01-01"
	ms := &model.Milestone{ProjectID: &f.p.ID, Title: "v1", DueDate: &due}
	err = f.s.Srv.DB.WithTx(ctx, func(q *store.Queries) error {
		if err := q.InsertLabel(ctx, bug); err != nil {
			return err
		}
		if err := q.InsertLabel(ctx, secret); err != nil {
			return err
		}
		return q.InsertMilestone(ctx, ms)
	})
	if err != nil {
		t.Fatal(err)
	}
	by := &f.owner.ID
	addBug := &model.ResourceEvent{Kind: "label", ResourceType: "Issue", ResourceID: f.issue.ID, UserID: by, Action: "add", LabelID: &bug.ID}
	addSecret := &model.ResourceEvent{Kind: "label", ResourceType: "Issue", ResourceID: f.issue.ID, UserID: by, Action: "add", LabelID: &secret.ID}
	rmBug := &model.ResourceEvent{Kind: "label", ResourceType: "Issue", ResourceID: f.issue.ID, UserID: by, Action: "remove", LabelID: &bug.ID}
	addMs := &model.ResourceEvent{Kind: "milestone", ResourceType: "Issue", ResourceID: f.issue.ID, UserID: by, Action: "add",
		MilestoneID: &ms.ID, State: "active"}
	closed := &model.ResourceEvent{Kind: "state", ResourceType: "Issue", ResourceID: f.issue.ID, UserID: by, State: "closed"}
	recordEvents(t, f.s, addBug, addSecret, rmBug, addMs, closed)

	// The group member sees every label event; the outsider not the
	// hidden group's label.
	all, resp, err := f.client(t, f.owner).ResourceLabelEvents.ListIssueLabelEvents(f.p.ID, f.issue.IID, nil)
	if err != nil || len(all) != 3 || resp.TotalItems != 3 {
		t.Fatalf("owner's label events = %+v, %v", all, err)
	}
	c := f.client(t, f.outsider)
	seen, _, err := c.ResourceLabelEvents.ListIssueLabelEvents(f.p.ID, f.issue.IID, nil)
	if err != nil || len(seen) != 2 || seen[0].ID != addBug.ID || seen[1].ID != rmBug.ID {
		t.Fatalf("outsider's label events = %+v, %v", seen, err)
	}
	e := seen[0]
	if e.Action != "add" || e.ResourceType != "Issue" || e.ResourceID != f.issue.ID || e.User.Username != "olga" ||
		e.Label.ID != bug.ID || e.Label.Name != "bug" || e.Label.Color != "#FF0000" || e.Label.TextColor != "#FFFFFF" ||
		e.Label.Description != "broken" {
		t.Fatalf("label event = %+v", e)
	}
	f.s.Do(t, labtest.Request{Path: f.path(f.issue, "/resource_label_events/"+itoa(addSecret.ID)), Token: f.outsider.Token}).
		ExpectError(t, 404, `{"message":"404 ResourceLabelEvent Not Found"}`)
	one, _, err := c.ResourceLabelEvents.GetIssueLabelEvent(f.p.ID, f.issue.IID, rmBug.ID)
	if err != nil || one.Action != "remove" {
		t.Fatalf("get = %+v, %v", one, err)
	}

	mev, _, err := c.ResourceMilestoneEvents.ListIssueMilestoneEvents(f.p.ID, f.issue.IID, nil)
	if err != nil || len(mev) != 1 || mev[0].Milestone == nil || mev[0].Milestone.Title != "v1" || mev[0].Action != "add" ||
		mev[0].Milestone.Expired == nil || !*mev[0].Milestone.Expired ||
		mev[0].Milestone.WebURL != f.s.URL+"/olga/talk/-/milestones/"+itoa(ms.IID) {
		t.Fatalf("milestone events = %+v, %v", mev, err)
	}
	sev, _, err := c.ResourceStateEvents.GetIssueStateEvent(f.p.ID, f.issue.IID, closed.ID)
	if err != nil || sev.State != "closed" || sev.User.Username != "olga" {
		t.Fatalf("state event = %+v, %v", sev, err)
	}
	// An unknown event, or one of another issue, is not found.
	f.s.Do(t, labtest.Request{Path: f.path(f.issue, "/resource_state_events/999999"), Token: f.outsider.Token}).
		ExpectError(t, 404, `{"message":"404 Not found"}`)
	other := f.newIssue(t, f.guest, nil)
	f.s.Do(t, labtest.Request{Path: f.path(other, "/resource_state_events/"+itoa(closed.ID)), Token: f.outsider.Token}).
		ExpectError(t, 404, `{"message":"404 Not found"}`)
	f.s.Do(t, labtest.Request{Path: f.path(f.issue, "/resource_state_events")}).ExpectError(t, 401, `{"message":"401 Unauthorized"}`)

	// A deleted label's events stay, with label null.
	if _, err := f.s.Srv.DB.SQL().ExecContext(ctx, "DELETE FROM labels WHERE id = "+itoa(bug.ID)); err != nil {
		t.Fatal(err)
	}
	raw := f.s.Do(t, labtest.Request{Path: f.path(f.issue, "/resource_label_events/"+itoa(addBug.ID)), Token: f.outsider.Token}).Map(t)
	if l, ok := raw["label"]; !ok || l != nil {
		t.Fatalf("deleted label's event = %v", raw)
	}
}
