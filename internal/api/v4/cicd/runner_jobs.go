package cicd

import (
	"errors"
	"io"
	"mime"
	"net"
	"net/http"
	"strconv"
	"time"

	v4 "github.com/lablet/lablet/internal/api/v4"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/ci/protocol"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// jobRequestWait is how long POST /jobs/request holds a runner while no
// job is there (GitLab Workhorse's long polling, 50 s by default); the
// runner's own request timeout is longer.
const jobRequestWait = 50 * time.Second

// requestJob is POST /jobs/request: 201 with a job, 204 with none.
func requestJob(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	token, _ := c.Params().Str("token")
	info := c.Params().Object("info")
	str := func(k string) string { v, _ := info[k].(string); return v }
	runner, err := a.Service().RunnerForToken(r.Context(), token, model.RunnerContact{Version: str("version"),
		Revision: str("revision"), Platform: str("platform"), Architecture: str("architecture"),
		IPAddress: clientIP(r)})
	if err != nil {
		return err
	}
	wait := jobRequestWait
	last, _ := c.Params().Str("last_update")
	job, version, err := a.Service().RequestJob(r.Context(), service.JobRequest{Runner: runner, BaseURL: a.BaseURL(r),
		Wait: wait, LastUpdate: last})
	if err != nil {
		return err
	}
	w.Header().Set(protocol.HeaderLastUpdate, version)
	if job == nil {
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	return v4.WriteCreated(w, job)
}

// updateJob is PUT /jobs/:id, the runner reporting a job's state.
func updateJob(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	id, err := jobIDParam(r, "id")
	if err != nil {
		return err
	}
	var in protocol.UpdateJobRequest
	in.Token, _ = c.Params().Str("token")
	in.State, _ = c.Params().Str("state")
	in.FailureReason, _ = c.Params().Str("failure_reason")
	if code, ok, err := c.Params().Int("exit_code"); err != nil {
		return err
	} else if ok {
		v := int(code)
		in.ExitCode = &v
	}
	status, err := a.Service().UpdateJobByRunner(r.Context(), id, in)
	if err != nil {
		return jobStatusError(w, err)
	}
	w.Header().Set(protocol.HeaderJobStatus, status)
	return v4.WriteOK(w, map[string]any{})
}

// jobStatusError answers a report about a job that is not running with
// 403 and the job's status, which tells the runner to stop.
func jobStatusError(w http.ResponseWriter, err error) error {
	var se *service.JobStatusError
	if errors.As(err, &se) {
		w.Header().Set(protocol.HeaderJobStatus, se.Status)
		v4.WriteJSON(w, http.StatusForbidden, map[string]string{"message": "403 Forbidden  - " + se.Message})
		return nil
	}
	return err
}

// appendTrace is PATCH /jobs/:id/trace: 202 with the trace's Range, 416
// at a wrong offset (the runner resends from the server's size).
func appendTrace(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	id, err := jobIDParam(r, "id")
	if err != nil {
		return err
	}
	contentRange := r.Header.Get("Content-Range")
	if contentRange == "" {
		return service.Invalid("400 Missing header Content-Range")
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, service.MaxTraceSize))
	if err != nil {
		return service.TooLarge()
	}
	status, size, err := a.Service().AppendTrace(r.Context(), id, jobToken(r, c), contentRange, body)
	var rangeErr *service.TraceRangeError
	if errors.As(err, &rangeErr) {
		w.Header().Set("Range", "0-"+strconv.FormatInt(rangeErr.Size, 10))
		v4.WriteJSON(w, http.StatusRequestedRangeNotSatisfiable, map[string]string{"message": "416 Range Not Satisfiable"})
		return nil
	}
	if err != nil {
		return jobStatusError(w, err)
	}
	w.Header().Set(protocol.HeaderJobStatus, status)
	w.Header().Set("Range", "0-"+strconv.FormatInt(size, 10))
	w.Header().Set(protocol.HeaderTraceUpdateInterval, "3")
	w.WriteHeader(http.StatusAccepted)
	return nil
}

// artifactsMultipartSlack is what an artifacts upload may carry beyond
// the file itself.
const artifactsMultipartSlack = 1 << 20

// uploadJobArtifacts is POST /jobs/:id/artifacts: multipart with a
// "file" part, streamed to blob storage.
func uploadJobArtifacts(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	id, err := jobIDParam(r, "id")
	if err != nil {
		return err
	}
	// The multipart request carries the file and a little more: its
	// headers and a token field.
	limit := a.Service().MaxArtifactsSize() + artifactsMultipartSlack
	token := jobToken(r, c)
	if r.ContentLength > limit {
		// Workhorse's authorize answers from the announced size, after
		// the job's token, before reading a byte.
		if token != "" {
			if _, err := a.Service().RunnerJob(r.Context(), id, token); err != nil {
				return jobStatusError(w, err)
			}
		}
		return service.TooLarge()
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	mr, err := r.MultipartReader()
	if err != nil {
		return service.ParamError("file is missing")
	}
	q := r.URL.Query()
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return service.ParamError("file is missing")
		}
		if err != nil {
			return v4.UploadReadError(err)
		}
		if part.FormName() == "token" && token == "" {
			b, _ := io.ReadAll(io.LimitReader(part, 256))
			token = string(b)
			continue
		}
		if part.FormName() != "file" {
			_ = part.Close()
			continue
		}
		_, err = a.Service().UploadArtifacts(r.Context(), id, service.ArtifactUpload{Token: token,
			Type: q.Get("artifact_type"), Format: q.Get("artifact_format"), ExpireIn: q.Get("expire_in"),
			FileName: part.FileName(), Body: part})
		if err != nil {
			return jobStatusError(w, v4.UploadReadError(err))
		}
		return v4.WriteCreated(w, map[string]any{})
	}
}

