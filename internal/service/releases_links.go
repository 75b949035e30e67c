package service

import (
	"context"
	"errors"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// Release links (GitLab's Releases::Link, Releases::Links::CreateService,
// UpdateService, DestroyService and API::Release::Links).

// ReleaseLinkTypes are Releases::Link's link_type values.
var ReleaseLinkTypes = []string{"other", "runbook", "image", "package"}

// releaseLinkFilepathRE is Releases::Link::FILEPATH_REGEX.
var releaseLinkFilepathRE = regexp.MustCompile(`\A/(?:[\-\.\w]+/?)*[\-\.\w]+\z`)

// ReleaseLinkInput is a link's fields; nil ones are left as they are
// (new links: blank).
type ReleaseLinkInput struct {
	Name     *string
	URL      *string
	Filepath *string
	LinkType *string
}

// ReleaseLinkView is a link with its release and project, for entities.
type ReleaseLinkView struct {
	Project *model.Project
	Release *model.Release
	Link    *model.ReleaseLink
}

func applyReleaseLink(l *model.ReleaseLink, in ReleaseLinkInput) {
	if in.Name != nil {
		l.Name = *in.Name
	}
	if in.URL != nil {
		l.URL = *in.URL
	}
	if in.Filepath != nil {
		if *in.Filepath == "" {
			l.Filepath = nil
		} else {
			fp := *in.Filepath
			l.Filepath = &fp
		}
	}
	if in.LinkType != nil {
		l.LinkType = *in.LinkType
	}
	if l.LinkType == "" {
		l.LinkType = "other"
	}
}

// releaseLinkErrors are Releases::Link's validation messages, in order.
func releaseLinkErrors(l *model.ReleaseLink) []string {
	var msgs []string
	if strings.TrimSpace(l.URL) == "" {
		msgs = append(msgs, "Url can't be blank")
	} else if m := releaseLinkURLError(l.URL); m != "" {
		msgs = append(msgs, m)
	}
	if strings.TrimSpace(l.Name) == "" {
		msgs = append(msgs, "Name can't be blank")
	}
	if l.Filepath != nil && !releaseLinkFilepathRE.MatchString(*l.Filepath) {
		msgs = append(msgs, "Filepath is in an invalid format")
	}
	if !validReleaseLinkType(l.LinkType) {
		msgs = append(msgs, "Link type is not included in the list")
	}
	return msgs
}

// releaseLinkURLError is AddressableUrlValidator with schemes http, https
// and ftp.
func releaseLinkURLError(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Host == "" {
		if err == nil && u.Scheme != "" && !validReleaseLinkScheme(u.Scheme) {
			return "Url is blocked: Only allowed schemes are http, https, ftp"
		}
		return "Url must be a valid URL"
	}
	if !validReleaseLinkScheme(u.Scheme) {
		return "Url is blocked: Only allowed schemes are http, https, ftp"
	}
	return ""
}

func validReleaseLinkScheme(s string) bool {
	switch strings.ToLower(s) {
	case "http", "https", "ftp":
		return true
	}
	return false
}

func validReleaseLinkType(t string) bool {
	return slices.Contains(ReleaseLinkTypes, t)
}

// validateNewReleaseLinks checks the links a new release is created with:
// the release's "Validation failed: Links …" 400.
func validateNewReleaseLinks(links []*model.ReleaseLink) error {
	names, urls, paths := map[string]bool{}, map[string]bool{}, map[string]bool{}
	var dup []string
	for _, l := range links {
		if msgs := releaseLinkErrors(l); len(msgs) > 0 {
			return Invalid("Validation failed: Links " + strings.ToLower(msgs[0][:1]) + msgs[0][1:])
		}
		if names[l.Name] && !slices.Contains(dup, "name") {
			dup = append(dup, "name")
		}
		if urls[l.URL] && !slices.Contains(dup, "url") {
			dup = append(dup, "url")
		}
		if l.Filepath != nil && paths[*l.Filepath] && !slices.Contains(dup, "filepath") {
			dup = append(dup, "filepath")
		}
		names[l.Name], urls[l.URL] = true, true
		if l.Filepath != nil {
			paths[*l.Filepath] = true
		}
	}
	if len(dup) > 0 {
		return Invalid("Validation failed: Links have duplicate values (" + strings.Join(dup, ", ") + ")")
	}
	return nil
}

// linkRelease finds the release (404 "Not found" when missing) of a
// project the caller holds ability a on.
func (s *Service) linkRelease(ctx context.Context, id *auth.Identity, projectRef, tag string, a access.Ability) (*model.Project, *model.Release, error) {
	p, _, err := s.releaseProject(ctx, id, projectRef, a)
	if err != nil {
		return nil, nil, err
	}
	r, err := s.releaseByTag(ctx, s.db.Queries(), p, tag)
	if err != nil {
		return nil, nil, errRecordNotFound
	}
	return p, r, nil
}

func (s *Service) releaseLink(ctx context.Context, q *store.Queries, r *model.Release, linkID int64) (*model.ReleaseLink, error) {
	l, err := q.ReleaseLink(ctx, r.ID, linkID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errRecordNotFound
	}
	return l, err
}

// ReleaseLinks is GET …/releases/:tag_name/assets/links (read_release).
func (s *Service) ReleaseLinks(ctx context.Context, id *auth.Identity, projectRef, tag string) (*model.Project, *model.Release, []*model.ReleaseLink, error) {
	p, r, err := s.linkRelease(ctx, id, projectRef, tag, access.ReadRelease)
	if err != nil {
		return nil, nil, nil, err
	}
	links, err := s.db.Queries().ReleaseLinks(ctx, []int64{r.ID})
	if err != nil {
		return nil, nil, nil, err
	}
	return p, r, links[r.ID], nil
}

// ReleaseLink is GET …/assets/links/:link_id.
func (s *Service) ReleaseLink(ctx context.Context, id *auth.Identity, projectRef, tag string, linkID int64) (*ReleaseLinkView, error) {
	p, r, err := s.linkRelease(ctx, id, projectRef, tag, access.ReadRelease)
	if err != nil {
		return nil, err
	}
	l, err := s.releaseLink(ctx, s.db.Queries(), r, linkID)
	if err != nil {
		return nil, err
	}
	return &ReleaseLinkView{Project: p, Release: r, Link: l}, nil
}

// checkReleaseLink is the link's validations with uniqueness in its
// release: GitLab's 400 with the list of full messages.
func checkReleaseLink(ctx context.Context, q *store.Queries, l *model.ReleaseLink) error {
	msgs := releaseLinkErrors(l)
	taken, err := q.ReleaseLinkTaken(ctx, l)
	if err != nil {
		return err
	}
	for _, f := range taken {
		msgs = append(msgs, f+" has already been taken")
	}
	if len(msgs) > 0 {
		return &Error{Kind: KindInvalid, Message: strings.Join(msgs, ", "), List: msgs}
	}
	return nil
}

// CreateReleaseLink is POST …/assets/links (create_release).
func (s *Service) CreateReleaseLink(ctx context.Context, id *auth.Identity, projectRef, tag string, in ReleaseLinkInput) (*ReleaseLinkView, error) {
	p, r, err := s.linkRelease(ctx, id, projectRef, tag, access.CreateRelease)
	if err != nil {
		return nil, err
	}
	l := &model.ReleaseLink{ReleaseID: r.ID}
	applyReleaseLink(l, in)
	err = s.db.WithTx(ctx, func(q *store.Queries) error {
		if err := checkReleaseLink(ctx, q, l); err != nil {
			return err
		}
		return q.CreateReleaseLink(ctx, l)
	})
	if err != nil {
		return nil, releaseLinkConflict(err)
	}
	return &ReleaseLinkView{Project: p, Release: r, Link: l}, nil
}

// releaseLinkConflict is a concurrent duplicate: the same 400 answer.
func releaseLinkConflict(err error) error {
	if errors.Is(err, store.ErrConflict) {
		return &Error{Kind: KindInvalid, Message: "has already been taken", List: []string{"Name or Url has already been taken"}}
	}
	return err
}

// UpdateReleaseLink is PUT …/assets/links/:link_id (update_release).
func (s *Service) UpdateReleaseLink(ctx context.Context, id *auth.Identity, projectRef, tag string, linkID int64, in ReleaseLinkInput) (*ReleaseLinkView, error) {
	p, r, err := s.linkRelease(ctx, id, projectRef, tag, access.UpdateRelease)
	if err != nil {
		return nil, err
	}
	var l *model.ReleaseLink
	err = s.db.WithTx(ctx, func(q *store.Queries) error {
		if l, err = s.releaseLink(ctx, q, r, linkID); err != nil {
			return err
		}
		applyReleaseLink(l, in)
		if err := checkReleaseLink(ctx, q, l); err != nil {
			return err
		}
		return q.UpdateReleaseLink(ctx, l)
	})
	if err != nil {
		return nil, releaseLinkConflict(err)
	}
	return &ReleaseLinkView{Project: p, Release: r, Link: l}, nil
}

// DeleteReleaseLink is DELETE …/assets/links/:link_id (destroy_release):
// the answer is the link as it was.
func (s *Service) DeleteReleaseLink(ctx context.Context, id *auth.Identity, projectRef, tag string, linkID int64) (*ReleaseLinkView, error) {
	p, r, err := s.linkRelease(ctx, id, projectRef, tag, access.DestroyRelease)
	if err != nil {
		return nil, err
	}
	var l *model.ReleaseLink
	err = s.db.WithTx(ctx, func(q *store.Queries) error {
		if l, err = s.releaseLink(ctx, q, r, linkID); err != nil {
			return err
		}
		return q.DeleteReleaseLink(ctx, l.ID)
	})
	if err != nil {
		return nil, err
	}
	return &ReleaseLinkView{Project: p, Release: r, Link: l}, nil
}
