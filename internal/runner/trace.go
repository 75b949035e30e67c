package runner

import (
	"context"
	"fmt"
	"hash/crc32"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/lablet/lablet/internal/ci/protocol"
)

// Trace timing, as GitLab Runner has it: patches every few seconds, a
// touch of the job when nothing was sent for a while (it is how an idle
// job learns it was canceled), a bounded wait for the final update.
const (
	defaultTraceInterval = 3 * time.Second
	touchInterval        = 30 * time.Second
	finalUpdateTimeout   = 5 * time.Minute
	// A trace that grew by kickSize is sent without waiting for the
	// interval; one patch carries at most maxPatchSize.
	kickSize     = 64 << 10
	maxPatchSize = 1 << 20
)

// jobTrace collects a job's output, masked, and streams it to the server.
// It notices when the server says the job is over (canceled, or its token
// refused) and closes aborted.
type jobTrace struct {
	c        *client
	id       int64
	token    string
	log      *slog.Logger
	interval time.Duration

	mu        sync.Mutex
	masker    *masker
	data      []byte // the masked trace so far; it only grows
	limit     int
	truncated bool
	sent      int64 // bytes the server has
	lastSent  time.Time

	kick        chan struct{} // the trace grew by kickSize
	abortOnce   sync.Once
	aborted     chan struct{}
	abortReason string // set before aborted is closed
}

func newJobTrace(c *client, job *protocol.JobResponse, limit int, log *slog.Logger) *jobTrace {
	t := &jobTrace{
		c: c, id: job.ID, token: job.Token, log: log,
		interval: defaultTraceInterval,
		limit:    limit,
		aborted:  make(chan struct{}),
		kick:     make(chan struct{}, 1),
		lastSent: time.Now(),
	}
	secrets := []string{job.Token}
	for _, v := range job.Variables {
		if v.Masked {
			secrets = append(secrets, v.Value)
		}
	}
	t.masker = newMasker(sinkFunc(t.append), secrets, job.Features.TokenMaskPrefixes)
	return t
}

// Write adds output to the trace; it never fails, as a log must not stop
// the job it logs.
func (t *jobTrace) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	_, _ = t.masker.Write(p)
	return len(p), nil
}

// Printf writes a line of the runner's own to the trace.
func (t *jobTrace) Printf(format string, args ...any) {
	fmt.Fprintf(t, format+"\n", args...)
}

type sinkFunc func([]byte) (int, error)

func (f sinkFunc) Write(p []byte) (int, error) { return f(p) }

// append is the masker's sink; t.mu is held.
func (t *jobTrace) append(p []byte) (int, error) {
	if t.truncated {
		return len(p), nil
	}
	if len(t.data)+len(p) > t.limit {
		p = p[:max(0, t.limit-len(t.data))]
		t.truncated = true
		t.data = append(t.data, p...)
		t.data = append(t.data, fmt.Sprintf("\n%sJob's log exceeded limit of %d bytes.\nJob execution will continue but no more output will be collected.%s\n", ansiRed, t.limit, ansiReset)...)
		return len(p), nil
	}
	t.data = append(t.data, p...)
	if int64(len(t.data))-t.sent >= kickSize {
		select {
		case t.kick <- struct{}{}:
		default:
		}
	}
	return len(p), nil
}

// abort records that the server ended the job.
func (t *jobTrace) abort(reason string) {
	t.abortOnce.Do(func() {
		t.abortReason = reason
		close(t.aborted)
	})
}

// run sends the trace until ctx ends.
func (t *jobTrace) run(ctx context.Context) {
	timer := time.NewTimer(t.interval)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		case <-t.kick:
			timer.Stop()
		}
		if !t.send(ctx) && time.Since(t.lastSentAt()) >= touchInterval {
			t.touch(ctx)
		}
		timer.Reset(t.interval)
	}
}

func (t *jobTrace) lastSentAt() time.Time {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.lastSent
}

