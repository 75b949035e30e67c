package v4

import (
	"encoding/json"
	"net/http"
	"strconv"
)

// getLanguages is GET /projects/:id/languages: {"Go": 66.67, …}, largest
// share first, as GitLab's hash keeps Gitaly's order.
func (a *API) getLanguages(w http.ResponseWriter, r *http.Request, c *Call) error {
	langs, err := a.svc.ProjectLanguages(r.Context(), c.id, r.PathValue("id"))
	if err != nil {
		return err
	}
	b := []byte{'{'}
	for i, l := range langs {
		if i > 0 {
			b = append(b, ',')
		}
		name, err := json.Marshal(l.Name)
		if err != nil {
			return err
		}
		b = append(append(b, name...), ':')
		b = strconv.AppendFloat(b, l.Share, 'f', -1, 64)
	}
	b = append(b, '}', '\n')
	writeJSONBytes(w, http.StatusOK, b)
	return nil
}
