package service

import (
	"context"
	"errors"
	"strconv"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// LinkedIssue is an issue linked to another, with the link.
type LinkedIssue struct {
	Issue   *model.Issue
	Link    *store.IssueLink
	Project *model.Project
}

// IssueLinkView is one link with both ends, as GET/POST/DELETE of a link
// answer it.
type IssueLinkView struct {
	Link   *store.IssueLink
	Source *IssueInProject
	Target *IssueInProject
}

// ListIssueLinks lists the issues linked to an issue that the caller may
// read (GitLab leaves the others out).
func (s *Service) ListIssueLinks(ctx context.Context, id *auth.Identity, ref string, iid int64) ([]LinkedIssue, error) {
	ip, err := s.VisibleIssue(ctx, id, ref, iid)
	if err != nil {
		return nil, err
	}
	q := s.db.Queries()
	links, err := q.IssueLinksOf(ctx, ip.Issue.ID)
	if err != nil {
		return nil, err
	}
	var otherIDs []int64
	for _, l := range links {
		otherIDs = append(otherIDs, otherEnd(l, ip.Issue.ID))
	}
	others, err := q.IssuesByIDs(ctx, otherIDs)
	if err != nil {
		return nil, err
	}
	byID := map[int64]*model.Issue{}
	var projectIDs []int64
	for _, o := range others {
		byID[o.ID] = o
		projectIDs = append(projectIDs, o.ProjectID)
	}
	projects, err := q.IssueProjects(ctx, projectIDs)
	if err != nil {
		return nil, err
	}
	// The caller's level, once per project the links reach.
	levels := map[int64]access.Level{ip.Project.ID: ip.Level}
	out := []LinkedIssue{}
	for _, l := range links {
		o := byID[otherEnd(l, ip.Issue.ID)]
		if o == nil || projects[o.ProjectID] == nil {
			continue
		}
		p := projects[o.ProjectID]
		level, known := levels[p.ID]
		if !known {
			if level, err = s.ProjectLevel(ctx, id, p); err != nil {
				return nil, err
			}
			levels[p.ID] = level
		}
		if !viewer(id).CanSee(p.VisibilityLevel, level) || !p.IssuesEnabled || !CanReadIssue(id, level, o) {
			continue
		}
		out = append(out, LinkedIssue{Issue: o, Link: l, Project: projects[o.ProjectID]})
	}
	return out, nil
}

func otherEnd(l *store.IssueLink, id int64) int64 {
	if l.SourceID == id {
		return l.TargetID
	}
	return l.SourceID
}

// canReadIssueIn reports whether the caller sees issue i of project p.
func (s *Service) canReadIssueIn(ctx context.Context, id *auth.Identity, p *model.Project, i *model.Issue) (bool, error) {
	level, err := s.ProjectLevel(ctx, id, p)
	if err != nil {
		return false, err
	}
	if !viewer(id).CanSee(p.VisibilityLevel, level) || !p.IssuesEnabled {
		return false, nil
	}
	return CanReadIssue(id, level, i), nil
}

// errNoLinkTarget is IssueLinks::CreateService's answer to a target the
// caller can't link to.
var errNoLinkTarget = &Error{Kind: KindNotFound, Message: "No matching issue found. Make sure that you are adding a valid issue URL."}

// errLinkNotFound is GitLab's "404 Not found" for a link that is not the issue's.
var errLinkNotFound = &Error{Kind: KindNotFound, Message: "Not found"}

// CreateIssueLink links an issue to another (admin_issue_link on both,
// which lablet holds with admin_issue); relates_to only: blocking links
// are GitLab Premium.
func (s *Service) CreateIssueLink(ctx context.Context, id *auth.Identity, ref string, iid int64, targetRef string, targetIID int64, linkType string) (*IssueLinkView, error) {
	src, err := s.VisibleIssue(ctx, id, ref, iid)
	if err != nil {
		return nil, err
	}
	if !ProjectCan(id, src.Project, src.Level, access.AdminIssue) {
		return nil, Forbidden("")
	}
	switch linkType {
	case "", "relates_to":
		linkType = "relates_to"
	case "blocks", "is_blocked_by":
		return nil, Forbidden("Blocked issues not available for current license")
	default:
		return nil, ParamError("link_type does not have a valid value")
	}
	dst, err := s.VisibleIssue(ctx, id, targetRef, targetIID)
	if err != nil {
		if KindOf(err) == KindNotFound || KindOf(err) == KindForbidden {
			return nil, errNoLinkTarget
		}
		return nil, err
	}
	if !ProjectCan(id, dst.Project, dst.Level, access.AdminIssue) {
		return nil, errNoLinkTarget
	}
	if dst.Issue.ID == src.Issue.ID {
		return nil, Validation{"source": {"cannot be related to itself"}}.Err()
	}
	link := &store.IssueLink{SourceID: src.Issue.ID, TargetID: dst.Issue.ID, LinkType: linkType}
	err = s.db.WithTx(ctx, func(q *store.Queries) error {
		if err := q.InsertIssueLink(ctx, link); err != nil {
			if errors.Is(err, store.ErrConflict) {
				return Conflict("Issue(s) already assigned")
			}
			return err
		}
		uid := id.User.ID
		srcEv := issueEvents{ctx: ctx, q: q, issue: src.Issue, userID: uid}
		if err := srcEv.note("marked this issue as related to " + issueReference(dst, src.Project)); err != nil {
			return err
		}
		dstEv := issueEvents{ctx: ctx, q: q, issue: dst.Issue, userID: uid}
		return dstEv.note("marked this issue as related to " + issueReference(src, dst.Project))
	})
	if err != nil {
		return nil, err
	}
	return &IssueLinkView{Link: link, Source: src, Target: dst}, nil
}

// issueReference is to_reference from another project: "#1" within the
// same project, "group/proj#1" elsewhere.
func issueReference(ip *IssueInProject, from *model.Project) string {
	ref := "#" + strconv.FormatInt(ip.Issue.IID, 10)
	if from == nil || from.ID != ip.Project.ID {
		ref = ip.Project.FullPath() + ref
	}
	return ref
}

// IssueLink returns one link of an issue (404 when it is not the issue's
// or its other end is hidden from the caller).
func (s *Service) IssueLink(ctx context.Context, id *auth.Identity, ref string, iid, linkID int64) (*IssueLinkView, error) {
	ip, err := s.VisibleIssue(ctx, id, ref, iid)
	if err != nil {
		return nil, err
	}
	return s.issueLinkOf(ctx, id, ip, linkID)
}

func (s *Service) issueLinkOf(ctx context.Context, id *auth.Identity, ip *IssueInProject, linkID int64) (*IssueLinkView, error) {
	q := s.db.Queries()
	l, err := q.IssueLinkByID(ctx, linkID)
	if errors.Is(err, store.ErrNotFound) || err == nil && l.SourceID != ip.Issue.ID && l.TargetID != ip.Issue.ID {
		return nil, errLinkNotFound
	}
	if err != nil {
		return nil, err
	}
	others, err := q.IssuesByIDs(ctx, []int64{otherEnd(l, ip.Issue.ID)})
	if err != nil || len(others) == 0 {
		if err == nil {
			err = errLinkNotFound
		}
		return nil, err
	}
	o := others[0]
	ps, err := q.IssueProjects(ctx, []int64{o.ProjectID})
	if err != nil {
		return nil, err
	}
	op := ps[o.ProjectID]
	if op == nil {
		return nil, errLinkNotFound
	}
	if ok, err := s.canReadIssueIn(ctx, id, op, o); err != nil || !ok {
		if err == nil {
			err = errLinkNotFound
		}
		return nil, err
	}
	other := &IssueInProject{Project: op, Issue: o}
	v := &IssueLinkView{Link: l, Source: ip, Target: other}
	if l.SourceID != ip.Issue.ID {
		v.Source, v.Target = other, ip
	}
	return v, nil
}

// DeleteIssueLink removes a link of an issue (admin_issue_link on it).
func (s *Service) DeleteIssueLink(ctx context.Context, id *auth.Identity, ref string, iid, linkID int64) (*IssueLinkView, error) {
	ip, err := s.VisibleIssue(ctx, id, ref, iid)
	if err != nil {
		return nil, err
	}
	v, err := s.issueLinkOf(ctx, id, ip, linkID)
	if err != nil {
		return nil, err
	}
	if !ProjectCan(id, ip.Project, ip.Level, access.AdminIssue) {
		return nil, Forbidden("")
	}
	err = s.db.WithTx(ctx, func(q *store.Queries) error {
		if err := q.DeleteIssueLink(ctx, linkID); err != nil {
			return err
		}
		uid := id.User.ID
		for _, pair := range [][2]*IssueInProject{{v.Source, v.Target}, {v.Target, v.Source}} {
			ev := issueEvents{ctx: ctx, q: q, issue: pair[0].Issue, userID: uid}
			if err := ev.note("removed the relation with " + issueReference(pair[1], pair[0].Project)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return v, nil
}
