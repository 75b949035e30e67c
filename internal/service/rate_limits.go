package service

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// Rate limiting (GitLab's Rack::Attack throttles and its failed
// authentication ban). Counters live in the database, one row per bucket
// and fixed window, so instances sharing it share the counts. To keep a
// database write off most requests each instance counts locally and
// sends its deltas in batches (rateLimitSyncInterval):
//
//   - the first request of a bucket and window on an instance, and one
//     whose count was last synced more than twice the interval ago, is
//     counted in the database at once, so an instance sees what the
//     others counted meanwhile;
//   - a request that the local estimate puts over the limit is confirmed
//     against the database (its pending delta sent first), so a refusal
//     never rests on a stale estimate, and once confirmed the bucket is
//     refused locally until its window ends;
//   - otherwise the request adds to the local delta.
//
// So lablet never refuses below the limit, and may let through over it at
// most what the other instances counted in the last two sync intervals
// and had not sent yet: a fifth of a second of their traffic.
const (
	rateLimitSyncInterval = 100 * time.Millisecond
	// throttleSettingsTTL bounds how long an instance serves throttle
	// settings another instance changed (its own changes apply at once).
	throttleSettingsTTL = time.Second
)

// ThrottleResult is a request's count against a throttle: GitLab's
// RequestThrottleData.
type ThrottleResult struct {
	Name      string
	Limit     int64
	Period    int64
	Observed  int64
	Now       int64 // Unix seconds
	Throttled bool
}

// Remaining is what is left of the window's quota.
func (r ThrottleResult) Remaining() int64 { return max(r.Limit-r.Observed, 0) }

// RetryAfter is how many seconds remain of the window.
func (r ThrottleResult) RetryAfter() int64 { return r.Period - r.Now%r.Period }

// Reset is when the window ends, in Unix seconds.
func (r ThrottleResult) Reset() int64 { return r.Now + r.RetryAfter() }

// LimitPerMinute is the limit scaled to a minute, rounded up, as GitLab
// shows it in RateLimit-Limit.
func (r ThrottleResult) LimitPerMinute() int64 { return (r.Limit*60 + r.Period - 1) / r.Period }

// GitAuthBan is the failed-authentication ban of git over HTTP: MaxRetry
// failed authentications from one address within FindTime ban it for
// BanTime. Off unless Enabled, as GitLab's.
type GitAuthBan struct {
	Enabled  bool
	MaxRetry int64
	FindTime time.Duration
	BanTime  time.Duration
}

type rateLimiter struct {
	settings atomic.Pointer[throttleSnapshot]
	refresh  sync.Mutex

	mu      sync.Mutex
	entries map[rateKey]*rateEntry
	syncMu  sync.Mutex
}

type throttleSnapshot struct {
	at       time.Time
	settings model.ThrottleSettings
}

type rateKey struct {
	bucket string
	window int64
}

type rateEntry struct {
	known   int64 // the database's total when last heard
	pending int64 // counted here, not sent yet
	sending int64 // sent, the database's answer not back yet
	synced  time.Time
	expires int64
	blocked bool
}

func newRateLimiter() *rateLimiter { return &rateLimiter{entries: map[rateKey]*rateEntry{}} }

// ThrottleSettings returns the throttle settings from a snapshot at most
// throttleSettingsTTL old: the hot path reads no database while it is
// fresh.
func (s *Service) ThrottleSettings(ctx context.Context) (*model.ThrottleSettings, error) {
	rl := s.rateLimits
	if snap := rl.settings.Load(); snap != nil && time.Since(snap.at) < throttleSettingsTTL {
		return &snap.settings, nil
	}
	rl.refresh.Lock()
	defer rl.refresh.Unlock()
	if snap := rl.settings.Load(); snap != nil && time.Since(snap.at) < throttleSettingsTTL {
		return &snap.settings, nil
	}
	as, err := s.InstanceSettings(ctx)
	if err != nil {
		return nil, err
	}
	snap := &throttleSnapshot{at: time.Now(), settings: as.ThrottleSettings}
	rl.settings.Store(snap)
	return &snap.settings, nil
}

