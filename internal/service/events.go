package service

import (
	"context"
	"fmt"
	"strings"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/repo"
	"github.com/lablet/lablet/internal/store"
)

// maxCountedCommits bounds the commits a push event counts, as a push of
// a whole history would otherwise walk all of it.
const maxCountedCommits = 10000

// recordProjectCreated writes the "created" event of a new project, in
// the transaction that creates it.
func recordProjectCreated(ctx context.Context, q *store.Queries, p *model.Project, author *model.User) error {
	return q.InsertEvent(ctx, &model.Event{ProjectID: &p.ID, AuthorID: author.ID, Action: model.EventCreated})
}

// noCommit is git's id of "no object": the old value of a created ref,
// the new value of a deleted one.
var noCommit = strings.Repeat("0", 40)

// recordAPIPush records the push events of a ref the API moved from old
// to new ("" for none), with a push's options (ci.skip); a failure is
// logged, as the change has landed.
func (s *Service) recordAPIPush(ctx context.Context, pr *ProjectRepo, pusher *model.User, ref, old, new string, pushOptions ...string) {
	if old == "" {
		old = noCommit
	}
	if new == "" {
		new = noCommit
	}
	changes := []RefChange{{Ref: ref, Old: old, New: new}}
	err := s.RecordPushes(ctx, pr.Project, pusher, pr.Repo, changes)
	if err != nil {
		s.log.ErrorContext(ctx, "record push event", "project_id", pr.Project.ID, "ref", ref, "err", err)
	}
	s.statisticsChanged(ctx, pr.Project.ID)
	// Commits made through the API run pipelines as pushes do.
	s.createPushPipelines(ctx, &GitRepo{Project: pr.Project, Repo: pr.Repo, Pusher: pusher, PushOptions: pushOptions}, changes)
}

// RecordPushes writes one push event per ref a push changed, as GitLab's
// push hooks do: "pushed new" for a created ref, "deleted" for a removed
// one, "pushed to" otherwise, with the number of commits it brought (to a
// new branch: those not on the default branch) and the title of its new
// head. Refs whose update did not land (refused by git) are skipped. The
// open merge requests of the branches that moved are refreshed after
// (refreshMergeRequests).
func (s *Service) RecordPushes(ctx context.Context, p *model.Project, pusher *model.User, r *repo.Repo, changes []RefChange) error {
	if pusher == nil || len(changes) == 0 {
		return nil
	}
	var events []*model.Event
	var landed []RefChange
	for _, c := range changes {
		refType, name := "branch", ""
		switch {
		case strings.HasPrefix(c.Ref, gitBranchPrefix):
			name = strings.TrimPrefix(c.Ref, gitBranchPrefix)
		case strings.HasPrefix(c.Ref, "refs/tags/"):
			refType, name = "tag", strings.TrimPrefix(c.Ref, "refs/tags/")
		default:
			continue
		}
		cur, _ := r.RefValue(c.Ref)
		if c.IsDelete() && cur != "" || !c.IsDelete() && cur != c.New {
			continue // git refused this ref, or another push moved it since
		}
		landed = append(landed, c)
		d := &model.PushData{Action: "pushed", RefType: refType, Ref: name}
		if !c.IsCreate() {
			d.CommitFrom = &c.Old
		}
		if !c.IsDelete() {
			d.CommitTo = &c.New
		}
		switch {
		case c.IsDelete():
			d.Action = "removed"
		default:
			if c.IsCreate() {
				d.Action = "created"
			}
			n, title, err := s.pushedCommits(ctx, p, r, c)
			if err != nil {
				return err
			}
			d.CommitCount, d.CommitTitle = n, title
		}
		events = append(events, &model.Event{ProjectID: &p.ID, AuthorID: pusher.ID, Action: model.EventPushed, Push: d})
	}
	if len(events) == 0 {
		return nil
	}
	rules, err := s.BranchRules(ctx, p)
	if err != nil {
		return err
	}
	// Push payloads read the repository: built here, outside the
	// transaction, and only for events a hook of the project takes. The
	// hooks read here are the ones the transaction queues to.
	var hooks []*model.WebHook
	if s.hookQueue != nil {
		if hooks, err = s.db.Queries().WebHooksForProject(ctx, p.ID, p.NamespaceID); err != nil {
			return err
		}
	}
	hookEvents := make([]hookEvent, 0, len(landed)+1)
	for _, c := range landed {
		branch, isBranch := strings.CutPrefix(c.Ref, gitBranchPrefix)
		ev := s.pushHookEvent(ctx, p, pusher, r, c, isBranch && rules.Protected(branch))
		if ev.wantedBy(hooks) {
			if _, err := ev.payloadValue(); err != nil {
				return err
			}
		}
		hookEvents = append(hookEvents, ev)
	}
	hookEvents = append(hookEvents, s.repositoryUpdateHookEvent(p, pusher, landed))
	err = s.db.WithTx(ctx, func(q *store.Queries) error {
		for _, e := range events {
			if err := q.InsertEvent(ctx, e); err != nil {
				return err
			}
		}
		// The push's hooks commit with its events: never one without
		// the other.
		for _, ev := range hookEvents {
			if err := s.enqueueToHooks(ctx, q, hooks, ev); err != nil {
				return err
			}
		}
		return s.enqueueEmailsOnPush(ctx, q, p, pusher, landed, rules)
	})
	if err != nil {
		return err
	}
	s.refreshMergeRequests(ctx, p, pusher, r, landed)
	return nil
}

// pushedCommits counts the commits a ref change brought and reads the
// title of its new head. A new branch counts what is not on the default
// branch; a tag counts nothing, as GitLab's tag push data does.
func (s *Service) pushedCommits(ctx context.Context, p *model.Project, r *repo.Repo, c RefChange) (int64, *string, error) {
	head, err := r.Commit(ctx, c.New)
	if err != nil {
		// An annotated tag or another object: no commit title.
		return 0, nil, nil
	}
	title := head.Title
	if !strings.HasPrefix(c.Ref, gitBranchPrefix) {
		return 0, &title, nil
	}
	exclude := c.Old
	if c.IsCreate() {
		exclude = ""
		if p.DefaultBranch != nil && gitBranchPrefix+*p.DefaultBranch != c.Ref {
			exclude, _ = r.RefValue(gitBranchPrefix + *p.DefaultBranch)
		}
	}
	commits, err := r.RevList(ctx, exclude, c.New, maxCountedCommits)
	if err != nil {
		return 0, nil, fmt.Errorf("service: count pushed commits: %w", err)
	}
	return int64(len(commits)), &title, nil
}
