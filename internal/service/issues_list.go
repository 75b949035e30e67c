package service

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// IssueQuery is a list's (or statistics') parameters, as GitLab's
// IssuesFinder takes them.
type IssueQuery struct {
	Scope             string // created_by_me, assigned_to_me, all
	State             string // opened, closed, all
	Labels            []string
	NotLabels         []string
	Milestone         *string
	NotMilestone      *string
	AssigneeID        *string // an id, "None" or "Any"
	AssigneeUsernames []string
	NotAssigneeID     *int64
	AuthorID          *int64
	AuthorUsername    *string
	NotAuthorID       *int64
	Search            string
	In                []string // title, description
	CreatedAfter      *time.Time
	CreatedBefore     *time.Time
	UpdatedAfter      *time.Time
	UpdatedBefore     *time.Time
	IIDs              []int64
	Confidential      *bool
	IssueTypes        []string
	NonArchived       bool
	MilestoneID       int64 // the issues of one milestone (milestones' issues)
	// GroupOnly: a group list leaves out its subgroups' projects
	// (GraphQL's includeSubgroups: false; REST always includes them).
	GroupOnly bool

	OrderBy string
	Sort    string // asc, desc
	Page    int
	PerPage int
	// Offset, when positive, starts the page there rather than at Page's
	// start (GraphQL's cursors are offsets).
	Offset int
	Keyset bool
	Cursor string
}

// IssuePage is one page of issues and the total (offset pagination) or
// the next page's cursor (keyset; "" on the last page).
type IssuePage struct {
	Issues     []*model.Issue
	Total      int
	NextCursor string
	// GroupID is the group of a group list: references are relative to it.
	GroupID int64
	// Project is the project of a project list (LoadIssueRefs reuses it).
	Project *model.Project
	// Key names the page when a rendering of it may be cached, under
	// Version: equal keys are equal pages while Version stands. "" when
	// not cacheable.
	Key     string
	Version model.Version
}

// ErrKeysetOrder answers keyset pagination asked with an order it cannot
// follow, as GitLab does.
var ErrKeysetOrder = &Error{Kind: KindMethodNotAllowed, Message: "405 Method Not Allowed - Keyset pagination is not yet available for this type of request"}

// ListProjectIssues lists a project's issues the caller may read.
func (s *Service) ListProjectIssues(ctx context.Context, id *auth.Identity, ref string, qy IssueQuery) (*IssuePage, error) {
	p, level, err := s.issuesProject(ctx, id, ref)
	if err != nil {
		return nil, err
	}
	f := s.issueViewer(id)
	f.ProjectID, f.ProjectLevel = p.ID, int(level)
	pg, err := s.listIssues(ctx, id, f, qy, "all")
	if err != nil {
		return nil, err
	}
	pg.Project = p
	return pg, nil
}

// ListGroupIssues lists the issues of a group's and its subgroups'
// projects the caller sees.
func (s *Service) ListGroupIssues(ctx context.Context, id *auth.Identity, ref string, qy IssueQuery) (*IssuePage, error) {
	g, _, err := s.VisibleGroup(ctx, id, ref)
	if err != nil {
		return nil, err
	}
	f := s.issueViewer(id)
	f.GroupID, f.GroupOnly = g.ID, qy.GroupOnly
	pg, err := s.listIssues(ctx, id, f, qy, "all")
	if err != nil {
		return nil, err
	}
	pg.GroupID = g.ID
	return pg, nil
}

// ListAllIssues is GET /issues: the issues of every project the caller
// sees; created by the caller unless scope says otherwise. Anonymous
// callers must ask for scope=all (GitLab's authenticate! otherwise).
func (s *Service) ListAllIssues(ctx context.Context, id *auth.Identity, qy IssueQuery) (*IssuePage, error) {
	if !id.Authenticated() && qy.Scope != "all" {
		return nil, auth.ErrUnauthorized
	}
	return s.listIssues(ctx, id, s.issueViewer(id), qy, "created_by_me")
}

