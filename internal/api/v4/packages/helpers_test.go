package packages_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/labtest"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// genericPath is the API path of a generic package file of project id.
func genericPath(id int64, name, version, file string) string {
	return "/projects/" + itoa(id) + "/packages/generic/" + name + "/" + version + "/" + file
}

// basic is an HTTP Basic Authorization header.
func basic(user, password string) map[string]string {
	return map[string]string{"Authorization": "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+password))}
}

// packageBlobs lists the files under the project's package blobs.
func packageBlobs(t *testing.T, s *labtest.Server, projectID int64) []string {
	t.Helper()
	root := filepath.Join(s.Config.DataDir, "blobs", "packages", itoa(projectID))
	var out []string
	_ = filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
		if err == nil && info.Mode().IsRegular() {
			out = append(out, strings.TrimPrefix(p, root))
		}
		return nil
	})
	return out
}

// runningJobToken makes a running job of the project, started by user,
// and returns its job token (as a runner's request for work would).
func runningJobToken(t *testing.T, s *labtest.Server, projectID, userID int64) string {
	t.Helper()
	token := auth.NewSecret("glcbt-", 40)
	digest := auth.Digest(token)
	now := time.Now()
	ctx := context.Background()
	err := s.Srv.DB.WithTx(ctx, func(q *store.Queries) error {
		pl := &model.Pipeline{ProjectID: projectID, Ref: "main", SHA: strings.Repeat("a", 40), Source: "push",
			Status: model.CIStatusRunning, UserID: &userID}
		if err := q.InsertPipeline(ctx, pl); err != nil {
			return err
		}
		j := &model.Job{ProjectID: projectID, PipelineID: pl.ID, Name: "publish", Stage: "test", Status: model.CIStatusPending,
			When: "on_success", SchedulingType: "stage", UserID: &userID, Spec: "{}", Ref: "main", SHA: pl.SHA,
			Tags: []string{"none"}}
		if err := q.InsertJob(ctx, j); err != nil {
			return err
		}
		j.Status, j.TokenDigest, j.StartedAt = model.CIStatusRunning, &digest, &now
		ok, err := q.SetJobStatus(ctx, j, []string{model.CIStatusPending})
		if err == nil && !ok {
			err = fmt.Errorf("job %d was not pending", j.ID)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return token
}
