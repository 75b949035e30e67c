// Package releases serves GitLab's Releases API and its release links
// (assets) API.
package releases

import (
	"encoding/json"
	"net/http"
	"net/url"

	v4 "github.com/lablet/lablet/internal/api/v4"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// linkEntity is GitLab's Entities::Releases::Link.
type linkEntity struct {
	ID             int64  `json:"id"`
	Name           string `json:"name"`
	URL            string `json:"url"`
	DirectAssetURL string `json:"direct_asset_url"`
	LinkType       string `json:"link_type"`
}

type assetsEntity struct {
	Count   int                     `json:"count"`
	Sources []service.ReleaseSource `json:"sources,omitempty"`
	Links   []linkEntity            `json:"links"`
}

type releaseLinks struct {
	ClosedIssuesURL        string `json:"closed_issues_url"`
	ClosedMergeRequestsURL string `json:"closed_merge_requests_url"`
	EditURL                string `json:"edit_url,omitempty"`
	MergedMergeRequestsURL string `json:"merged_merge_requests_url"`
	OpenedIssuesURL        string `json:"opened_issues_url"`
	OpenedMergeRequestsURL string `json:"opened_merge_requests_url"`
	Self                   string `json:"self"`
}

// releaseEntity is GitLab's Entities::Release; the commit, its paths, the
// sources and evidences only for callers who read the code.
type releaseEntity struct {
	Name            string          `json:"name"`
	TagName         string          `json:"tag_name"`
	Description     *string         `json:"description"`
	DescriptionHTML *string         `json:"description_html,omitempty"`
	CreatedAt       string          `json:"created_at"`
	ReleasedAt      string          `json:"released_at"`
	UpcomingRelease bool            `json:"upcoming_release"`
	Author          *v4.BasicUser   `json:"author,omitempty"`
	Commit          json.RawMessage `json:"commit,omitempty"`
	Milestones      []any           `json:"milestones,omitempty"`
	CommitPath      *string         `json:"commit_path,omitempty"`
	TagPath         *string         `json:"tag_path,omitempty"`
	Assets          assetsEntity    `json:"assets"`
	Evidences       *[]any          `json:"evidences,omitempty"`
	Links           releaseLinks    `json:"_links"`
}

// basicReleaseEntity is Entities::BasicReleaseDetails (simple=true).
type basicReleaseEntity struct {
	Name            string  `json:"name"`
	TagName         string  `json:"tag_name"`
	Description     *string `json:"description"`
	CreatedAt       string  `json:"created_at"`
	ReleasedAt      string  `json:"released_at"`
	UpcomingRelease bool    `json:"upcoming_release"`
}

func projectWebURL(base string, p *model.Project) string { return base + "/" + p.FullPath() }

func releaseWebURL(base string, p *model.Project, tag string) string {
	return projectWebURL(base, p) + "/-/releases/" + url.PathEscape(tag)
}

func linkEntityOf(base string, p *model.Project, r *model.Release, l *model.ReleaseLink) linkEntity {
	e := linkEntity{ID: l.ID, Name: l.Name, URL: l.URL, DirectAssetURL: l.URL, LinkType: l.LinkType}
	if l.Filepath != nil {
		e.DirectAssetURL = releaseWebURL(base, p, r.Tag) + "/downloads" + *l.Filepath
	}
	return e
}

func describe(d string) *string {
	if d == "" {
		return nil
	}
	return &d
}

func releaseEntityOf(a *v4.API, r *http.Request, v *service.ReleaseView) (releaseEntity, error) {
	base := a.BaseURL(r)
	rel, p := v.Release, v.Project
	web := projectWebURL(base, p)
	e := releaseEntity{Name: rel.Name, TagName: rel.Tag, Description: describe(rel.Description),
		DescriptionHTML: v.DescriptionHTML, CreatedAt: v4.TS(rel.CreatedAt), ReleasedAt: v4.TS(rel.ReleasedAt),
		UpcomingRelease: v.Upcoming(a.Service().Now())}
	if v.Author != nil {
		u := v4.BasicUserAt(base, a.Gravatar(), v.Author)
		e.Author = &u
	}
	links := make([]linkEntity, 0, len(v.Links))
	for _, l := range v.Links {
		links = append(links, linkEntityOf(base, p, rel, l))
	}
	e.Assets = assetsEntity{Count: len(links), Links: links}
	if v.ReadCode {
		commit := json.RawMessage("null")
		if v.Commit != nil {
			b, err := json.Marshal(a.CommitEntity(r, p, v.Commit))
			if err != nil {
				return e, err
			}
			commit = b
		}
		e.Commit = commit
		cp := "/" + p.FullPath() + "/-/commit/" + rel.SHA
		tp := "/" + p.FullPath() + "/-/tags/" + url.PathEscape(rel.Tag)
		e.CommitPath, e.TagPath = &cp, &tp
		e.Assets.Sources = service.ReleaseSources(web, p.Path, rel.Tag)
		e.Assets.Count += len(e.Assets.Sources)
		e.Evidences = &[]any{}
	}
	for _, m := range v.Milestones {
		e.Milestones = append(e.Milestones, a.MilestoneEntity(r, m))
	}
	l := service.ReleaseLinksOf(web, rel.Tag)
	e.Links = releaseLinks{ClosedIssuesURL: l.ClosedIssues, ClosedMergeRequestsURL: l.ClosedMergeRequests,
		MergedMergeRequestsURL: l.MergedMergeRequests, OpenedIssuesURL: l.OpenedIssues,
		OpenedMergeRequestsURL: l.OpenedMergeRequests, Self: l.Self}
	if v.CanUpdate {
		e.Links.EditURL = e.Links.Self + "/edit"
	}
	return e, nil
}

func writeRelease(a *v4.API, w http.ResponseWriter, r *http.Request, v *service.ReleaseView, status int) error {
	e, err := releaseEntityOf(a, r, v)
	if err != nil {
		return err
	}
	v4.WriteJSON(w, status, e)
	return nil
}

func writeReleases(a *v4.API, w http.ResponseWriter, r *http.Request, views []*service.ReleaseView, simple bool) error {
	if simple {
		out := make([]basicReleaseEntity, len(views))
		now := a.Service().Now()
		for i, v := range views {
			out[i] = basicReleaseEntity{Name: v.Release.Name, TagName: v.Release.Tag,
				Description: describe(v.Release.Description), CreatedAt: v4.TS(v.Release.CreatedAt),
				ReleasedAt: v4.TS(v.Release.ReleasedAt), UpcomingRelease: v.Upcoming(now)}
		}
		return v4.WriteOK(w, out)
	}
	out := make([]releaseEntity, len(views))
	for i, v := range views {
		e, err := releaseEntityOf(a, r, v)
		if err != nil {
			return err
		}
		out[i] = e
	}
	return v4.WriteOK(w, out)
}
