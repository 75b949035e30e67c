package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// importTree is an archive's relations, read whole before anything is
// written.
type importTree struct {
	project    exportedProject
	labels     []exportedLabel
	milestones []exportedMilestone
	issues     []exportedIssue
	mrs        []exportedMR
	protected  []exportedProtectedBranch
	members    []exportedMember
}

// runImport fills a scheduled import's project from its archive. A failed
// import leaves the project in import_status "failed" with its
// import_error, as GitLab does, and with none of the archive's content:
// the records go in one transaction, and the repository, wiki and files
// written before it are removed again.
func (s *Service) runImport(ctx context.Context, projectID int64) error {
	q := s.db.Queries()
	st, err := q.TransferStateOf(ctx, "import", projectID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if st.Status != ieScheduled {
		return nil
	}
	p, err := q.ProjectByID(ctx, projectID)
	if errors.Is(err, store.ErrNotFound) {
		s.removeBlob(ctx, st.BlobKey)
		return nil
	}
	if err != nil {
		return err
	}
	if err := s.setImportState(ctx, p.ID, ieStarted, "", st.BlobKey); err != nil {
		return err
	}
	start := time.Now()
	if err := s.importArchive(ctx, p, st); err != nil {
		s.log.WarnContext(ctx, "project import failed", "project_id", p.ID, "err", err)
		s.failImport(context.WithoutCancel(ctx), p.ID, st.BlobKey, err)
		return nil
	}
	s.removeBlob(ctx, st.BlobKey)
	s.log.InfoContext(ctx, "project imported", "project_id", p.ID, "duration", time.Since(start))
	s.statisticsChanged(ctx, p.ID)
	return s.setImportState(context.WithoutCancel(ctx), p.ID, ieFinished, "", "")
}

func (s *Service) importArchive(ctx context.Context, p *model.Project, st *store.TransferState) (err error) {
	dir, err := os.MkdirTemp("", "lablet-import-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	body, info, err := s.blobs.Open(ctx, st.BlobKey)
	if err != nil {
		return fmt.Errorf("the uploaded archive is gone: %w", err)
	}
	err = extractImport(body, info.Size, dir)
	body.Close()
	if err != nil {
		return err
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return err
	}
	defer root.Close()
	v, ok, err := readSmall(root, "VERSION", 64)
	if err != nil {
		return err
	}
	if !ok {
		return errors.New("the archive has no VERSION")
	}
	if err := checkImportVersion(string(v)); err != nil {
		return err
	}
	tree, err := readImportTree(root)
	if err != nil {
		return err
	}
	users, err := s.importUserMap(ctx, st.UserID, tree.members)
	if err != nil {
		return err
	}
	// What is written outside the transaction is undone on failure.
	var uploaded []string
	defer func() {
		if err == nil {
			return
		}
		bg := context.WithoutCancel(ctx)
		for _, k := range uploaded {
			s.removeBlob(bg, k)
		}
		s.resetImportedRepos(bg, p)
	}()
	branch, err := s.importRepos(ctx, p, dir)
	if err != nil {
		return err
	}
	plans, err := s.planMergeRequests(ctx, p, tree.mrs)
	if err != nil {
		return err
	}
	files, err := s.importUploads(ctx, p, root, &uploaded)
	if err != nil {
		return err
	}
	lfs, err := s.importLFS(ctx, root)
	if err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(q *store.Queries) error {
		if err := s.importRecords(ctx, q, p, tree, plans, users); err != nil {
			return err
		}
		for _, u := range files {
			if err := q.InsertUpload(ctx, u); err != nil {
				return err
			}
		}
		for oid, size := range lfs {
			if err := q.LinkLFSObject(ctx, p.ID, oid, size); err != nil {
				return err
			}
		}
		if err := importProtectedBranches(ctx, q, p, tree.protected); err != nil {
			return err
		}
		if d := tree.project.Description; d != "" && d != p.Description && len(d) <= 2000 {
			p.Description = d
			if err := q.UpdateProject(ctx, p); err != nil {
				return err
			}
		}
		if branch != "" {
			p.DefaultBranch, p.EmptyRepo, p.LastActivityAt = &branch, false, s.Now()
			if err := q.UpdateProjectRepository(ctx, p); err != nil {
				return err
			}
		}
		if st.OverwriteID != nil {
			return s.overwriteProject(ctx, q, p, *st.OverwriteID)
		}
		return nil
	})
}

func readImportTree(root *os.Root) (*importTree, error) {
	t := &importTree{}
	b, ok, err := readSmall(root, "tree/project.json", importMaxLine)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errors.New("the archive has no tree/project.json (only the ndjson tree is supported)")
	}
	if err := json.Unmarshal(b, &t.project); err != nil {
		return nil, fmt.Errorf("tree/project.json: %w", err)
	}
	if t.labels, err = readNDJSON[exportedLabel](root, "labels"); err != nil {
		return nil, err
	}
	if t.milestones, err = readNDJSON[exportedMilestone](root, "milestones"); err != nil {
		return nil, err
	}
	if t.issues, err = readNDJSON[exportedIssue](root, "issues"); err != nil {
		return nil, err
	}
	if t.mrs, err = readNDJSON[exportedMR](root, "merge_requests"); err != nil {
		return nil, err
	}
	if t.protected, err = readNDJSON[exportedProtectedBranch](root, "protected_branches"); err != nil {
		return nil, err
	}
	if t.members, err = readNDJSON[exportedMember](root, "project_members"); err != nil {
		return nil, err
	}
	return t, nil
}

