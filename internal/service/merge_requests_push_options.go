package service

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
)

// mrPushOptions are the merge_request.* push options of one push, as
// GitLab's Gitlab::PushOptions reads them: "namespace.key[=value]", the
// namespace "merge_request" or its alias "mr", a key without value
// meaning true, label and unlabel taking several values.
type mrPushOptions struct {
	create, draft       bool
	removeSourceBranch  *bool
	squash              *bool
	target              string
	targetProject       string // full path; "" for the default target
	title, description  *string
	milestone           string
	labels, unlabels    []string
	assigns, unassigns  []string // user ids or usernames
	mergeWhenPipelineOK bool
}

// parseMRPushOptions keeps the merge request options of a push; ok is
// false when there are none.
func parseMRPushOptions(options []string) (o mrPushOptions, ok bool) {
	for _, opt := range options {
		name, value, _ := strings.Cut(opt, "=")
		ns, key, found := strings.Cut(name, ".")
		ns, key, value = strings.TrimSpace(ns), strings.TrimSpace(key), strings.TrimSpace(value)
		if !found || ns != "merge_request" && ns != "mr" {
			continue
		}
		flag := value == "" || value == "true"
		known := true
		switch key {
		case "create":
			o.create = flag
		case "draft":
			o.draft = flag
		case "remove_source_branch":
			o.removeSourceBranch = &flag
		case "target":
			o.target = value
		case "target_project":
			o.targetProject = value
		case "squash":
			o.squash = &flag
		case "milestone":
			o.milestone = value
		case "assign":
			o.assigns = appendNew(o.assigns, value)
		case "unassign":
			o.unassigns = appendNew(o.unassigns, value)
		case "merge_when_pipeline_succeeds", "auto_merge":
			// lablet has no auto-merge: as GitLab when it finds no
			// auto-merge strategy, nothing is merged automatically.
			o.mergeWhenPipelineOK = flag
		case "title":
			o.title = &value
		case "description":
			// GitLab turns the two characters \n into a line break.
			d := strings.ReplaceAll(value, `\n`, "\n")
			o.description = &d
		case "label":
			o.labels = appendNew(o.labels, value)
		case "unlabel":
			o.unlabels = appendNew(o.unlabels, value)
		default:
			known = false
		}
		ok = ok || known
	}
	return o, ok
}

func appendNew(list []string, v string) []string {
	for _, x := range list {
		if x == v {
			return list
		}
	}
	if v == "" {
		return list
	}
	return append(list, v)
}

// pushOptionsBranchLimit is how many branches one push may carry options
// for (PushOptionsHandlerService::LIMIT).
const pushOptionsBranchLimit = 10

// applyPushOptions is GitLab's MergeRequests::PushOptionsHandlerService
// for the branches a push created or moved, the target project's default
// branch aside: an open merge request from the branch into the target
// project (target_project, else the project's default merge request
// target: a fork's source unless mr_default_target_self) is updated with
// the options (target, title, description, draft, labels, assignees,
// milestone, squash, remove_source_branch); without one,
// merge_request.create opens one, assigned to the pusher, into target or
// the default branch, titled after the branch's single new commit or the
// branch name. It acts as the pusher, with their permissions. Problems are
// logged: the push has landed, and lablet has no channel left to tell
// the client (GitLab prints them as warnings of the push).
func (s *Service) applyPushOptions(ctx context.Context, g *GitRepo, changes []RefChange) {
	o, ok := parseMRPushOptions(g.PushOptions)
	if !ok || g.Pusher == nil {
		return
	}
	id := &auth.Identity{User: g.Pusher, Owner: g.Pusher}
	warn := func(branch string, err error) {
		s.log.WarnContext(ctx, "merge request push options", "project_id", g.Project.ID, "branch", branch, "err", err)
	}
	target, err := s.pushOptionsTarget(ctx, id, g, o)
	if err != nil {
		warn("", err)
		return
	}
	targetDefault := s.defaultBranch(ctx, &ProjectRepo{Project: target, Repo: s.repos.Open(target.ID)})
	type pushed struct {
		branch string
		change RefChange
	}
	var branches []pushed
	for _, c := range changes {
		branch, isBranch := strings.CutPrefix(c.Ref, gitBranchPrefix)
		if isBranch && !c.IsDelete() && branch != targetDefault {
			branches = append(branches, pushed{branch, c})
		}
	}
	if len(branches) > pushOptionsBranchLimit {
		warn("", Invalid(fmt.Sprintf("Too many branches pushed (%d were pushed, limit is %d)", len(branches), pushOptionsBranchLimit)))
		return
	}
	if o.target != "" {
		if _, err := s.repos.Open(target.ID).Branch(o.target); err != nil {
			warn("", Invalid("Target branch "+target.FullPath()+":"+o.target+" does not exist"))
			return
		}
	}
	for _, b := range branches {
		if err := s.pushOptionsForBranch(ctx, id, g, target, targetDefault, b.branch, b.change, o); err != nil {
			warn(b.branch, err)
		}
	}
}

