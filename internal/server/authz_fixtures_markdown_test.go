package server_test

// Markdown and uploads.
var _ = addFixtures(map[string]fixture{
	"POST /api/v4/markdown": {build: func(x *matrix, c *cell) request {
		return request{path: api + "/markdown", json: map[string]any{"text": "Hello #1 @root :smile:", "gfm": true}}
	}},
})
