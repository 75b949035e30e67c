package service

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"math/big"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/lablet/lablet/internal/ci/config"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// Jobs with environment: (GitLab's Environments::CreateForJobService,
// Deployments::CreateForJobService and Deployment's state machine): a
// job gets its environment when it is created, a starting job a
// deployment too, and the deployment follows the job's status.

const maxEnvironmentName = 255

// environmentNameRe is Gitlab::Regex.environment_name_regex.
var environmentNameRe = regexp.MustCompile(`^[a-zA-Z0-9_/${}. -]+$`)

// environmentNameProblem is what is wrong with an environment name, or "".
func environmentNameProblem(name string) string {
	switch {
	case strings.TrimSpace(name) == "":
		return "can't be blank"
	case utf8.RuneCountInString(name) > maxEnvironmentName:
		return "is too long (maximum is 255 characters)"
	case !environmentNameRe.MatchString(name) || strings.HasPrefix(name, "/") || strings.HasSuffix(name, "/"):
		return "can contain only letters, digits, '-', '_', '/', '$', '{', '}', '.', and spaces, but it cannot start or end with '/'"
	}
	return ""
}

// environmentSlug is Gitlab::Slug::Environment: lowercase letters,
// digits and single dashes, starting with a letter, at most 24
// characters; a name that does not survive that whole gets a suffix
// from its digest, so that different names keep different slugs.
func environmentSlug(name string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
		}
	}
	slug := b.String()
	if slug == "" || slug[0] < 'a' || slug[0] > 'z' {
		slug = "env-" + slug
	}
	for strings.Contains(slug, "--") {
		slug = strings.ReplaceAll(slug, "--", "-")
	}
	if len(slug) <= 24 && slug == name {
		return strings.TrimSuffix(slug, "-")
	}
	slug = slug[:min(17, len(slug))]
	if !strings.HasSuffix(slug, "-") {
		slug += "-"
	}
	sum := sha256.Sum256([]byte(name))
	return slug + slugSuffix(hex.EncodeToString(sum[:]))
}

// slugSuffix is the last six base-36 digits of a hex digest (Ruby's
// hexdigest.to_i(16).to_s(36).last(6)).
func slugSuffix(hexDigest string) string {
	n, _ := new(big.Int).SetString(hexDigest, 16)
	digits := n.Text(36)
	return digits[max(0, len(digits)-6):]
}

// tierGuesses are Environment#guess_tier's patterns, in its order.
var tierGuesses = []struct {
	re   *regexp.Regexp
	tier string
}{
	{regexp.MustCompile(`(?i)(dev|review|trunk)`), "development"},
	{regexp.MustCompile(`(?i)(test|tst|int|ac(ce|)pt|qa|qc|control|quality)`), "testing"},
	{regexp.MustCompile(`(?i)(st(a|)g|mod(e|)l|pre|demo|non)`), "staging"},
	{regexp.MustCompile(`(?i)(pr(o|)d|live)`), "production"},
}

// guessTier is Environment#guess_tier: the tier a name suggests.
func guessTier(name string) string {
	for _, g := range tierGuesses {
		if g.re.MatchString(name) {
			return g.tier
		}
	}
	return "other"
}

// attachEnvironment gives a new job its environment, created when
// missing, and a starting job its deployment. A name that is not a valid
// environment name fails the job, as GitLab fails it with
// environment_creation_failure.
func (s *Service) attachEnvironment(ctx context.Context, q *store.Queries, j *model.Job) error {
	if j.Environment == nil {
		return nil
	}
	spec, err := specOf(j)
	if err != nil || spec.Environment == nil {
		return err
	}
	e := spec.Environment
	if environmentNameProblem(e.Name) != "" {
		now, reason := q.Now(), "environment_creation_failure"
		j.Status, j.FinishedAt, j.FailureReason = model.CIStatusFailed, &now, &reason
		_, err := s.setJobStatus(ctx, q, j, model.CIStatusCreated)
		return err
	}
	tier := e.Tier
	if tier == "" {
		tier = guessTier(e.Name)
	}
	env, err := q.EnsureEnvironment(ctx, &model.Environment{ProjectID: j.ProjectID, Name: e.Name,
		Slug: environmentSlug(e.Name), State: model.EnvironmentAvailable, Tier: tier})
	if err != nil {
		return err
	}
	if e.Action != "" && e.Action != "start" {
		return nil
	}
	d := &model.Deployment{ProjectID: j.ProjectID, EnvironmentID: env.ID, Ref: j.Ref, Tag: j.Tag, SHA: j.SHA,
		UserID: j.UserID, DeployableID: &j.ID, Status: model.DeploymentCreated}
	return q.InsertDeployment(ctx, d)
}

