package service

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	netmail "net/mail"
	"strconv"
	"strings"
	"time"

	"github.com/lablet/lablet/internal/mail"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/repo"
	"github.com/lablet/lablet/internal/store"
	"github.com/riverqueue/river"
)

// Emails on push (GitLab's Integrations::EmailsOnPush, EmailsOnPushWorker
// and Gitlab::Email::Message::RepositoryPush): each landed ref change of a
// push that the project's active integration wants is one River job,
// inserted in the push's transaction; the job reads the repository, builds
// the mail and sends it through the configured relay. A relay that fails
// makes the job fail, and River retries it.

const (
	// mailQueueName is the job queue of outgoing mail.
	mailQueueName = "mailers"
	// mailWorkers bounds concurrent deliveries to the relay per instance.
	mailWorkers = 5
	// mailMaxAttempts bounds River's retries of a delivery the relay
	// refused or could not take.
	mailMaxAttempts = 10
	// pushMailCommitLimit bounds the commits a mail lists.
	pushMailCommitLimit = 100
	// pushMailDiffLimit bounds the diff text a mail carries, in bytes.
	pushMailDiffLimit = 500 << 10
)

// emailsOnPushArgs is one ref change to mail about.
type emailsOnPushArgs struct {
	ProjectID int64  `json:"project_id"`
	PusherID  int64  `json:"pusher_id"`
	Ref       string `json:"ref"`
	Before    string `json:"before"`
	After     string `json:"after"`
}

func (emailsOnPushArgs) Kind() string { return "emails_on_push" }

// emailsOnPushWorker mails one ref change.
type emailsOnPushWorker struct {
	river.WorkerDefaults[emailsOnPushArgs]
	s *Service
}

func (w emailsOnPushWorker) Work(ctx context.Context, job *river.Job[emailsOnPushArgs]) error {
	return w.s.sendPushEmail(ctx, job.Args)
}

// enqueueEmailsOnPush inserts, in q's transaction, a mail job for each
// landed change the project's active emails-on-push integration wants:
// branch pushes with push_events on its branches_to_be_notified, tag pushes
// with tag_push_events.
func (s *Service) enqueueEmailsOnPush(ctx context.Context, q *store.Queries, p *model.Project, pusher *model.User,
	landed []RefChange, rules *BranchRules) error {
	if s.hookQueue == nil {
		return nil
	}
	i, err := q.Integration(ctx, p.ID, model.IntegrationEmailsOnPush)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil || !i.Active {
		return err
	}
	if s.mailRelay == nil {
		s.log.DebugContext(ctx, "emails on push: no SMTP relay configured, nothing sent", "project_id", p.ID)
		return nil
	}
	settings := EmailsOnPushSettings(i)
	var params []river.InsertManyParams
	for _, c := range landed {
		if branch, ok := strings.CutPrefix(c.Ref, gitBranchPrefix); ok {
			if !i.PushEvents || !notifyForBranch(settings.BranchesToBeNotified, p, rules, branch) {
				continue
			}
		} else if !i.TagPushEvents {
			continue
		}
		params = append(params, river.InsertManyParams{
			Args:       emailsOnPushArgs{ProjectID: p.ID, PusherID: pusher.ID, Ref: c.Ref, Before: c.Old, After: c.New},
			InsertOpts: &river.InsertOpts{Queue: mailQueueName, MaxAttempts: mailMaxAttempts}})
	}
	if err := s.insertJobs(ctx, q, params); err != nil {
		return fmt.Errorf("service: enqueue emails on push: %w", err)
	}
	return nil
}

// notifyForBranch is NotificationBranchSelection#notify_for_branch?.
func notifyForBranch(selection string, p *model.Project, rules *BranchRules, branch string) bool {
	isDefault := p.DefaultBranch != nil && *p.DefaultBranch == branch
	switch selection {
	case "default":
		return isDefault
	case "protected":
		return rules.Protected(branch)
	case "default_and_protected":
		return isDefault || rules.Protected(branch)
	}
	return true
}