// ListMilestoneIssues lists the issues of a project's (projectRef) or a
// group's (groupRef) milestone.
func (s *Service) ListMilestoneIssues(ctx context.Context, id *auth.Identity, projectRef, groupRef string, milestoneID int64, qy IssueQuery) (*IssuePage, error) {
	f := s.issueViewer(id)
	var m *model.Milestone
	if projectRef != "" {
		p, level, err := s.issuesProject(ctx, id, projectRef)
		if err != nil {
			return nil, err
		}
		f.ProjectID, f.ProjectLevel = p.ID, int(level)
		if m, err = s.db.Queries().MilestoneByID(ctx, milestoneID); err == nil && (m.ProjectID == nil || *m.ProjectID != p.ID) {
			err = store.ErrNotFound
		}
		if err != nil {
			return nil, milestoneErr(err)
		}
	} else {
		g, _, err := s.VisibleGroup(ctx, id, groupRef)
		if err != nil {
			return nil, err
		}
		f.GroupID = g.ID
		if m, err = s.db.Queries().MilestoneByID(ctx, milestoneID); err == nil && (m.GroupID == nil || *m.GroupID != g.ID) {
			err = store.ErrNotFound
		}
		if err != nil {
			return nil, milestoneErr(err)
		}
	}
	qy.MilestoneID = m.ID
	pg, err := s.listIssues(ctx, id, f, qy, "all")
	if err != nil {
		return nil, err
	}
	pg.GroupID = f.GroupID
	return pg, nil
}

func milestoneErr(err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return NotFound("Milestone")
	}
	return fmt.Errorf("service: milestone: %w", err)
}

// IssueStatistics counts the issues a query selects, by state: for a
// project (projectRef), a group (groupRef) or everything the caller sees.
func (s *Service) IssueStatistics(ctx context.Context, id *auth.Identity, projectRef, groupRef string, qy IssueQuery) (store.IssueCounts, error) {
	f := s.issueViewer(id)
	defaultScope := "all"
	switch {
	case projectRef != "":
		p, level, err := s.issuesProject(ctx, id, projectRef)
		if err != nil {
			return store.IssueCounts{}, err
		}
		f.ProjectID, f.ProjectLevel = p.ID, int(level)
	case groupRef != "":
		g, _, err := s.VisibleGroup(ctx, id, groupRef)
		if err != nil {
			return store.IssueCounts{}, err
		}
		f.GroupID = g.ID
	default:
		if !id.Authenticated() && qy.Scope != "all" {
			return store.IssueCounts{}, auth.ErrUnauthorized
		}
		defaultScope = "created_by_me"
	}
	ok, err := s.issueFilter(ctx, id, &f, qy, defaultScope)
	if err != nil || !ok {
		return store.IssueCounts{}, err
	}
	return s.db.Queries().CountIssues(ctx, f)
}

// issueViewer is the filter's viewer part for the caller.
func (s *Service) issueViewer(id *auth.Identity) store.IssueFilter {
	v := viewer(id)
	return store.IssueFilter{ViewerID: id.UserID(), Admin: v.Admin, MinVisibility: v.MinVisibleLevel(), Today: s.Today()}
}

func (s *Service) listIssues(ctx context.Context, id *auth.Identity, f store.IssueFilter, qy IssueQuery, defaultScope string) (*IssuePage, error) {
	ok, err := s.issueFilter(ctx, id, &f, qy, defaultScope)
	if err != nil {
		return nil, err
	}
	if !ok {
		return &IssuePage{}, nil
	}
	f.Limit, f.Offset = qy.PerPage, (qy.Page-1)*qy.PerPage
	if qy.Offset > 0 {
		f.Offset = qy.Offset
	}
	if qy.Keyset {
		switch f.OrderBy {
		case "id", "created_at", "updated_at":
		default:
			return nil, ErrKeysetOrder
		}
		f.Offset, f.Limit = 0, qy.PerPage+1
		if qy.Cursor != "" {
			v, after, ok := decodeIssueCursor(qy.Cursor)
			if !ok {
				return nil, ParamError("cursor is invalid")
			}
			f.After, f.AfterValue, f.AfterID = true, v, after
		}
	} else {
		f.Count = true
	}
	res, err := s.db.Queries().ListIssues(ctx, f)
	if err != nil {
		return nil, err
	}
	list := res.Issues
	out := &IssuePage{Issues: list, Total: res.Total, Key: res.Key, Version: res.Version}
	if qy.Keyset && len(list) > qy.PerPage {
		out.Issues = list[:qy.PerPage]
		last := out.Issues[len(out.Issues)-1]
		v := last.ID
		switch f.OrderBy {
		case "created_at":
			v = last.CreatedAt.UnixMilli()
		case "updated_at":
			v = last.UpdatedAt.UnixMilli()
		}
		out.NextCursor = encodeIssueCursor(v, last.ID)
	}
	return out, nil
}

