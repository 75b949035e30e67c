package service

import (
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"database/sql"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/outbound"
	"github.com/lablet/lablet/internal/store"
	"github.com/riverqueue/river"
)

// Delivery: each event is a River job inserted in the transaction of the
// change it reports, so a committed change is never followed by a lost
// hook and a rolled-back one sends none; the request that made the change
// never waits for a receiver. The job makes the first attempt to every
// hook that wants the event at once (one job, not one per hook: the
// queue's bookkeeping per job was the largest cost of a delivery). A
// failed attempt (no answer, or an answer other than 2xx) is logged,
// counted towards auto-disabling and split off into a job of that hook
// alone, which the queue retries with growing waits, up to
// hookMaxAttempts attempts in all; a hook disabled meanwhile gets no
// further attempt. Every attempt sends the same event UUID and
// Idempotency-Key, so a receiver can tell a retry. Should the split-off
// jobs fail to be queued, the event's job runs again and its receivers
// may see the event twice, with the same keys: delivery is at least once.

const (
	// hookQueueName is the job queue of deliveries, apart from the
	// periodic work so slow receivers never hold it up.
	hookQueueName = "web_hooks"
	// hookWorkers bounds the events (jobs) delivered at once per instance,
	// each to up to hookFanOut hooks at a time. River fetches at most this
	// many jobs per fetch cycle. With a job per (hook, event) River's
	// SQLite completer, one UPDATE per finished job, was the largest cost
	// (842 deliveries/s to a local sink in go run ./bench's webhooks
	// line); a job per event does that once for all its hooks. Slow
	// receivers hold a worker each for up to hookTimeout.
	hookWorkers = 100
	// hookTimeout bounds one request, as GitLab's 10 s.
	hookTimeout = 10 * time.Second
	// hookResponseLimit truncates a logged response body (GitLab: 8 kB).
	hookResponseLimit = 8 << 10
	// hookLogRetention is how long delivery logs are kept (GitLab: 7 days).
	hookLogRetention = 7 * 24 * time.Hour
	// hookMaxAttempts bounds the attempts of one delivery: the first and
	// three retries.
	hookMaxAttempts = 4
	// defaultHookRetryDelay is the wait before the first retry; each next
	// one waits hookRetryFactor times longer (10 s, 40 s, 160 s).
	defaultHookRetryDelay = 10 * time.Second
	hookRetryFactor       = 4
)

// hookDeliveryArgs is an event to deliver to hooks: Targets on its first
// attempt, or the one hook HookID on a retry.
type hookDeliveryArgs struct {
	Targets []hookTarget `json:"targets,omitempty"`
	HookID  int64        `json:"hook_id,omitempty"`
	// IdempotencyKey is HookID's, the same in every attempt of the delivery.
	IdempotencyKey string `json:"idempotency_key,omitempty"`
	// PriorAttempts counts the attempts HookID had before this job.
	PriorAttempts int             `json:"prior_attempts,omitempty"`
	Trigger       string          `json:"trigger"`
	Event         string          `json:"event"`
	EventUUID     string          `json:"event_uuid"`
	Payload       json.RawMessage `json:"payload"`
}

// hookTarget is one hook of an event's first attempt.
type hookTarget struct {
	HookID         int64  `json:"hook_id"`
	IdempotencyKey string `json:"idempotency_key"`
}

func (hookDeliveryArgs) Kind() string { return "web_hook" }

// newHookQueue is the insert-only River client of deliveries; the
// background queue (RunBackground) works them.
func newHookQueue(db *store.DB, log *slog.Logger) *river.Client[*sql.Tx] {
	c, err := river.NewClient(db.JobQueueDriver(), &river.Config{Logger: quietLogger(log)})
	if err != nil {
		log.Error("web hooks: job queue client", "err", err)
		return nil
	}
	return c
}

// hookWorker delivers one event to one hook.
type hookWorker struct {
	river.WorkerDefaults[hookDeliveryArgs]
	s *Service
}

func (w hookWorker) Work(ctx context.Context, job *river.Job[hookDeliveryArgs]) error {
	a := job.Args
	if len(a.Targets) == 0 {
		attempt := a.PriorAttempts + job.Attempt
		return w.s.attemptHook(ctx, a, hookTarget{HookID: a.HookID, IdempotencyKey: cmp.Or(a.IdempotencyKey, newUUID())}, attempt)
	}
	return w.s.fanOutHooks(ctx, a)
}