// forgetThrottleSettings makes the next request read the settings again.
func (s *Service) forgetThrottleSettings() { s.rateLimits.settings.Store(nil) }

// CountRequest counts one request of key (a user or an address) against
// the throttle name and tells whether it is over the limit.
func (s *Service) CountRequest(ctx context.Context, name, key string, t model.Throttle) (ThrottleResult, error) {
	now := time.Now().Unix()
	period := max(t.PeriodInSeconds, 1)
	res := ThrottleResult{Name: name, Limit: t.RequestsPerPeriod, Period: period, Now: now}
	k := rateKey{bucket: name + ":" + key, window: now - now%period}
	expires := k.window + period
	rl := s.rateLimits
	rl.mu.Lock()
	e := rl.entries[k]
	if e == nil || (!e.blocked && time.Since(e.synced) > 2*rateLimitSyncInterval) {
		var delta int64 = 1
		if e == nil {
			e = &rateEntry{expires: expires}
			rl.entries[k] = e
		}
		delta += e.pending
		e.pending, e.sending = 0, e.sending+delta
		rl.mu.Unlock()
		total, err := s.addRateCount(ctx, k, expires, delta)
		rl.mu.Lock()
		e.sending -= delta
		if err != nil {
			e.pending += delta - 1
			rl.mu.Unlock()
			return res, err
		}
		e.known, e.synced = max(e.known, total), time.Now()
	} else {
		e.pending++
		if e.known+e.sending+e.pending > res.Limit && !e.blocked {
			delta := e.pending
			e.pending, e.sending = 0, e.sending+delta
			rl.mu.Unlock()
			total, err := s.addRateCount(ctx, k, expires, delta)
			rl.mu.Lock()
			e.sending -= delta
			if err != nil {
				e.pending += delta
				rl.mu.Unlock()
				return res, err
			}
			e.known, e.synced = max(e.known, total), time.Now()
		}
	}
	res.Observed = e.known + e.sending + e.pending
	if res.Observed > res.Limit {
		e.blocked = true
	}
	res.Throttled = e.blocked
	rl.mu.Unlock()
	return res, nil
}

func (s *Service) addRateCount(ctx context.Context, k rateKey, expires, delta int64) (int64, error) {
	totals, err := s.db.AddRateLimitCounts(ctx, []model.RateLimitCount{{Bucket: k.bucket, WindowStart: k.window,
		ExpiresAt: expires, Delta: delta}})
	if err != nil {
		return 0, err
	}
	return totals[0], nil
}

// SyncRateLimits sends this instance's pending counts to the database
// every rateLimitSyncInterval until ctx ends, then once more.
func (s *Service) SyncRateLimits(ctx context.Context) {
	ctx = store.Background(ctx)
	tick := time.NewTicker(rateLimitSyncInterval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			if err := s.FlushRateLimits(context.WithoutCancel(ctx)); err != nil {
				s.log.Warn("rate limits: final sync", "err", err)
			}
			return
		case <-tick.C:
			if err := s.FlushRateLimits(ctx); err != nil {
				s.log.Warn("rate limits: sync", "err", err)
			}
		}
	}
}

// FlushRateLimits sends the pending counts in one transaction, learns
// the totals back and forgets windows that ended.
func (s *Service) FlushRateLimits(ctx context.Context) error {
	rl := s.rateLimits
	rl.syncMu.Lock()
	defer rl.syncMu.Unlock()
	now := time.Now().Unix()
	var keys []rateKey
	var batch []model.RateLimitCount
	rl.mu.Lock()
	for k, e := range rl.entries {
		if e.expires <= now {
			delete(rl.entries, k)
			continue
		}
		if e.pending > 0 {
			keys = append(keys, k)
			batch = append(batch, model.RateLimitCount{Bucket: k.bucket, WindowStart: k.window, ExpiresAt: e.expires, Delta: e.pending})
			e.pending, e.sending = 0, e.sending+e.pending
		}
	}
	rl.mu.Unlock()
	if len(batch) == 0 {
		return nil
	}
	totals, err := s.db.AddRateLimitCounts(ctx, batch)
	rl.mu.Lock()
	defer rl.mu.Unlock()
	for i, k := range keys {
		e := rl.entries[k]
		if e == nil {
			continue
		}
		e.sending -= batch[i].Delta
		if err != nil {
			e.pending += batch[i].Delta
			continue
		}
		e.known, e.synced = max(e.known, totals[i]), time.Now()
	}
	return err
}

