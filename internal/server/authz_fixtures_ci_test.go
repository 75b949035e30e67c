package server_test

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"sync"
	"time"

	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/ci/protocol"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// CI/CD: pipelines and jobs are inserted through the store, the
// administrator's, on main. Routes that change a pipeline or job get one
// of their own per cell; reads share one per project (ciShared).
type ciFixture struct {
	pipeline int64 // a successful pipeline on main, with a variable
	job      int64 // its job, successful, with an artifacts archive
	jobName  string
	// running is a running job of the project and its token, for the
	// runner's reads that take a job token.
	running      int64
	runningToken string
}

var (
	ciFixturesMu sync.Mutex
	ciFixtures   = map[*projectFixture]*ciFixture{}
)

// ciConfigBranch holds the .gitlab-ci.yml POST …/pipeline runs; it is not
// protected, so Developers run pipelines on it.
const ciConfigBranch = "ci-config"

// ciArtifactFile is the file in every fixture's artifacts archive.
const ciArtifactFile = "out/result.txt"

// ciShared is p's read-only CI fixture, made once: the config branch, a
// successful pipeline on main whose job has artifacts, and a running job.
func (x *matrix) ciShared(p *projectFixture) *ciFixture {
	ciFixturesMu.Lock()
	defer ciFixturesMu.Unlock()
	if f := ciFixtures[p]; f != nil {
		return f
	}
	x.root("POST", p.api("/repository/commits"), map[string]any{"branch": ciConfigBranch, "start_branch": "main",
		"commit_message": "ci", "actions": []map[string]any{{"action": "create", "file_path": ".gitlab-ci.yml",
			"content": "build:\n  tags: [matrix-none]\n  script: echo matrix\n"}}})
	f := &ciFixture{jobName: "shared-" + x.next()}
	pl, job := x.ciArtifactsJob(p, f.jobName)
	f.pipeline, f.job = pl, job
	x.inStore(func(ctx context.Context, q *store.Queries) error {
		return q.InsertPipelineVariables(ctx, pl, []model.PipelineVariable{{Key: "MATRIX", Value: "1", VariableType: "env_var"}})
	})
	_, f.running, f.runningToken = x.ciRunningJob(p)
	ciFixtures[p] = f
	return f
}

// ciPipeline inserts a pipeline of p on main whose one job has status
// jobStatus (its when set to manual for manual jobs), and returns both.
func (x *matrix) ciPipeline(p *projectFixture, status, jobStatus, name string) (*model.Pipeline, *model.Job) {
	root := x.rootID()
	pl := &model.Pipeline{ProjectID: p.id, Ref: "main", SHA: p.head, Source: "push", Status: status, UserID: &root}
	when := "on_success"
	if jobStatus == model.CIStatusManual {
		when = "manual"
	}
	j := &model.Job{ProjectID: p.id, Name: name, Stage: "test", Status: jobStatus, When: when,
		SchedulingType: "stage", UserID: &root, Spec: "{}", Ref: "main", SHA: p.head, Tags: []string{"matrix-none"}}
	x.inStore(func(ctx context.Context, q *store.Queries) error {
		if err := q.InsertPipeline(ctx, pl); err != nil {
			return err
		}
		j.PipelineID = pl.ID
		return q.InsertJob(ctx, j)
	})
	return pl, j
}

// ciFreshPipeline is a pipeline of its own with one job in jobStatus.
func (x *matrix) ciFreshPipeline(p *projectFixture, status, jobStatus string) (int64, int64) {
	pl, j := x.ciPipeline(p, status, jobStatus, "job-"+x.next())
	return pl.ID, j.ID
}

// ciRunningJob is a running job of its own, as a runner took it, and the
// job's token.
func (x *matrix) ciRunningJob(p *projectFixture) (pipeline, job int64, token string) {
	pl, j := x.ciPipeline(p, model.CIStatusRunning, model.CIStatusPending, "run-"+x.next())
	return pl.ID, j.ID, x.ciStart(j)
}

// ciStart moves pending job j to running with a token of its own, as a
// runner's request does, and returns the token.
func (x *matrix) ciStart(j *model.Job) string {
	token := auth.NewSecret("glcbt-", 40)
	digest := auth.Digest(token)
	now := time.Now()
	j.Status, j.TokenDigest, j.StartedAt = model.CIStatusRunning, &digest, &now
	x.inStore(func(ctx context.Context, q *store.Queries) error {
		ok, err := q.SetJobStatus(ctx, j, []string{model.CIStatusPending})
		if err == nil && !ok {
			err = fmt.Errorf("job %d was not pending", j.ID)
		}
		return err
	})
	return token
}

