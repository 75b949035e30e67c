package service

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/repo"
	"github.com/lablet/lablet/internal/store"
)

// Merge requests in an export (GitLab's merge_requests.ndjson): the
// merge request with its diff refs (merge_request_diff), metrics, labels,
// milestone, assignees, reviewers and notes.

type exportedMRDiff struct {
	BaseCommitSHA  *string `json:"base_commit_sha"`
	HeadCommitSHA  string  `json:"head_commit_sha"`
	StartCommitSHA string  `json:"start_commit_sha"`
	State          string  `json:"state"`
}

type exportedMRMetrics struct {
	MergedAt       *string `json:"merged_at"`
	LatestClosedAt *string `json:"latest_closed_at"`
}

type exportedMR struct {
	ID                   int64               `json:"id"`
	IID                  int64               `json:"iid"`
	Title                string              `json:"title"`
	Description          *string             `json:"description"`
	AuthorID             *int64              `json:"author_id"`
	State                string              `json:"state"`
	SourceBranch         string              `json:"source_branch"`
	TargetBranch         string              `json:"target_branch"`
	SourceProjectID      *int64              `json:"source_project_id"`
	TargetProjectID      int64               `json:"target_project_id"`
	Draft                bool                `json:"draft"`
	Squash               bool                `json:"squash"`
	DiscussionLocked     *bool               `json:"discussion_locked"`
	MergeCommitSHA       *string             `json:"merge_commit_sha"`
	CreatedAt            string              `json:"created_at"`
	UpdatedAt            string              `json:"updated_at"`
	Milestone            *exportedMilestone  `json:"milestone,omitempty"`
	LabelLinks           []exportedLabelLink `json:"label_links"`
	Notes                []exportedNote      `json:"notes"`
	MergeRequestDiff     *exportedMRDiff     `json:"merge_request_diff,omitempty"`
	Metrics              *exportedMRMetrics  `json:"metrics,omitempty"`
	MergeRequestAssignee []exportedAssignee  `json:"merge_request_assignees"`
	MergeRequestReviewer []exportedAssignee  `json:"merge_request_reviewers"`
}

// exportMergeRequests writes merge_requests.ndjson; a merge request from
// a fork keeps its branches, and imports only when its head commit came
// along (GitLab's rule: its refs/merge-requests/<iid>/head is bundled).
func (s *Service) exportMergeRequests(ctx context.Context, q *store.Queries, p *model.Project, w *exportWriter,
	labelByID map[int64]exportedLabel, msByID map[int64]*exportedMilestone) error {
	mrs, err := q.ProjectMergeRequests(ctx, p.ID)
	if err != nil {
		return err
	}
	notes, err := q.ProjectNotesOf(ctx, p.ID, model.NoteableMergeRequest)
	if err != nil {
		return err
	}
	notesOf := map[int64][]exportedNote{}
	for _, n := range notes {
		if n.Position != nil {
			continue // diff notes are left out (their positions need the diff)
		}
		notesOf[n.NoteableID] = append(notesOf[n.NoteableID], exportedNote{ID: n.ID, Note: n.Body,
			NoteableType: n.NoteableType, AuthorID: n.AuthorID, System: n.System, Internal: n.Internal,
			DiscussionID: n.DiscussionID, Type: n.NoteType, CreatedAt: exportTime(n.CreatedAt),
			UpdatedAt: exportTime(n.UpdatedAt)})
	}
	out := make([]exportedMR, 0, len(mrs))
	for _, m := range mrs {
		x := exportedMR{ID: m.ID, IID: m.IID, Title: m.Title, Description: strPtr(m.Description), AuthorID: m.AuthorID,
			State: m.State, SourceBranch: m.SourceBranch, TargetBranch: m.TargetBranch, SourceProjectID: m.SourceProjectID,
			TargetProjectID: m.TargetProjectID, Draft: m.Draft, Squash: m.Squash, DiscussionLocked: m.DiscussionLocked,
			MergeCommitSHA: m.MergeCommitSHA, CreatedAt: exportTime(m.CreatedAt), UpdatedAt: exportTime(m.UpdatedAt),
			LabelLinks: []exportedLabelLink{}, Notes: notesOf[m.ID], MergeRequestAssignee: []exportedAssignee{},
			MergeRequestReviewer: []exportedAssignee{}, Metrics: &exportedMRMetrics{}}
		if x.Notes == nil {
			x.Notes = []exportedNote{}
		}
		if m.HeadSHA != nil && m.StartSHA != nil {
			x.MergeRequestDiff = &exportedMRDiff{BaseCommitSHA: m.BaseSHA, HeadCommitSHA: *m.HeadSHA,
				StartCommitSHA: *m.StartSHA, State: "collected"}
		}
		if m.MergedAt != nil {
			x.Metrics.MergedAt = strPtr(exportTime(*m.MergedAt))
		}
		if m.ClosedAt != nil {
			x.Metrics.LatestClosedAt = strPtr(exportTime(*m.ClosedAt))
		}
		if m.MilestoneID != nil {
			x.Milestone = msByID[*m.MilestoneID]
		}
		for _, l := range m.LabelIDs {
			if lab, ok := labelByID[l]; ok {
				x.LabelLinks = append(x.LabelLinks, exportedLabelLink{TargetType: "MergeRequest", Label: lab})
			}
		}
		for _, a := range m.AssigneeIDs {
			x.MergeRequestAssignee = append(x.MergeRequestAssignee, exportedAssignee{UserID: a})
		}
		for _, a := range m.ReviewerIDs {
			x.MergeRequestReviewer = append(x.MergeRequestReviewer, exportedAssignee{UserID: a})
		}
		out = append(out, x)
	}
	return ndjson(w, "merge_requests", out)
}

