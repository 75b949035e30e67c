package v4

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/lablet/lablet/internal/service"
)

// maxIssueParam bounds an issue's free-text parameters before the service
// applies GitLab's limits (in characters) to them.
const maxIssueParam = 4*1_048_576 + 4

// updateIssueParams are those of which PUT needs at least one, in GitLab's
// order (its at_least_one_of message lists them so).
var updateIssueParams = []string{"assignee_id", "assignee_ids", "confidential", "created_at", "description",
	"discussion_locked", "due_date", "labels", "add_labels", "remove_labels", "milestone_id", "state_event",
	"title", "issue_type"}

// IntList reads a list of integers: a JSON array, repeated name[]=…, or
// one comma-separated string.
func (p *Params) IntList(name string) ([]int64, bool, error) {
	v, ok := p.Raw(name)
	if !ok {
		return nil, false, nil
	}
	var parts []string
	switch t := v.(type) {
	case string:
		parts = strings.Split(t, ",")
	case []string:
		for _, s := range t {
			parts = append(parts, strings.Split(s, ",")...)
		}
	case json.Number:
		parts = []string{t.String()}
	case []any:
		for _, e := range t {
			switch n := e.(type) {
			case json.Number:
				parts = append(parts, n.String())
			case string:
				parts = append(parts, n)
			default:
				return nil, false, service.ParamError(name + " is invalid")
			}
		}
	case nil:
		return []int64{}, true, nil
	default:
		return nil, false, service.ParamError(name + " is invalid")
	}
	out := []int64{}
	for _, s := range parts {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, false, service.ParamError(name + " is invalid")
		}
		out = append(out, n)
	}
	return out, true, nil
}

// TimeParam reads an ISO 8601 time (or a date, meaning its midnight UTC).
func (p *Params) TimeParam(name string) (*time.Time, error) {
	s, ok := p.Str(name)
	if !ok || s == "" {
		return nil, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			t = t.UTC()
			return &t, nil
		}
	}
	return nil, service.ParamError(name + " is invalid")
}

// issueInput reads the parameters of POST and PUT.
func issueInput(p *Params) (service.IssueInput, error) {
	var in service.IssueInput
	if s, ok, err := p.Text("title", maxIssueParam); err != nil {
		return in, err
	} else if ok {
		in.Title = &s
	}
	if s, ok, err := p.Text("description", maxIssueParam); err != nil {
		return in, err
	} else if ok {
		in.Description = &s
	}
	if b, ok, err := p.Bool("confidential"); err != nil {
		return in, err
	} else if ok {
		in.Confidential = &b
	}
	if b, ok, err := p.Bool("discussion_locked"); err != nil {
		return in, err
	} else if ok {
		in.DiscussionLocked = &b
	}
	m, err := issuableMetaParams(p)
	if err != nil {
		return in, err
	}
	in.AssigneeIDs, in.MilestoneID, in.Labels, in.AddLabels, in.RemoveLabels = m.assignees, m.milestone, m.labels, m.add, m.remove
	if in.DueDate, in.DueDateSet, err = p.date("due_date"); err != nil {
		return in, err
	}
	if in.CreatedAt, err = p.TimeParam("created_at"); err != nil {
		return in, err
	}
	if in.UpdatedAt, err = p.TimeParam("updated_at"); err != nil {
		return in, err
	}
	if s, ok := p.Str("issue_type"); ok {
		in.IssueType = &s
	}
	if s, ok, err := p.OneOf("state_event", "close", "reopen"); err != nil {
		return in, err
	} else if ok {
		in.StateEvent = s
	}
	return in, nil
}

// issuableMeta are the assignees, milestone and labels a create or
// update of an issue or merge request sets; nil: not given.
type issuableMeta struct {
	assignees   *[]int64
	milestone   *int64
	labels      *[]string
	add, remove []string
}

// issuableMetaParams reads assignee_ids (or assignee_id), milestone_id
// (null or "" removes it), labels, add_labels and remove_labels.
func issuableMetaParams(p *Params) (issuableMeta, error) {
	var m issuableMeta
	if ids, ok, err := p.IntList("assignee_ids"); err != nil {
		return m, err
	} else if ok {
		m.assignees = &ids
	} else if s, ok := p.Str("assignee_id"); ok {
		ids := []int64{}
		if s = strings.TrimSpace(s); s != "" {
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				return m, service.ParamError("assignee_id is invalid")
			}
			ids = append(ids, n)
		}
		m.assignees = &ids
	}
	if s, ok := p.Str("milestone_id"); ok {
		var n int64
		if s = strings.TrimSpace(s); s != "" {
			v, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				return m, service.ParamError("milestone_id is invalid")
			}
			n = v
		}
		m.milestone = &n
	} else if p.Has("milestone_id") {
		n := int64(0) // null
		m.milestone = &n
	}
	if ls, ok, err := p.StrList("labels"); err != nil {
		return m, err
	} else if ok {
		if ls == nil {
			ls = []string{}
		}
		m.labels = &ls
	}
	var err error
	if m.add, _, err = p.StrList("add_labels"); err != nil {
		return m, err
	}
	if m.remove, _, err = p.StrList("remove_labels"); err != nil {
		return m, err
	}
	return m, nil
}