// pushOptionsTarget is the project the push's merge requests go into,
// which the pusher must be able to read the code of and which must share
// the pushed project's fork network.
func (s *Service) pushOptionsTarget(ctx context.Context, id *auth.Identity, g *GitRepo, o mrPushOptions) (*model.Project, error) {
	ref := ""
	switch {
	case o.targetProject != "":
		ref = o.targetProject
	case g.Project.ForkedFromID != nil && !g.Project.MRDefaultTargetSelf:
		ref = itoa(*g.Project.ForkedFromID)
	default:
		return g.Project, nil
	}
	p, level, err := s.VisibleProject(ctx, id, ref)
	if o.targetProject == "" && (err != nil || !p.MergeRequestsEnabled || p.VisibilityLevel > g.Project.VisibilityLevel) {
		// mr_can_target_upstream? fails (a source gone, without merge
		// requests or more visible than the fork): the fork itself.
		return g.Project, nil
	}
	if err != nil || !CanReadCode(id, p, level) {
		return nil, Forbidden("User access was denied")
	}
	if p.ID == g.Project.ID {
		return p, nil
	}
	same, err := s.sameForkNetwork(ctx, g.Project.ID, p.ID)
	if err != nil {
		return nil, err
	}
	if !same {
		return nil, Invalid("Projects " + g.Project.FullPath() + " and " + p.FullPath() + " are not in the same network")
	}
	if !p.MergeRequestsEnabled {
		return nil, Invalid("Merge requests are not enabled for project " + p.FullPath())
	}
	return p, nil
}

func (s *Service) pushOptionsForBranch(ctx context.Context, id *auth.Identity, g *GitRepo, target *model.Project, targetDefault, branch string, c RefChange, o mrPushOptions) error {
	q := s.db.Queries()
	mrs, err := q.OpenMergeRequestsOnBranch(ctx, g.Project.ID, branch, true)
	if err != nil {
		return err
	}
	var mine *model.MergeRequest
	for _, m := range mrs {
		if m.TargetProjectID == target.ID {
			mine = m
			break
		}
	}
	in := MergeRequestInput{Title: o.title, Description: o.description, RemoveSourceBranch: o.removeSourceBranch, Squash: o.squash}
	if o.target != "" {
		in.TargetBranch = &o.target
	}
	if o.milestone != "" {
		// An unknown title is ignored, as GitLab's find_by_name.
		if mid, err := q.AvailableMilestoneByTitle(ctx, target.ID, target.NamespaceID, o.milestone); err == nil && mid != 0 {
			in.MilestoneID = &mid
		}
	}
	current := []int64{g.Pusher.ID}
	if mine != nil {
		current = mine.AssigneeIDs
	}
	if len(o.assigns) > 0 || len(o.unassigns) > 0 {
		list, err := s.pushOptionAssignees(ctx, current, o.assigns, o.unassigns)
		if err != nil {
			return err
		}
		in.AssigneeIDs = &list
	}
	if mine != nil {
		if o.draft && (in.Title != nil || !isDraftTitle(mine.Title)) {
			t := mine.Title
			if in.Title != nil {
				t = *in.Title
			}
			in.Title = draftTitle(t)
		}
		in.AddLabels, in.RemoveLabels = o.labels, o.unlabels
		_, err := s.UpdateMergeRequest(ctx, id, itoa(target.ID), mine.IID, in)
		return err
	}
	if !o.create {
		return Invalid("A merge_request.create push option is required to create a merge request for branch " + branch)
	}
	if in.TargetBranch == nil {
		in.TargetBranch = &targetDefault
	}
	if in.Title == nil || in.Description == nil {
		title, desc := s.defaultMergeRequestText(ctx, g, branch, *in.TargetBranch, c.New)
		if in.Title == nil {
			in.Title = &title
		}
		if in.Description == nil && desc != "" {
			in.Description = &desc
		}
	}
	if o.draft {
		in.Title = draftTitle(*in.Title)
	}
	labels := o.labels
	in.SourceBranch, in.Labels = &branch, &labels
	if in.AssigneeIDs == nil {
		in.AssigneeIDs = &current
	}
	if target.ID != g.Project.ID {
		in.TargetProjectID = &target.ID
	}
	in.BaseURL = g.BaseURL
	_, err = s.CreateMergeRequest(ctx, id, itoa(g.Project.ID), in)
	return err
}

