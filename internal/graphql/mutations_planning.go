package graphql

import (
	"context"
	"strconv"
	"strings"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// Mutations on notes, labels, assignees and groups, each through the
// service call REST's route makes (same permission answers); what the
// user can fix goes in the payload's errors, as payloadErrors splits it.

// noteRef reads a note's global id and names its noteable.
func (r *Resolver) noteRef(ctx context.Context, id string) (service.NoteableRef, int64, error) {
	n, err := parseGID("Note", id)
	if err != nil {
		return service.NoteableRef{}, 0, err
	}
	ref, err := r.svc.NoteRefByID(ctx, n)
	return ref, n, err
}

func (r *Resolver) notePayload(ctx context.Context, notes *service.Notes) *Note {
	if notes == nil || len(notes.Notes) == 0 {
		return nil
	}
	n := notes.Notes[0]
	return r.at(ctx).note(n, userOf(notes.Users, n.AuthorID))
}

func (r *Resolver) updateNote(ctx context.Context, in UpdateNoteInput) (*UpdateNotePayload, error) {
	notes, err := func() (*service.Notes, error) {
		ref, id, err := r.noteRef(ctx, in.ID)
		if err != nil {
			return nil, err
		}
		return r.svc.UpdateNote(ctx, callerOf(ctx), ref, id, in.Body)
	}()
	if err != nil {
		msgs, err := payloadErrors(err)
		if err != nil {
			return nil, err
		}
		return &UpdateNotePayload{ClientMutationID: in.ClientMutationID, Errors: msgs}, nil
	}
	return &UpdateNotePayload{ClientMutationID: in.ClientMutationID, Note: r.notePayload(ctx, notes), Errors: []string{}}, nil
}

func (r *Resolver) destroyNote(ctx context.Context, in DestroyNoteInput) (*DestroyNotePayload, error) {
	notes, err := func() (*service.Notes, error) {
		ref, id, err := r.noteRef(ctx, in.ID)
		if err != nil {
			return nil, err
		}
		notes, err := r.svc.GetNote(ctx, callerOf(ctx), ref, id)
		if err != nil {
			return nil, err
		}
		return notes, r.svc.DeleteNote(ctx, callerOf(ctx), ref, id)
	}()
	if err != nil {
		msgs, err := payloadErrors(err)
		if err != nil {
			return nil, err
		}
		return &DestroyNotePayload{ClientMutationID: in.ClientMutationID, Errors: msgs}, nil
	}
	return &DestroyNotePayload{ClientMutationID: in.ClientMutationID, Note: r.notePayload(ctx, notes), Errors: []string{}}, nil
}

func (r *Resolver) labelCreate(ctx context.Context, in LabelCreateInput) (*LabelCreatePayload, error) {
	li := service.LabelInput{Name: &in.Title, Color: in.Color, Description: in.Description}
	var lv *service.LabelView
	var err error
	switch {
	case in.ProjectPath != nil && in.GroupPath == nil:
		lv, err = r.svc.CreateProjectLabel(ctx, callerOf(ctx), *in.ProjectPath, li)
	case in.GroupPath != nil && in.ProjectPath == nil:
		lv, err = r.svc.CreateGroupLabel(ctx, callerOf(ctx), *in.GroupPath, li)
	default:
		return &LabelCreatePayload{ClientMutationID: in.ClientMutationID,
			Errors: []string{"Exactly one of projectPath or groupPath arguments is required"}}, nil
	}
	if err != nil {
		msgs, err := payloadErrors(err)
		if err != nil {
			return nil, err
		}
		return &LabelCreatePayload{ClientMutationID: in.ClientMutationID, Errors: msgs}, nil
	}
	return &LabelCreatePayload{ClientMutationID: in.ClientMutationID, Label: r.at(ctx).label(lv.Label), Errors: []string{}}, nil
}

// operate applies a set mutation's operation mode to the current ids.
func operate(mode *MutationOperationMode, current, given []int64) []int64 {
	switch {
	case mode != nil && *mode == MutationOperationModeAppend:
		out := append([]int64{}, current...)
		for _, id := range given {
			if !contains(out, id) {
				out = append(out, id)
			}
		}
		return out
	case mode != nil && *mode == MutationOperationModeRemove:
		out := []int64{}
		for _, id := range current {
			if !contains(given, id) {
				out = append(out, id)
			}
		}
		return out
	}
	return append([]int64{}, given...)
}

func contains(list []int64, v int64) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func (r *Resolver) issueSetAssignees(ctx context.Context, in IssueSetAssigneesInput) (*IssueSetAssigneesPayload, error) {
	fail := func(err error) (*IssueSetAssigneesPayload, error) {
		msgs, err := payloadErrors(err)
		if err != nil {
			return nil, err
		}
		return &IssueSetAssigneesPayload{ClientMutationID: in.ClientMutationID, Errors: msgs}, nil
	}
	iid, err := parseIID(in.Iid)
	if err != nil {
		return nil, err
	}
	cur, err := r.svc.VisibleIssue(ctx, callerOf(ctx), in.ProjectPath, iid)
	if err != nil {
		return fail(err)
	}
	var given []int64
	for _, name := range in.AssigneeUsernames {
		u, err := r.svc.UserByUsername(ctx, name)
		if err != nil {
			return &IssueSetAssigneesPayload{ClientMutationID: in.ClientMutationID,
				Errors: []string{"Cannot find user " + strconv.Quote(name)}}, nil
		}
		given = append(given, u.ID)
	}
	ids := operate(in.OperationMode, cur.Issue.AssigneeIDs, given)
	ip, err := r.svc.UpdateIssue(ctx, callerOf(ctx), in.ProjectPath, iid, service.IssueInput{AssigneeIDs: &ids})
	if err != nil {
		return fail(err)
	}
	nodes, err := r.issuesOf(ctx, ip.Project, []*model.Issue{ip.Issue})
	if err != nil {
		return nil, err
	}
	return &IssueSetAssigneesPayload{ClientMutationID: in.ClientMutationID, Issue: nodes[0], Errors: []string{}}, nil
}

// labelGID reads a label's global id: GitLab writes Label, ProjectLabel
// or GroupLabel.
func labelGID(s string) (int64, error) {
	for _, kind := range []string{"ProjectLabel", "GroupLabel", "Label"} {
		if strings.HasPrefix(s, "gid://gitlab/"+kind+"/") {
			return parseGID(kind, s)
		}
	}
	return parseGID("Label", s)
}

func (r *Resolver) mergeRequestSetLabels(ctx context.Context, in MergeRequestSetLabelsInput) (*MergeRequestSetLabelsPayload, error) {
	fail := func(err error) (*MergeRequestSetLabelsPayload, error) {
		msgs, err := payloadErrors(err)
		if err != nil {
			return nil, err
		}
		return &MergeRequestSetLabelsPayload{ClientMutationID: in.ClientMutationID, Errors: msgs}, nil
	}
	iid, err := parseIID(in.Iid)
	if err != nil {
		return nil, err
	}
	if _, err := r.svc.VisibleMergeRequest(ctx, callerOf(ctx), in.ProjectPath, iid); err != nil {
		return fail(err)
	}
	// The service takes titles: each id names a label the project may use.
	var titles []string
	for _, s := range in.LabelIds {
		n, err := labelGID(s)
		if err != nil {
			return nil, err
		}
		lv, err := r.svc.ProjectLabel(ctx, callerOf(ctx), in.ProjectPath, strconv.FormatInt(n, 10),
			service.LabelListOptions{IncludeAncestorGroups: true})
		if err != nil || lv.Label.ID != n {
			return &MergeRequestSetLabelsPayload{ClientMutationID: in.ClientMutationID,
				Errors: []string{"Label " + s + " not found"}}, nil
		}
		titles = append(titles, lv.Label.Title)
	}
	mi := service.MergeRequestInput{}
	switch {
	case in.OperationMode != nil && *in.OperationMode == MutationOperationModeAppend:
		mi.AddLabels = titles
	case in.OperationMode != nil && *in.OperationMode == MutationOperationModeRemove:
		mi.RemoveLabels = titles
	default:
		mi.Labels = &titles
	}
	mp, err := r.svc.UpdateMergeRequest(ctx, callerOf(ctx), in.ProjectPath, iid, mi)
	if err != nil {
		return fail(err)
	}
	nodes, err := r.mergeRequestsOf(ctx, mp.Project, []*model.MergeRequest{mp.MR})
	if err != nil {
		return nil, err
	}
	return &MergeRequestSetLabelsPayload{ClientMutationID: in.ClientMutationID, MergeRequest: nodes[0], Errors: []string{}}, nil
}

var visibilityLevels = map[VisibilityLevelsEnum]int{VisibilityLevelsEnumPrivate: access.Private,
	VisibilityLevelsEnumInternal: access.Internal, VisibilityLevelsEnumPublic: access.Public}

func (r *Resolver) groupUpdate(ctx context.Context, in GroupUpdateInput) (*GroupUpdatePayload, error) {
	// GitLab's GroupUpdateInput has no description: REST sets it.
	gi := service.GroupInput{Name: in.Name, Path: in.Path}
	if in.Visibility != nil {
		gi.Visibility = ptr(visibilityLevels[*in.Visibility])
	}
	g, err := r.svc.UpdateGroup(ctx, callerOf(ctx), in.FullPath, gi)
	if err != nil {
		msgs, err := payloadErrors(err)
		if err != nil {
			return nil, err
		}
		return &GroupUpdatePayload{ClientMutationID: in.ClientMutationID, Errors: msgs}, nil
	}
	return &GroupUpdatePayload{ClientMutationID: in.ClientMutationID, Group: r.at(ctx).group(g), Errors: []string{}}, nil
}
