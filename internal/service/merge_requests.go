package service

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/repo"
	"github.com/lablet/lablet/internal/store"
)

// MergeRequestInProject is a merge request with its target project and
// the caller's level there: what every operation on a merge request, or on
// its notes and award emoji, starts from.
type MergeRequestInProject struct {
	Project *model.Project
	Level   access.Level
	MR      *model.MergeRequest
}

// MergeRequestInput is what a create or update sets; nil fields are not
// given.
type MergeRequestInput struct {
	Title        *string
	Description  *string
	SourceBranch *string
	TargetBranch *string
	// AssigneeIDs and ReviewerIDs replace the users (CE: the first only);
	// [0] or [] removes them.
	AssigneeIDs *[]int64
	ReviewerIDs *[]int64
	// MilestoneID sets the milestone; 0 removes it.
	MilestoneID        *int64
	Labels             *[]string
	AddLabels          []string
	RemoveLabels       []string
	RemoveSourceBranch *bool
	Squash             *bool
	AllowCollaboration *bool
	StateEvent         string // "close", "reopen"
	DiscussionLocked   *bool
	// TargetProjectID (create only): the project to merge into, the
	// source's own or one of its fork network (merge_requests_forks.go).
	TargetProjectID *int64
	// BaseURL is the server's URL, for the new merge request's pipeline.
	BaseURL string
}

// isDraftTitle is MergeRequest.draft?: a title starting with "Draft:",
// "[Draft]" or "(Draft)", in any case.
func isDraftTitle(title string) bool {
	t := strings.ToLower(strings.TrimLeft(title, " \t"))
	return strings.HasPrefix(t, "draft:") || strings.HasPrefix(t, "[draft]") || strings.HasPrefix(t, "(draft)")
}

// mergeRequestsProject loads a project the caller sees whose merge
// requests they may read (read_merge_request: 403 otherwise, as GitLab's
// authorize! on the project).
func (s *Service) mergeRequestsProject(ctx context.Context, id *auth.Identity, ref string) (*model.Project, access.Level, error) {
	p, level, err := s.VisibleProject(ctx, id, ref)
	if err != nil {
		return nil, 0, err
	}
	if !ProjectCan(id, p, level, access.ReadMergeRequest) {
		return nil, 0, Forbidden("")
	}
	return p, level, nil
}

// VisibleMergeRequest loads merge request iid of the project named by ref,
// with its relations, for a caller who may read it: "404 Merge Request Not
// Found" when there is none.
func (s *Service) VisibleMergeRequest(ctx context.Context, id *auth.Identity, ref string, iid int64) (*MergeRequestInProject, error) {
	p, level, err := s.mergeRequestsProject(ctx, id, ref)
	if err != nil {
		return nil, err
	}
	q := s.db.Queries()
	mr, err := q.MergeRequestByIID(ctx, p.ID, iid)
	if errors.Is(err, store.ErrNotFound) {
		return nil, NotFound("Merge Request")
	}
	if err != nil {
		return nil, fmt.Errorf("service: load merge request: %w", err)
	}
	if err := q.LoadMergeRequestRelations(ctx, []*model.MergeRequest{mr}); err != nil {
		return nil, err
	}
	return &MergeRequestInProject{Project: p, Level: level, MR: mr}, nil
}

// MergeRequestNoteable is the noteable a merge request the caller reads
// provides: its discussions are resolvable.
func MergeRequestNoteable(mp *MergeRequestInProject) *Noteable {
	m := mp.MR
	return &Noteable{Type: model.NoteableMergeRequest, ID: m.ID, IID: m.IID, AuthorID: m.AuthorID, Project: mp.Project,
		Level: mp.Level, Locked: m.DiscussionLocked != nil && *m.DiscussionLocked, Resolvable: true}
}

// CanUpdateMergeRequest is update_merge_request: Developer, or the merge
// request's author or an assignee, on a project that is not archived.
func CanUpdateMergeRequest(id *auth.Identity, p *model.Project, level access.Level, m *model.MergeRequest) bool {
	if ProjectCan(id, p, level, access.UpdateMergeRequest) {
		return true
	}
	if p.Archived || !id.Authenticated() {
		return false
	}
	uid := id.User.ID
	return m.AuthorID != nil && *m.AuthorID == uid || slices.Contains(m.AssigneeIDs, uid)
}

