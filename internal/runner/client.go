package runner

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/lablet/lablet/internal/ci/protocol"
)

// Per-request time limits; uploads and downloads run under the job's
// context alone.
const (
	requestJobTimeout = 70 * time.Second // the server may hold a request job call (long polling)
	apiTimeout        = 30 * time.Second
)

// errForbidden: the server refused the runner's or the job's token.
var errForbidden = errors.New("403 Forbidden")

// client speaks the runner protocol with one server as one runner.
type client struct {
	http    *http.Client
	base    string // https://host/api/v4/
	token   string
	info    protocol.VersionInfo
	lastUpd string // X-GitLab-Last-Update of the last empty answer
}

func newClient(hc *http.Client, serverURL, token, version string) *client {
	return &client{
		http:  hc,
		base:  strings.TrimRight(serverURL, "/") + "/api/v4/",
		token: token,
		info:  versionInfo(version),
	}
}

// versionInfo is what the runner tells about itself, with the features
// of the shell executor and bash as GitLab Runner announces them.
func versionInfo(version string) protocol.VersionInfo {
	return protocol.VersionInfo{
		Name:         "lablet-runner",
		Version:      version,
		Platform:     runtime.GOOS,
		Architecture: runtime.GOARCH,
		Executor:     defaultExecutor,
		Shell:        defaultShell,
		Features: protocol.Features{
			Variables:               true,
			Artifacts:               true,
			Cache:                   true,
			FallbackCacheKeys:       true,
			Shared:                  true,
			UploadMultipleArtifacts: true,
			UploadRawArtifacts:      true,
			RawVariables:            true,
			ArtifactsExclude:        true,
			MultiBuildSteps:         true,
			TraceReset:              true,
			TraceChecksum:           true,
			TraceSize:               true,
			Cancelable:              true,
			ReturnExitCode:          true,
			Masking:                 true,
			Refspecs:                true,
		},
	}
}

// response is a finished request: its status, headers and (small) body.
type response struct {
	status int
	header http.Header
	body   []byte
}

// do sends one request and reads up to 1 MiB of its answer.
func (c *client) do(ctx context.Context, timeout time.Duration, method, path string, body io.Reader, header http.Header) (*response, error) {
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("User-Agent", "lablet-runner "+c.info.Version+" ("+runtime.GOOS+"; "+runtime.GOARCH+")")
	res, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("%s %s: read answer: %w", method, path, err)
	}
	return &response{status: res.StatusCode, header: res.Header, body: data}, nil
}

func (c *client) doJSON(ctx context.Context, timeout time.Duration, method, path string, in any, header http.Header) (*response, error) {
	data, err := json.Marshal(in)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	if header == nil {
		header = http.Header{}
	}
	header.Set("Content-Type", "application/json")
	header.Set("Accept", "application/json")
	return c.do(ctx, timeout, method, path, bytes.NewReader(data), header)
}

// statusError describes an unexpected answer, with GitLab's message.
func statusError(what string, r *response) error {
	msg := strings.TrimSpace(string(r.body))
	if len(msg) > 200 {
		msg = msg[:200] + "…"
	}
	if msg == "" {
		return fmt.Errorf("%s: %d %s", what, r.status, http.StatusText(r.status))
	}
	return fmt.Errorf("%s: %d %s: %s", what, r.status, http.StatusText(r.status), msg)
}

// verify checks a runner authentication token: POST /runners/verify.
func (c *client) verify(ctx context.Context) (protocol.RunnerTokenResponse, error) {
	var out protocol.RunnerTokenResponse
	r, err := c.doJSON(ctx, apiTimeout, http.MethodPost, "runners/verify", protocol.VerifyRunnerRequest{Token: c.token}, nil)
	if err != nil {
		return out, err
	}
	switch r.status {
	case http.StatusOK:
		if len(bytes.TrimSpace(r.body)) > 0 {
			if err := json.Unmarshal(r.body, &out); err != nil {
				return out, fmt.Errorf("verify runner: bad answer: %w", err)
			}
		}
		return out, nil
	case http.StatusForbidden:
		return out, fmt.Errorf("verify runner: %w: the token is not a valid runner authentication token", errForbidden)
	}
	return out, statusError("verify runner", r)
}