// attemptHook makes one attempt to deliver a's event to target, unless the
// hook was deleted or disabled since (GitLab drops the event then too).
// The error is for River: a failed attempt, logged and counted already,
// or what lablet failed to do.
func (s *Service) attemptHook(ctx context.Context, a hookDeliveryArgs, target hookTarget, attempt int) error {
	h, err := s.db.Queries().WebHookByID(ctx, target.HookID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if hookAlertStatus(h, s.Now()) != "executable" {
		return nil
	}
	res, err := s.deliverHookOnce(ctx, h, a.Trigger, a.Event, a.EventUUID, target.IdempotencyKey, a.Payload)
	if err != nil {
		return err
	}
	if !res.OK() {
		return fmt.Errorf("web hook %d: attempt %d of %d failed: %s", h.ID, attempt, hookMaxAttempts, res.failure())
	}
	return nil
}

// hookFanOut bounds the concurrent first attempts of one event.
const hookFanOut = 16

// fanOutHooks makes the first attempt to each of a's targets at once and
// queues a retry job for each that failed.
func (s *Service) fanOutHooks(ctx context.Context, a hookDeliveryArgs) error {
	failed := make([]bool, len(a.Targets))
	sem := make(chan struct{}, hookFanOut)
	var wg sync.WaitGroup
	for i, target := range a.Targets {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			if err := s.attemptHook(ctx, a, target, 1); err != nil {
				failed[i] = true
			}
		}()
	}
	wg.Wait()
	var retries []river.InsertManyParams
	for i, target := range a.Targets {
		if !failed[i] {
			continue
		}
		retry := a
		retry.Targets, retry.HookID, retry.IdempotencyKey, retry.PriorAttempts = nil, target.HookID, target.IdempotencyKey, 1
		retries = append(retries, river.InsertManyParams{Args: retry, InsertOpts: &river.InsertOpts{
			Queue: hookQueueName, MaxAttempts: hookMaxAttempts - 1, ScheduledAt: s.hookRetryAt(1)}})
	}
	// Queued even if the job's time ran out meanwhile: the attempts made
	// must not be made again.
	if err := s.insertJobs(context.WithoutCancel(ctx), s.db.Queries(), retries); err != nil {
		return fmt.Errorf("service: queue hook retries: %w", err)
	}
	return nil
}

// Timeout leaves every round of an event's first attempts its hookTimeout.
func (w hookWorker) Timeout(job *river.Job[hookDeliveryArgs]) time.Duration {
	rounds := max((len(job.Args.Targets)+hookFanOut-1)/hookFanOut, 1)
	return time.Duration(rounds+1) * hookTimeout
}

// NextRetry waits hookRetryDelay after the first failed attempt, and
// hookRetryFactor times longer after each next one.
func (w hookWorker) NextRetry(job *river.Job[hookDeliveryArgs]) time.Time {
	return w.s.hookRetryAt(job.Args.PriorAttempts + job.Attempt)
}

// hookRetryAt is when to try again after attempt failed.
func (s *Service) hookRetryAt(attempt int) time.Time {
	d := s.hookRetryDelay
	for i := 1; i < attempt; i++ {
		d *= hookRetryFactor
	}
	return time.Now().Add(d)
}

// hookEvent is one event to send to the hooks that want it.
type hookEvent struct {
	// trigger names the event in logs (GitLab's hook scopes: push_hooks…).
	trigger string
	// header is X-Gitlab-Event ("Push Hook"); system hooks get "System Hook".
	header string
	// wants picks the hooks that take the event.
	wants   func(h *model.WebHook) bool
	payload any
	// build makes the payload when payload is nil, only once some hook
	// wants the event (CI events are many and read the repository).
	build func() (any, error)
}

// payloadValue is ev's payload, built if it has not been.
func (ev *hookEvent) payloadValue() (any, error) {
	if ev.payload == nil && ev.build != nil {
		payload, err := ev.build()
		if err != nil {
			return nil, err
		}
		ev.payload = payload
	}
	return ev.payload, nil
}

// wantedBy reports whether any of hooks takes ev.
func (ev *hookEvent) wantedBy(hooks []*model.WebHook) bool {
	for _, h := range hooks {
		if ev.wants(h) {
			return true
		}
	}
	return false
}

// enqueueHookEvent inserts, in q's transaction, a delivery of ev to each
// of the project's hooks (and its groups' and the system's) that want it.
func (s *Service) enqueueHookEvent(ctx context.Context, q *store.Queries, p *model.Project, ev hookEvent) error {
	if s.hookQueue == nil {
		return nil
	}
	hooks, err := q.WebHooksForProject(ctx, p.ID, p.NamespaceID)
	if err != nil {
		return err
	}
	return s.enqueueToHooks(ctx, q, hooks, ev)
}