// diffRefs reads the heads of a merge request's branches and their merge
// base: GitLab's diff_refs (start_sha the target head, head_sha the
// source head). A missing branch is GitLab's "Source branch "x" does not
// exist" (400, on base). The source branch is read in sr, the source
// project's repository; when that is a fork's, its head is first copied
// into r, the target's (repo.FetchCommit), where the merge request's
// commits, diffs and merges are read.
func diffRefs(ctx context.Context, sr, r *repo.Repo, source, target string) (base *string, head, start string, err error) {
	var missing Validation
	src, err := sr.Branch(source)
	if errors.Is(err, repo.ErrNotFound) {
		missing.addTo("base", fmt.Sprintf("Source branch %q does not exist", source))
	} else if err != nil {
		return nil, "", "", fmt.Errorf("service: source branch: %w", err)
	}
	tgt, err := r.Branch(target)
	if errors.Is(err, repo.ErrNotFound) {
		missing.addTo("base", fmt.Sprintf("Target branch %q does not exist", target))
	} else if err != nil {
		return nil, "", "", fmt.Errorf("service: target branch: %w", err)
	}
	if len(missing) > 0 {
		return nil, "", "", missing.Err()
	}
	if sr.Path() != r.Path() {
		if err := r.FetchCommit(ctx, sr, src.Target); err != nil {
			return nil, "", "", fmt.Errorf("service: source head: %w", err)
		}
	}
	mb, err := r.MergeBaseOf(ctx, tgt.Target, src.Target)
	switch {
	case err == nil:
		base = &mb
	case !errors.Is(err, repo.ErrNotFound): // unrelated histories have no base
		return nil, "", "", fmt.Errorf("service: merge base: %w", err)
	}
	return base, src.Target, tgt.Target, nil
}

// addTo is Add on a Validation that may still be nil.
func (v *Validation) addTo(field, msg string) {
	if *v == nil {
		*v = Validation{}
	}
	v.Add(field, msg)
}

// CreateMergeRequest opens a merge request from a branch of the project
// named by ref into another of its branches, or into a branch of the
// project in.TargetProjectID of its fork network (Developer on the
// source: GitLab's create_merge_request_from; create_merge_request_in on
// the target). Refusals as
// GitLab's: the same branch twice 422, a missing branch 400, another open
// merge request of the same branches 409. Labels, milestone, assignees
// and reviewers are set by callers with admin_merge_request. The merge
// request's ref (refs/merge-requests/:iid/head) points at the source head.
//
// Quick actions in the description run once the merge request exists
// (those on what a new one has not, such as its state, are dropped);
// their lines are removed.
func (s *Service) CreateMergeRequest(ctx context.Context, id *auth.Identity, ref string, in MergeRequestInput) (*MergeRequestInProject, error) {
	var cmds []QuickAction
	if in.Description != nil {
		text, c := splitQuickActions(*in.Description, model.NoteableMergeRequest)
		in.Description, cmds = &text, newRecordCommands(c)
	}
	mp, err := s.createMergeRequest(ctx, id, ref, in)
	if err != nil {
		return nil, err
	}
	if len(cmds) > 0 {
		mref := NoteableRef{Project: itoa(mp.Project.ID), Type: model.NoteableMergeRequest, IID: mp.MR.IID}
		if _, err := s.runQuickActions(ctx, id, mref, cmds); err != nil {
			return nil, err
		}
		if mp, err = s.VisibleMergeRequest(ctx, id, mref.Project, mref.IID); err != nil {
			return nil, err
		}
	}
	// With the labels and milestone its commands set, which its
	// pipeline's variables show.
	s.mergeRequestPipelineFor(ctx, mp.Project, id.User, mp.MR, in.BaseURL)
	return mp, nil
}

