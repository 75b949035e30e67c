package v4

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/lablet/lablet/internal/service"
)

// suggestionEntity is GitLab's API::Entities::Suggestion.
type suggestionEntity struct {
	ID          int64  `json:"id"`
	FromLine    int    `json:"from_line"`
	ToLine      int    `json:"to_line"`
	Appliable   bool   `json:"appliable"`
	Applied     bool   `json:"applied"`
	FromContent string `json:"from_content"`
	ToContent   string `json:"to_content"`
}

func newSuggestionEntity(g *service.SuggestionResult) suggestionEntity {
	return suggestionEntity{ID: g.ID, FromLine: g.FromLine, ToLine: g.ToLine, Appliable: g.Appliable,
		Applied: g.Applied, FromContent: g.FromContent, ToContent: g.ToContent}
}

// maxCommitMessage bounds a suggestion's commit message.
const maxCommitMessage = 1 << 20

// applySuggestion is PUT /suggestions/:id/apply: the suggestion applied
// by a commit on its merge request's source branch.
func (a *API) applySuggestion(w http.ResponseWriter, r *http.Request, c *Call) error {
	msg, _, err := c.params.Text("commit_message", maxCommitMessage)
	if err != nil {
		return err
	}
	// GitLab's :id is a string: one that names no suggestion is not found.
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return suggestionError(w, service.ErrSuggestionNotFound)
	}
	gs, err := a.svc.ApplySuggestions(r.Context(), c.id, []int64{id}, msg, false)
	if err != nil {
		return suggestionError(w, err)
	}
	WriteJSON(w, http.StatusOK, newSuggestionEntity(gs[0]))
	return nil
}

// batchApplySuggestions is PUT /suggestions/batch_apply: ids[] applied by
// one commit.
func (a *API) batchApplySuggestions(w http.ResponseWriter, r *http.Request, c *Call) error {
	raw, ok := c.params.Raw("ids")
	if !ok {
		return service.ParamError("ids is missing")
	}
	texts, err := idTexts(raw)
	if err != nil {
		return err
	}
	if len(texts) == 0 {
		return service.ParamError("ids is empty")
	}
	msg, _, err := c.params.Text("commit_message", maxCommitMessage)
	if err != nil {
		return err
	}
	ids := make([]int64, len(texts))
	for i, t := range texts {
		if ids[i], err = strconv.ParseInt(strings.TrimSpace(t), 10, 64); err != nil || ids[i] <= 0 {
			return suggestionError(w, service.ErrSuggestionsNotFound)
		}
	}
	gs, err := a.svc.ApplySuggestions(r.Context(), c.id, ids, msg, true)
	if err != nil {
		return suggestionError(w, err)
	}
	out := make([]suggestionEntity, len(gs))
	for i, g := range gs {
		out[i] = newSuggestionEntity(g)
	}
	WriteJSON(w, http.StatusOK, out)
	return nil
}

// idTexts reads an Array[String] parameter: JSON strings or numbers, or
// form values.
func idTexts(raw any) ([]string, error) {
	switch t := raw.(type) {
	case string:
		return strings.Split(t, ","), nil
	case []string:
		return t, nil
	case []any:
		out := make([]string, len(t))
		for i, e := range t {
			switch v := e.(type) {
			case string:
				out[i] = v
			case json.Number:
				out[i] = v.String()
			default:
				return nil, service.ParamError("ids is invalid")
			}
		}
		return out, nil
	}
	return nil, service.ParamError("ids is invalid")
}

// suggestionError writes the suggestions API's not-found answers as
// GitLab's render_api_error! words them; other errors go the usual way.
func suggestionError(w http.ResponseWriter, err error) error {
	for _, nf := range []*service.Error{service.ErrSuggestionNotFound, service.ErrSuggestionsNotFound} {
		if errors.Is(err, nf) {
			WriteJSON(w, http.StatusNotFound, map[string]string{"message": nf.Message})
			return nil
		}
	}
	return err
}
