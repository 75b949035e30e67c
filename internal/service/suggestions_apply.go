package service

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/repo"
	"github.com/lablet/lablet/internal/store"
)

// The suggestions API's 404s, in GitLab's words (render_api_error!, no
// "404" prefix): a suggestion that does not exist or that the caller may
// not read.
var (
	ErrSuggestionNotFound  = &Error{Kind: KindNotFound, Message: "Suggestion is not applicable as the suggestion was not found."}
	ErrSuggestionsNotFound = &Error{Kind: KindNotFound, Message: "Suggestions are not applicable as one or more suggestions were not found."}
)

// defaultSuggestionCommitMessage is GitLab's
// Gitlab::Suggestions::CommitMessage::DEFAULT_SUGGESTION_COMMIT_MESSAGE.
const defaultSuggestionCommitMessage = "Apply %{suggestions_count} suggestion(s) to %{files_count} file(s)\n\n%{co_authored_by}"

// suggestionInMR is a suggestion with what applying it needs.
type suggestionInMR struct {
	*model.Suggestion
	note   *model.Note
	mp     *MergeRequestInProject
	path   string
	target int // the note's new line
}

func (g *suggestionInMR) lines() (from, to int) {
	return suggestionLines(g.target, g.LinesAbove, g.LinesBelow)
}

// ApplySuggestions applies suggestions as one commit on their merge
// request's source branch (GitLab's Suggestions::ApplyService through
// PUT /suggestions/:id/apply and /suggestions/batch_apply): 404 for ids
// that are unknown or whose note the caller may not read, 403 without
// apply_suggestion (pushing to the source branch), 400 with GitLab's
// reason when one is not appliable. batch words the 404 for many.
// Concurrent applies of one suggestion: exactly one commits.
func (s *Service) ApplySuggestions(ctx context.Context, id *auth.Identity, ids []int64, message string, batch bool) ([]*SuggestionResult, error) {
	notFound := ErrSuggestionNotFound
	if batch {
		notFound = ErrSuggestionsNotFound
	}
	set, err := s.loadSuggestions(ctx, id, ids, notFound)
	if err != nil {
		return nil, err
	}
	first := set[0].mp
	src, err := s.sourceRepoToPush(ctx, id, first)
	if err != nil {
		return nil, err
	}
	for _, g := range set[1:] {
		if err := s.authorizeSuggestion(ctx, id, g.mp); err != nil {
			return nil, err
		}
	}
	head, files, err := s.checkSuggestionSet(ctx, src, set)
	if err != nil {
		return nil, err
	}
	in := CommitInput{Branch: first.MR.SourceBranch, Message: s.suggestionCommitMessage(ctx, id, set, message)}
	if a, ok := s.soleSuggestionAuthor(ctx, set); ok {
		in.AuthorName, in.AuthorEmail = a.Name, a.Email
	}
	paths := make([]string, 0, len(files))
	for p := range files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		last, err := src.Repo.LastCommitIDForPath(ctx, head, p)
		if err != nil {
			return nil, fmt.Errorf("service: last commit of %s: %w", p, err)
		}
		// last_commit_id pins the commit to the content the suggestions
		// were checked against.
		in.Actions = append(in.Actions, FileAction{Kind: repo.ActionUpdate, Path: p, Content: []byte(files[p]), LastCommitID: last})
	}
	return s.commitSuggestions(ctx, id, src, set, in)
}

