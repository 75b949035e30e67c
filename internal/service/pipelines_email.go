package service

import (
	"context"
	"errors"
	"fmt"
	netmail "net/mail"
	"strconv"
	"strings"

	"github.com/lablet/lablet/internal/mail"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
	"github.com/riverqueue/river"
)

// Pipeline status emails (GitLab's Integrations::PipelinesEmail and
// Emails::Pipelines): a pipeline that failed, or succeeded when the
// integration wants those too, on a branch it watches (tags always) is
// one River job, inserted in the transaction that settled the pipeline;
// the job mails each recipient through the relay, as emails on push do.

// PipelinesEmail is a pipeline status emails integration's settings.
type PipelinesEmail struct {
	Recipients                []string // integrationRecipients
	NotifyOnlyBrokenPipelines bool
	BranchesToBeNotified      string
}

// PipelinesEmailSettings reads i's properties.
func PipelinesEmailSettings(i *model.Integration) PipelinesEmail {
	e := PipelinesEmail{Recipients: integrationRecipients(i), NotifyOnlyBrokenPipelines: true,
		BranchesToBeNotified: "default"}
	if v, ok := i.Properties["notify_only_broken_pipelines"].(bool); ok {
		e.NotifyOnlyBrokenPipelines = v
	}
	if b, ok := i.Properties["branches_to_be_notified"].(string); ok && b != "" {
		e.BranchesToBeNotified = b
	}
	return e
}

// pipelinesEmailArgs is one settled pipeline to mail about.
type pipelinesEmailArgs struct {
	ProjectID  int64 `json:"project_id"`
	PipelineID int64 `json:"pipeline_id"`
}

func (pipelinesEmailArgs) Kind() string { return "pipelines_email" }

type pipelinesEmailWorker struct {
	river.WorkerDefaults[pipelinesEmailArgs]
	s *Service
}

func (w pipelinesEmailWorker) Work(ctx context.Context, job *river.Job[pipelinesEmailArgs]) error {
	return w.s.sendPipelineEmail(ctx, job.Args)
}

// enqueuePipelinesEmail inserts, in q's transaction, the mail job of a
// pipeline whose status just changed, when the project's active
// integration wants it (PipelinesEmail#should_pipeline_be_notified?).
func (s *Service) enqueuePipelinesEmail(ctx context.Context, q *store.Queries, p *model.Project, pl *model.Pipeline) error {
	if s.hookQueue == nil || (pl.Status != model.CIStatusFailed && pl.Status != model.CIStatusSuccess) {
		return nil
	}
	i, err := q.Integration(ctx, p.ID, model.IntegrationPipelinesEmail)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil || !i.Active || !i.PipelineEvents {
		return err
	}
	settings := PipelinesEmailSettings(i)
	if pl.Status == model.CIStatusSuccess && settings.NotifyOnlyBrokenPipelines {
		return nil
	}
	if !pl.Tag {
		// BranchRules, read in q's transaction rather than on a
		// connection of its own.
		rules, err := q.ProtectedBranches(ctx, p.ID, "")
		if err != nil {
			return err
		}
		if !notifyForBranch(settings.BranchesToBeNotified, p, &BranchRules{rules: rules}, pl.Ref) {
			return nil
		}
	}
	err = s.insertJobs(ctx, q, []river.InsertManyParams{{Args: pipelinesEmailArgs{ProjectID: p.ID, PipelineID: pl.ID},
		InsertOpts: &river.InsertOpts{Queue: mailQueueName, MaxAttempts: mailMaxAttempts}}})
	if err != nil {
		return fmt.Errorf("service: enqueue pipeline email: %w", err)
	}
	return nil
}

// sendPipelineEmail mails one pipeline's result to each recipient, if the
// integration is still active.
func (s *Service) sendPipelineEmail(ctx context.Context, a pipelinesEmailArgs) error {
	if s.mailRelay == nil {
		s.log.DebugContext(ctx, "pipeline emails: no SMTP relay configured, nothing sent", "project_id", a.ProjectID)
		return nil
	}
	i, p, err := s.activeIntegration(ctx, a.ProjectID, model.IntegrationPipelinesEmail)
	if err != nil || i == nil {
		return err
	}
	q := s.db.Queries()
	pl, err := q.PipelineByID(ctx, a.PipelineID)
	if errors.Is(err, store.ErrNotFound) {
		return nil // deleted since
	}
	if err != nil {
		return err
	}
	jobs, err := q.JobsOfPipeline(ctx, pl.ID)
	if err != nil {
		return err
	}
	var user *model.User
	if pl.UserID != nil {
		if user, err = q.UserByID(ctx, *pl.UserID); err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
	}
	for _, to := range PipelinesEmailSettings(i).Recipients {
		m := s.pipelineMail(ctx, p, pl, latestJobs(jobs), user, to)
		if err := s.mailRelay.Send(ctx, m); err != nil {
			s.log.WarnContext(ctx, "pipeline emails: send", "project_id", p.ID, "pipeline_id", pl.ID, "err", err)
			return err
		}
	}
	return nil
}