// ciArtifactsJob is a successful pipeline whose job named name uploaded
// an artifacts archive while it ran (through the runner's route).
func (x *matrix) ciArtifactsJob(p *projectFixture, name string) (int64, int64) {
	pl, j := x.ciPipeline(p, model.CIStatusRunning, model.CIStatusPending, name)
	token := x.ciStart(j)
	body, ct := ciArtifactsBody()
	req, _ := http.NewRequest("POST", x.s.URL+api+"/jobs/"+itoa(j.ID)+"/artifacts", bytes.NewReader(body))
	req.Header.Set("Content-Type", ct)
	req.Header.Set(protocol.HeaderJobToken, token)
	resp, err := x.http.Do(req)
	if err != nil {
		panic(fixtureFailure(err.Error()))
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		panic(fixtureFailure(fmt.Sprintf("upload artifacts = %d %s", resp.StatusCode, b)))
	}
	done := time.Now()
	j.Status, j.TokenDigest, j.FinishedAt = model.CIStatusSuccess, nil, &done
	pl.Status, pl.FinishedAt = model.CIStatusSuccess, &done
	x.inStore(func(ctx context.Context, q *store.Queries) error {
		if _, err := q.SetJobStatus(ctx, j, []string{model.CIStatusRunning}); err != nil {
			return err
		}
		return q.UpdatePipelineStatus(ctx, pl)
	})
	return pl.ID, j.ID
}

// ciArtifactsBody is a runner's multipart upload of a zip archive.
func ciArtifactsBody() ([]byte, string) {
	var archive bytes.Buffer
	zw := zip.NewWriter(&archive)
	w, _ := zw.Create(ciArtifactFile)
	_, _ = w.Write([]byte("matrix\n"))
	_ = zw.Close()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", "artifacts.zip")
	_, _ = fw.Write(archive.Bytes())
	_ = mw.Close()
	return body.Bytes(), mw.FormDataContentType()
}

// ciMatrixRunner is a runner of p that takes no job the fixtures make
// (they are tagged matrix-none): its request for work answers at once.
func (x *matrix) ciMatrixRunner(p *projectFixture) string {
	token := auth.NewSecret("glrt-", 27)
	r := &model.Runner{RunnerType: model.RunnerProject, TokenDigest: auth.Digest(token),
		RegistrationType: "authenticated_user", Tags: []string{"matrix-other"}, AccessLevel: "not_protected",
		ProjectIDs: []int64{p.id}}
	x.inStore(func(ctx context.Context, q *store.Queries) error { return q.InsertRunner(ctx, r) })
	return token
}

func jobTokenHeader(token string) map[string]string {
	return map[string]string{protocol.HeaderJobToken: token}
}

// ciPipelineRoute is a route on a pipeline of its own in jobStatus.
func ciPipelineRoute(status, jobStatus, suffix string) fixture {
	return onProject(func(x *matrix, c *cell, p *projectFixture) request {
		pl, _ := x.ciFreshPipeline(p, status, jobStatus)
		return get(p.api("/pipelines/" + itoa(pl) + suffix))
	})
}

// ciJobRoute is a route on a job of its own in jobStatus.
func ciJobRoute(status, jobStatus, suffix string) fixture {
	return onProject(func(x *matrix, c *cell, p *projectFixture) request {
		_, job := x.ciFreshPipeline(p, status, jobStatus)
		return get(p.api("/jobs/" + itoa(job) + suffix))
	})
}

