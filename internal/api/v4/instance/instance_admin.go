package instance

import (
	"net/http"
	"strconv"

	v4 "github.com/lablet/lablet/internal/api/v4"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// appearanceEntity is GitLab's Entities::Appearance; lablet takes no
// image uploads, so the image URLs are null.
type appearanceEntity struct {
	Title                       string  `json:"title"`
	Description                 string  `json:"description"`
	PWAName                     string  `json:"pwa_name"`
	PWAShortName                string  `json:"pwa_short_name"`
	PWADescription              string  `json:"pwa_description"`
	Logo                        *string `json:"logo"`
	PWAIcon                     *string `json:"pwa_icon"`
	HeaderLogo                  *string `json:"header_logo"`
	Favicon                     *string `json:"favicon"`
	MemberGuidelines            string  `json:"member_guidelines"`
	NewProjectGuidelines        string  `json:"new_project_guidelines"`
	ProfileImageGuidelines      string  `json:"profile_image_guidelines"`
	HeaderMessage               string  `json:"header_message"`
	FooterMessage               string  `json:"footer_message"`
	MessageBackgroundColor      string  `json:"message_background_color"`
	MessageFontColor            string  `json:"message_font_color"`
	EmailHeaderAndFooterEnabled bool    `json:"email_header_and_footer_enabled"`
}

func appearanceEntityOf(a *model.Appearance) appearanceEntity {
	return appearanceEntity{Title: a.Title, Description: a.Description, PWAName: a.PWAName, PWAShortName: a.PWAShortName,
		PWADescription: a.PWADescription, MemberGuidelines: a.MemberGuidelines, NewProjectGuidelines: a.NewProjectGuidelines,
		ProfileImageGuidelines: a.ProfileImageGuidelines, HeaderMessage: a.HeaderMessage, FooterMessage: a.FooterMessage,
		MessageBackgroundColor: a.MessageBackgroundColor, MessageFontColor: a.MessageFontColor,
		EmailHeaderAndFooterEnabled: a.EmailHeaderAndFooterEnabled}
}

// getAppearance is GET /application/appearance.
func getAppearance(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	ap, err := a.Service().Appearance(r.Context(), c.Identity())
	if err != nil {
		return err
	}
	return v4.WriteOK(w, appearanceEntityOf(ap))
}

// updateAppearance is PUT /application/appearance.
func updateAppearance(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	in := service.AppearanceInput{Text: map[string]*string{}}
	for _, name := range service.AppearanceTextFields {
		if s, ok, err := c.Params().Text(name, v4.MaxParamText); err != nil {
			return err
		} else if ok {
			in.Text[name] = &s
		}
	}
	if b, ok, err := c.Params().Bool("email_header_and_footer_enabled"); err != nil {
		return err
	} else if ok {
		in.Email = &b
	}
	ap, err := a.Service().UpdateAppearance(r.Context(), c.Identity(), in)
	if err != nil {
		return err
	}
	return v4.WriteOK(w, appearanceEntityOf(ap))
}

// withDelimiter formats n as Rails' number_with_delimiter: 1234567 is
// "1,234,567".
func withDelimiter(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := n < 0
	if neg {
		s = s[1:]
	}
	out := make([]byte, 0, len(s)+len(s)/3)
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	if neg {
		return "-" + string(out)
	}
	return string(out)
}

// getStatistics is GET /application/statistics: GitLab's
// Entities::ApplicationStatistics, every count a delimited string.
func getStatistics(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	st, err := a.Service().InstanceStatistics(r.Context(), c.Identity())
	if err != nil {
		return err
	}
	type entity struct {
		Forks         string `json:"forks"`
		Issues        string `json:"issues"`
		MergeRequests string `json:"merge_requests"`
		Notes         string `json:"notes"`
		Snippets      string `json:"snippets"`
		SSHKeys       string `json:"ssh_keys"`
		Milestones    string `json:"milestones"`
		Users         string `json:"users"`
		Projects      string `json:"projects"`
		Groups        string `json:"groups"`
		ActiveUsers   string `json:"active_users"`
	}
	return v4.WriteOK(w, entity{Forks: withDelimiter(st.Forks), Issues: withDelimiter(st.Issues),
		MergeRequests: withDelimiter(st.MergeRequests), Notes: withDelimiter(st.Notes), Snippets: withDelimiter(st.Snippets),
		SSHKeys: withDelimiter(st.SSHKeys), Milestones: withDelimiter(st.Milestones), Users: withDelimiter(st.Users),
		Projects: withDelimiter(st.Projects), Groups: withDelimiter(st.Groups), ActiveUsers: withDelimiter(st.ActiveUsers)})
}

// The shapes of GitLab's Sidekiq metrics, answered from River's queue.
type (
	sidekiqQueue struct {
		Backlog int64 `json:"backlog"`
		Latency int64 `json:"latency"`
	}
	sidekiqProcess struct {
		Hostname    string   `json:"hostname"`
		PID         int      `json:"pid"`
		Tag         string   `json:"tag"`
		StartedAt   string   `json:"started_at"`
		Queues      []string `json:"queues"`
		Labels      []string `json:"labels"`
		Concurrency int      `json:"concurrency"`
		Busy        int64    `json:"busy"`
	}
	sidekiqJobs struct {
		Processed int64 `json:"processed"`
		Failed    int64 `json:"failed"`
		Enqueued  int64 `json:"enqueued"`
		Dead      int64 `json:"dead"`
	}
)

// sidekiqMetrics maps River's states onto Sidekiq's words: a queue's
// backlog is its available jobs and its latency the seconds the oldest
// of them has waited; processed counts the finished jobs River still
// keeps (completed, discarded, cancelled), failed those that failed at
// least once (discarded, retryable), dead the discarded ones.
func sidekiqMetrics(m *service.JobQueueMetrics) (map[string]sidekiqQueue, []sidekiqProcess, sidekiqJobs) {
	queues := map[string]sidekiqQueue{}
	var jobs sidekiqJobs
	var busy int64
	for _, q := range m.Queues {
		sq := sidekiqQueue{Backlog: q.Available}
		if q.Available > 0 && !q.OldestAvailable.IsZero() && m.Now.After(q.OldestAvailable) {
			sq.Latency = int64(m.Now.Sub(q.OldestAvailable).Seconds())
		}
		queues[q.Queue] = sq
		busy += q.Running
		jobs.Processed += q.Completed + q.Discarded + q.Cancelled
		jobs.Failed += q.Discarded + q.Retryable
		jobs.Enqueued += q.Available
		jobs.Dead += q.Discarded
	}
	p := m.Process
	processes := []sidekiqProcess{{Hostname: p.Hostname, PID: p.PID, Tag: "lablet", StartedAt: v4.TS(p.StartedAt),
		Queues: p.Queues, Labels: []string{}, Concurrency: p.Concurrency, Busy: busy}}
	return queues, processes, jobs
}

// sidekiq serves the four /sidekiq/* metrics; part picks what to answer.
func sidekiq(part string) v4.Handler {
	return func(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
		m, err := a.Service().JobQueueMetrics(r.Context(), c.Identity())
		if err != nil {
			return err
		}
		queues, processes, jobs := sidekiqMetrics(m)
		out := map[string]any{}
		if part == "queue_metrics" || part == "compound_metrics" {
			out["queues"] = queues
		}
		if part == "process_metrics" || part == "compound_metrics" {
			out["processes"] = processes
		}
		if part == "job_stats" || part == "compound_metrics" {
			out["jobs"] = jobs
		}
		return v4.WriteOK(w, out)
	}
}
