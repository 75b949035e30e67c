package service

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/lablet/lablet/internal/blob"
	"github.com/lablet/lablet/internal/model"
)

// MaxTraceSize bounds a job's log (GitLab's default ci_jobs_trace_size_limit
// is 100 MiB); what a runner sends beyond it is dropped.
const MaxTraceSize = 100 << 20

// TraceRangeError is a trace PATCH at the wrong offset: 416 with the
// trace's current size, from where the runner sends again.
type TraceRangeError struct{ Size int64 }

func (e *TraceRangeError) Error() string { return "416 Range Not Satisfiable" }

// AppendTrace applies a runner's PATCH /jobs/:id/trace: data belongs at
// the start of contentRange ("start-end"). It returns the job's status
// and the trace's size after the append.
func (s *Service) AppendTrace(ctx context.Context, id int64, token, contentRange string, data []byte) (string, int64, error) {
	j, err := s.RunnerJob(ctx, id, token)
	if err != nil {
		return "", 0, err
	}
	startText, _, ok := strings.Cut(contentRange, "-")
	start, err := strconv.ParseInt(startText, 10, 64)
	if !ok || err != nil || start < 0 {
		return "", 0, &TraceRangeError{Size: j.TraceSize}
	}
	if start+int64(len(data)) > MaxTraceSize {
		data = data[:max(0, MaxTraceSize-start)]
	}
	appended, size, err := s.db.Queries().AppendTrace(ctx, j.ID, start, data)
	if err != nil {
		return "", 0, err
	}
	if !appended {
		return "", 0, &TraceRangeError{Size: size}
	}
	return j.Status, size, nil
}

// traceKey names a job's archived log in blob storage.
func traceKey(j *model.Job) string {
	return fmt.Sprintf("ci/%d/jobs/%d/job.log", j.ProjectID, j.ID)
}

// archiveTrace moves a finished job's live trace into blob storage, as
// its trace artifact, and reads its coverage from it.
func (s *Service) archiveTrace(ctx context.Context, j *model.Job) error {
	q := s.db.Queries()
	data, err := q.TraceChunks(ctx, j.ID, 0)
	if err != nil {
		return err
	}
	if len(data) == 0 {
		// A second archiving (a runner's repeated final update) finds the
		// chunks gone: the archived log stays as the first one wrote it.
		if f, _, err := s.blobs.Open(ctx, traceKey(j)); err == nil {
			f.Close()
			return nil
		}
	}
	if j.CoverageRegex != nil {
		j.Coverage = traceCoverage(data, *j.CoverageRegex)
	}
	key := traceKey(j)
	size, err := s.blobs.Put(ctx, key, bytes.NewReader(data))
	if err != nil {
		return err
	}
	sum := sha256.Sum256(data)
	old, err := q.PutArtifact(ctx, &model.JobArtifact{ProjectID: j.ProjectID, JobID: j.ID, FileType: artifactTrace,
		FileFormat: "raw", FileName: "job.log", Size: size, FileSHA256: hex.EncodeToString(sum[:]), BlobKey: key})
	if err != nil {
		return err
	}
	if old != "" && old != key {
		_ = s.blobs.Delete(ctx, old)
	}
	return q.DeleteTraceChunks(ctx, j.ID)
}

// jobTrace reads a job's log: live while it runs, archived after.
func (s *Service) jobTrace(ctx context.Context, j *model.Job) ([]byte, error) {
	if j.ErasedAt != nil {
		return nil, nil
	}
	q := s.db.Queries()
	live, err := q.TraceChunks(ctx, j.ID, 0)
	if err != nil || len(live) > 0 {
		return live, err
	}
	f, _, err := s.blobs.Open(ctx, traceKey(j))
	if errors.Is(err, blob.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}

// traceCoverage applies a job's coverage regex to its log, line by line,
// and reads the number in the last match (GitLab's Trace#extract_coverage).
func traceCoverage(trace []byte, pattern string) *float64 {
	pattern = strings.TrimSuffix(strings.TrimPrefix(pattern, "/"), "/")
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil
	}
	number := regexp.MustCompile(`\d+(\.\d+)?`)
	var found *float64
	for line := range bytes.Lines(trace) {
		m := re.Find(line)
		if m == nil {
			continue
		}
		if n := number.FindAll(m, -1); len(n) > 0 {
			if v, err := strconv.ParseFloat(string(n[len(n)-1]), 64); err == nil {
				found = &v
			}
		}
	}
	return found
}