// issueOrders are the order_by values GitLab's issues lists accept.
var issueOrders = []string{"created_at", "updated_at", "priority", "due_date", "relative_position",
	"label_priority", "milestone_due", "popularity", "title", "id"}

// issueStates are the state values GitLab's issues lists accept.
var issueStates = []string{"opened", "closed", "all"}

// issueQuery reads a list's (or statistics') filters and pagination.
func issueQuery(p *Params) (service.IssueQuery, error) {
	return issuableQuery(p, issueStates, issueOrders)
}

// issuableQuery reads the filters and pagination issue and merge request
// lists share; states and orders are the values state and order_by take.
func issuableQuery(p *Params, states, orders []string) (service.IssueQuery, error) {
	var qy service.IssueQuery
	var err error
	if qy.Scope, _, err = p.OneOf("scope", "created_by_me", "assigned_to_me", "all", "created-by-me", "assigned-to-me"); err != nil {
		return qy, err
	}
	if qy.State, _, err = p.OneOf("state", states...); err != nil {
		return qy, err
	}
	if qy.Labels, _, err = p.StrList("labels"); err != nil {
		return qy, err
	}
	if qy.NotLabels, _, err = p.StrList("not[labels]"); err != nil {
		return qy, err
	}
	if s, ok := p.Str("milestone"); ok && s != "" {
		qy.Milestone = &s
	}
	if s, ok := p.Str("not[milestone]"); ok && s != "" {
		qy.NotMilestone = &s
	}
	if s, ok := p.Str("assignee_id"); ok && s != "" {
		qy.AssigneeID = &s
	}
	if qy.AssigneeUsernames, _, err = p.StrList("assignee_username"); err != nil {
		return qy, err
	}
	for _, f := range []struct {
		name string
		dst  **int64
	}{{"author_id", &qy.AuthorID}, {"not[author_id]", &qy.NotAuthorID}, {"not[assignee_id]", &qy.NotAssigneeID}} {
		n, ok, err := p.Int(f.name)
		if err != nil {
			return qy, err
		}
		if ok {
			*f.dst = &n
		}
	}
	if s, ok := p.Str("author_username"); ok && s != "" {
		qy.AuthorUsername = &s
	}
	if s, _, err := p.Text("search", 1024); err != nil {
		return qy, err
	} else {
		qy.Search = s
	}
	in, _, err := p.StrList("in")
	if err != nil {
		return qy, err
	}
	for _, c := range in {
		if c != "title" && c != "description" {
			return qy, service.ParamError("in does not have a valid value")
		}
		qy.In = append(qy.In, c)
	}
	for _, f := range []struct {
		name string
		dst  **time.Time
	}{{"created_after", &qy.CreatedAfter}, {"created_before", &qy.CreatedBefore},
		{"updated_after", &qy.UpdatedAfter}, {"updated_before", &qy.UpdatedBefore}} {
		if *f.dst, err = p.TimeParam(f.name); err != nil {
			return qy, err
		}
	}
	if qy.IIDs, _, err = p.IntList("iids"); err != nil {
		return qy, err
	}
	if b, ok, err := p.Bool("confidential"); err != nil {
		return qy, err
	} else if ok {
		qy.Confidential = &b
	}
	if qy.IssueTypes, _, err = p.StrList("issue_type"); err != nil {
		return qy, err
	}
	qy.NonArchived = true
	if b, ok, err := p.Bool("non_archived"); err != nil {
		return qy, err
	} else if ok {
		qy.NonArchived = b
	}
	if qy.OrderBy, _, err = p.OneOf("order_by", orders...); err != nil {
		return qy, err
	}
	if qy.Sort, _, err = p.OneOf("sort", "asc", "desc"); err != nil {
		return qy, err
	}
	pg := PageOf(p)
	qy.Page, qy.PerPage = pg.Page, pg.PerPage
	if s, ok := p.Str("pagination"); ok && s == "keyset" {
		qy.Keyset = true
		qy.Cursor, _ = p.Str("cursor")
	}
	return qy, nil
}
