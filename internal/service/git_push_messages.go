package service

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/lablet/lablet/internal/access"
)

// maxPushMessageBranches bounds the merge request lines of one push (and
// the query behind them): a mirror push of thousands of branches gets the
// first hundred.
const maxPushMessageBranches = 100

// pushMessages are what GitLab's post-receive tells the pusher
// (PostReceiveService): for each branch pushed other than the default
// branch, the open merge request from it or a link to create one
// (MergeRequests::GetUrlsService), then, when the client used an old
// path of a moved project, where it lives now (Gitlab::Checks::
// ContainerMoved). Deploy keys get none: they push as nobody.
func (s *Service) pushMessages(ctx context.Context, g *GitRepo, changes []RefChange) ([]string, error) {
	if g.Project == nil || g.identity == nil || g.BaseURL == "" {
		return nil, nil
	}
	p := g.Project
	var out []string
	if ProjectCan(g.identity, p, g.Level, access.ReadMergeRequest) {
		base := strings.TrimSuffix(g.BaseURL, "/") + "/"
		var branches []string
		seen := map[string]bool{}
		for _, c := range changes {
			branch, ok := strings.CutPrefix(c.Ref, gitBranchPrefix)
			if !ok || c.IsDelete() || seen[branch] || (p.DefaultBranch != nil && branch == *p.DefaultBranch) {
				continue
			}
			seen[branch] = true
			if len(branches) < maxPushMessageBranches {
				branches = append(branches, branch)
			}
		}
		open, err := s.db.Queries().OpenMergeRequestFromBranches(ctx, p.ID, branches)
		if err != nil {
			return nil, err
		}
		targets := map[int64]string{p.ID: p.FullPath()}
		for _, branch := range branches {
			mr, ok := open[branch]
			if !ok {
				out = append(out, "To create a merge request for "+branch+", visit:\n  "+base+p.FullPath()+
					"/-/merge_requests/new?"+url.Values{"merge_request[source_branch]": {branch}}.Encode())
				continue
			}
			target, ok := targets[mr[0]]
			if !ok {
				tp, err := s.db.Queries().ProjectByID(ctx, mr[0])
				if err != nil {
					return nil, fmt.Errorf("service: merge request target: %w", err)
				}
				target = tp.FullPath()
				targets[mr[0]] = target
			}
			out = append(out, "View merge request for "+branch+":\n  "+base+target+"/-/merge_requests/"+
				strconv.FormatInt(mr[1], 10))
		}
	}
	if moved := g.MovedNotice(); moved != "" {
		out = append(out, moved)
	}
	return out, nil
}

// MovedNotice is GitLab's notice to a client that named an old path of
// a moved project (Gitlab::Checks::ContainerMoved), or "" when it named
// the project's path or no remote URL is known.
func (g *GitRepo) MovedNotice() string {
	p := g.Project
	if p == nil || g.RequestedPath == "" || g.RemoteURL == nil || strings.EqualFold(g.RequestedPath, p.FullPath()) {
		return ""
	}
	return fmt.Sprintf("Project '%s' was moved to '%s'.\n\nPlease update your Git remote:\n\n  git remote set-url origin %s",
		g.RequestedPath, p.FullPath(), g.RemoteURL(p.FullPath()))
}
