package service

import (
	"context"
	"errors"
	"strconv"

	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// A hook's recent deliveries (GitLab's web_hook_logs, WebHooks::
// WebHookLogsFinder, WebHooks::Events::ResendService).

// hookEventHeaders is X-Gitlab-Event by log trigger, for a resend.
var hookEventHeaders = map[string]string{"push_hooks": "Push Hook", "tag_push_hooks": "Tag Push Hook",
	"issue_hooks": "Issue Hook", "confidential_issue_hooks": "Issue Hook", "note_hooks": "Note Hook",
	"confidential_note_hooks": "Note Hook", "merge_request_hooks": "Merge Request Hook", "system_hooks": "System Hook"}

// HookLogs lists a hook's deliveries of the last 7 days, newest first,
// those whose status is among statuses when given: status codes, or
// "successful" (2xx), "client_failure" (4xx), "server_failure" (5xx).
func (s *Service) HookLogs(ctx context.Context, id *auth.Identity, o HookOwner, hookID int64, statuses []string) ([]*model.WebHookLog, error) {
	h, err := s.hook(ctx, id, o, hookID)
	if err != nil {
		return nil, err
	}
	match := func(string) bool { return true }
	if len(statuses) > 0 {
		ranges := make([][2]int, 0, len(statuses))
		for _, st := range statuses {
			switch st {
			case "successful":
				ranges = append(ranges, [2]int{200, 299})
			case "client_failure":
				ranges = append(ranges, [2]int{400, 499})
			case "server_failure":
				ranges = append(ranges, [2]int{500, 599})
			default:
				n, err := strconv.Atoi(st)
				if err != nil || n < 100 || n > 599 {
					return nil, ParamError("status does not have a valid value")
				}
				ranges = append(ranges, [2]int{n, n})
			}
		}
		match = func(status string) bool {
			n, err := strconv.Atoi(status)
			for _, r := range ranges {
				if err == nil && n >= r[0] && n <= r[1] {
					return true
				}
			}
			return false
		}
	}
	logs, err := s.db.Queries().WebHookLogs(ctx, h.ID, s.Now().Add(-hookLogRetention))
	if err != nil {
		return nil, err
	}
	out := logs[:0]
	for _, l := range logs {
		if match(l.ResponseStatus) {
			out = append(out, l)
		}
	}
	return out, nil
}

// ResendHookLog sends a logged delivery again, now, if the hook still has
// that URL; it returns the receiver's status.
func (s *Service) ResendHookLog(ctx context.Context, id *auth.Identity, o HookOwner, hookID, logID int64) (int, error) {
	h, err := s.hook(ctx, id, o, hookID)
	if err != nil {
		return 0, err
	}
	l, err := s.db.Queries().WebHookLog(ctx, h.ID, logID)
	if errors.Is(err, store.ErrNotFound) {
		return 0, errHookNotFound
	}
	if err != nil {
		return 0, err
	}
	if l.URL != h.URL {
		return 0, &Error{Kind: KindUnprocessable, Message: "The hook URL has changed, and this log entry cannot be retried"}
	}
	header := hookEventHeaders[l.Trigger]
	if h.Kind == model.HookOfSystem {
		header = "System Hook"
	}
	res, err := s.deliverHook(ctx, h, l.Trigger, header, newUUID(), []byte(l.RequestData))
	if err != nil {
		return 0, err
	}
	if res.Status == 0 {
		return 0, &Error{Kind: KindUnprocessable, Message: res.Message}
	}
	return res.Status, nil
}