// The failed-authentication ban's buckets.
func gitAuthFailBucket(ip string) string { return "git_auth_fail:" + ip }
func gitAuthBanBucket(ip string) string  { return "git_auth_ban:" + ip }

// GitAuthBanned reports whether ip is banned from git over HTTP.
func (s *Service) GitAuthBanned(ctx context.Context, ip string) (bool, error) {
	if !s.gitAuthBan.Enabled {
		return false, nil
	}
	return s.db.Queries().RateLimitBucketLive(ctx, gitAuthBanBucket(ip), 0, time.Now().Unix())
}

// GitAuthFailed counts a failed authentication of ip over git HTTP and
// bans ip when it reaches MaxRetry within FindTime.
func (s *Service) GitAuthFailed(ctx context.Context, ip string) error {
	b := s.gitAuthBan
	if !b.Enabled {
		return nil
	}
	now := time.Now().Unix()
	find := max(int64(b.FindTime/time.Second), 1)
	k := rateKey{bucket: gitAuthFailBucket(ip), window: now - now%find}
	total, err := s.addRateCount(ctx, k, k.window+find, 1)
	if err != nil || total < b.MaxRetry {
		return err
	}
	_, err = s.addRateCount(ctx, rateKey{bucket: gitAuthBanBucket(ip)}, now+int64(b.BanTime/time.Second), 1)
	if err == nil {
		s.log.WarnContext(ctx, "git over HTTP: address banned after failed authentications", "ip", ip,
			"failures", total, "ban", b.BanTime)
	}
	return err
}

// GitAuthSucceeded forgets ip's failed authentications (a success resets
// the count, as GitLab's), writing only when there are some.
func (s *Service) GitAuthSucceeded(ctx context.Context, ip string) error {
	if !s.gitAuthBan.Enabled {
		return nil
	}
	q := s.db.Queries()
	live, err := q.RateLimitBucketLive(ctx, gitAuthFailBucket(ip), -1, time.Now().Unix())
	if err != nil || !live {
		return err
	}
	return q.DeleteRateLimitBucket(ctx, gitAuthFailBucket(ip))
}

// deleteExpiredRateLimits is the housekeeping of the counters.
func (s *Service) deleteExpiredRateLimits(ctx context.Context) error {
	return s.db.Queries().DeleteExpiredRateLimitCounts(ctx, time.Now().Unix())
}

// GitAuthBanEnabled reports whether git over HTTP's failed-authentication
// ban is on.
func (s *Service) GitAuthBanEnabled() bool { return s.gitAuthBan.Enabled }

// GitSSHOperationLimited is GitLab's answer to a git command over SSH past
// the gitlab_shell_operation rate limit.
const GitSSHOperationLimited = "This endpoint has been requested too many times. Try again later."

// CountGitSSHOperation counts one git command over SSH against GitLab's
// gitlab_shell_operation limit (the instance's gitlab_shell_operation_limit
// a minute, 0: off): once for the actor (a user or a deploy key) on the
// project and command, once for the client's address, as GitLab's
// internal API counts them. It reports whether either is over the limit.
func (s *Service) CountGitSSHOperation(ctx context.Context, command, projectPath, actor, ip string) (bool, error) {
	ts, err := s.ThrottleSettings(ctx)
	if err != nil {
		return false, err
	}
	if ts.GitlabShellOperationLimit <= 0 {
		return false, nil
	}
	t := model.Throttle{Enabled: true, RequestsPerPeriod: ts.GitlabShellOperationLimit, PeriodInSeconds: 60}
	scope := command + ":" + strings.ToLower(projectPath) + ":"
	limited := false
	for _, who := range []string{actor, "ip:" + ip} {
		res, err := s.CountRequest(ctx, "gitlab_shell_operation", scope+who, t)
		if err != nil {
			return false, err
		}
		limited = limited || res.Throttled
	}
	return limited, nil
}