// importUserMap maps the archive's user ids onto users: by email when an
// administrator imports, else (and for anyone not found) the importer.
func (s *Service) importUserMap(ctx context.Context, importerID *int64, members []exportedMember) (func(*int64) *int64, error) {
	if importerID == nil {
		return nil, errors.New("the import has no importer")
	}
	q := s.db.Queries()
	importer, err := q.UserByID(ctx, *importerID)
	if err != nil {
		return nil, fmt.Errorf("the importer: %w", err)
	}
	byOld := map[int64]int64{}
	if importer.IsAdmin {
		for _, m := range members {
			for _, email := range []string{m.User.Email, m.User.PublicEmail} {
				if email == "" {
					continue
				}
				if u, err := q.UserByEmail(ctx, email); err == nil {
					byOld[m.User.ID] = u.ID
					break
				}
			}
		}
	}
	return func(old *int64) *int64 {
		if old != nil {
			if id, ok := byOld[*old]; ok {
				return &id
			}
		}
		id := importer.ID
		return &id
	}, nil
}

// importTime parses a record's time; zero when absent or bad.
func importTime(s string) time.Time {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.000Z07:00", "2006-01-02 15:04:05 MST"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

// importRecords writes labels, milestones and issues with their notes,
// keeping iids.
func (s *Service) importRecords(ctx context.Context, q *store.Queries, p *model.Project, t *importTree, plans []mrPlan,
	user func(*int64) *int64) error {
	labelIDs := map[string]int64{}
	addLabel := func(l exportedLabel) error {
		if _, ok := labelIDs[l.Title]; ok || l.Title == "" {
			return nil
		}
		lab := labelFromRecord(l)
		lab.ProjectID = &p.ID
		if err := q.InsertLabel(ctx, lab); err != nil {
			return fmt.Errorf("label %q: %w", l.Title, err)
		}
		labelIDs[l.Title] = lab.ID
		return nil
	}
	for _, l := range t.labels {
		if err := addLabel(l); err != nil {
			return err
		}
	}
	milestoneIDs := map[string]int64{}
	ms := slices.Clone(t.milestones)
	for _, i := range t.issues {
		if i.Milestone != nil {
			ms = append(ms, *i.Milestone)
		}
	}
	for _, pl := range plans {
		if pl.rec.Milestone != nil {
			ms = append(ms, *pl.rec.Milestone)
		}
	}
	slices.SortStableFunc(ms, func(a, b exportedMilestone) int { return int(a.IID - b.IID) })
	for _, m := range ms {
		if _, ok := milestoneIDs[m.Title]; ok || m.Title == "" {
			continue
		}
		rec := &model.Milestone{ProjectID: &p.ID}
		if err := importMilestone(ctx, q, rec, m); err != nil {
			return err
		}
		milestoneIDs[m.Title] = rec.ID
	}
	issues := slices.Clone(t.issues)
	slices.SortStableFunc(issues, func(a, b exportedIssue) int { return int(a.IID - b.IID) })
	for _, i := range issues {
		if err := s.importIssue(ctx, q, p, i, labelIDs, milestoneIDs, addLabel, user); err != nil {
			return fmt.Errorf("issue %d: %w", i.IID, err)
		}
	}
	for _, pl := range plans {
		if err := s.importMergeRequest(ctx, q, p, pl, labelIDs, milestoneIDs, addLabel, user); err != nil {
			return fmt.Errorf("merge request !%d: %w", pl.rec.IID, err)
		}
	}
	return nil
}

func (s *Service) importIssue(ctx context.Context, q *store.Queries, p *model.Project, i exportedIssue,
	labelIDs, milestoneIDs map[string]int64, addLabel func(exportedLabel) error, user func(*int64) *int64) error {
	if i.IID <= 0 {
		return errors.New("no iid")
	}
	if err := q.SetIIDFloor(ctx, store.IIDIssues, p.ID, i.IID-1); err != nil {
		return err
	}
	desc := ""
	if i.Description != nil {
		desc = *i.Description
	}
	state := "opened"
	if i.State == "closed" {
		state = "closed"
	}
	typ := i.IssueType
	if !slices.Contains([]string{"issue", "incident", "test_case", "task"}, typ) {
		typ = "issue"
	}
	rec := &model.Issue{ProjectID: p.ID, AuthorID: user(i.AuthorID), Title: i.Title, Description: desc, State: state,
		IssueType: typ, Confidential: i.Confidential, DiscussionLocked: i.DiscussionLocked, DueDate: i.DueDate,
		TimeEstimate: max(i.TimeEstimate, 0), RelativePosition: i.RelativePosition, CreatedAt: importTime(i.CreatedAt)}
	if i.Milestone != nil {
		if id, ok := milestoneIDs[i.Milestone.Title]; ok {
			rec.MilestoneID = &id
		}
	}
	if err := q.InsertIssue(ctx, rec); err != nil {
		return err
	}
	if rec.IID != i.IID {
		return fmt.Errorf("iid %d is taken", i.IID)
	}
	var closed *time.Time
	if i.ClosedAt != nil {
		if c := importTime(*i.ClosedAt); !c.IsZero() {
			closed = &c
		}
	}
	if state == "closed" && closed == nil {
		now := s.Now()
		closed = &now
	}
	updated := importTime(i.UpdatedAt)
	if updated.IsZero() {
		updated = rec.CreatedAt
	}
	if err := q.SetImportedTimes(ctx, "issues", rec.ID, rec.CreatedAt, updated, closed); err != nil {
		return err
	}
	var lids []int64
	for _, ll := range i.LabelLinks {
		if err := addLabel(ll.Label); err != nil {
			return err
		}
		if id, ok := labelIDs[ll.Label.Title]; ok && !slices.Contains(lids, id) {
			lids = append(lids, id)
		}
	}
	if err := q.SetLabelLinks(ctx, model.NoteableIssue, rec.ID, lids); err != nil {
		return err
	}
	var assignees []int64
	for _, a := range i.IssueAssignees {
		old := a.UserID
		if id := user(&old); !slices.Contains(assignees, *id) {
			assignees = append(assignees, *id)
		}
	}
	if err := q.SetIssueAssignees(ctx, rec.ID, assignees); err != nil {
		return err
	}
	return importNotes(ctx, q, p, model.NoteableIssue, rec.ID, i.Notes, user)
}

// labelFromRecord is an archive's label, its owner yet to be set.
func labelFromRecord(l exportedLabel) *model.Label {
	desc := ""
	if l.Description != nil {
		desc = *l.Description
	}
	color := l.Color
	if color == "" {
		color = "#6699cc"
	}
	return &model.Label{Title: l.Title, Color: color, Description: desc}
}

// importMilestone inserts an archive's milestone into rec's project or
// group with the iid and times it had.
func importMilestone(ctx context.Context, q *store.Queries, rec *model.Milestone, m exportedMilestone) error {
	usage, scope := store.IIDProjectMilestones, int64(0)
	if rec.ProjectID != nil {
		scope = *rec.ProjectID
	} else if rec.GroupID != nil {
		usage, scope = store.IIDGroupMilestones, *rec.GroupID
	}
	if m.IID > 0 {
		if err := q.SetIIDFloor(ctx, usage, scope, m.IID-1); err != nil {
			return err
		}
	}
	rec.Title, rec.State, rec.DueDate, rec.StartDate = m.Title, "active", m.DueDate, m.StartDate
	if m.Description != nil {
		rec.Description = *m.Description
	}
	if m.State == "closed" {
		rec.State = "closed"
	}
	if err := q.InsertMilestone(ctx, rec); err != nil {
		return fmt.Errorf("milestone %q: %w", m.Title, err)
	}
	if c, u := importTime(m.CreatedAt), importTime(m.UpdatedAt); !c.IsZero() && !u.IsZero() {
		if err := q.SetImportedTimes(ctx, "milestones", rec.ID, c, u, nil); err != nil {
			return err
		}
	}
	return nil
}

// importProtectedBranches adds the archive's branch rules the project
// does not have (its default branch's rule was made with it).
func importProtectedBranches(ctx context.Context, q *store.Queries, p *model.Project, rules []exportedProtectedBranch) error {
	level := func(ls []exportedAccessLevel) int {
		if len(ls) > 0 && slices.Contains([]int{0, 30, 40, 60}, ls[0].AccessLevel) {
			return ls[0].AccessLevel
		}
		return 40
	}
	for _, r := range rules {
		if r.Name == "" || len(r.Name) > 255 {
			continue
		}
		if _, err := q.ProtectedBranchByName(ctx, p.ID, r.Name); err == nil {
			continue
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		b := &model.ProtectedBranch{ProjectID: p.ID, Name: r.Name, PushAccessLevel: level(r.PushAccessLevels),
			MergeAccessLevel: level(r.MergeAccessLevels), UnprotectAccessLevel: level(r.UnprotectAccessLvl),
			AllowForcePush: r.AllowForcePush}
		if err := q.CreateProtectedBranch(ctx, b); err != nil {
			return fmt.Errorf("protected branch %q: %w", r.Name, err)
		}
	}
	return nil
}