// pushOptionAssignees is process_assignee_ids with add and remove lists
// of ids or usernames: (current ∪ add) − remove, unknown users dropped.
// Merge requests keep one assignee in CE, so an added user replaces no
// one already assigned.
func (s *Service) pushOptionAssignees(ctx context.Context, current []int64, add, remove []string) ([]int64, error) {
	ids := func(refs []string) ([]int64, error) {
		var names []string
		var nums []int64
		for _, r := range refs {
			if n, err := strconv.ParseInt(r, 10, 64); err == nil {
				nums = append(nums, n)
			} else {
				names = append(names, r)
			}
		}
		if len(names) > 0 {
			users, err := s.db.Queries().UsersByUsernames(ctx, names)
			if err != nil {
				return nil, fmt.Errorf("service: push option users: %w", err)
			}
			for _, u := range users {
				nums = append(nums, u.ID)
			}
		}
		return nums, nil
	}
	plus, err := ids(add)
	if err != nil {
		return nil, err
	}
	minus, err := ids(remove)
	if err != nil {
		return nil, err
	}
	list := slices.Clone(current)
	for _, v := range plus {
		if !slices.Contains(list, v) {
			list = append(list, v)
		}
	}
	return slices.DeleteFunc(list, func(v int64) bool { return slices.Contains(minus, v) }), nil
}

// draftTitle is title marked "Draft: " unless it is one already.
func draftTitle(title string) *string {
	if !isDraftTitle(title) {
		title = "Draft: " + title
	}
	return &title
}

// defaultMergeRequestText is MergeRequests::BuildService's title and
// description for a merge request given none: a single new commit's
// title and the rest of its message, else the branch name made a
// sentence ("my-feature" → "My feature").
func (s *Service) defaultMergeRequestText(ctx context.Context, g *GitRepo, branch, target, head string) (title, description string) {
	title = humanizeBranch(branch)
	tgt, err := g.Repo.Branch(target)
	if err != nil {
		return title, ""
	}
	commits, err := g.Repo.RevList(ctx, tgt.Target, head, 2)
	if err != nil || len(commits) != 1 {
		return title, ""
	}
	c := commits[0]
	body := strings.TrimSpace(strings.TrimPrefix(c.Message, c.Title))
	return strings.TrimSpace(c.Title), body
}

// humanizeBranch is Rails' branch.titleize.humanize: separators become
// spaces, the first letter upper case, the rest lower case.
func humanizeBranch(branch string) string {
	words := strings.FieldsFunc(strings.ToLower(branch), func(r rune) bool { return r == '-' || r == '_' || r == ' ' })
	out := []rune(strings.Join(words, " "))
	if len(out) > 0 {
		out[0] = unicode.ToUpper(out[0])
	}
	return string(out)
}