// createMergeRequest opens a merge request as CreateMergeRequest
// describes, without quick actions.
func (s *Service) createMergeRequest(ctx context.Context, id *auth.Identity, ref string, in MergeRequestInput) (*MergeRequestInProject, error) {
	p, level, err := s.mergeRequestsProject(ctx, id, ref)
	if err != nil {
		return nil, err
	}
	if !ProjectCan(id, p, level, access.CreateMergeRequestIn) {
		return nil, Forbidden("")
	}
	if in.Title == nil || in.SourceBranch == nil || in.TargetBranch == nil {
		return nil, ParamError("title, source_branch and target_branch are required")
	}
	if err := validateMergeRequestText(in, true); err != nil {
		return nil, err
	}
	// From here p is the target project, src the source.
	src := p
	if p, level, err = s.mergeRequestTarget(ctx, id, src, level, in.TargetProjectID); err != nil {
		return nil, err
	}
	if p.ID == src.ID && *in.SourceBranch == *in.TargetBranch {
		return nil, &Error{Kind: KindUnprocessable, List: []string{"You can't use same project/branch for source and target"}}
	}
	r := s.repos.Open(p.ID)
	base, head, start, err := diffRefs(ctx, s.repos.Open(src.ID), r, *in.SourceBranch, *in.TargetBranch)
	if err != nil {
		return nil, err
	}
	commitIDs, err := mergeRequestCommitIDs(ctx, r, base, head)
	if err != nil {
		return nil, err
	}
	version, err := newVersion(ctx, r, base, head, start)
	if err != nil {
		return nil, err
	}
	uid := id.User.ID
	mr := &model.MergeRequest{TargetProjectID: p.ID, SourceProjectID: &src.ID, AuthorID: &uid, Title: *in.Title,
		SourceBranch: *in.SourceBranch, TargetBranch: *in.TargetBranch, Draft: isDraftTitle(*in.Title),
		BaseSHA: base, HeadSHA: &head, StartSHA: &start}
	if in.Description != nil {
		mr.Description = *in.Description
	}
	if in.Squash != nil {
		mr.Squash = *in.Squash
	}
	if in.AllowCollaboration != nil {
		mr.AllowCollaboration = *in.AllowCollaboration
	}
	mr.ForceRemoveSourceBranch = in.RemoveSourceBranch
	meta := ProjectCan(id, p, level, access.AdminMergeRequest)
	q := s.db.Queries()
	users, err := s.mergeRequestUsers(ctx, q, p, meta, in)
	if err != nil {
		return nil, err
	}
	var milestone *model.Milestone
	if meta && in.MilestoneID != nil && *in.MilestoneID != 0 {
		if milestone, err = s.availableMilestone(ctx, q, p, *in.MilestoneID); err != nil {
			return nil, err
		}
		if milestone != nil {
			mr.MilestoneID = &milestone.ID
		}
	}
	err = s.db.WithTx(ctx, func(q *store.Queries) error {
		other, err := q.OpenMergeRequestIID(ctx, p.ID, src.ID, mr.SourceBranch, mr.TargetBranch)
		if err != nil {
			return err
		}
		if other != 0 {
			return &Error{Kind: KindConflict, List: []string{
				"Another open merge request already exists for this source branch: !" + itoa(other)}}
		}
		var labelIDs []int64
		if meta && in.Labels != nil {
			if labelIDs, err = resolveLabels(ctx, q, p, *in.Labels, true); err != nil {
				return err
			}
		}
		if err := q.InsertMergeRequest(ctx, mr); errors.Is(err, store.ErrConflict) {
			// A concurrent creator won the unique index's race.
			return &Error{Kind: KindConflict, List: []string{"Another open merge request already exists for this source branch"}}
		} else if err != nil {
			return err
		}
		if err := s.linkMergeRequestIssues(ctx, q, p, mr); err != nil {
			return err
		}
		if err := recordVersion(ctx, q, mr.ID, version); err != nil {
			return err
		}
		if err := q.SetMergeRequestCommits(ctx, mr.ID, commitIDs); err != nil {
			return err
		}
		mr.AssigneeIDs, mr.ReviewerIDs, mr.LabelIDs = users.assignees, users.reviewers, labelIDs
		if err := q.SetMergeRequestUsers(ctx, mr.ID, false, mr.AssigneeIDs); err != nil {
			return err
		}
		if err := q.SetMergeRequestUsers(ctx, mr.ID, true, mr.ReviewerIDs); err != nil {
			return err
		}
		if err := q.SetLabelLinks(ctx, model.NoteableMergeRequest, mr.ID, labelIDs); err != nil {
			return err
		}
		ev := mergeRequestEvents(ctx, q, mr, uid)
		for _, l := range labelIDs {
			if err := ev.label("add", l); err != nil {
				return err
			}
		}
		if milestone != nil {
			if err := ev.milestone("add", milestone); err != nil {
				return err
			}
		}
		if err := s.mergeRequestCreated(ctx, q, p, mr, uid); err != nil {
			return err
		}
		// Last, so that a failed transaction leaves at most a ref the
		// next merge request of this iid overwrites.
		return r.WriteMergeRequestRef(ctx, mr.IID, head)
	})
	if err != nil {
		return nil, err
	}
	return &MergeRequestInProject{Project: p, Level: level, MR: mr}, nil
}

