package v4

import (
	"encoding/json"
	"strconv"

	"github.com/lablet/lablet/internal/service"
)

// maxPathBytes bounds a position's file paths (git's PATH_MAX).
const maxPathBytes = 4096

// positionParam reads a diff thread's position, GitLab's Hash parameter
// of the discussions API (position[base_sha]=… or a JSON object), with
// Grape's answers for what is missing or malformed; nil when absent.
func positionParam(p *Params) (*service.DiffPosition, error) {
	obj := p.Object("position")
	if obj == nil {
		if p.Has("position") {
			return nil, service.ParamError("position is invalid")
		}
		return nil, nil
	}
	p = p.withObject("position")
	pos := &service.DiffPosition{}
	for _, f := range []struct {
		name string
		dst  *string
	}{{"base_sha", &pos.BaseSHA}, {"start_sha", &pos.StartSHA}, {"head_sha", &pos.HeadSHA}, {"position_type", &pos.PositionType}} {
		v, ok, err := p.Text("position["+f.name+"]", 64)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, service.ParamError("position[" + f.name + "] is missing")
		}
		*f.dst = v
	}
	switch pos.PositionType {
	case "text", "image", "file":
	default:
		return nil, service.ParamError("position[position_type] does not have a valid value")
	}
	for _, f := range []struct {
		name string
		dst  *string
	}{{"old_path", &pos.OldPath}, {"new_path", &pos.NewPath}} {
		v, _, err := p.Text("position["+f.name+"]", maxPathBytes)
		if err != nil {
			return nil, err
		}
		*f.dst = v
	}
	for _, f := range []struct {
		name string
		dst  *int64
	}{{"old_line", &pos.OldLine}, {"new_line", &pos.NewLine}} {
		v, _, err := p.Int("position[" + f.name + "]")
		if err != nil {
			return nil, err
		}
		*f.dst = v
	}
	if lr, ok := obj["line_range"].(map[string]any); ok {
		pos.LineRange = lineRange(lr)
	}
	return pos, nil
}

// lineRange keeps a multi-line thread's start and end as GitLab shows
// them: line_code and type as text, old_line and new_line as numbers.
func lineRange(in map[string]any) map[string]any {
	out := map[string]any{}
	for _, end := range []string{"start", "end"} {
		m, ok := in[end].(map[string]any)
		if !ok {
			continue
		}
		e := map[string]any{"line_code": nil, "type": nil, "old_line": nil, "new_line": nil}
		for _, k := range []string{"line_code", "type"} {
			if s, ok := m[k].(string); ok {
				e[k] = s
			}
		}
		for _, k := range []string{"old_line", "new_line"} {
			var s string
			switch v := m[k].(type) {
			case string:
				s = v
			case json.Number:
				s = v.String()
			}
			if n, err := strconv.ParseInt(s, 10, 64); err == nil {
				e[k] = n
			}
		}
		out[end] = e
	}
	return out
}
