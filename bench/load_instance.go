package main

import (
	"context"
	"fmt"
	"net/http"
	"sync"
)

// instanceEndpoints are the rows of the instance's lists: 20 broadcast
// messages (made once by the administrator, read by the bench user) and
// the licence templates, which anyone reads.
func (l *loader) instanceEndpoints() []*endpoint {
	var made sync.Once
	var madeErr error
	messages := func(ctx context.Context, w *worker) (reqSpec, error) {
		made.Do(func() {
			for i := range 20 {
				spec := reqSpec{method: http.MethodPost, path: "/broadcast_messages", ctype: "application/json",
					body: mustJSON(map[string]any{"message": fmt.Sprintf("bench %s %d", w.phase, i)}), token: l.sd.RootToken}
				status, b, err := l.do(ctx, spec)
				if err == nil && status != http.StatusCreated {
					err = fmt.Errorf("create broadcast message: %d %s", status, b)
				}
				if err != nil {
					madeErr = err
					return
				}
			}
		})
		return reqSpec{method: http.MethodGet, path: "/broadcast_messages"}, madeErr
	}
	return []*endpoint{
		{name: "GET /broadcast_messages (20)", setup: messages},
		{name: "GET /templates/licenses", req: func(w *worker) reqSpec {
			return reqSpec{method: http.MethodGet, path: "/templates/licenses"}
		}},
	}
}
