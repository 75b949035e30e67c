package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/repo"
	"github.com/lablet/lablet/internal/store"
)

// diffNote is the type of the notes of a thread on a line of a diff.
const diffNote = "DiffNote"

// DiffPosition is where a diff thread sits (GitLab's Gitlab::Diff::Position
// of type "text"): the diff_refs of a version of the merge request, the
// file's paths and its line on the old side, the new side or both.
type DiffPosition struct {
	BaseSHA, StartSHA, HeadSHA string
	PositionType               string
	OldPath, NewPath           string
	OldLine, NewLine           int64 // 0: not on that side
	// LineRange is a multi-line thread's start and end, kept as given.
	LineRange any
}

// positionJSON is a position as GitLab's Position#to_h shows it.
type positionJSON struct {
	BaseSHA                string  `json:"base_sha"`
	StartSHA               string  `json:"start_sha"`
	HeadSHA                string  `json:"head_sha"`
	OldPath                *string `json:"old_path"`
	NewPath                *string `json:"new_path"`
	PositionType           string  `json:"position_type"`
	OldLine                *int64  `json:"old_line"`
	NewLine                *int64  `json:"new_line"`
	LineRange              any     `json:"line_range"`
	IgnoreWhitespaceChange bool    `json:"ignore_whitespace_change"`
}

func (p *DiffPosition) json() (string, error) {
	opt := func(s string) *string {
		if s == "" {
			return nil
		}
		return &s
	}
	line := func(n int64) *int64 {
		if n == 0 {
			return nil
		}
		return &n
	}
	b, err := json.Marshal(positionJSON{BaseSHA: p.BaseSHA, StartSHA: p.StartSHA, HeadSHA: p.HeadSHA,
		OldPath: opt(p.OldPath), NewPath: opt(p.NewPath), PositionType: p.PositionType,
		OldLine: line(p.OldLine), NewLine: line(p.NewLine), LineRange: p.LineRange})
	return string(b), err
}

// lineCodeInvalid is what GitLab's DiffNote validation answers for a
// position it finds no diff line at (its line_code stays blank).
const lineCodeInvalid = `:line_code=>["can't be blank", "must be a valid line code"]`

// noteErrors is the API's bad_request! of an invalid note: its errors
// as Ruby shows a hash.
func noteErrors(errs string) error {
	return Invalid("400 Bad request - Note {" + errs + "}")
}

// checkDiffPosition validates a new diff thread's position on n as
// GitLab's DiffNote does and returns it as stored: n must be a merge
// request with diff_refs, the shas those of one of its versions, and the
// line one of that version's diff of the file on the side(s) named.
func (s *Service) checkDiffPosition(ctx context.Context, n *Noteable, pos *DiffPosition) (string, error) {
	if n.Type != model.NoteableMergeRequest {
		return "", noteErrors(`:noteable_type=>["is not included in the list"]`)
	}
	if pos.PositionType != "text" || pos.OldLine == 0 && pos.NewLine == 0 || pos.OldLine < 0 || pos.NewLine < 0 {
		return "", noteErrors(lineCodeInvalid + `, :position=>["is incomplete"]`)
	}
	q := s.db.Queries()
	v, err := q.MergeRequestDiffByHead(ctx, n.ID, pos.HeadSHA, pos.StartSHA)
	if errors.Is(err, store.ErrNotFound) || err == nil && (v.BaseSHA == nil || *v.BaseSHA != pos.BaseSHA) {
		return "", noteErrors(lineCodeInvalid)
	}
	if err != nil {
		return "", err
	}
	files, err := s.repos.Open(n.Project.ID).DiffTrees(ctx, *v.BaseSHA, v.HeadSHA)
	if err != nil {
		return "", fmt.Errorf("service: diff of a position: %w", err)
	}
	for _, f := range files {
		if pos.NewPath != "" && f.NewPath != pos.NewPath || pos.NewPath == "" && f.OldPath != pos.OldPath {
			continue
		}
		if _, ok := repo.FindDiffLine(f.Diff, int(pos.OldLine), int(pos.NewLine)); !ok {
			break
		}
		return pos.json()
	}
	return "", noteErrors(lineCodeInvalid)
}