// validateMergeRequestText applies GitLab's validations of the title and
// description.
func validateMergeRequestText(in MergeRequestInput, create bool) error {
	v := Validation{}
	if in.Title != nil && strings.TrimSpace(*in.Title) == "" {
		v.Add("title", "can't be blank")
	}
	if in.Title != nil && len([]rune(*in.Title)) > maxIssueTitle {
		v.Add("title", fmt.Sprintf("is too long (maximum is %d characters)", maxIssueTitle))
	}
	if in.Description != nil && len([]rune(*in.Description)) > maxIssueDescription {
		v.Add("description", fmt.Sprintf("is too long (maximum is %d characters)", maxIssueDescription))
	}
	if in.TargetBranch != nil && strings.TrimSpace(*in.TargetBranch) == "" || create && in.SourceBranch != nil && strings.TrimSpace(*in.SourceBranch) == "" {
		v.Add("base", "You must select source and target branch")
	}
	return v.Err()
}

// mergeRequestPeople are the assignees and reviewers a create or update
// sets; nil: not given (or dropped).
type mergeRequestPeople struct{ assignees, reviewers []int64 }

// mergeRequestUsers filters the assignees and reviewers of in as GitLab's
// filter_assignees_using_checks does (CE: the first only; users who
// cannot read the project dropped), for callers with admin_merge_request.
func (s *Service) mergeRequestUsers(ctx context.Context, q *store.Queries, p *model.Project, meta bool, in MergeRequestInput) (mergeRequestPeople, error) {
	out := mergeRequestPeople{}
	if !meta {
		return out, nil
	}
	for _, f := range []struct {
		ids *[]int64
		dst *[]int64
	}{{in.AssigneeIDs, &out.assignees}, {in.ReviewerIDs, &out.reviewers}} {
		if f.ids == nil {
			continue
		}
		ids, keep, err := s.filterAssignees(ctx, q, p, *f.ids)
		if err != nil {
			return out, err
		}
		if keep {
			*f.dst = ids
		}
	}
	return out, nil
}

// mergeRequestEvents records a merge request's resource events and system
// notes in the transaction of the change.
func mergeRequestEvents(ctx context.Context, q *store.Queries, mr *model.MergeRequest, uid int64) noteableEvents {
	return noteableEvents{ctx: ctx, q: q, typ: model.NoteableMergeRequest, id: mr.ID, projectID: mr.TargetProjectID, userID: uid}
}

// recordMergeRequestEvent writes an event of a merge request (created,
// closed, reopened) to the activity feed.
func recordMergeRequestEvent(ctx context.Context, q *store.Queries, action string, mr *model.MergeRequest, authorID int64) error {
	t := model.NoteableMergeRequest
	return q.InsertEvent(ctx, &model.Event{ProjectID: &mr.TargetProjectID, AuthorID: authorID, Action: action,
		TargetType: &t, TargetID: &mr.ID, TargetIID: &mr.IID, TargetTitle: &mr.Title})
}