// pipelineMail is Notify's pipeline_success_email or pipeline_failed_email,
// in its text form.
func (s *Service) pipelineMail(ctx context.Context, p *model.Project, pl *model.Pipeline, jobs []*model.Job,
	user *model.User, to string) *mail.Message {
	web := s.externalURL + "/" + p.FullPath()
	short := pl.SHA[:min(8, len(pl.SHA))]
	word, title := "Successful", "succeeded"
	if pl.Status == model.CIStatusFailed {
		word, title = "Failed", "failed"
	}
	name := "#" + strconv.FormatInt(pl.ID, 10)
	if pl.Name != nil && *pl.Name != "" {
		name = *pl.Name
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Pipeline %s has %s!\n\n", name, title)
	fmt.Fprintf(&b, "Project: %s ( %s )\n", p.Name, web)
	refKind, refURL := "Branch", web+"/-/commits/"+pl.Ref
	if pl.Tag {
		refKind, refURL = "Tag", web+"/-/tags/"+pl.Ref
	}
	fmt.Fprintf(&b, "%s: %s ( %s )\n\n", refKind, pl.Ref, refURL)
	fmt.Fprintf(&b, "Commit: %s ( %s/-/commit/%s )\n", short, web, pl.SHA)
	if c := s.pipelineCommit(ctx, p.ID, pl.SHA); c != nil {
		msg := c.Message
		if r := []rune(strings.TrimSpace(msg)); len(r) > 50 {
			msg = string(r[:47]) + "..."
		}
		fmt.Fprintf(&b, "Commit Message: %s\nCommit Author: %s\n", strings.TrimSpace(msg), c.Author.Name)
	}
	b.WriteString("\n")
	if user != nil {
		fmt.Fprintf(&b, "Pipeline %s ( %s/-/pipelines/%d ) triggered by %s ( %s/%s )\n", name, web, pl.ID, user.Name,
			s.externalURL, user.Username)
	} else {
		fmt.Fprintf(&b, "Pipeline %s ( %s/-/pipelines/%d ) triggered by API\n", name, web, pl.ID)
	}
	var failed []*model.Job
	stages := map[string]bool{}
	for _, j := range jobs {
		stages[j.Stage] = true
		if j.Status == model.CIStatusFailed {
			failed = append(failed, j)
		}
	}
	if pl.Status == model.CIStatusFailed {
		fmt.Fprintf(&b, "had %d failed %s.\n\n", len(failed), plural(len(failed), "job"))
		for _, j := range failed {
			fmt.Fprintf(&b, "Job #%d ( %s/-/jobs/%d/raw )\nStage: %s\nName: %s\n\n", j.ID, web, j.ID, j.Stage, j.Name)
		}
	} else {
		fmt.Fprintf(&b, "successfully completed %d %s in %d %s.\n", len(jobs), plural(len(jobs), "job"),
			len(stages), plural(len(stages), "stage"))
	}
	b.WriteString("\n---\nYou're receiving this email because of your account on " + s.mailHost() + ".\n")
	return &mail.Message{From: netmail.Address{Name: "GitLab", Address: s.mailFrom}, To: []string{to},
		Subject: p.Name + " | " + word + " pipeline for " + pl.Ref + " | " + short, Body: b.String(), Date: s.Now(),
		MessageID: newUUID() + "@" + s.mailHost(),
		Headers: [][2]string{{"X-GitLab-Project", p.Name}, {"X-GitLab-Project-Id", strconv.FormatInt(p.ID, 10)},
			{"X-GitLab-Project-Path", p.FullPath()}, {"X-GitLab-Pipeline-Id", strconv.FormatInt(pl.ID, 10)},
			{"X-GitLab-Pipeline-Ref", pl.Ref}, {"X-GitLab-Pipeline-Status", pl.Status},
			{"Auto-Submitted", "auto-generated"}, {"X-Auto-Response-Suppress", "All"}}}
}
