package v4

import (
	"strconv"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// MergeRequestEntity is GitLab's Entities::MergeRequestBasic; the single
// merge request (Entities::MergeRequest) adds mergeRequestDetails.
type MergeRequestEntity struct {
	ID                          int64                `json:"id"`
	IID                         int64                `json:"iid"`
	ProjectID                   int64                `json:"project_id"`
	Title                       string               `json:"title"`
	Description                 string               `json:"description"`
	State                       string               `json:"state"`
	CreatedAt                   string               `json:"created_at"`
	UpdatedAt                   string               `json:"updated_at"`
	MergedBy                    *BasicUser           `json:"merged_by"`
	MergeUser                   *BasicUser           `json:"merge_user"`
	MergedAt                    *string              `json:"merged_at"`
	MergeAfter                  *string              `json:"merge_after"`
	ClosedBy                    *BasicUser           `json:"closed_by"`
	ClosedAt                    *string              `json:"closed_at"`
	TargetBranch                string               `json:"target_branch"`
	SourceBranch                string               `json:"source_branch"`
	UserNotesCount              int64                `json:"user_notes_count"`
	Upvotes                     int64                `json:"upvotes"`
	Downvotes                   int64                `json:"downvotes"`
	Author                      *BasicUser           `json:"author"`
	Assignees                   []BasicUser          `json:"assignees"`
	Assignee                    *BasicUser           `json:"assignee"`
	Reviewers                   []BasicUser          `json:"reviewers"`
	SourceProjectID             *int64               `json:"source_project_id"`
	TargetProjectID             int64                `json:"target_project_id"`
	Labels                      any                  `json:"labels"`
	Draft                       bool                 `json:"draft"`
	Imported                    bool                 `json:"imported"`
	ImportedFrom                string               `json:"imported_from"`
	WorkInProgress              bool                 `json:"work_in_progress"`
	Milestone                   *milestoneEntity     `json:"milestone"`
	MergeWhenPipelineSucceeds   bool                 `json:"merge_when_pipeline_succeeds"`
	MergeStatus                 string               `json:"merge_status"`
	DetailedMergeStatus         string               `json:"detailed_merge_status"`
	SHA                         *string              `json:"sha"`
	MergeCommitSHA              *string              `json:"merge_commit_sha"`
	SquashCommitSHA             *string              `json:"squash_commit_sha"`
	DiscussionLocked            *bool                `json:"discussion_locked"`
	ShouldRemoveSourceBranch    *bool                `json:"should_remove_source_branch"`
	ForceRemoveSourceBranch     *bool                `json:"force_remove_source_branch"`
	PreparedAt                  string               `json:"prepared_at"`
	AllowCollaboration          bool                 `json:"allow_collaboration"`
	AllowMaintainerToPush       bool                 `json:"allow_maintainer_to_push"`
	Reference                   string               `json:"reference"`
	References                  issueReferences      `json:"references"`
	WebURL                      string               `json:"web_url"`
	TimeStats                   issueTimeStats       `json:"time_stats"`
	Squash                      bool                 `json:"squash"`
	SquashOnMerge               bool                 `json:"squash_on_merge"`
	TaskCompletionStatus        taskCompletionStatus `json:"task_completion_status"`
	HasConflicts                bool                 `json:"has_conflicts"`
	BlockingDiscussionsResolved bool                 `json:"blocking_discussions_resolved"`
	*mergeRequestDetails
}

// mergeRequestDetails are the fields only a single merge request shows.
type mergeRequestDetails struct {
	Subscribed                  bool              `json:"subscribed"`
	ChangesCount                *string           `json:"changes_count"`
	LatestBuildStartedAt        *string           `json:"latest_build_started_at"`
	LatestBuildFinishedAt       *string           `json:"latest_build_finished_at"`
	FirstDeployedToProductionAt *string           `json:"first_deployed_to_production_at"`
	Pipeline                    *PipelineBasic    `json:"pipeline"`
	HeadPipeline                *PipelineEntity   `json:"head_pipeline"`
	DiffRefs                    *mergeRequestRefs `json:"diff_refs"`
	MergeError                  *string           `json:"merge_error"`
	FirstContribution           bool              `json:"first_contribution"`
	User                        mergeRequestUser  `json:"user"`
	// RebaseInProgress is shown for include_rebase_in_progress=true.
	RebaseInProgress *bool `json:"rebase_in_progress,omitempty"`
}

type mergeRequestRefs struct {
	BaseSHA  *string `json:"base_sha"`
	HeadSHA  *string `json:"head_sha"`
	StartSHA *string `json:"start_sha"`
}

type mergeRequestUser struct {
	CanMerge bool `json:"can_merge"`
}

// mergeRequestSimple is Entities::MergeRequestSimple (view=simple).
type mergeRequestSimple struct {
	ID          int64  `json:"id"`
	IID         int64  `json:"iid"`
	ProjectID   int64  `json:"project_id"`
	Title       string `json:"title"`
	Description string `json:"description"`
	State       string `json:"state"`
	CreatedAt   string `json:"created_at"`
	UpdatedAt   string `json:"updated_at"`
	WebURL      string `json:"web_url"`
}

// mergeRequestWebURL is the merge request's page.
func (ir *issueRenderer) mergeRequestWebURL(m *model.MergeRequest) string {
	fullPath := ""
	if p := ir.refs.Projects[m.TargetProjectID]; p != nil {
		fullPath = p.FullPath()
	}
	return ir.base + "/" + fullPath + "/-/merge_requests/" + strconv.FormatInt(m.IID, 10)
}

func (ir *issueRenderer) mergeRequestSimple(m *model.MergeRequest) mergeRequestSimple {
	return mergeRequestSimple{ID: m.ID, IID: m.IID, ProjectID: m.TargetProjectID, Title: m.Title,
		Description: m.Description, State: m.State, CreatedAt: TS(m.CreatedAt), UpdatedAt: TS(m.UpdatedAt),
		WebURL: ir.mergeRequestWebURL(m)}
}

func (ir *issueRenderer) mergeRequest(m *model.MergeRequest) MergeRequestEntity {
	p := ir.refs.Projects[m.TargetProjectID]
	fullPath := ""
	if p != nil {
		fullPath = p.FullPath()
	}
	iid := strconv.FormatInt(m.IID, 10)
	e := MergeRequestEntity{ID: m.ID, IID: m.IID, ProjectID: m.TargetProjectID, Title: m.Title,
		Description: m.Description, State: m.State, CreatedAt: TS(m.CreatedAt), UpdatedAt: TS(m.UpdatedAt),
		MergedBy: ir.user(m.MergedByID), MergeUser: ir.user(m.MergedByID), MergedAt: TSP(m.MergedAt),
		ClosedBy: ir.user(m.ClosedByID), ClosedAt: TSP(m.ClosedAt), TargetBranch: m.TargetBranch,
		SourceBranch: m.SourceBranch, UserNotesCount: m.UserNotesCount, Upvotes: m.Upvotes, Downvotes: m.Downvotes,
		Author: ir.user(m.AuthorID), Assignees: []BasicUser{}, Reviewers: []BasicUser{},
		SourceProjectID: m.SourceProjectID, TargetProjectID: m.TargetProjectID, Draft: m.Draft,
		ImportedFrom: "none", WorkInProgress: m.Draft, SHA: m.HeadSHA, MergeCommitSHA: m.MergeCommitSHA,
		SquashCommitSHA: m.SquashCommitSHA, DiscussionLocked: m.DiscussionLocked,
		ShouldRemoveSourceBranch: nil, ForceRemoveSourceBranch: m.ForceRemoveSourceBranch,
		PreparedAt: TS(m.CreatedAt), AllowCollaboration: m.AllowCollaboration,
		AllowMaintainerToPush: m.AllowCollaboration, Reference: "!" + iid,
		References: issueReferences{Short: "!" + iid, Relative: "!" + iid, Full: fullPath + "!" + iid},
		WebURL:     ir.mergeRequestWebURL(m),
		TimeStats:  timeStatsOf(m.TimeEstimate, m.TotalTimeSpent),
		Squash:     m.Squash,
	}
	e.setMergeState(service.StoredMergeState(p, m))
	if p != nil {
		e.SquashOnMerge = service.SquashOnMerge(p, m.Squash)
	}
	if ir.groupID != 0 && p != nil {
		if p.NamespaceID == ir.groupID {
			e.References.Relative = p.Path + "!" + iid
		} else {
			e.References.Relative = e.References.Full
		}
	}
	for _, a := range m.AssigneeIDs {
		if u := ir.user(&a); u != nil {
			e.Assignees = append(e.Assignees, *u)
		}
	}
	if len(e.Assignees) > 0 {
		e.Assignee = &e.Assignees[0]
	}
	for _, r := range m.ReviewerIDs {
		if u := ir.user(&r); u != nil {
			e.Reviewers = append(e.Reviewers, *u)
		}
	}
	e.Labels = ir.labels(&model.Issue{LabelIDs: m.LabelIDs})
	if m.MilestoneID != nil {
		if ms := ir.refs.Milestones[*m.MilestoneID]; ms != nil {
			me := ir.milestone(ms)
			e.Milestone = &me
		}
	}
	total, done := countTasks(m.Description)
	e.TaskCompletionStatus = taskCompletionStatus{Count: total, CompletedCount: done}
	return e
}

// withDetails adds the single merge request's fields.
func withDetails(e MergeRequestEntity, m *model.MergeRequest, subscribed bool, changes *string, canMerge bool) MergeRequestEntity {
	e.mergeRequestDetails = &mergeRequestDetails{Subscribed: subscribed, ChangesCount: changes,
		DiffRefs:   &mergeRequestRefs{BaseSHA: m.BaseSHA, HeadSHA: m.HeadSHA, StartSHA: m.StartSHA},
		MergeError: m.MergeError, User: mergeRequestUser{CanMerge: canMerge}}
	return e
}
