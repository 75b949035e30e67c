package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/repo"
	"github.com/lablet/lablet/internal/store"
)

// maxSuggestionContext limits a suggestion's -N+M (GitLab's
// Suggestible::MAX_LINES_CONTEXT): at most suggestion:-100+100.
const maxSuggestionContext = 100

// suggestionContext matches a suggestion block's parameters: "-1", "+2",
// "-1+2" (GitLab's SuggestionsParser::SUGGESTION_CONTEXT).
var suggestionContext = regexp.MustCompile(`^(?:-(\d+))?(?:\+(\d+))?$`)

// suggestionTarget is the file and new line a diff note's suggestions
// replace; ok is false for notes that take none (not a diff note, or on
// a removed line).
func suggestionTarget(note *model.Note) (path, head string, line int, ok bool) {
	if note.NoteType == nil || *note.NoteType != diffNote || note.Position == nil ||
		note.NoteableType != model.NoteableMergeRequest {
		return "", "", 0, false
	}
	var p positionJSON
	if err := json.Unmarshal([]byte(*note.Position), &p); err != nil || p.NewPath == nil || p.NewLine == nil || *p.NewLine < 1 {
		return "", "", 0, false
	}
	return *p.NewPath, p.HeadSHA, int(*p.NewLine), true
}

// suggestionLines are the first and last lines (1-based) a suggestion
// replaces around target (Suggestible#from_line, #to_line).
func suggestionLines(target, above, below int) (from, to int) {
	return max(target-min(above, maxSuggestionContext), 1), target + min(below, maxSuggestionContext)
}

// blobLines splits content into lines keeping their line breaks, as
// Ruby's String#lines does.
func blobLines(content string) []string {
	if content == "" {
		return nil
	}
	ls := strings.SplitAfter(content, "\n")
	if ls[len(ls)-1] == "" {
		ls = ls[:len(ls)-1]
	}
	return ls
}

// linesBetween joins lines from..to (1-based, inclusive), those past
// the end left out (Gitlab::Diff::File#new_blob_lines_between).
func linesBetween(lines []string, from, to int) string {
	from, to = max(from, 1), min(to, len(lines))
	if from > to {
		return ""
	}
	return strings.Join(lines[from-1:to], "")
}

// lineBreak is the line break ending line, "" for none.
func lineBreak(line string) string {
	switch {
	case strings.HasSuffix(line, "\r\n"):
		return "\r\n"
	case strings.HasSuffix(line, "\n"):
		return "\n"
	case strings.HasSuffix(line, "\r"):
		return "\r"
	}
	return ""
}

// parseSuggestions builds a diff note's suggestions from its text and
// the lines of the file it is on (Gitlab::Diff::SuggestionsParser).
func (s *Service) parseSuggestions(body string, target int, lines []string) []*model.Suggestion {
	blocks := s.markdown.Suggestions(body)
	out := make([]*model.Suggestion, 0, len(blocks))
	for _, b := range blocks {
		var above, below int
		if m := suggestionContext.FindStringSubmatch(b.Params); m != nil {
			above, _ = strconv.Atoi(m[1])
			below, _ = strconv.Atoi(m[2])
		}
		from, to := suggestionLines(target, above, below)
		g := &model.Suggestion{FromContent: linesBetween(lines, from, to), LinesAbove: above, LinesBelow: below}
		if strings.TrimSpace(b.Text) != "" {
			// The block does not say how its last line ends: the last
			// line it replaces does.
			last := ""
			if ls := blobLines(g.FromContent); len(ls) > 0 {
				last = ls[len(ls)-1]
			}
			g.ToContent = b.Text + lineBreak(last)
		}
		out = append(out, g)
	}
	return out
}

// writeNoteSuggestions replaces the suggestions of a diff note on a merge
// request of n from its text (GitLab's Suggestions::CreateService, run on
// creation and, after deleting the old ones, on each edit). The lines are
// read from the file at the note's head sha.
func (s *Service) writeNoteSuggestions(ctx context.Context, q *store.Queries, n *Noteable, note *model.Note) error {
	path, head, target, ok := suggestionTarget(note)
	if !ok {
		return nil
	}
	var gs []*model.Suggestion
	if blocks := s.markdown.Suggestions(note.Body); len(blocks) > 0 {
		b, err := s.repos.Open(n.Project.ID).Blob(ctx, head, path)
		if err != nil && !errors.Is(err, repo.ErrNotFound) && !errors.Is(err, repo.ErrInvalidPath) {
			return fmt.Errorf("service: suggestion's file: %w", err)
		}
		var lines []string
		if b != nil {
			lines = blobLines(string(b.Content))
		}
		gs = s.parseSuggestions(note.Body, target, lines)
	}
	return q.ReplaceNoteSuggestions(ctx, note.ID, gs)
}

// SuggestionResult is a suggestion as the API shows it.
type SuggestionResult struct {
	*model.Suggestion
	FromLine, ToLine int
	Appliable        bool
}

// suggestionsOfNotes are the suggestions of the diff notes among notes of
// merge request mr as the note entity shows them (appliable from what is
// stored, as GitLab's cached Suggestion#appliable?), by note id; nil when
// there are none.
func (s *Service) suggestionsOfNotes(ctx context.Context, n *Noteable, notes []*model.Note) (map[int64][]*SuggestionResult, error) {
	if n == nil || n.Type != model.NoteableMergeRequest {
		return nil, nil
	}
	targets := map[int64]*suggestionInMR{}
	var ids []int64
	for _, note := range notes {
		if path, _, line, ok := suggestionTarget(note); ok {
			targets[note.ID] = &suggestionInMR{note: note, path: path, target: line}
			ids = append(ids, note.ID)
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	byNote, err := s.db.Queries().SuggestionsOfNotes(ctx, ids)
	if err != nil || len(byNote) == 0 {
		return nil, err
	}
	mr, err := s.db.Queries().MergeRequestsByIDs(ctx, []int64{n.ID})
	if err != nil || len(mr) == 0 {
		return nil, err
	}
	mp := &MergeRequestInProject{Project: n.Project, Level: n.Level, MR: mr[0]}
	out := make(map[int64][]*SuggestionResult, len(byNote))
	for noteID, gs := range byNote {
		t := targets[noteID]
		for _, g := range gs {
			in := &suggestionInMR{Suggestion: g, note: t.note, mp: mp, path: t.path, target: t.target}
			from, to := in.lines()
			out[noteID] = append(out[noteID], &SuggestionResult{Suggestion: g, FromLine: from, ToLine: to,
				Appliable: in.stateReason() == "" && !g.Outdated && g.FromContent != g.ToContent &&
					!strings.HasSuffix(t.path, "ipynb")})
		}
	}
	return out, nil
}
