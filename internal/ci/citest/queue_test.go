package citest_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// TestQueueNoJobTwice: 100 pipelines of 5 jobs queued at once are worked
// off by 4 runner slots speaking the runner protocol; every job is handed
// out exactly once and every pipeline passes.
func TestQueueNoJobTwice(t *testing.T) {
	s := labtest.Start(t)
	c := s.Client(t, s.RootToken)
	token := pipelineRunnerToken(t, s)
	yml := "a:\n  script: echo a\nb:\n  script: echo b\nc:\n  script: echo c\nd:\n  script: echo d\ne:\n  script: echo e\n"
	p, first := pipelineProject(t, c, "queue", map[string]string{".gitlab-ci.yml": yml})
	pipelines := []int64{first.ID}
	for len(pipelines) < 100 {
		pl, _, err := c.Pipelines.CreatePipeline(p.ID, &gitlab.CreatePipelineOptions{Ref: gitlab.Ptr("main")})
		if err != nil {
			t.Fatal(err)
		}
		pipelines = append(pipelines, pl.ID)
	}

	var mu sync.Mutex
	seen := map[int64]int{}
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				resp := s.Do(t, labtest.Request{Method: "POST", Path: "/jobs/request",
					JSON: map[string]any{"token": token, "info": map[string]any{"name": "slot"}}})
				if resp.Status == http.StatusNoContent {
					return
				}
				if resp.Status != http.StatusCreated {
					t.Errorf("POST /jobs/request: %d %s", resp.Status, resp.Body)
					return
				}
				var job struct {
					ID    int64  `json:"id"`
					Token string `json:"token"`
				}
				if err := json.Unmarshal(resp.Body, &job); err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				seen[job.ID]++
				mu.Unlock()
				done := s.Do(t, labtest.Request{Method: "PUT", Path: "/jobs/" + strconv.FormatInt(job.ID, 10),
					JSON: map[string]any{"token": job.Token, "state": "success"}})
				if done.Status != http.StatusOK {
					t.Errorf("PUT /jobs/%d: %d %s", job.ID, done.Status, done.Body)
					return
				}
			}
		}()
	}
	wg.Wait()
	if len(seen) != 500 {
		t.Errorf("jobs handed out: %d, want 500", len(seen))
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("job %d handed out %d times", id, n)
		}
	}
	for _, id := range pipelines {
		pl, _, err := c.Pipelines.GetPipeline(p.ID, id)
		if err != nil {
			t.Fatal(err)
		}
		if pl.Status != "success" {
			t.Errorf("pipeline %d: %s", id, pl.Status)
		}
	}
}