// DeleteMergeRequest is destroy_merge_request: Owners and administrators.
// The merge request's ref stays, as GitLab keeps it until housekeeping.
func (s *Service) DeleteMergeRequest(ctx context.Context, id *auth.Identity, ref string, iid int64) error {
	mp, err := s.VisibleMergeRequest(ctx, id, ref, iid)
	if err != nil {
		return err
	}
	if !ProjectCan(id, mp.Project, mp.Level, access.DestroyMergeRequest) {
		return Forbidden("")
	}
	return s.db.WithTx(ctx, func(q *store.Queries) error { return q.DeleteMergeRequest(ctx, mp.MR.ID) })
}

// MergeRequestSubscribed reports whether the caller is subscribed: an
// explicit subscription, else being a participant.
func (s *Service) MergeRequestSubscribed(ctx context.Context, id *auth.Identity, mp *MergeRequestInProject) (bool, error) {
	if !id.Authenticated() {
		return false, nil
	}
	return mergeRequestSubscribed(ctx, s.db.Queries(), id.User.ID, mp.MR)
}

func mergeRequestSubscribed(ctx context.Context, q *store.Queries, uid int64, m *model.MergeRequest) (bool, error) {
	explicit, err := q.Subscription(ctx, uid, model.NoteableMergeRequest, m.ID, 0)
	if err != nil || explicit != nil {
		return explicit != nil && *explicit, err
	}
	ids, err := mergeRequestParticipants(ctx, q, m)
	return slices.Contains(ids, uid), err
}

// mergeRequestParticipants are the author, assignees, reviewers and the
// authors of user notes, each once.
func mergeRequestParticipants(ctx context.Context, q *store.Queries, m *model.MergeRequest) ([]int64, error) {
	return noteableParticipants(ctx, q, model.NoteableMergeRequest, m.ID, m.AuthorID, m.AssigneeIDs, m.ReviewerIDs)
}

// SetMergeRequestSubscription subscribes or unsubscribes the caller;
// changed is false when they already were (GitLab answers 304). GitLab's
// subscriptions API finds merge requests with update_merge_request.
func (s *Service) SetMergeRequestSubscription(ctx context.Context, id *auth.Identity, ref string, iid int64, subscribe bool) (*MergeRequestInProject, bool, error) {
	mp, err := s.VisibleMergeRequest(ctx, id, ref, iid)
	if err != nil {
		return nil, false, err
	}
	if !CanUpdateMergeRequest(id, mp.Project, mp.Level, mp.MR) {
		return nil, false, Forbidden("")
	}
	changed := false
	err = s.db.WithTx(ctx, func(q *store.Queries) error {
		cur, err := mergeRequestSubscribed(ctx, q, id.User.ID, mp.MR)
		if err != nil || cur == subscribe {
			return err
		}
		changed = true
		return q.SetSubscription(ctx, id.User.ID, model.NoteableMergeRequest, mp.MR.ID, 0, subscribe)
	})
	return mp, changed, err
}

// MergeRequestParticipants lists the users taking part in a merge request.
func (s *Service) MergeRequestParticipants(ctx context.Context, id *auth.Identity, ref string, iid int64) ([]*model.User, error) {
	mp, err := s.VisibleMergeRequest(ctx, id, ref, iid)
	if err != nil {
		return nil, err
	}
	q := s.db.Queries()
	ids, err := mergeRequestParticipants(ctx, q, mp.MR)
	if err != nil {
		return nil, err
	}
	return usersInOrder(ctx, q, ids)
}

// maxChangesCount is where GitLab stops counting a merge request's
// changes ("1000+").
const maxChangesCount = 1000

// MergeRequestChangesCount is changes_count: the files changed from the
// merge base to the source head, "1000+" past GitLab's limit, nil when
// the diff_refs are unknown (unrelated histories).
func (s *Service) MergeRequestChangesCount(ctx context.Context, mp *MergeRequestInProject) (*string, error) {
	m := mp.MR
	if m.BaseSHA == nil || m.HeadSHA == nil {
		return nil, nil
	}
	n, err := s.repos.Open(mp.Project.ID).ChangedFiles(ctx, *m.BaseSHA, *m.HeadSHA)
	if errors.Is(err, repo.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("service: changes count: %w", err)
	}
	out := itoa(int64(n))
	if n > maxChangesCount {
		out = itoa(maxChangesCount) + "+"
	}
	return &out, nil
}
