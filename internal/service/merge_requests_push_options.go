package service

import (
	"context"
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
	create, draft      bool
	removeSourceBranch *bool
	target             string
	title, description *string
	labels, unlabels   []string
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

// applyPushOptions is GitLab's MergeRequests::PushOptionsHandlerService
// for the branches a push created or moved in its own project: an open
// merge request from the branch is updated with the options (target,
// title, description, draft, labels, remove_source_branch); without one,
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
	ref := itoa(g.Project.ID)
	for _, c := range changes {
		branch, isBranch := strings.CutPrefix(c.Ref, gitBranchPrefix)
		if !isBranch || c.IsDelete() {
			continue
		}
		if err := s.pushOptionsForBranch(ctx, id, g, ref, branch, c, o); err != nil {
			s.log.WarnContext(ctx, "merge request push options", "project_id", g.Project.ID, "branch", branch, "err", err)
		}
	}
}

func (s *Service) pushOptionsForBranch(ctx context.Context, id *auth.Identity, g *GitRepo, ref, branch string, c RefChange, o mrPushOptions) error {
	mrs, err := s.db.Queries().OpenMergeRequestsOnBranch(ctx, g.Project.ID, branch, true)
	if err != nil {
		return err
	}
	var mine *model.MergeRequest
	for _, m := range mrs {
		if m.TargetProjectID == g.Project.ID {
			mine = m
			break
		}
	}
	in := MergeRequestInput{Title: o.title, Description: o.description, RemoveSourceBranch: o.removeSourceBranch}
	if o.target != "" {
		in.TargetBranch = &o.target
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
		_, err := s.UpdateMergeRequest(ctx, id, ref, mine.IID, in)
		return err
	}
	if !o.create {
		return Invalid("A merge_request.create push option is required to create a merge request for branch " + branch)
	}
	if in.TargetBranch == nil {
		target := s.defaultBranch(ctx, &ProjectRepo{Project: g.Project, Repo: g.Repo, Level: g.Level})
		in.TargetBranch = &target
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
	in.SourceBranch, in.Labels, in.AssigneeIDs = &branch, &labels, &[]int64{g.Pusher.ID}
	_, err = s.CreateMergeRequest(ctx, id, ref, in)
	return err
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
