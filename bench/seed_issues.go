package main

import (
	"context"
	"fmt"
	mrand "math/rand/v2"
	"slices"
	"time"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// issuesPerProject and the label titles every project gets: the issue
// lists are measured filtered by one label and a state, as issue 13 asks
// (200,000 issues at the default 10,000 projects).
const issuesPerProject = 20

var benchLabels = []string{"bug", "feature", "p1"}

// issueWords are drawn into titles and descriptions, so that a search
// for one word matches a known share of the issues.
var issueWords = []string{"crash", "login", "timeout", "render", "cache", "upload", "branch", "token",
	"export", "webhook", "pipeline", "label", "deploy", "avatar", "search", "import"}

// seedIssues gives every bulk project issuesPerProject issues through the
// store (an iid each, from the project's sequence): three project labels,
// 0–2 labels per issue, a third closed, and one issue in 40 of the
// projects the bench user sees assigned to it. Each project the bench
// user sees also gets a board with a list per label.
func seedIssues(ctx context.Context, db *store.DB, sd *seeded, projectIDs []int64) error {
	start := time.Now()
	// The visible bulk projects: each has issues 1…issuesPerProject.
	sd.IssueProjects = slices.Clone(sd.VisibleProjects)
	visible := map[int64]bool{}
	for _, p := range sd.VisibleProjects {
		visible[p.ID] = true
	}
	author := sd.BenchUserID
	const batch = 100 // projects per transaction
	for i := 0; i < len(projectIDs); i += batch {
		var boards []boardRef // kept once the transaction commits
		err := db.WithTx(ctx, func(q *store.Queries) error {
			boards = boards[:0]
			for _, pid := range projectIDs[i:min(i+batch, len(projectIDs))] {
				r := mrand.New(mrand.NewPCG(uint64(pid), 13))
				labels := make([]int64, len(benchLabels))
				for k, title := range benchLabels {
					l := &model.Label{ProjectID: &pid, Title: title, Color: "#6699cc"}
					if err := q.InsertLabel(ctx, l); err != nil {
						return err
					}
					labels[k] = l.ID
				}
				var firstIssue *model.Issue
				if visible[pid] {
					b, err := seedBoard(ctx, q, pid, labels)
					if err != nil {
						return err
					}
					boards = append(boards, boardRef{Project: pid, Board: b})
				}
				for n := 0; n < issuesPerProject; n++ {
					is := &model.Issue{ProjectID: pid, AuthorID: &author,
						Title: fmt.Sprintf("%s fails when %s %d", issueWords[r.IntN(len(issueWords))],
							issueWords[r.IntN(len(issueWords))], n),
						Description: "Steps: " + issueWords[r.IntN(len(issueWords))] + " then " + issueWords[r.IntN(len(issueWords))]}
					if r.IntN(3) == 0 {
						is.State = "closed"
					}
					if err := q.InsertIssue(ctx, is); err != nil {
						return err
					}
					if firstIssue == nil {
						firstIssue = is
					}
					var ls []int64
					for _, l := range labels {
						if r.IntN(3) == 0 {
							ls = append(ls, l)
						}
					}
					if err := q.SetLabelLinks(ctx, model.NoteableIssue, is.ID, ls); err != nil {
						return err
					}
					if visible[pid] && r.IntN(40) == 0 {
						if err := q.SetIssueAssignees(ctx, is.ID, []int64{sd.BenchUserID}); err != nil {
							return err
						}
						sd.AssignedIssues++
					}
					sd.Issues++
				}
				mrs := otherMergeRequests
				if visible[pid] {
					if err := seedConversation(ctx, q, pid, firstIssue, author); err != nil {
						return err
					}
					mrs = mergeRequestsPerProject
				}
				if err := seedMergeRequests(ctx, q, pid, author, labels, mrs, r); err != nil {
					return err
				}
				sd.MergeRequests += mrs
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("seed issues: %w", err)
		}
		sd.Boards = append(sd.Boards, boards...)
	}
	sd.SeedIssues = time.Since(start)
	return nil
}

// notesPerIssue is how many comments the first issue of each visible
// project has, each with its "commented" event by the bench user.
const notesPerIssue = 5

// seedConversation gives a visible project a milestone and its first issue
// notesPerIssue comments, each in its own discussion, with the events
// commenting records: what the notes, discussions, milestones and events
// rows read.
func seedConversation(ctx context.Context, q *store.Queries, pid int64, is *model.Issue, author int64) error {
	m := &model.Milestone{ProjectID: &pid, Title: "v1", Description: "the first release"}
	if err := q.InsertMilestone(ctx, m); err != nil {
		return err
	}
	noteType := "Note"
	for k := 0; k < notesPerIssue; k++ {
		n := &model.Note{ProjectID: &pid, NoteableType: model.NoteableIssue, NoteableID: is.ID,
			DiscussionID: fmt.Sprintf("%040x", is.ID*16+int64(k)), AuthorID: &author,
			Body: fmt.Sprintf("Seen again after the %s change (%d).", issueWords[k%len(issueWords)], k)}
		if err := q.InsertNote(ctx, n); err != nil {
			return err
		}
		// As the service records a comment (activity.go noteCreated).
		e := &model.Event{ProjectID: &pid, AuthorID: author, Action: model.EventCommented, TargetType: &noteType,
			TargetID: &n.ID, TargetIID: &n.ID}
		if err := q.InsertEvent(ctx, e); err != nil {
			return err
		}
	}
	return nil
}

// mergeRequestsPerProject is how many merge requests each visible project
// has: rows only (the list reads no repository), a third closed, 0–2
// labels each. The other bulk projects have otherMergeRequests each, so
// that the default scale holds the 50,000 merge requests issue 14's list
// row is measured among (10 × 3,178 + 3 × 6,822).
const (
	mergeRequestsPerProject = 10
	otherMergeRequests      = 3
)

// mergeRequestVersions is how many diff versions each seeded merge request has.
const mergeRequestVersions = 2

// seedMergeRequests gives a project count merge requests through the
// store, an iid each from the project's sequence.
func seedMergeRequests(ctx context.Context, q *store.Queries, pid, author int64, labels []int64, count int, r *mrand.Rand) error {
	for n := 0; n < count; n++ {
		m := &model.MergeRequest{TargetProjectID: pid, SourceProjectID: &pid, AuthorID: &author,
			Title:        fmt.Sprintf("Fix %s in %s %d", issueWords[r.IntN(len(issueWords))], issueWords[r.IntN(len(issueWords))], n),
			SourceBranch: fmt.Sprintf("fix-%d", n), TargetBranch: "main"}
		if r.IntN(3) == 0 {
			m.State = "closed"
		}
		if err := q.InsertMergeRequest(ctx, m); err != nil {
			return err
		}
		// Two versions each, as after a push (rows: the list reads no
		// repository).
		for v := 0; v < mergeRequestVersions; v++ {
			head := fmt.Sprintf("%040x", m.ID*mergeRequestVersions+int64(v))
			if err := q.InsertMergeRequestDiff(ctx, &model.MergeRequestDiff{MergeRequestID: m.ID, HeadSHA: head,
				StartSHA: head}); err != nil {
				return err
			}
		}
		var ls []int64
		for _, l := range labels {
			if r.IntN(3) == 0 {
				ls = append(ls, l)
			}
		}
		if err := q.SetLabelLinks(ctx, model.NoteableMergeRequest, m.ID, ls); err != nil {
			return err
		}
	}
	return nil
}

// boardRef is a seeded board and its project.
type boardRef struct{ Project, Board int64 }

// seedBoard gives a project a board with a list for each of labels, as the
// boards API would leave it.
func seedBoard(ctx context.Context, q *store.Queries, project int64, labels []int64) (int64, error) {
	b := &model.Board{ProjectID: &project, Name: "Development"}
	if err := q.InsertBoard(ctx, b); err != nil {
		return 0, err
	}
	for _, l := range labels {
		if err := q.InsertBoardList(ctx, &model.BoardList{BoardID: b.ID, Label: &model.Label{ID: l}}); err != nil {
			return 0, err
		}
	}
	return b.ID, nil
}