func encodeIssueCursor(v, id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(v, 10) + ":" + strconv.FormatInt(id, 10)))
}

func decodeIssueCursor(c string) (int64, int64, bool) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return 0, 0, false
	}
	a, bs, ok := strings.Cut(string(b), ":")
	v, err1 := strconv.ParseInt(a, 10, 64)
	id, err2 := strconv.ParseInt(bs, 10, 64)
	return v, id, ok && err1 == nil && err2 == nil
}

// issueFilter fills f from the query; ok is false when the query can match
// nothing (an unknown username), which needs no query at all.
func (s *Service) issueFilter(ctx context.Context, id *auth.Identity, f *store.IssueFilter, qy IssueQuery, defaultScope string) (bool, error) {
	scope := qy.Scope
	if scope == "" {
		scope = defaultScope
	}
	uid := id.UserID()
	switch scope {
	case "created_by_me", "created-by-me":
		if uid == 0 {
			return false, nil
		}
		f.AuthorID = &uid
	case "assigned_to_me", "assigned-to-me":
		if uid == 0 {
			return false, nil
		}
		f.AssigneeIDs = append(f.AssigneeIDs, uid)
	}
	switch qy.State {
	case "opened", "closed":
		f.State = qy.State
	}
	for _, l := range qy.Labels {
		switch strings.ToLower(l) {
		case "none":
			f.LabelsMode = "none"
		case "any":
			f.LabelsMode = "any"
		default:
			f.LabelTitles = append(f.LabelTitles, l)
		}
	}
	f.NotLabelTitles = qy.NotLabels
	if qy.Milestone != nil {
		switch strings.ToLower(*qy.Milestone) {
		case "none":
			f.MilestoneMode = "none"
		case "any":
			f.MilestoneMode = "any"
		case "started", "upcoming":
			f.MilestoneMode = strings.ToLower(*qy.Milestone)
		default:
			f.Milestone = *qy.Milestone
		}
	}
	if qy.NotMilestone != nil {
		f.NotMilestone = *qy.NotMilestone
	}
	f.MilestoneID = qy.MilestoneID
	if qy.AssigneeID != nil {
		switch strings.ToLower(*qy.AssigneeID) {
		case "none":
			f.AssigneeMode = "none"
		case "any":
			f.AssigneeMode = "any"
		default:
			n, err := strconv.ParseInt(*qy.AssigneeID, 10, 64)
			if err != nil {
				return false, ParamError("assignee_id is invalid")
			}
			f.AssigneeIDs = append(f.AssigneeIDs, n)
		}
	}
	for _, name := range qy.AssigneeUsernames {
		u, err := s.UserByUsername(ctx, name)
		if KindOf(err) == KindNotFound {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		f.AssigneeIDs = append(f.AssigneeIDs, u.ID)
	}
	f.NotAssigneeID, f.NotAuthorID = qy.NotAssigneeID, qy.NotAuthorID
	if qy.AuthorID != nil {
		if f.AuthorID != nil && *f.AuthorID != *qy.AuthorID {
			return false, nil
		}
		f.AuthorID = qy.AuthorID
	}
	if qy.AuthorUsername != nil {
		u, err := s.UserByUsername(ctx, *qy.AuthorUsername)
		if KindOf(err) == KindNotFound || err == nil && f.AuthorID != nil && *f.AuthorID != u.ID {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		f.AuthorID = &u.ID
	}
	f.Search, f.SearchColumns = qy.Search, qy.In
	f.CreatedAfter, f.CreatedBefore, f.UpdatedAfter, f.UpdatedBefore = qy.CreatedAfter, qy.CreatedBefore, qy.UpdatedAfter, qy.UpdatedBefore
	f.IIDs, f.Confidential, f.IssueTypes, f.NonArchived = qy.IIDs, qy.Confidential, qy.IssueTypes, qy.NonArchived
	f.OrderBy = qy.OrderBy
	if f.OrderBy == "" {
		f.OrderBy = "created_at"
	}
	f.Desc = qy.Sort != "asc"
	return true, nil
}