// deploymentStatusOf is the status a deployment takes from its job's.
func deploymentStatusOf(jobStatus string) string {
	switch jobStatus {
	case model.CIStatusRunning, model.CIStatusSuccess, model.CIStatusFailed, model.CIStatusCanceled,
		model.CIStatusSkipped:
		return jobStatus
	}
	return model.DeploymentCreated
}

// syncDeployments makes the deployments of a pipeline's jobs follow
// their jobs' statuses and applies what finished jobs do to their
// environments: a successful deployment makes its environment available
// at its URL, a successful stop job stops it, a failed one leaves a
// stopping environment available. It runs in processPipeline, which
// every change of a job's status goes through.
func (s *Service) syncDeployments(ctx context.Context, q *store.Queries, jobs []*model.Job) error {
	byID := map[int64]*model.Job{}
	var ids []int64
	for _, j := range jobs {
		if j.Environment != nil {
			byID[j.ID] = j
			ids = append(ids, j.ID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	deps, err := q.DeploymentsOfJobs(ctx, ids)
	if err != nil {
		return err
	}
	for _, d := range deps {
		j := byID[*d.DeployableID]
		delete(byID, j.ID)
		status := deploymentStatusOf(j.Status)
		if status == d.Status {
			continue
		}
		d.Status = status
		if ciCompleted(status) {
			d.FinishedAt = j.FinishedAt
		}
		changed, err := q.SetDeploymentStatus(ctx, d)
		if err != nil {
			return err
		}
		if changed && status == model.DeploymentSuccess {
			if err := s.deployed(ctx, q, d, j); err != nil {
				return err
			}
		}
	}
	// The jobs left have no deployment: stop jobs among them.
	for _, j := range byID {
		if err := s.stopJobSettled(ctx, q, j); err != nil {
			return err
		}
	}
	return nil
}

// deployed applies a successful deployment to its environment: available
// again, at the job's URL, stopping on its own after auto_stop_in.
func (s *Service) deployed(ctx context.Context, q *store.Queries, d *model.Deployment, j *model.Job) error {
	env, err := q.Environment(ctx, d.ProjectID, d.EnvironmentID)
	if err != nil {
		return err
	}
	spec, err := specOf(j)
	if err != nil || spec.Environment == nil {
		return err
	}
	if _, err := q.SetEnvironmentState(ctx, env.ID, model.EnvironmentAvailable,
		model.EnvironmentStopped, model.EnvironmentStopping); err != nil {
		return err
	}
	if u := spec.Environment.URL; u != "" {
		env.ExternalURL = &u
	}
	env.AutoStopAt = nil
	if in := spec.Environment.AutoStopIn; in != "" && in != "never" {
		if dur, ok := config.ParseDuration(in); ok {
			at := q.Now().Add(dur)
			env.AutoStopAt = &at
		}
	}
	return q.UpdateEnvironment(ctx, env)
}

// stopJobSettled applies a finished stop job (action: stop) to its
// environment: success stops it, unless a deployment succeeded after the
// job finished; a failure returns a stopping environment to available.
func (s *Service) stopJobSettled(ctx context.Context, q *store.Queries, j *model.Job) error {
	if !ciCompleted(j.Status) {
		return nil
	}
	spec, err := specOf(j)
	if err != nil || spec.Environment == nil || spec.Environment.Action != "stop" {
		return err
	}
	env, err := q.EnvironmentByName(ctx, j.ProjectID, spec.Environment.Name)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if j.Status != model.CIStatusSuccess {
		_, err := q.SetEnvironmentState(ctx, env.ID, model.EnvironmentAvailable, model.EnvironmentStopping)
		return err
	}
	last, err := q.LastDeployments(ctx, []int64{env.ID})
	if err != nil {
		return err
	}
	if d := last[env.ID]; d != nil && d.FinishedAt != nil && j.FinishedAt != nil && d.FinishedAt.After(*j.FinishedAt) {
		return nil
	}
	_, err = q.SetEnvironmentState(ctx, env.ID, model.EnvironmentStopped, model.EnvironmentAvailable,
		model.EnvironmentStopping)
	return err
}

// staleBeforeValid is POST …/environments/stop_stale's date check: one
// week ago at the latest, ten years ago at the earliest.
func staleBeforeValid(before, now time.Time) bool {
	return !before.Before(now.AddDate(-10, 0, 0)) && !before.After(now.AddDate(0, 0, -7))
}