// enqueueToHooks inserts, in q's transaction, a delivery of ev to each of
// hooks that wants it and may run.
func (s *Service) enqueueToHooks(ctx context.Context, q *store.Queries, hooks []*model.WebHook, ev hookEvent) error {
	var targets []hookTarget
	var systemTargets []hookTarget
	var body json.RawMessage
	for _, h := range hooks {
		if !ev.wants(h) || hookAlertStatus(h, q.Now()) != "executable" {
			continue
		}
		if body == nil {
			payload, err := ev.payloadValue()
			if err != nil {
				return err
			}
			if body, err = json.Marshal(payload); err != nil {
				return fmt.Errorf("service: hook payload: %w", err)
			}
		}
		target := hookTarget{HookID: h.ID, IdempotencyKey: newUUID()}
		if h.Kind == model.HookOfSystem {
			systemTargets = append(systemTargets, target)
		} else {
			targets = append(targets, target)
		}
	}
	// One job per X-Gitlab-Event header: system hooks get "System Hook".
	eventUUID := newUUID()
	var params []river.InsertManyParams
	for _, job := range []struct {
		header  string
		targets []hookTarget
	}{{ev.header, targets}, {"System Hook", systemTargets}} {
		if len(job.targets) > 0 {
			params = append(params, river.InsertManyParams{
				Args: hookDeliveryArgs{Targets: job.targets, Trigger: ev.trigger, Event: job.header, EventUUID: eventUUID,
					Payload: body},
				InsertOpts: &river.InsertOpts{Queue: hookQueueName, MaxAttempts: hookMaxAttempts}})
		}
	}
	if err := s.insertJobs(ctx, q, params); err != nil {
		return fmt.Errorf("service: enqueue hooks: %w", err)
	}
	return nil
}

// insertJobs inserts jobs into the queue in q's transaction (or at once
// outside one), so they commit with the change they follow.
func (s *Service) insertJobs(ctx context.Context, q *store.Queries, params []river.InsertManyParams) error {
	if len(params) == 0 {
		return nil
	}
	var err error
	if tx := q.SQLTx(); tx != nil {
		_, err = s.hookQueue.InsertManyTx(ctx, tx, params)
	} else {
		_, err = s.hookQueue.InsertMany(ctx, params)
	}
	return err
}

// HookResult is what one delivery got back.
type HookResult struct {
	Status  int // 0: no answer (refused, timed out)
	Message string
}

// OK reports a 2xx answer.
func (r HookResult) OK() bool { return r.Status >= 200 && r.Status < 300 }

func (r HookResult) failure() string {
	if r.Status == 0 {
		return r.Message
	}
	return "HTTP " + strconv.Itoa(r.Status)
}

// deliverHook sends payload to h once with a fresh Idempotency-Key (tests
// and resends).
func (s *Service) deliverHook(ctx context.Context, h *model.WebHook, trigger, event, eventUUID string, payload []byte) (HookResult, error) {
	return s.deliverHookOnce(ctx, h, trigger, event, eventUUID, newUUID(), payload)
}

// deliverHookOnce sends payload to h once, logs the attempt and moves h's
// auto-disabling state. A receiver's failure is in the result; the error
// is for what lablet failed to do.
func (s *Service) deliverHookOnce(ctx context.Context, h *model.WebHook, trigger, event, eventUUID, idempotencyKey string, payload []byte) (HookResult, error) {
	policy := s.hookPolicy(ctx, h.Kind)
	headers := map[string]string{
		"Content-Type":          "application/json",
		"User-Agent":            "GitLab/" + s.version,
		"X-Gitlab-Event":        event,
		"X-Gitlab-Webhook-UUID": newUUID(),
		"X-Gitlab-Instance":     s.externalURL,
		"X-Gitlab-Event-UUID":   eventUUID,
		"Idempotency-Key":       idempotencyKey,
	}
	for _, hd := range h.CustomHeaders {
		headers[hd.Key] = hd.Value
	}
	if h.Token != "" {
		headers["X-Gitlab-Token"] = h.Token
	}
	log := &model.WebHookLog{WebHookID: h.ID, Trigger: trigger, URL: h.URL, RequestData: string(payload),
		RequestHeaders: map[string]string{}, ResponseHeaders: map[string]string{}}
	for k, v := range headers {
		if k == "X-Gitlab-Token" {
			v = "[REDACTED]"
		}
		log.RequestHeaders[k] = v
	}
	result := HookResult{}
	start := time.Now()
	status, err := s.postHook(ctx, policy, h.URL, headers, payload, log)
	log.ExecutionDuration = time.Since(start).Seconds()
	if err != nil {
		log.ResponseStatus, log.InternalErrorMessage = "internal error", err.Error()
		result.Message = err.Error()
	} else {
		log.ResponseStatus = strconv.Itoa(status)
		result.Status = status
	}
	ok := err == nil && status >= 200 && status < 300
	return result, s.recordHook(ctx, h, log, ok)
}

// postHook makes the request; redirects are not followed and every dial
// is checked against the policy.
func (s *Service) postHook(ctx context.Context, policy outbound.Policy, url string, headers map[string]string,
	payload []byte, log *model.WebHookLog) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, hookTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(payload))
	if err != nil {
		return 0, err
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := s.outbound.Client(policy, hookTimeout, false).Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, hookResponseLimit))
	log.ResponseBody = string(body)
	for k := range resp.Header {
		log.ResponseHeaders[k] = resp.Header.Get(k)
	}
	return resp.StatusCode, nil
}

// purgeHookLogs removes delivery logs past their retention.
func (s *Service) purgeHookLogs(ctx context.Context) error {
	return s.db.Queries().DeleteWebHookLogsBefore(ctx, s.Now().Add(-hookLogRetention))
}

// newUUID is a random (version 4) UUID.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
