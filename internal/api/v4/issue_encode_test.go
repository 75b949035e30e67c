package v4

import (
	"bytes"
	"testing"
)

func checkIssueEncoding(t testing.TB, e *issueEntity) {
	t.Helper()
	got, err := appendIssueEntity(nil, e)
	if err != nil {
		t.Fatal(err)
	}
	if want := stdJSON(t, e); !bytes.Equal(got, want) {
		t.Fatalf("appendIssueEntity differs from encoding/json:\n got %s\nwant %s", got, want)
	}
}

// issueEntityOf is an entity with every field set from a few inputs, nil
// pointers and empty slices where full is false.
func issueEntityOf(s string, n int64, full bool) *issueEntity {
	u := BasicUser{ID: n, Username: s, Name: s + " <b>&</b>", State: "active", WebURL: "http://h/" + s}
	e := &issueEntity{ID: n, IID: -n, ProjectID: n * 7, Title: s, Description: "\u2028" + s + "\x00\"\\", State: s,
		CreatedAt: "2026-01-02T03:04:05.678Z", UpdatedAt: s, Labels: []string{}, Assignees: []BasicUser{}, Type: "ISSUE",
		UserNotesCount: n, MergeRequestsCount: int(n), Upvotes: -n, Downvotes: n, IssueType: s, WebURL: s,
		Severity: "UNKNOWN", ImportedFrom: "none", BlockingIssuesCount: int(n)}
	e.TimeStats = issueTimeStats{TimeEstimate: n, TotalTimeSpent: -n}
	e.TaskCompletionStatus = taskCompletionStatus{Count: int(n), CompletedCount: int(-n)}
	e.Links = issueLinksEntity{Self: s, Notes: s + "/notes", AwardEmoji: s + "/award_emoji", Project: s}
	e.References = issueReferences{Short: "#" + s, Relative: s, Full: s + "#1"}
	if !full {
		return e
	}
	t, b := s+"\t", n%2 == 0
	e.ClosedAt, e.DueDate, e.ServiceDeskReplyTo = &t, &t, &t
	u.PublicEmail, u.AvatarURL, u.Locked = &t, &t, b
	e.ClosedBy, e.Author, e.Assignee = &u, &u, &u
	e.Assignees = []BasicUser{u, {ID: n + 1, Username: "\xff" + s}}
	e.Labels = []string{s, "b\u2029", ""}
	e.Milestone = &milestoneEntity{ID: n, IID: n, Title: s, State: "active", WebURL: s}
	e.Confidential, e.DiscussionLocked, e.HasTasks, e.Imported, e.Subscribed = b, &b, !b, b, &b
	e.TaskStatus = s + " of 3 checklist items completed"
	e.TimeStats.HumanTimeEstimate, e.TimeStats.HumanTotalTimeSpent = &t, &t
	e.Links.ClosedAsDuplicateOf = &t
	e.MovedToID = &n
	return e
}

func TestIssueEncoding(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"", "plain", "quote\" back\\ <script>&amp;", "\x01\x1f\x7f", "é \u2028 \xff\xfe", "日本語"} {
		for _, full := range []bool{false, true} {
			checkIssueEncoding(t, issueEntityOf(s, 42, full))
		}
	}
	// nil slices, label details, a milestone with everything.
	e := issueEntityOf("x", 1, true)
	e.Assignees, e.Labels = nil, nil
	checkIssueEncoding(t, e)
	desc := "<p>d</p>"
	e.Labels = []labelBasicEntity{{ID: 3, Name: "bug", Description: &desc, DescriptionHTML: desc, Color: "#fff"}}
	checkIssueEncoding(t, e)
	e.Labels = []labelBasicEntity{}
	checkIssueEncoding(t, e)
}

func FuzzIssueEncoding(f *testing.F) {
	f.Add("title", int64(1), true)
	f.Add("\u2028<&>\"\\\x00\xff", int64(-9), false)
	f.Fuzz(func(t *testing.T, s string, n int64, full bool) {
		checkIssueEncoding(t, issueEntityOf(s, n, full))
	})
}

// countTasks counts Markdown task items, done or not, and nothing in text
// without a box.
func TestCountTasks(t *testing.T) {
	for _, c := range []struct {
		text        string
		total, done int
	}{
		{"", 0, 0},
		{"Steps to reproduce, no tasks.", 0, 0},
		{"- [x] one\n- [ ] two\n1. [X] three\n* [~] skipped", 3, 2},
		{"see [the docs](https://example.com) and [ ]", 0, 0},
		{"  + [ ] indented\n- [ ]", 2, 0},
	} {
		if total, done := countTasks(c.text); total != c.total || done != c.done {
			t.Errorf("countTasks(%q) = %d, %d; want %d, %d", c.text, total, done, c.total, c.done)
		}
	}
}