// downloadJobArtifacts is the runner's GET /jobs/:id/artifacts (a
// dependency's archive, with the downloading job's token).
func downloadJobArtifacts(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	id, err := jobIDParam(r, "id")
	if err != nil {
		return err
	}
	jid, err := jobIdentity(a, r, c)
	if err != nil {
		return err
	}
	f, err := a.Service().RunnerArtifacts(r.Context(), jid, id)
	if err != nil {
		return err
	}
	return sendArtifact(w, r, f)
}

// sendArtifact streams an artifacts file as an attachment, or redirects
// to the object store's URL of it (GitLab's proxy_download: false).
func sendArtifact(w http.ResponseWriter, r *http.Request, f *service.ArtifactFile) error {
	if f.URL != "" {
		http.Redirect(w, r, f.URL, http.StatusFound)
		return nil
	}
	defer f.Body.Close()
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": f.Artifact.FileName}))
	http.ServeContent(w, r, "", f.ModTime, f.Body)
	return nil
}

// jobToken is the job token of a runner route: the JOB-TOKEN header or
// the token parameter.
func jobToken(r *http.Request, c *v4.Call) string {
	if t := r.Header.Get(protocol.HeaderJobToken); t != "" {
		return t
	}
	for _, name := range []string{"token", "job_token"} {
		if t, _ := c.Params().Str(name); t != "" {
			return t
		}
	}
	return ""
}

// jobIdentity resolves the job token of a runner route (401 without a
// running job's token), through the one authenticator every route uses.
func jobIdentity(a *v4.API, r *http.Request, c *v4.Call) (*auth.Identity, error) {
	t := jobToken(r, c)
	if t == "" {
		return nil, auth.ErrUnauthorized
	}
	return a.Authenticator().JobToken(r.Context(), t)
}

// jobIDParam reads a job id from the path (GitLab types it Integer).
func jobIDParam(r *http.Request, name string) (int64, error) {
	n, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || n <= 0 {
		return 0, service.NotFound("")
	}
	return n, nil
}

// clientIP is the caller's address without its port.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