// sendPushEmail builds and sends the mail of one ref change, if the
// integration is still active and there is something to say.
func (s *Service) sendPushEmail(ctx context.Context, a emailsOnPushArgs) error {
	if s.mailRelay == nil {
		s.log.DebugContext(ctx, "emails on push: no SMTP relay configured, nothing sent", "project_id", a.ProjectID)
		return nil
	}
	i, p, err := s.activeIntegration(ctx, a.ProjectID, model.IntegrationEmailsOnPush)
	if err != nil || i == nil {
		return err // nil: disabled, or the project gone, since the push
	}
	pusher, err := s.db.Queries().UserByID(ctx, a.PusherID)
	if err != nil {
		return fmt.Errorf("service: emails on push: pusher: %w", err)
	}
	settings := EmailsOnPushSettings(i)
	if len(settings.Recipients) == 0 {
		return nil
	}
	m, err := s.pushMail(ctx, p, pusher, s.repos.Open(p.ID), a, settings)
	if err != nil || m == nil {
		return err
	}
	if err := s.mailRelay.Send(ctx, m); err != nil {
		s.log.WarnContext(ctx, "emails on push: send", "project_id", p.ID, "ref", a.Ref, "err", err)
		return err
	}
	return nil
}

// activeIntegration loads a project's integration of slug for a mail
// job, with the project; nil, nil, nil when it is no longer active or
// the project is gone (nothing left to send).
func (s *Service) activeIntegration(ctx context.Context, projectID int64, slug string) (*model.Integration, *model.Project, error) {
	q := s.db.Queries()
	i, err := q.Integration(ctx, projectID, slug)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, nil
	}
	if err != nil || !i.Active {
		return nil, nil, err
	}
	p, err := q.ProjectByID(ctx, projectID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	return i, p, nil
}

// pushMail is RepositoryPushMailer's mail of a ref change (nil when the
// push changed nothing to tell), in its text form.
func (s *Service) pushMail(ctx context.Context, p *model.Project, pusher *model.User, r *repo.Repo,
	a emailsOnPushArgs, settings EmailsOnPush) (*mail.Message, error) {
	c := RefChange{Ref: a.Ref, Old: a.Before, New: a.After}
	refType, refName := "branch", strings.TrimPrefix(a.Ref, gitBranchPrefix)
	if tag, ok := strings.CutPrefix(a.Ref, "refs/tags/"); ok {
		refType, refName = "tag", tag
	}
	web := s.externalURL + "/" + p.FullPath()
	action, actionName := "push", "pushed to"
	var commits []*repo.Commit
	var diffs []repo.FileDiff
	reverse := false
	switch {
	case c.IsCreate():
		action, actionName = "create", "pushed new"
	case c.IsDelete():
		action, actionName = "delete", "deleted"
	default:
		var err error
		if commits, err = r.RevList(ctx, c.Old, c.New, pushMailCommitLimit); err != nil {
			return nil, err
		}
		if len(commits) == 0 {
			// A push back in history: GitLab mails the commits it removed.
			if commits, err = r.RevList(ctx, c.New, c.Old, pushMailCommitLimit); err != nil {
				return nil, err
			}
			reverse = true
		}
		if len(commits) == 0 {
			return nil, nil // same commit: nothing to tell
		}
		if !settings.DisableDiffs {
			if diffs, err = r.DiffTrees(ctx, c.Old, c.New); err != nil {
				return nil, err
			}
		}
	}

	subject := "[Git][" + p.FullPath() + "]"
	if action == "push" {
		subject += "[" + refName + "] "
		switch {
		case len(commits) > 1:
			if reverse {
				subject += "Deleted "
			}
			subject += strconv.Itoa(len(commits)) + " commits: " + commits[0].Title
		case reverse:
			subject += "Deleted 1 commit: " + commits[0].Title
		default:
			subject += commits[0].Title
		}
	} else {
		subject += " " + strings.ToUpper(action[:1]) + action[1:] + " " + refType + " " + refName
	}

	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %s %s at %s\n\n", pusher.Name, actionName, refType, refName,
		p.FullName())
	if reverse {
		b.WriteString("WARNING: The push did not contain any new commits, but force pushed to delete the commits and changes below.\n\n")
	}
	if len(commits) > 0 {
		if reverse {
			b.WriteString("Deleted commits:\n\n")
		} else {
			b.WriteString("Commits:\n\n")
		}
		for _, cm := range commits {
			fmt.Fprintf(&b, "%s by %s at %s\n\n%s\n\n- - - - -\n\n", web+"/-/commit/"+cm.ID, cm.Author.Name,
				cm.Author.Date.UTC().Format(time.RFC3339), strings.TrimRight(cm.Message, "\n"))
		}
	}
	if len(diffs) > 0 {
		writePushMailDiffs(&b, diffs)
	}
	target := web + "/-/tree/" + refName
	switch {
	case len(commits) > 1:
		target = web + "/-/compare/" + c.Old[:8] + "..." + c.New[:8]
	case len(commits) == 1:
		target = web + "/-/commit/" + commits[0].ID
	case action == "delete":
		target = web
	}
	b.WriteString("---\nView it on GitLab: " + target + "\n")
	b.WriteString("You're receiving this email because of your account on " + s.mailHost() + ".\n")

	from := netmail.Address{Name: pusher.Name, Address: s.mailFrom}
	if settings.SendFromCommitterEmail && sameMailDomain(pusher.Email, s.mailFrom) {
		// GitLab sends from the pusher's address only when it is of the
		// instance's own mail domain, so relays do not reject it.
		from.Address = pusher.Email
	}
	return &mail.Message{From: from, To: settings.Recipients, Subject: subject, Body: b.String(), Date: s.Now(),
		MessageID: newUUID() + "@" + s.mailHost(),
		Headers: [][2]string{{"Reply-To", (&netmail.Address{Name: pusher.Name, Address: pusher.Email}).String()},
			{"X-GitLab-Project", p.Name}, {"X-GitLab-Project-Id", strconv.FormatInt(p.ID, 10)},
			{"X-GitLab-Project-Path", p.FullPath()}, {"X-GitLab-Author", pusher.Username},
			{"Auto-Submitted", "auto-generated"}, {"X-Auto-Response-Suppress", "All"}}}, nil
}

