package graphql

import (
	"context"
	"errors"
	"sync"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// A page of issues or merge requests loads what its nodes show beside
// themselves (labels, milestone, assignees, notes) once for the whole
// page, when the first node asks: a fixed number of statements per page,
// not per node (TestGraphQLIssueFieldsNoNPlusOne).

// issuable is what the page loaders read of an issue or merge request.
type issuable struct {
	id          int64
	labelIDs    []int64
	assigneeIDs []int64
	milestoneID *int64
	// timeEstimate and timeSpent are seconds (time tracking).
	timeEstimate, timeSpent int64
}

func issueFields(i *model.Issue) issuable {
	return issuable{id: i.ID, labelIDs: i.LabelIDs, assigneeIDs: i.AssigneeIDs, milestoneID: i.MilestoneID,
		timeEstimate: i.TimeEstimate, timeSpent: i.TotalTimeSpent}
}

func mergeRequestFields(m *model.MergeRequest) issuable {
	return issuable{id: m.ID, labelIDs: m.LabelIDs, assigneeIDs: m.AssigneeIDs, milestoneID: m.MilestoneID,
		timeEstimate: m.TimeEstimate, timeSpent: m.TotalTimeSpent}
}

// issuablePage is one page of issues (issues set) or merge requests (mrs).
type issuablePage struct {
	r      *Resolver
	p      *model.Project
	issues []*model.Issue
	mrs    []*model.MergeRequest

	refsOnce sync.Once
	refs     *service.IssueRefs
	refsErr  error

	mu          sync.Mutex
	notes       map[notesKey]*notesLoad
	discussions map[notesKey]*discussionsLoad
	awards      *awardSet
	noteAwards  map[any]*awardSet
	reviews     *reviewsLoad
	// participants: Issue.participants (gqllast1_participants.go).
	participants *participantsLoad
}

// notesKey names one window of notes: nodes of a page asking the same
// window share one load.
type notesKey struct {
	filter        NotesFilterType
	offset, limit int
}

type notesLoad struct {
	once  sync.Once
	batch *service.NotesBatch
	err   error
}

// loadRefs loads the labels, milestones and users of every node of the
// page, once.
func (pg *issuablePage) loadRefs(ctx context.Context) (*service.IssueRefs, error) {
	pg.refsOnce.Do(func() {
		if pg.issues != nil {
			pg.refs, pg.refsErr = pg.r.svc.LoadIssueRefs(ctx, pg.issues, pg.p)
		} else {
			pg.refs, pg.refsErr = pg.r.svc.LoadMergeRequestRefs(ctx, pg.mrs, pg.p)
		}
	})
	return pg.refs, pg.refsErr
}

// loadNotes loads one window of the notes of every node of the page, once
// per window, through the service's visibility answers.
func (pg *issuablePage) loadNotes(ctx context.Context, k notesKey) (*service.NotesBatch, error) {
	pg.mu.Lock()
	if pg.notes == nil {
		pg.notes = map[notesKey]*notesLoad{}
	}
	l := pg.notes[k]
	if l == nil {
		l = &notesLoad{}
		pg.notes[k] = l
	}
	pg.mu.Unlock()
	l.once.Do(func() {
		in := service.NoteListInput{Offset: k.offset, Limit: k.limit}
		switch k.filter {
		case NotesFilterTypeOnlyComments:
			in.System = ptr(false)
		case NotesFilterTypeOnlyActivity:
			in.System = ptr(true)
		}
		ref := service.ProjectRef(pg.p)
		if pg.issues != nil {
			l.batch, l.err = pg.r.svc.IssuesNotes(ctx, callerOf(ctx), ref, pg.issues, in)
		} else {
			l.batch, l.err = pg.r.svc.MergeRequestsNotes(ctx, callerOf(ctx), ref, pg.mrs, in)
		}
	})
	return l.batch, l.err
}

// labels renders a node's labels, in the page's labels' order of ids.
func (r *Resolver) issuableLabels(ctx context.Context, pg *issuablePage, it issuable, after, before *string,
	first, last *int) (*LabelConnection, error) {
	refs, err := pg.loadRefs(ctx)
	if err != nil {
		return nil, err
	}
	var all []*model.Label
	for _, id := range it.labelIDs {
		if l := refs.Labels[id]; l != nil {
			all = append(all, l)
		}
	}
	return labelConnection(r.at(ctx), all, after, before, first, last)
}

func (r *Resolver) issuableMilestone(ctx context.Context, pg *issuablePage, it issuable) (*Milestone, error) {
	if it.milestoneID == nil {
		return nil, nil
	}
	refs, err := pg.loadRefs(ctx)
	if err != nil {
		return nil, err
	}
	m := refs.Milestones[*it.milestoneID]
	if m == nil {
		return nil, nil
	}
	return r.at(ctx).milestone(m, refs.Groups, pg.p), nil
}

func (r *Resolver) issuableAssignees(ctx context.Context, pg *issuablePage, it issuable, after, before *string,
	first, last *int) (*UserCoreConnection, error) {
	refs, err := pg.loadRefs(ctx)
	if err != nil {
		return nil, err
	}
	var all []*model.User
	for _, id := range it.assigneeIDs {
		if u := refs.Users[id]; u != nil {
			all = append(all, u)
		}
	}
	list, pg2, err := inMemory(all, after, before, first, last)
	if err != nil {
		return nil, err
	}
	return r.userConnection(ctx, list, pg2, len(all), pg2.offset+len(list) < len(all)), nil
}

func (r *Resolver) issuableNotes(ctx context.Context, pg *issuablePage, it issuable, filter *NotesFilterType,
	after, before *string, first, last *int) (*NoteConnection, error) {
	if last != nil || before != nil {
		return nil, errors.New("lablet pages an issue's or merge request's notes forward: use first and after")
	}
	w, err := window(after, nil, first, nil, nil)
	if err != nil {
		return nil, err
	}
	k := notesKey{filter: NotesFilterTypeAllNotes, offset: w.offset, limit: w.limit}
	if filter != nil {
		k.filter = *filter
	}
	b, err := pg.loadNotes(ctx, k)
	if hidden(err) {
		return &NoteConnection{PageInfo: pageInfo(w, 0, false)}, nil
	}
	if err != nil {
		return nil, err
	}
	notes, total := b.Notes[it.id], b.Totals[it.id]
	v := r.at(ctx)
	awards := pg.noteAwardsOf(b, notesBatchIDs(b))
	c := &NoteConnection{Count: total, PageInfo: pageInfo(w, len(notes), w.offset+len(notes) < total)}
	for n, note := range notes {
		node := v.note(note, userOf(b.Users, note.AuthorID))
		node.awards = awards
		c.Nodes = append(c.Nodes, node)
		c.Edges = append(c.Edges, &NoteEdge{Cursor: cursor(w.offset + n), Node: node})
	}
	return c, nil
}

// inMemory windows a list already loaded whole.
func inMemory[T any](all []T, after, before *string, first, last *int) ([]T, page, error) {
	pg, err := window(after, before, first, last, func() (int, error) { return len(all), nil })
	if err != nil {
		return nil, pg, err
	}
	start := min(pg.offset, len(all))
	end := min(start+pg.limit, len(all))
	return all[start:end], pg, nil
}