// mrPlan is an imported merge request with what git says of it, read
// before the transaction.
type mrPlan struct {
	rec     exportedMR
	base    *string
	head    string
	start   string
	commits []string
	version *model.MergeRequestDiff
}

// planMergeRequests reads from the imported repository the diff refs,
// commits and version of each merge request whose head commit is there;
// the others are skipped, as GitLab skips invalid relations.
func (s *Service) planMergeRequests(ctx context.Context, p *model.Project, mrs []exportedMR) ([]mrPlan, error) {
	if s.repos == nil || len(mrs) == 0 {
		return nil, nil
	}
	r := s.repos.Open(p.ID)
	var out []mrPlan
	for _, m := range mrs {
		if m.IID <= 0 || m.Title == "" || m.SourceBranch == "" || m.TargetBranch == "" || m.MergeRequestDiff == nil {
			continue
		}
		d := m.MergeRequestDiff
		if !isHexSHA(d.HeadCommitSHA) || !isHexSHA(d.StartCommitSHA) || (d.BaseCommitSHA != nil && !isHexSHA(*d.BaseCommitSHA)) {
			continue
		}
		if _, err := r.Commit(ctx, d.HeadCommitSHA); err != nil {
			if errors.Is(err, repo.ErrNotFound) {
				continue
			}
			return nil, err
		}
		commits, err := mergeRequestCommitIDs(ctx, r, d.BaseCommitSHA, d.HeadCommitSHA)
		if err != nil {
			continue // a base not in the repository
		}
		version, err := newVersion(ctx, r, d.BaseCommitSHA, d.HeadCommitSHA, d.StartCommitSHA)
		if err != nil {
			return nil, err
		}
		out = append(out, mrPlan{rec: m, base: d.BaseCommitSHA, head: d.HeadCommitSHA, start: d.StartCommitSHA,
			commits: commits, version: version})
	}
	slices.SortStableFunc(out, func(a, b mrPlan) int { return int(a.rec.IID - b.rec.IID) })
	return out, nil
}

func isHexSHA(s string) bool { return len(s) == 40 && isLowerHex(s) }