// writePushMailDiffs writes the changes section, cut at pushMailDiffLimit.
func writePushMailDiffs(b *strings.Builder, diffs []repo.FileDiff) {
	b.WriteString("Changes:\n\n")
	start := b.Len()
	for _, d := range diffs {
		if b.Len()-start > pushMailDiffLimit {
			b.WriteString("=====================================\nThe diff was not included because it is too large.\n\n")
			return
		}
		b.WriteString("=====================================\n")
		switch {
		case d.DeletedFile:
			b.WriteString("Deleted: " + d.OldPath)
		case d.RenamedFile:
			b.WriteString("Renamed: " + d.OldPath + " → " + d.NewPath)
		case d.NewFile:
			b.WriteString("Added: " + d.NewPath)
		default:
			b.WriteString("Changed: " + d.NewPath)
		}
		b.WriteString("\n=====================================\n")
		b.WriteString(strings.TrimRight(d.Diff, "\n"))
		b.WriteString("\n\n")
	}
}

// mailHost is the instance's host name in mail (Message-ID, footer).
func (s *Service) mailHost() string {
	host := strings.TrimPrefix(strings.TrimPrefix(s.externalURL, "https://"), "http://")
	host, _, _ = strings.Cut(host, "/")
	if h, _, ok := strings.Cut(host, ":"); ok {
		host = h
	}
	return host
}

// sameMailDomain reports whether two addresses share their domain.
func sameMailDomain(a, b string) bool {
	_, da, ok1 := strings.Cut(a, "@")
	_, db, ok2 := strings.Cut(b, "@")
	return ok1 && ok2 && strings.EqualFold(da, db)
}

// logMailRelay says once, at start, where mail goes.
func logMailRelay(log *slog.Logger, r *mail.Relay, from string) {
	if r == nil {
		log.Debug("mail: no SMTP relay configured; emails on push are not sent")
		return
	}
	log.Debug("mail: SMTP relay", "address", r.Addr, "from", from)
}
