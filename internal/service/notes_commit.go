package service

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/repo"
)

// commitNoteable is the noteable a commit the caller may read provides
// (read_code; an unknown commit is "404 Commit Not Found"). Its notes
// name the commit's full id, whatever branch or tag the route gave.
func (s *Service) commitNoteable(ctx context.Context, id *auth.Identity, ref NoteableRef) (*Noteable, error) {
	pr, c, err := s.GetCommit(ctx, id, ref.Project, ref.Commit)
	if err != nil {
		return nil, err
	}
	return &Noteable{Type: model.NoteableCommit, Project: pr.Project, Level: pr.Level, CommitID: c.ID}, nil
}

// CommitCommentInput is a comment on a commit: the text and, for a
// comment on a line of its diff, the file, the line and "new" or "old".
type CommitCommentInput struct {
	Note     string
	Path     string
	Line     int
	LineType string
}

// LineType is "new" for a line the diff adds, "old" for one it removes,
// "" for context, as GitLab's CommitNote entity shows it.
func (p *DiffPosition) LineType() string {
	switch {
	case p.OldLine == 0:
		return "new"
	case p.NewLine == 0:
		return "old"
	}
	return ""
}

// Line is the line number a commit comment shows: the new side's, else
// the old.
func (p *DiffPosition) Line() int64 {
	if p.NewLine != 0 {
		return p.NewLine
	}
	return p.OldLine
}

// NotePosition reads a diff note's position; nil for other notes or a
// position that does not parse.
func NotePosition(n *model.Note) *DiffPosition {
	if n.Position == nil {
		return nil
	}
	var j positionJSON
	if json.Unmarshal([]byte(*n.Position), &j) != nil || j.NewPath == nil || *j.NewPath == "" {
		return nil
	}
	p := &DiffPosition{BaseSHA: j.BaseSHA, StartSHA: j.StartSHA, HeadSHA: j.HeadSHA, PositionType: j.PositionType,
		NewPath: *j.NewPath, LineRange: j.LineRange}
	if j.OldPath != nil {
		p.OldPath = *j.OldPath
	}
	if j.OldLine != nil {
		p.OldLine = *j.OldLine
	}
	if j.NewLine != nil {
		p.NewLine = *j.NewLine
	}
	return p
}

// ListCommitComments lists a commit's comments, oldest first (GitLab's
// commit.notes.order(:created_at)).
func (s *Service) ListCommitComments(ctx context.Context, id *auth.Identity, ref NoteableRef, limit, offset int) (*Notes, error) {
	return s.ListNotes(ctx, id, ref, NoteListInput{OrderBy: "created_at", Asc: true, Limit: limit, Offset: offset})
}

// CreateCommitComment comments on a commit (read_code and create_note).
// With path, line and line_type naming a line of the commit's diff the
// comment is a diff note on that line; otherwise, as GitLab's commits API
// does, it is a plain comment on the commit.
func (s *Service) CreateCommitComment(ctx context.Context, id *auth.Identity, ref NoteableRef, in CommitCommentInput) (*Notes, error) {
	n, err := s.noteableToComment(ctx, id, ref, in.Note)
	if err != nil {
		return nil, err
	}
	var noteType *string
	note := n.newNote(id, NoteInput{Body: in.Note})
	if in.Path != "" && in.Line > 0 && in.LineType != "" {
		pos, err := s.commitLinePosition(ctx, n, in)
		if err != nil {
			return nil, err
		}
		if pos != nil {
			js, err := pos.json()
			if err != nil {
				return nil, err
			}
			t := diffNote
			noteType, note.Position = &t, &js
		}
	}
	return s.insertNoteAs(ctx, n, note, noteType)
}

// commitLinePosition finds the line of the commit's diff a comment names,
// as GitLab's commits API matches it: the file's new path, and a diff
// line of that type ("new" added, "old" removed) whose new-side number is
// line. Nil when there is none.
func (s *Service) commitLinePosition(ctx context.Context, n *Noteable, in CommitCommentInput) (*DiffPosition, error) {
	r := s.repos.Open(n.Project.ID)
	c, err := r.Commit(ctx, n.CommitID)
	if err != nil {
		return nil, fmt.Errorf("service: read commit: %w", err)
	}
	diffs, err := r.CommitDiff(ctx, n.CommitID)
	if err != nil {
		return nil, fmt.Errorf("service: commit diff: %w", err)
	}
	for _, d := range diffs {
		if d.NewPath != in.Path {
			continue
		}
		line, ok := commitCommentLine(d.Diff, in.Line, in.LineType)
		if !ok {
			continue
		}
		base := ""
		if len(c.Parents) > 0 {
			base = c.Parents[0]
		}
		return &DiffPosition{BaseSHA: base, StartSHA: base, HeadSHA: c.ID, OldPath: d.OldPath, NewPath: d.NewPath,
			PositionType: "text", OldLine: int64(line.OldLine), NewLine: int64(line.NewLine)}, nil
	}
	return nil, nil
}

// commitCommentLine finds the diff line of lineType ("new" added, "old"
// removed) whose new-side place is line, as GitLab's commits API matches
// a comment's line (Gitlab::Diff::Parser's new_pos; for a removed line
// that is the next new line).
func commitCommentLine(diff string, line int, lineType string) (repo.DiffLine, bool) {
	for d := range repo.DiffLines(diff) {
		if d.NewPos == line && (lineType == "new" && d.Added || lineType == "old" && d.Removed) {
			return d, true
		}
	}
	return repo.DiffLine{}, false
}