// send patches what the server does not have yet; it reports whether
// there was anything to send.
func (t *jobTrace) send(ctx context.Context) bool {
	t.mu.Lock()
	offset := t.sent
	chunk := t.data[offset:] // data only grows: this part is not written again
	if len(chunk) > maxPatchSize {
		chunk = chunk[:maxPatchSize]
	}
	t.mu.Unlock()
	if len(chunk) == 0 {
		return false
	}
	res, err := t.c.patchTrace(ctx, t.id, t.token, offset, chunk)
	if err != nil {
		t.log.Warn("sending the job log failed", "job", t.id, "err", err)
		return true
	}
	if res.interval > 0 {
		t.interval = res.interval
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.lastSent = time.Now()
	if isEnded(res.jobStatus) || res.status == http.StatusForbidden {
		t.abort(abortText(res.jobStatus, res.status))
	}
	switch {
	case res.status == http.StatusForbidden:
	case res.status == http.StatusAccepted:
		t.sent = offset + int64(len(chunk))
	case res.status == http.StatusRequestedRangeNotSatisfiable:
		// The server has a different length: send again from there.
		t.sent = max(0, min(res.remoteEnd, int64(len(t.data))))
		t.log.Info("job log range mismatch, resending", "job", t.id, "from", t.sent)
	case res.status == http.StatusNotFound:
		t.abort("the job no longer exists")
	default:
		t.log.Warn("sending the job log failed", "job", t.id, "status", res.status)
	}
	return true
}

// touch tells the server the job still runs, and learns whether it was
// canceled, as GitLab Runner's keep-alive update does.
func (t *jobTrace) touch(ctx context.Context) {
	t.mu.Lock()
	out := t.output()
	t.lastSent = time.Now()
	t.mu.Unlock()
	res, err := t.c.updateJob(ctx, t.id, protocol.UpdateJobRequest{Token: t.token, State: protocol.StateRunning, Output: out})
	if err != nil {
		t.log.Warn("touching the job failed", "job", t.id, "err", err)
		return
	}
	if isEnded(res.jobStatus) || res.status == http.StatusForbidden || res.status == http.StatusNotFound {
		t.abort(abortText(res.jobStatus, res.status))
	}
}

// isEnded: a Job-Status that means the job must stop now.
func isEnded(s string) bool {
	return s == "canceling" || s == "canceled" || s == "failed"
}

func abortText(jobStatus string, status int) string {
	if jobStatus != "" {
		return "the job is " + jobStatus
	}
	return fmt.Sprintf("the server refused the job's token (%d)", status)
}

// output is the checksum and size of the whole trace; t.mu is held.
func (t *jobTrace) output() protocol.TraceOutput {
	return protocol.TraceOutput{
		Checksum: fmt.Sprintf("crc32:%08x", crc32.ChecksumIEEE(t.data)),
		Bytesize: int64(len(t.data)),
	}
}

// finish flushes the trace and reports the job's end, retrying while the
// server answers 202 (accepted, trace not complete yet) or fails.
func (t *jobTrace) finish(ctx context.Context, state, reason string, exitCode *int) {
	ctx, cancel := context.WithTimeout(ctx, finalUpdateTimeout)
	defer cancel()
	t.mu.Lock()
	_ = t.masker.Close()
	t.mu.Unlock()
	// Send what is left, also of a canceled job: the server may still
	// take it. Stop when a patch brings no progress.
	for range 10 {
		before := t.sentBytes()
		if !t.send(ctx) || t.sentBytes() == before {
			break
		}
	}
	wait := time.Second
	for {
		t.mu.Lock()
		out := t.output()
		t.mu.Unlock()
		req := protocol.UpdateJobRequest{Token: t.token, State: state, FailureReason: reason, ExitCode: exitCode, Output: out}
		res, err := t.c.updateJob(ctx, t.id, req)
		switch {
		case err != nil:
			t.log.Warn("reporting the job's end failed", "job", t.id, "err", err)
		case res.status == http.StatusOK:
			return
		case res.status == http.StatusAccepted:
			// The server still assembles the trace; it says when to ask again.
			if res.retry > 0 {
				wait = res.retry
			}
		case res.status == http.StatusPreconditionFailed:
			// The checksum did not match what the server holds: send it all again.
			t.mu.Lock()
			t.sent = 0
			t.mu.Unlock()
			t.send(ctx)
		case res.status == http.StatusForbidden || res.status == http.StatusNotFound:
			t.log.Info("the server no longer takes this job's updates", "job", t.id, "status", res.status)
			return
		default:
			t.log.Warn("reporting the job's end failed", "job", t.id, "status", res.status)
		}
		select {
		case <-ctx.Done():
			t.log.Error("gave up reporting the job's end", "job", t.id, "state", state)
			return
		case <-time.After(wait):
		}
		wait = min(2*wait, 30*time.Second)
	}
}

func (t *jobTrace) sentBytes() int64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.sent
}