// requestJob asks for a job: nil without error when there is none.
func (c *client) requestJob(ctx context.Context) (*protocol.JobResponse, error) {
	req := protocol.JobRequest{Token: c.token, LastUpdate: c.lastUpd, Info: c.info}
	r, err := c.doJSON(ctx, requestJobTimeout, http.MethodPost, "jobs/request", req, nil)
	if err != nil {
		return nil, err
	}
	switch r.status {
	case http.StatusCreated:
		var job protocol.JobResponse
		if err := json.Unmarshal(r.body, &job); err != nil {
			return nil, fmt.Errorf("request job: bad job: %w", err)
		}
		return &job, nil
	case http.StatusNoContent:
		if lu := r.header.Get(protocol.HeaderLastUpdate); lu != "" {
			c.lastUpd = lu
		}
		return nil, nil
	case http.StatusForbidden:
		return nil, fmt.Errorf("request job: %w", errForbidden)
	}
	return nil, statusError("request job", r)
}

// updateResult is what the server answered to PUT /jobs/:id.
type updateResult struct {
	status    int
	jobStatus string        // Job-Status header
	retry     time.Duration // X-GitLab-Trace-Update-Interval, when set
}

// updateJob sends PUT /jobs/:id.
func (c *client) updateJob(ctx context.Context, id int64, req protocol.UpdateJobRequest) (updateResult, error) {
	req.Info = c.info
	r, err := c.doJSON(ctx, apiTimeout, http.MethodPut, "jobs/"+strconv.FormatInt(id, 10), req, nil)
	if err != nil {
		return updateResult{}, err
	}
	return updateResult{
		status:    r.status,
		jobStatus: r.header.Get(protocol.HeaderJobStatus),
		retry:     intervalHeader(r.header),
	}, nil
}

// patchResult is what the server answered to PATCH /jobs/:id/trace.
type patchResult struct {
	status    int
	jobStatus string
	remoteEnd int64 // the end of the server's Range, -1 when absent
	interval  time.Duration
}

// patchTrace sends trace bytes starting at offset.
func (c *client) patchTrace(ctx context.Context, id int64, jobToken string, offset int64, data []byte) (patchResult, error) {
	h := http.Header{}
	h.Set("Content-Type", "text/plain")
	h.Set(protocol.HeaderJobToken, jobToken)
	// Inclusive end, as GitLab Runner sends it.
	h.Set("Content-Range", fmt.Sprintf("%d-%d", offset, offset+int64(len(data))-1))
	r, err := c.do(ctx, apiTimeout, http.MethodPatch, "jobs/"+strconv.FormatInt(id, 10)+"/trace", bytes.NewReader(data), h)
	if err != nil {
		return patchResult{}, err
	}
	return patchResult{
		status:    r.status,
		jobStatus: r.header.Get(protocol.HeaderJobStatus),
		remoteEnd: rangeEnd(r.header.Get("Range")),
		interval:  intervalHeader(r.header),
	}, nil
}

// rangeEnd reads the server's "0-<size>" Range header.
func rangeEnd(v string) int64 {
	_, end, ok := strings.Cut(v, "-")
	if !ok {
		return -1
	}
	n, err := strconv.ParseInt(strings.TrimSpace(end), 10, 64)
	if err != nil || n < 0 {
		return -1
	}
	return n
}

func intervalHeader(h http.Header) time.Duration {
	n, err := strconv.Atoi(h.Get(protocol.HeaderTraceUpdateInterval))
	if err != nil || n <= 0 {
		return 0
	}
	return time.Duration(n) * time.Second
}