var _ = addFixtures(map[string]fixture{
	// Pipelines
	"GET /api/v4/projects/{id}/pipelines": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		x.ciShared(p)
		return get(p.api("/pipelines"))
	}),
	"GET /api/v4/projects/{id}/pipelines/latest": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		x.ciShared(p)
		return get(p.api("/pipelines/latest"))
	}),
	"GET /api/v4/projects/{id}/pipelines/{pipeline_id}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(p.api("/pipelines/" + itoa(x.ciShared(p).pipeline)))
	}),
	"POST /api/v4/projects/{id}/pipeline": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		x.ciShared(p)
		return request{path: p.api("/pipeline"), json: map[string]any{"ref": ciConfigBranch}}
	}),
	"POST /api/v4/projects/{id}/pipelines/{pipeline_id}/retry":  ciPipelineRoute(model.CIStatusFailed, model.CIStatusFailed, "/retry"),
	"POST /api/v4/projects/{id}/pipelines/{pipeline_id}/cancel": ciPipelineRoute(model.CIStatusCreated, model.CIStatusCreated, "/cancel"),
	"DELETE /api/v4/projects/{id}/pipelines/{pipeline_id}":      ciPipelineRoute(model.CIStatusSuccess, model.CIStatusSuccess, ""),
	"GET /api/v4/projects/{id}/pipelines/{pipeline_id}/variables": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(p.api("/pipelines/" + itoa(x.ciShared(p).pipeline) + "/variables"))
	}),
	"GET /api/v4/projects/{id}/pipelines/{pipeline_id}/jobs": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(p.api("/pipelines/" + itoa(x.ciShared(p).pipeline) + "/jobs"))
	}),
	"GET /api/v4/projects/{id}/pipelines/{pipeline_id}/bridges": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(p.api("/pipelines/" + itoa(x.ciShared(p).pipeline) + "/bridges"))
	}),

	// Jobs
	"GET /api/v4/projects/{id}/jobs": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		x.ciShared(p)
		return get(p.api("/jobs"))
	}),
	"GET /api/v4/projects/{id}/jobs/{job_id}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(p.api("/jobs/" + itoa(x.ciShared(p).job)))
	}),
	"GET /api/v4/projects/{id}/jobs/{job_id}/trace": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(p.api("/jobs/" + itoa(x.ciShared(p).job) + "/trace"))
	}),
	"POST /api/v4/projects/{id}/jobs/{job_id}/retry":  ciJobRoute(model.CIStatusFailed, model.CIStatusFailed, "/retry"),
	"POST /api/v4/projects/{id}/jobs/{job_id}/cancel": ciJobRoute(model.CIStatusCreated, model.CIStatusCreated, "/cancel"),
	"POST /api/v4/projects/{id}/jobs/{job_id}/play":   ciJobRoute(model.CIStatusManual, model.CIStatusManual, "/play"),
	// A finished job with artifacts: GitLab erases only those that have
	// a log or artifacts.
	"POST /api/v4/projects/{id}/jobs/{job_id}/erase": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		_, job := x.ciArtifactsJob(p, "erase-"+x.next())
		return get(p.api("/jobs/" + itoa(job) + "/erase"))
	}),
	"GET /api/v4/projects/{id}/jobs/{job_id}/artifacts": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(p.api("/jobs/" + itoa(x.ciShared(p).job) + "/artifacts"))
	}),
	"GET /api/v4/projects/{id}/jobs/{job_id}/artifacts/{artifact_path...}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(p.api("/jobs/" + itoa(x.ciShared(p).job) + "/artifacts/" + ciArtifactFile))
	}),
	"GET /api/v4/projects/{id}/jobs/artifacts/{ref_name}/download": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(p.api("/jobs/artifacts/main/download?job=" + x.ciShared(p).jobName))
	}),
	"GET /api/v4/projects/{id}/jobs/artifacts/{ref_name}/raw/{artifact_path...}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(p.api("/jobs/artifacts/main/raw/" + ciArtifactFile + "?job=" + x.ciShared(p).jobName))
	}),
	// Keeping and deleting change the job's artifacts: a job of their own
	// per cell. A project's artifacts go on a fresh project.
	"POST /api/v4/projects/{id}/jobs/{job_id}/artifacts/keep": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		_, job := x.ciArtifactsJob(p, "keep-"+x.next())
		return get(p.api("/jobs/" + itoa(job) + "/artifacts/keep"))
	}),
	"DELETE /api/v4/projects/{id}/jobs/{job_id}/artifacts": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		_, job := x.ciArtifactsJob(p, "delete-"+x.next())
		return get(p.api("/jobs/" + itoa(job) + "/artifacts"))
	}),
	"DELETE /api/v4/projects/{id}/artifacts": onFreshProject(func(x *matrix, c *cell, id int64) request {
		return get(api + "/projects/" + itoa(id) + "/artifacts")
	}),

	// GitLab Runner's calls: valid runner and job tokens, whoever sends
	// them. Jobs that a call changes are the cell's own.
	"GET /api/v4/job": {build: func(x *matrix, c *cell) request {
		r := get(api + "/job")
		r.header = jobTokenHeader(x.ciShared(x.projects[private]).runningToken)
		return r
	}},
	"POST /api/v4/jobs/request": {build: func(x *matrix, c *cell) request {
		return request{path: api + "/jobs/request", json: map[string]any{"token": x.ciMatrixRunner(x.projects[private])}}
	}},
	"PUT /api/v4/jobs/{id}": {build: func(x *matrix, c *cell) request {
		_, job, token := x.ciRunningJob(x.projects[private])
		return request{path: api + "/jobs/" + itoa(job), json: map[string]any{"token": token, "state": "success"}}
	}},
	"PATCH /api/v4/jobs/{id}/trace": {build: func(x *matrix, c *cell) request {
		_, job, token := x.ciRunningJob(x.projects[private])
		h := jobTokenHeader(token)
		h["Content-Range"] = "0-6"
		return request{path: api + "/jobs/" + itoa(job) + "/trace", raw: []byte("matrix\n"), contentType: "text/plain", header: h}
	}},
	"POST /api/v4/jobs/{id}/artifacts": {build: func(x *matrix, c *cell) request {
		_, job, token := x.ciRunningJob(x.projects[private])
		body, ct := ciArtifactsBody()
		return request{path: api + "/jobs/" + itoa(job) + "/artifacts", raw: body, contentType: ct, header: jobTokenHeader(token)}
	}},
	// A dependency's archive, with the token of a running job of the
	// same project.
	"GET /api/v4/jobs/{id}/artifacts": {build: func(x *matrix, c *cell) request {
		f := x.ciShared(x.projects[private])
		r := get(api + "/jobs/" + itoa(f.job) + "/artifacts")
		r.header = jobTokenHeader(f.runningToken)
		return r
	}},
})