// commitSuggestions claims the suggestions, commits in and records the
// commit: a concurrent apply that claimed one of them first wins.
func (s *Service) commitSuggestions(ctx context.Context, id *auth.Identity, src *ProjectRepo, set []*suggestionInMR, in CommitInput) ([]*SuggestionResult, error) {
	ids := make([]int64, len(set))
	for i, g := range set {
		ids[i] = g.ID
	}
	err := s.db.WithTx(ctx, func(q *store.Queries) error {
		ok, err := q.ClaimSuggestions(ctx, ids, id.User.ID)
		if err == nil && !ok {
			return Invalid("Can't apply this suggestion.")
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	_, c, err := s.CommitFiles(ctx, id, strconv.FormatInt(src.Project.ID, 10), in)
	if err != nil {
		if rerr := s.db.Queries().ReleaseSuggestions(context.WithoutCancel(ctx), ids); rerr != nil {
			s.log.ErrorContext(ctx, "release suggestions", "ids", ids, "err", rerr)
		}
		var se *Error
		if errors.As(err, &se) && se.Kind == KindInvalid && strings.HasPrefix(se.Message, "You are attempting to update a file") {
			return nil, Invalid("A file has been changed.")
		}
		return nil, err
	}
	q := s.db.Queries()
	if err := q.SetSuggestionsCommit(ctx, ids, c.ID); err != nil {
		return nil, err
	}
	gs, err := q.SuggestionsByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	byID := make(map[int64]*model.Suggestion, len(gs))
	for _, g := range gs {
		byID[g.ID] = g
	}
	out := make([]*SuggestionResult, len(set))
	for i, g := range set {
		if cur := byID[g.ID]; cur != nil {
			g.Suggestion = cur
		}
		from, to := g.lines()
		out[i] = &SuggestionResult{Suggestion: g.Suggestion, FromLine: from, ToLine: to}
	}
	return out, nil
}

// loadSuggestions loads the suggestions of ids with their notes and
// merge requests, in the order given: notFound unless every one exists
// and the caller reads its note.
func (s *Service) loadSuggestions(ctx context.Context, id *auth.Identity, ids []int64, notFound error) ([]*suggestionInMR, error) {
	if len(ids) == 0 {
		return nil, notFound
	}
	q := s.db.Queries()
	gs, err := q.SuggestionsByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	// GitLab compares the suggestions found with the ids given: a
	// repeated id is one missing.
	if len(gs) != len(ids) {
		return nil, notFound
	}
	byID := make(map[int64]*model.Suggestion, len(gs))
	noteIDs := make([]int64, len(gs))
	for i, g := range gs {
		byID[g.ID], noteIDs[i] = g, g.NoteID
	}
	notes, err := q.NotesByIDs(ctx, noteIDs)
	if err != nil {
		return nil, err
	}
	notesByID := make(map[int64]*model.Note, len(notes))
	for _, n := range notes {
		notesByID[n.ID] = n
	}
	mrs := map[int64]*MergeRequestInProject{}
	out := make([]*suggestionInMR, 0, len(ids))
	for _, gid := range ids {
		g := &suggestionInMR{Suggestion: byID[gid]}
		g.note = notesByID[g.NoteID]
		if g.note == nil || g.note.ProjectID == nil || g.note.NoteableType != model.NoteableMergeRequest {
			return nil, notFound
		}
		var ok bool
		if g.path, _, g.target, ok = suggestionTarget(g.note); !ok {
			return nil, notFound
		}
		if g.mp = mrs[g.note.NoteableID]; g.mp == nil {
			if g.mp, err = s.readableMergeRequestByID(ctx, id, g.note.NoteableID); err != nil {
				if k := KindOf(err); k == KindNotFound || k == KindForbidden {
					return nil, notFound
				}
				return nil, err
			}
			mrs[g.note.NoteableID] = g.mp
		}
		if g.note.Internal && !MergeRequestNoteable(g.mp).CanReadInternalNotes() {
			return nil, notFound
		}
		out = append(out, g)
	}
	return out, nil
}

// readableMergeRequestByID loads the merge request with this id for a
// caller who reads it.
func (s *Service) readableMergeRequestByID(ctx context.Context, id *auth.Identity, mrID int64) (*MergeRequestInProject, error) {
	mrs, err := s.db.Queries().MergeRequestsByIDs(ctx, []int64{mrID})
	if err != nil {
		return nil, err
	}
	if len(mrs) == 0 {
		return nil, NotFound("Merge Request")
	}
	return s.VisibleMergeRequest(ctx, id, strconv.FormatInt(mrs[0].TargetProjectID, 10), mrs[0].IID)
}

// sourceRepoToPush is the source project's repository of mp for a caller
// with apply_suggestion: who may push to the source branch (403
// otherwise, as GitLab's authorize!).
func (s *Service) sourceRepoToPush(ctx context.Context, id *auth.Identity, mp *MergeRequestInProject) (*ProjectRepo, error) {
	m := mp.MR
	if m.SourceProjectID == nil {
		return nil, Forbidden("")
	}
	p, level := mp.Project, mp.Level
	if *m.SourceProjectID != p.ID {
		var err error
		if p, level, err = s.VisibleProject(ctx, id, strconv.FormatInt(*m.SourceProjectID, 10)); err != nil {
			if KindOf(err) == KindNotFound {
				return nil, Forbidden("")
			}
			return nil, err
		}
	}
	if level < access.Developer || p.Archived {
		return nil, Forbidden("")
	}
	ok, err := s.CanPushBranch(ctx, p, level, m.SourceBranch)
	if err != nil {
		return nil, fmt.Errorf("service: push rule: %w", err)
	}
	if !ok {
		return nil, Forbidden("")
	}
	return &ProjectRepo{Project: p, Repo: s.repos.Open(p.ID), Level: level}, nil
}

func (s *Service) authorizeSuggestion(ctx context.Context, id *auth.Identity, mp *MergeRequestInProject) error {
	_, err := s.sourceRepoToPush(ctx, id, mp)
	return err
}

// checkSuggestionSet is GitLab's SuggestionSet#error_message: each
// suggestion on the first one's branch and appliable against the
// branch's head, and no two overlapping in a file. It answers the head
// checked and the files' new contents.
func (s *Service) checkSuggestionSet(ctx context.Context, src *ProjectRepo, set []*suggestionInMR) (string, map[string]string, error) {
	first := set[0].mp.MR
	branchRef, err := repo.BranchRef(first.SourceBranch)
	if err != nil {
		return "", nil, Invalid("Can't apply as the source branch was deleted.")
	}
	head, err := src.Repo.RefValue(branchRef)
	if err != nil {
		return "", nil, fmt.Errorf("service: read source branch: %w", err)
	}
	lines := map[string][]string{}
	var outdated []int64
	defer func() {
		if len(outdated) > 0 {
			if err := s.db.Queries().SetSuggestionsOutdated(context.WithoutCancel(ctx), outdated); err != nil {
				s.log.ErrorContext(ctx, "outdate suggestions", "ids", outdated, "err", err)
			}
		}
	}()
	for _, g := range set {
		m := g.mp.MR
		if m.SourceBranch != first.SourceBranch || !sameSourceProject(m, first) {
			return "", nil, Invalid("Suggestions must all be on the same branch.")
		}
		if reason := g.stateReason(); reason != "" {
			return "", nil, Invalid(reason)
		}
		if head == "" {
			return "", nil, Invalid("Can't apply as the source branch was deleted.")
		}
		ls, seen := lines[g.path]
		if !seen {
			b, err := src.Repo.Blob(ctx, head, g.path)
			switch {
			case errors.Is(err, repo.ErrNotFound) || errors.Is(err, repo.ErrInvalidPath):
				ls = nil
			case err != nil:
				return "", nil, fmt.Errorf("service: read %s: %w", g.path, err)
			default:
				ls = blobLines(string(b.Content))
			}
			lines[g.path] = ls
		}
		from, to := g.lines()
		// Outdated: the lines changed since the note was written
		// (Suggestion#outdated?(cached: false)).
		if g.Outdated || linesBetween(ls, from, to) != g.FromContent {
			outdated = append(outdated, g.ID)
			return "", nil, Invalid(g.outdatedReason())
		}
		if g.FromContent == g.ToContent {
			return "", nil, Invalid("This suggestion already matches its content.")
		}
		if strings.HasSuffix(g.path, "ipynb") {
			return "", nil, Invalid("This file was modified for readability, and can't accept suggestions. Edit it directly.")
		}
	}
	files, err := suggestedContents(set, lines)
	return head, files, err
}

func sameSourceProject(a, b *model.MergeRequest) bool {
	return a.SourceProjectID != nil && b.SourceProjectID != nil && *a.SourceProjectID == *b.SourceProjectID
}

// stateReason is the first reasons of Suggestion#inapplicable_reason,
// those its state and its merge request's give: "" for none.
func (g *suggestionInMR) stateReason() string {
	switch {
	case g.Applied:
		return "Can't apply this suggestion."
	case g.mp.MR.State == "merged":
		return "This merge request was merged. To apply this suggestion, edit this file directly."
	case g.mp.MR.State == "closed":
		return "This merge request is closed. To apply this suggestion, edit this file directly."
	}
	return ""
}

func (g *suggestionInMR) outdatedReason() string {
	if g.LinesAbove == 0 && g.LinesBelow == 0 {
		return "Can't apply as this line was changed in a more recent version."
	}
	return "Can't apply as these lines were changed in a more recent version."
}

// suggestedContents applies each file's suggestions to its lines, from
// the last to the first: "lines cannot overlap" when two share a line
// (FileSuggestion#line_conflict?).
func suggestedContents(set []*suggestionInMR, lines map[string][]string) (map[string]string, error) {
	byFile := map[string][]*suggestionInMR{}
	for _, g := range set {
		byFile[g.path] = append(byFile[g.path], g)
	}
	out := make(map[string]string, len(byFile))
	for path, gs := range byFile {
		slices.SortFunc(gs, func(a, b *suggestionInMR) int {
			af, _ := a.lines()
			bf, _ := b.lines()
			return bf - af
		})
		ls := lines[path]
		for i, g := range gs {
			from, to := g.lines()
			if i > 0 {
				if prevFrom, _ := gs[i-1].lines(); to >= prevFrom {
					return nil, Invalid("Suggestions are not applicable as their lines cannot overlap.")
				}
			}
			// Lines past the end were never part of the suggestion
			// (linesBetween): the replacement stops at the end.
			from, to = min(from, len(ls)+1), min(to, len(ls))
			next := make([]string, 0, len(ls))
			next = append(next, ls[:from-1]...)
			next = append(next, blobLines(g.ToContent)...)
			ls = append(next, ls[to:]...)
		}
		out[path] = strings.Join(ls, "")
	}
	return out, nil
}

// suggestionCommitMessage is GitLab's Gitlab::Suggestions::CommitMessage:
// the caller's message or the default, placeholders replaced.
func (s *Service) suggestionCommitMessage(ctx context.Context, id *auth.Identity, set []*suggestionInMR, message string) string {
	if strings.TrimSpace(message) == "" {
		message = defaultSuggestionCommitMessage
	}
	var paths []string
	for _, g := range set {
		if !slices.Contains(paths, g.path) {
			paths = append(paths, g.path)
		}
	}
	sort.Strings(paths)
	first := set[0].mp
	var coAuthors []string
	for _, a := range s.suggestionAuthors(ctx, set) {
		if a.ID != id.User.ID {
			coAuthors = append(coAuthors, fmt.Sprintf("Co-authored-by: %s <%s>", a.Name, a.Email))
		}
	}
	values := map[string]string{
		"branch_name":       first.MR.SourceBranch,
		"files_count":       strconv.Itoa(len(paths)),
		"file_paths":        strings.Join(paths, ", "),
		"project_name":      first.Project.Name,
		"project_path":      first.Project.Path,
		"user_full_name":    id.User.Name,
		"username":          id.User.Username,
		"suggestions_count": strconv.Itoa(len(set)),
		"co_authored_by":    strings.Join(coAuthors, "\n"),
	}
	var b strings.Builder
	for rest := message; ; {
		i := strings.Index(rest, "%{")
		if i < 0 {
			b.WriteString(rest)
			break
		}
		j := strings.Index(rest[i:], "}")
		if j < 0 {
			b.WriteString(rest)
			break
		}
		if v, ok := values[rest[i+2:i+j]]; ok {
			b.WriteString(rest[:i])
			b.WriteString(v)
		} else {
			b.WriteString(rest[:i+j+1])
		}
		rest = rest[i+j+1:]
	}
	return strings.TrimRight(b.String(), "\n ")
}

// suggestionAuthors are the distinct authors of the suggestions' notes.
func (s *Service) suggestionAuthors(ctx context.Context, set []*suggestionInMR) []*model.User {
	var ids []int64
	for _, g := range set {
		if g.note.AuthorID != nil && !slices.Contains(ids, *g.note.AuthorID) {
			ids = append(ids, *g.note.AuthorID)
		}
	}
	users, err := s.UsersByIDs(ctx, ids)
	if err != nil {
		s.log.ErrorContext(ctx, "suggestion authors", "err", err)
		return nil
	}
	out := make([]*model.User, 0, len(ids))
	for _, uid := range ids {
		if u := users[uid]; u != nil {
			out = append(out, u)
		}
	}
	return out
}

// soleSuggestionAuthor is the commit's author when one user wrote every
// suggestion (ApplyService#author); the caller commits it either way.
func (s *Service) soleSuggestionAuthor(ctx context.Context, set []*suggestionInMR) (*model.User, bool) {
	as := s.suggestionAuthors(ctx, set)
	if len(as) != 1 {
		return nil, false
	}
	return as[0], true
}