// importMergeRequest writes one planned merge request with its notes.
func (s *Service) importMergeRequest(ctx context.Context, q *store.Queries, p *model.Project, pl mrPlan,
	labelIDs, milestoneIDs map[string]int64, addLabel func(exportedLabel) error, user func(*int64) *int64) error {
	m := pl.rec
	if err := q.SetIIDFloor(ctx, store.IIDMergeRequests, p.ID, m.IID-1); err != nil {
		return err
	}
	state := m.State
	if !slices.Contains([]string{"opened", "closed", "merged", "locked"}, state) {
		state = "opened"
	}
	if state == "locked" {
		state = "opened"
	}
	desc := ""
	if m.Description != nil {
		desc = *m.Description
	}
	head, start := pl.head, pl.start
	rec := &model.MergeRequest{TargetProjectID: p.ID, SourceProjectID: &p.ID, AuthorID: user(m.AuthorID), Title: m.Title,
		Description: desc, State: state, SourceBranch: m.SourceBranch, TargetBranch: m.TargetBranch,
		Draft: m.Draft || isDraftTitle(m.Title), DiscussionLocked: m.DiscussionLocked, Squash: m.Squash,
		BaseSHA: pl.base, HeadSHA: &head, StartSHA: &start, CreatedAt: importTime(m.CreatedAt)}
	if m.Milestone != nil {
		if id, ok := milestoneIDs[m.Milestone.Title]; ok {
			rec.MilestoneID = &id
		}
	}
	if err := q.InsertMergeRequest(ctx, rec); err != nil {
		return err
	}
	if rec.IID != m.IID {
		return fmt.Errorf("iid %d is taken", m.IID)
	}
	if m.MergeCommitSHA != nil && isHexSHA(*m.MergeCommitSHA) && state == "merged" {
		rec.MergeCommitSHA = m.MergeCommitSHA
	}
	if m.Metrics != nil {
		if m.Metrics.MergedAt != nil && state == "merged" {
			if t := importTime(*m.Metrics.MergedAt); !t.IsZero() {
				rec.MergedAt = &t
			}
		}
		if m.Metrics.LatestClosedAt != nil && state == "closed" {
			if t := importTime(*m.Metrics.LatestClosedAt); !t.IsZero() {
				rec.ClosedAt = &t
			}
		}
	}
	if rec.UpdatedAt = importTime(m.UpdatedAt); rec.UpdatedAt.IsZero() {
		rec.UpdatedAt = rec.CreatedAt
	}
	if err := q.SetImportedMergeRequest(ctx, rec); err != nil {
		return err
	}
	if err := recordVersion(ctx, q, rec.ID, pl.version); err != nil {
		return err
	}
	if err := q.SetMergeRequestCommits(ctx, rec.ID, pl.commits); err != nil {
		return err
	}
	var lids []int64
	for _, ll := range m.LabelLinks {
		if err := addLabel(ll.Label); err != nil {
			return err
		}
		if id, ok := labelIDs[ll.Label.Title]; ok && !slices.Contains(lids, id) {
			lids = append(lids, id)
		}
	}
	if err := q.SetLabelLinks(ctx, model.NoteableMergeRequest, rec.ID, lids); err != nil {
		return err
	}
	for i, list := range [][]exportedAssignee{m.MergeRequestAssignee, m.MergeRequestReviewer} {
		var ids []int64
		for _, a := range list {
			old := a.UserID
			if id := user(&old); !slices.Contains(ids, *id) {
				ids = append(ids, *id)
			}
		}
		if err := q.SetMergeRequestUsers(ctx, rec.ID, i == 1, ids); err != nil {
			return err
		}
	}
	return importNotes(ctx, q, p, model.NoteableMergeRequest, rec.ID, m.Notes, user)
}

// importNotes writes a noteable's notes.
func importNotes(ctx context.Context, q *store.Queries, p *model.Project, typ string, noteableID int64,
	notes []exportedNote, user func(*int64) *int64) error {
	for _, n := range notes {
		did := n.DiscussionID
		if len(did) != 40 || !isLowerHex(did) {
			did = NewDiscussionID()
		}
		var nt *string
		if n.Type != nil && *n.Type == "DiscussionNote" {
			nt = n.Type
		}
		created := importTime(n.CreatedAt)
		if created.IsZero() {
			created = time.Now().UTC()
		}
		note := &model.Note{ProjectID: &p.ID, NoteableType: typ, NoteableID: noteableID, DiscussionID: did,
			NoteType: nt, AuthorID: user(n.AuthorID), Body: n.Note, System: n.System, Internal: n.Internal,
			CreatedAt: created}
		if err := q.InsertNote(ctx, note); err != nil {
			return err
		}
	}
	return nil
}
