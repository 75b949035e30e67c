package v4

import (
	"fmt"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// issueEntity is GitLab's Entities::Issue.
type issueEntity struct {
	ID                   int64                `json:"id"`
	IID                  int64                `json:"iid"`
	ProjectID            int64                `json:"project_id"`
	Title                string               `json:"title"`
	Description          string               `json:"description"`
	State                string               `json:"state"`
	CreatedAt            string               `json:"created_at"`
	UpdatedAt            string               `json:"updated_at"`
	ClosedAt             *string              `json:"closed_at"`
	ClosedBy             *BasicUser           `json:"closed_by"`
	Labels               any                  `json:"labels"` // titles, or label objects with with_labels_details
	Milestone            *milestoneEntity     `json:"milestone"`
	Assignees            []BasicUser          `json:"assignees"`
	Author               *BasicUser           `json:"author"`
	Type                 string               `json:"type"`
	Assignee             *BasicUser           `json:"assignee"`
	UserNotesCount       int64                `json:"user_notes_count"`
	MergeRequestsCount   int                  `json:"merge_requests_count"`
	Upvotes              int64                `json:"upvotes"`
	Downvotes            int64                `json:"downvotes"`
	DueDate              *string              `json:"due_date"`
	Confidential         bool                 `json:"confidential"`
	DiscussionLocked     *bool                `json:"discussion_locked"`
	IssueType            string               `json:"issue_type"`
	WebURL               string               `json:"web_url"`
	TimeStats            issueTimeStats       `json:"time_stats"`
	TaskCompletionStatus taskCompletionStatus `json:"task_completion_status"`
	HasTasks             bool                 `json:"has_tasks"`
	TaskStatus           string               `json:"task_status,omitempty"`
	Links                issueLinksEntity     `json:"_links"`
	References           issueReferences      `json:"references"`
	Severity             string               `json:"severity"`
	Subscribed           *bool                `json:"subscribed,omitempty"`
	MovedToID            *int64               `json:"moved_to_id"`
	Imported             bool                 `json:"imported"`
	ImportedFrom         string               `json:"imported_from"`
	ServiceDeskReplyTo   *string              `json:"service_desk_reply_to"`
	BlockingIssuesCount  int                  `json:"blocking_issues_count"`
}

type taskCompletionStatus struct {
	Count          int `json:"count"`
	CompletedCount int `json:"completed_count"`
}

type issueLinksEntity struct {
	Self                string  `json:"self"`
	Notes               string  `json:"notes"`
	AwardEmoji          string  `json:"award_emoji"`
	Project             string  `json:"project"`
	ClosedAsDuplicateOf *string `json:"closed_as_duplicate_of"`
}

type issueReferences struct {
	Short    string `json:"short"`
	Relative string `json:"relative"`
	Full     string `json:"full"`
}

// issueRenderer renders issues of one answer with the references loaded
// for all of them.
type issueRenderer struct {
	base         string
	gravatar     bool
	refs         *service.IssueRefs
	labelDetails bool
	labelDescs   map[int64]string // label details' description_html
	groupID      int64            // a group list: relative references are from it
	today        string           // milestones' expired
}

func (a *API) newIssueRenderer(base string, refs *service.IssueRefs, labelDetails bool) *issueRenderer {
	return &issueRenderer{base: base, gravatar: a.gravatar, refs: refs, labelDetails: labelDetails,
		today: a.svc.Today()}
}

// issueRendererFor is the renderer of the issues answered to c: with
// label details (with_labels_details), their descriptions rendered.
func (a *API) issueRendererFor(r *http.Request, c *Call, refs *service.IssueRefs) (*issueRenderer, error) {
	return a.issueRendererWith(r, c, refs, labelDetails(c))
}

// issueRendererWith is issueRendererFor with label details as given
// rather than as c asks: searches render label titles only.
func (a *API) issueRendererWith(r *http.Request, c *Call, refs *service.IssueRefs, details bool) (*issueRenderer, error) {
	ir := a.newIssueRenderer(a.BaseURL(r), refs, details)
	if !ir.labelDetails {
		return ir, nil
	}
	var err error
	ir.labelDescs, err = a.labelDescriptions(r, c, slices.Collect(maps.Values(refs.Labels)))
	return ir, err
}

func (ir *issueRenderer) user(id *int64) *BasicUser {
	if id == nil {
		return nil
	}
	u := ir.refs.Users[*id]
	if u == nil {
		return nil
	}
	b := BasicUserAt(ir.base, ir.gravatar, u)
	return &b
}

func (ir *issueRenderer) issue(i *model.Issue) issueEntity {
	p := ir.refs.Projects[i.ProjectID]
	fullPath := ""
	if p != nil {
		fullPath = p.FullPath()
	}
	iid := strconv.FormatInt(i.IID, 10)
	apiBase := fmt.Sprintf("%s/api/v4/projects/%d", ir.base, i.ProjectID)
	e := issueEntity{ID: i.ID, IID: i.IID, ProjectID: i.ProjectID, Title: i.Title, Description: i.Description,
		State: i.State, CreatedAt: TS(i.CreatedAt), UpdatedAt: TS(i.UpdatedAt), ClosedAt: TSP(i.ClosedAt),
		ClosedBy: ir.user(i.ClosedByID), Author: ir.user(i.AuthorID), Type: "ISSUE", Assignees: []BasicUser{},
		UserNotesCount: i.UserNotesCount, MergeRequestsCount: int(i.MergeRequestsCount), Upvotes: i.Upvotes, Downvotes: i.Downvotes, DueDate: i.DueDate,
		Confidential: i.Confidential, DiscussionLocked: i.DiscussionLocked, IssueType: i.IssueType,
		WebURL: ir.base + "/" + fullPath + "/-/issues/" + iid, Severity: "UNKNOWN", MovedToID: i.MovedToID,
		ImportedFrom: "none",
		TimeStats:    timeStatsOf(i.TimeEstimate, i.TotalTimeSpent),
		Links: issueLinksEntity{Self: apiBase + "/issues/" + iid, Notes: apiBase + "/issues/" + iid + "/notes",
			AwardEmoji: apiBase + "/issues/" + iid + "/award_emoji", Project: apiBase},
		References: issueReferences{Short: "#" + iid, Relative: "#" + iid, Full: fullPath + "#" + iid},
	}
	if ir.groupID != 0 && p != nil {
		if p.NamespaceID == ir.groupID {
			e.References.Relative = p.Path + "#" + iid
		} else {
			e.References.Relative = e.References.Full
		}
	}
	for _, a := range i.AssigneeIDs {
		if u := ir.user(&a); u != nil {
			e.Assignees = append(e.Assignees, *u)
		}
	}
	if len(e.Assignees) > 0 {
		e.Assignee = &e.Assignees[0]
	}
	e.Labels = ir.labels(i)
	if i.MilestoneID != nil {
		if m := ir.refs.Milestones[*i.MilestoneID]; m != nil {
			me := ir.milestone(m)
			e.Milestone = &me
		}
	}
	total, done := countTasks(i.Description)
	e.TaskCompletionStatus = taskCompletionStatus{Count: total, CompletedCount: done}
	e.HasTasks = total > 0
	if e.HasTasks {
		e.TaskStatus = fmt.Sprintf("%d of %d checklist items completed", done, total)
	}
	return e
}

// labels are the issue's label titles, or label objects with
// with_labels_details, ordered by title as GitLab orders them.
func (ir *issueRenderer) labels(i *model.Issue) any {
	var ls []*model.Label
	for _, id := range i.LabelIDs {
		if l := ir.refs.Labels[id]; l != nil {
			ls = append(ls, l)
		}
	}
	sortLabels(ls)
	if ir.labelDetails {
		out := []labelBasicEntity{}
		for _, l := range ls {
			out = append(out, labelBasicOf(l, ir.labelDescs))
		}
		return out
	}
	out := []string{}
	for _, l := range ls {
		out = append(out, l.Title)
	}
	return out
}

func sortLabels(ls []*model.Label) {
	for i := 1; i < len(ls); i++ {
		for j := i; j > 0 && (ls[j].Title < ls[j-1].Title); j-- {
			ls[j], ls[j-1] = ls[j-1], ls[j]
		}
	}
}

func (ir *issueRenderer) milestone(m *model.Milestone) milestoneEntity {
	projectPath, groupPath := "", ""
	if m.ProjectID != nil {
		if p := ir.refs.Projects[*m.ProjectID]; p != nil {
			projectPath = p.FullPath()
		}
	}
	if m.GroupID != nil {
		if g := ir.refs.Groups[*m.GroupID]; g != nil {
			groupPath = g.FullPath
		}
	}
	web := service.MilestoneWebPath(m, projectPath, groupPath)
	if web != "" {
		web = ir.base + web
	}
	return milestoneEntityOf(m, web, service.MilestoneExpired(m, ir.today))
}

// taskItem is a task list item of GitLab's TaskList: "- [ ]", "* [x]",
// "1. [ ]"; "[~]" (inapplicable) counts for neither.
var taskItem = regexp.MustCompile(`(?m)^[ \t]*(?:[-+*]|\d+[.)])[ \t]+\[([ xX~])\](?:[ \t]|$)`)

func countTasks(description string) (total, done int) {
	if !strings.Contains(description, "[") {
		return 0, 0 // no task item without its box: skip the expression's scan
	}
	for _, m := range taskItem.FindAllStringSubmatch(description, -1) {
		switch m[1] {
		case " ":
			total++
		case "x", "X":
			total++
			done++
		}
	}
	return total, done
}
