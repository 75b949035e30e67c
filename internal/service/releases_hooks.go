package service

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// Release events (Gitlab::DataBuilder::Release), queued in the transaction
// of the change for hooks with releases_events.

// ReleaseSourceFormats are the archive formats a release's sources offer.
var ReleaseSourceFormats = []string{"zip", "tar.gz", "tar.bz2", "tar"}

// ReleaseSource is one source archive of a release.
type ReleaseSource struct {
	Format string `json:"format"`
	URL    string `json:"url"`
}

// ReleaseSources are GitLab's Releases::Source list: the tag's archive in
// every format, under the project's web URL.
func ReleaseSources(webURL, projectPath, tag string) []ReleaseSource {
	out := make([]ReleaseSource, len(ReleaseSourceFormats))
	e := url.PathEscape(tag)
	for i, f := range ReleaseSourceFormats {
		out[i] = ReleaseSource{Format: f, URL: webURL + "/-/archive/" + e + "/" + projectPath + "-" + e + "." + f}
	}
	return out
}

// ReleaseWebLinks are a release's web pages (the entity's _links, the
// GraphQL ReleaseLinks): its issues and merge requests by state, itself.
type ReleaseWebLinks struct {
	ClosedIssues, ClosedMergeRequests, MergedMergeRequests, OpenedIssues, OpenedMergeRequests, Self string
}

// ReleaseLinksOf are the web links of tag's release under the project's
// web URL.
func ReleaseLinksOf(webURL, tag string) ReleaseWebLinks {
	q := func(state string) string {
		return url.Values{"release_tag": {tag}, "scope": {"all"}, "state": {state}}.Encode()
	}
	return ReleaseWebLinks{ClosedIssues: webURL + "/-/issues?" + q("closed"),
		ClosedMergeRequests: webURL + "/-/merge_requests?" + q("closed"),
		MergedMergeRequests: webURL + "/-/merge_requests?" + q("merged"),
		OpenedIssues:        webURL + "/-/issues?" + q("opened"),
		OpenedMergeRequests: webURL + "/-/merge_requests?" + q("opened"),
		Self:                webURL + "/-/releases/" + url.PathEscape(tag)}
}

type hookReleaseLink struct {
	ID       int64  `json:"id"`
	External bool   `json:"external"`
	LinkType string `json:"link_type"`
	Name     string `json:"name"`
	URL      string `json:"url"`
}

type hookReleaseAssets struct {
	Count   int               `json:"count"`
	Links   []hookReleaseLink `json:"links"`
	Sources []ReleaseSource   `json:"sources"`
}

type hookReleaseCommit struct {
	ID        string   `json:"id"`
	Message   string   `json:"message"`
	Title     string   `json:"title"`
	Timestamp string   `json:"timestamp"`
	URL       string   `json:"url"`
	Author    hookName `json:"author"`
}

type hookRelease struct {
	ObjectKind  string             `json:"object_kind"`
	ID          int64              `json:"id"`
	CreatedAt   string             `json:"created_at"`
	Description string             `json:"description"`
	Name        string             `json:"name"`
	ReleasedAt  string             `json:"released_at"`
	Tag         string             `json:"tag"`
	Project     hookProject        `json:"project"`
	URL         string             `json:"url"`
	Action      string             `json:"action"`
	Assets      hookReleaseAssets  `json:"assets"`
	Commit      *hookReleaseCommit `json:"commit"`
}

// releaseHooks queues the release's event (action create, update or
// delete) in q's transaction; the commit is read only once a hook wants it.
func (s *Service) releaseHooks(ctx context.Context, q *store.Queries, p *model.Project, r *model.Release, action string) error {
	build := func() (any, error) {
		links, err := q.ReleaseLinks(ctx, []int64{r.ID})
		if err != nil {
			return nil, err
		}
		hp := s.hookProjectOf(p)
		d := hookRelease{ObjectKind: "release", ID: r.ID, CreatedAt: r.CreatedAt.UTC().Format(hookTime),
			Description: r.Description, Name: r.Name, ReleasedAt: r.ReleasedAt.UTC().Format(hookTime), Tag: r.Tag,
			Project: hp, URL: hp.WebURL + "/-/releases/" + url.PathEscape(r.Tag), Action: action,
			Assets: hookReleaseAssets{Links: []hookReleaseLink{}, Sources: ReleaseSources(hp.WebURL, p.Path, r.Tag)}}
		for _, l := range links[r.ID] {
			d.Assets.Links = append(d.Assets.Links, hookReleaseLink{ID: l.ID, External: true, LinkType: l.LinkType,
				Name: l.Name, URL: l.URL})
		}
		d.Assets.Count = len(d.Assets.Links) + len(d.Assets.Sources)
		if r.SHA != "" {
			cs, err := s.repos.Open(p.ID).CommitsByID(ctx, []string{r.SHA})
			if err != nil {
				return nil, fmt.Errorf("service: release hook commit: %w", err)
			}
			if c := cs[r.SHA]; c != nil {
				d.Commit = &hookReleaseCommit{ID: c.ID, Message: c.Message, Title: c.Title,
					Timestamp: c.Author.Date.Format(time.RFC3339), URL: hp.WebURL + "/-/commit/" + c.ID,
					Author: hookName{Name: c.Author.Name, Email: c.Author.Email}}
			}
		}
		return d, nil
	}
	return s.enqueueHookEvent(ctx, q, p, hookEvent{trigger: "release_hooks", header: "Release Hook",
		wants: func(h *model.WebHook) bool { return h.Events.Releases }, build: build})
}
