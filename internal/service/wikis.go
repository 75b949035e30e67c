package service

import (
	"context"
	"errors"
	"fmt"
	"html"
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/repo"
)

// Wikis (GitLab's Wiki, WikiPage and WikiPages:: services, API::Wikis and
// API::GroupWikis): a project's or a group's pages are the files of a git
// repository of its own, <slug>.<ext>, created with the first page. The
// repository is the only record: no table, no migration.

// WikiFormats are GitLab's Wiki::VALID_USER_MARKUPS, in its order.
var WikiFormats = []string{"markdown", "rdoc", "asciidoc", "org"}

// wikiDefaultExt is each format's default extension.
var wikiDefaultExt = map[string]string{"markdown": "md", "rdoc": "rdoc", "asciidoc": "asciidoc", "org": "org"}

// wikiExtFormat recognises a page file by its extension, as Wiki::MARKUPS'
// extension_regex (case-insensitive).
var wikiExtFormat = []struct {
	re     *regexp.Regexp
	format string
}{
	{regexp.MustCompile(`(?i)^(md|mkdn?|mdown|markdown)$`), "markdown"},
	{regexp.MustCompile(`(?i)^rdoc$`), "rdoc"},
	{regexp.MustCompile(`(?i)^(adoc|asciidoc)$`), "asciidoc"},
	{regexp.MustCompile(`(?i)^org$`), "org"},
}

// WikiDefaultBranch is a new wiki's branch (GitLab's default branch name).
const WikiDefaultBranch = "main"

// GitLab's WikiPage path limits: a title's file name keeps 10 bytes for
// the extension.
const (
	maxWikiTitleBytes     = 245
	maxWikiDirectoryBytes = 255
	// maxWikiContentBytes bounds a page (GitLab's wiki_page_max_content_bytes
	// default, 50 MB... kept lower here: a page is read whole).
	maxWikiContentBytes = 5 << 20
)

// WikiHolder names the project (Group false) or group whose wiki is meant,
// by id or full path.
type WikiHolder struct {
	Ref   string
	Group bool
}

// WikiPage is one page as the API shows it.
type WikiPage struct {
	Title   string
	Slug    string
	Format  string
	Path    string
	Content string
}

// wiki is a wiki the caller was let into.
type wiki struct {
	kind    repo.WikiKind
	id      int64
	project *model.Project
	group   *model.Namespace
	repo    *repo.Repo
}

// ProjectWikiCan is GitLab's project wiki policy for a caller who sees p:
// read_wiki for everyone who does (guest_access or public_access),
// create_wiki for Developers, admin_wiki (deleting pages) for Maintainers;
// a disabled wiki grants nothing and an archived project only reads.
func ProjectWikiCan(p *model.Project, level access.Level, a access.Ability) bool {
	if !p.WikiEnabled {
		return false
	}
	switch a {
	case access.ReadWiki:
		return true
	case access.CreateWiki:
		return !p.Archived && level >= access.Developer
	case access.AdminWiki:
		return !p.Archived && level >= access.Maintainer
	}
	return false
}

// GroupWikiCan is the group wiki policy for a caller who sees g: read_wiki
// for its members and, on a public or internal group, for whoever may see
// it as such (not through a project only); create_wiki for Developers,
// admin_wiki for Maintainers.
func GroupWikiCan(id *auth.Identity, g *model.Namespace, level access.Level, a access.Ability) bool {
	switch a {
	case access.ReadWiki:
		return level >= access.Guest || g.VisibilityLevel >= access.Public ||
			g.VisibilityLevel >= access.Internal && id.Authenticated() && !id.User.External
	case access.CreateWiki:
		return level >= access.Developer
	case access.AdminWiki:
		return level >= access.Maintainer
	}
	return false
}

// wikiFor finds the wiki h names and checks the caller's ability there: 404
// when the holder is hidden, 403 without the ability (a disabled wiki too).
func (s *Service) wikiFor(ctx context.Context, id *auth.Identity, h WikiHolder, a access.Ability) (*wiki, error) {
	if s.repos == nil {
		return nil, errors.New("service: no repository store")
	}
	if h.Group {
		g, level, err := s.VisibleGroup(ctx, id, h.Ref)
		if err != nil {
			return nil, err
		}
		if !GroupWikiCan(id, g, level, a) {
			return nil, Forbidden("")
		}
		return &wiki{kind: repo.GroupWiki, id: g.ID, group: g, repo: s.repos.OpenWiki(repo.GroupWiki, g.ID)}, nil
	}
	p, level, err := s.VisibleProject(ctx, id, h.Ref)
	if err != nil {
		return nil, err
	}
	if !ProjectWikiCan(p, level, a) {
		return nil, Forbidden("")
	}
	return &wiki{kind: repo.ProjectWiki, id: p.ID, project: p, repo: s.repos.OpenWiki(repo.ProjectWiki, p.ID)}, nil
}

// head is the wiki's branch and its commit; "" commit for a wiki without
// pages (no repository, or nothing committed yet).
func (w *wiki) head(ctx context.Context) (branch, commit string, err error) {
	if !w.repo.Exists() {
		return WikiDefaultBranch, "", nil
	}
	branch, err = w.repo.DefaultBranch(ctx)
	if err != nil {
		return "", "", fmt.Errorf("service: wiki head: %w", err)
	}
	commit, err = w.repo.RefValue(gitBranchPrefix + branch)
	if err != nil && !errors.Is(err, repo.ErrNotFound) {
		return "", "", fmt.Errorf("service: wiki head: %w", err)
	}
	return branch, commit, nil
}

// wikiFormatOf is the format of a page file, "" when it is no page.
func wikiFormatOf(p string) string {
	ext := path.Ext(p)
	if ext == "" {
		return ""
	}
	for _, f := range wikiExtFormat {
		if f.re.MatchString(ext[1:]) {
			return f.format
		}
	}
	return ""
}

// wikiPageOf names the page at file p: the slug is its path without the
// extension, the title its file name's with hyphens as spaces (GitLab's
// canonicalize_filename).
func wikiPageOf(p string) *WikiPage {
	slug := strings.TrimSuffix(p, path.Ext(p))
	title := strings.ReplaceAll(path.Base(slug), "-", " ")
	return &WikiPage{Title: title, Slug: slug, Format: wikiFormatOf(p), Path: p}
}

// wikiSlug is GitLab's Wiki.sluggified_title: the title trimmed, "." and
// ".." resolved as in an absolute path, spaces as hyphens.
func wikiSlug(title string) string {
	t := path.Clean("/" + strings.TrimSpace(title))
	return strings.ReplaceAll(strings.TrimPrefix(t, "/"), " ", "-")
}

// pageFiles lists the page files at commit, sorted by path (GitLab sorts
// by path so that a directory's pages stay together).
func (w *wiki) pageFiles(ctx context.Context, commit string) ([]string, error) {
	if commit == "" {
		return nil, nil
	}
	entries, err := w.repo.Tree(ctx, commit, "", true)
	if err != nil {
		return nil, fmt.Errorf("service: wiki pages: %w", err)
	}
	var out []string
	for _, e := range entries {
		if e.Type == "blob" && wikiFormatOf(e.Path) != "" {
			out = append(out, e.Path)
		}
	}
	sort.Strings(out)
	return out, nil
}

// findFile is GitLab's find_matched_file: the page file whose path without
// extension is title, case-insensitively, else the one of its slug.
func findWikiFile(files []string, title string) string {
	for _, want := range []string{title, wikiSlug(title)} {
		exact := ""
		for _, f := range files {
			base := strings.TrimSuffix(f, path.Ext(f))
			if base == want {
				return f
			}
			if exact == "" && strings.EqualFold(base, want) {
				exact = f
			}
		}
		if exact != "" {
			return exact
		}
	}
	return ""
}

// ListWikiPages is GET …/wikis: every page, with its content when asked.
func (s *Service) ListWikiPages(ctx context.Context, id *auth.Identity, h WikiHolder, withContent bool) ([]*WikiPage, error) {
	w, err := s.wikiFor(ctx, id, h, access.ReadWiki)
	if err != nil {
		return nil, err
	}
	_, commit, err := w.head(ctx)
	if err != nil {
		return nil, err
	}
	files, err := w.pageFiles(ctx, commit)
	if err != nil {
		return nil, err
	}
	out := make([]*WikiPage, len(files))
	for i, f := range files {
		out[i] = wikiPageOf(f)
		if withContent {
			b, err := w.repo.Blob(ctx, commit, f)
			if err != nil {
				return nil, fmt.Errorf("service: wiki page %q: %w", f, err)
			}
			out[i].Content = string(b.Content)
		}
	}
	return out, nil
}

// WikiPageOptions are GET …/wikis/:slug's options.
type WikiPageOptions struct {
	Version    string
	RenderHTML bool
	// BaseURL is the instance's URL, for the links rendering makes.
	BaseURL string
}

// GetWikiPage is GET …/wikis/:slug: the page at the wiki's head or at a
// version (a commit); "404 Wiki Page Not Found" when there is none.
func (s *Service) GetWikiPage(ctx context.Context, id *auth.Identity, h WikiHolder, slug string, o WikiPageOptions) (*WikiPage, error) {
	w, err := s.wikiFor(ctx, id, h, access.ReadWiki)
	if err != nil {
		return nil, err
	}
	_, commit, err := w.head(ctx)
	if err != nil {
		return nil, err
	}
	if o.Version != "" && commit != "" {
		c, err := w.repo.Commit(ctx, o.Version)
		if err != nil {
			return nil, NotFound("Wiki Page")
		}
		commit = c.ID
	}
	pg, err := w.page(ctx, commit, slug)
	if err != nil {
		return nil, err
	}
	if o.RenderHTML {
		if pg.Content, err = s.renderWikiPage(ctx, id, w, pg, o.BaseURL); err != nil {
			return nil, err
		}
	}
	return pg, nil
}

// page reads the page slug names at commit.
func (w *wiki) page(ctx context.Context, commit, slug string) (*WikiPage, error) {
	files, err := w.pageFiles(ctx, commit)
	if err != nil {
		return nil, err
	}
	f := findWikiFile(files, slug)
	if f == "" {
		return nil, NotFound("Wiki Page")
	}
	b, err := w.repo.Blob(ctx, commit, f)
	if err != nil {
		return nil, fmt.Errorf("service: wiki page %q: %w", f, err)
	}
	pg := wikiPageOf(f)
	pg.Content = string(b.Content)
	return pg, nil
}

// renderWikiPage is render_html: Markdown through the shared renderer (a
// project's references resolve in its project); the other formats, which
// lablet does not render, as escaped text in <pre>.
func (s *Service) renderWikiPage(ctx context.Context, id *auth.Identity, w *wiki, pg *WikiPage, baseURL string) (string, error) {
	if pg.Format != "markdown" {
		return "<pre>" + html.EscapeString(pg.Content) + "</pre>", nil
	}
	in := MarkdownInput{Text: pg.Content, GFM: true, BaseURL: baseURL}
	if w.project != nil {
		in.Project = w.project.FullPath()
	}
	return s.RenderMarkdown(ctx, id, in)
}

// WikiPageInput is a page to create or change; nil fields are kept (an
// update) or missing (a create: the adapter requires title and content).
type WikiPageInput struct {
	Title   *string
	Content *string
	Format  *string
	Message string
}

// validateWikiTitle is WikiPage's title validations on the file path the
// title makes.
func validateWikiTitle(title, file string) error {
	v := Validation{}
	if strings.TrimSpace(title) == "" || wikiSlug(title) == "" {
		v.Add("title", "can't be blank")
		return v.Err()
	}
	dir, name := path.Split(strings.TrimSuffix(file, path.Ext(file)))
	if len(name) > maxWikiTitleBytes {
		v.Add("title", fmt.Sprintf("exceeds the limit of %d bytes", maxWikiTitleBytes))
	}
	for _, d := range strings.Split(strings.TrimSuffix(dir, "/"), "/") {
		if len(d) > maxWikiDirectoryBytes {
			v.Add("title", fmt.Sprintf("exceeds the limit of %d bytes for directory names", maxWikiDirectoryBytes))
			break
		}
	}
	if len(v) == 0 && repo.ValidatePath(file) != nil {
		v.Add("title", "is invalid")
	}
	return v.Err()
}

func validWikiFormat(f string) bool {
	_, ok := wikiDefaultExt[f]
	return ok
}

// wikiAuthor is the caller as a commit's author.
func wikiAuthor(id *auth.Identity) (repo.Signature, error) {
	if !id.Authenticated() {
		return repo.Signature{}, auth.ErrUnauthorized
	}
	return repo.Signature{Name: id.User.Name, Email: id.User.Email}, nil
}

// commit writes the actions on the wiki's branch, creating the repository
// first if needed.
func (s *Service) commitWiki(ctx context.Context, w *wiki, branch string, author repo.Signature, msg string, actions []repo.Action) error {
	r, err := s.repos.EnsureWiki(ctx, w.kind, w.id, WikiDefaultBranch)
	if err != nil {
		return err
	}
	w.repo = r
	_, err = r.CommitFiles(ctx, repo.CommitRequest{Branch: branch, Message: msg, Author: author, Actions: actions})
	if errors.Is(err, repo.ErrExists) {
		return duplicateWikiPage(actions[0].Path)
	}
	if err != nil {
		return fmt.Errorf("service: wiki commit: %w", err)
	}
	if w.kind == repo.ProjectWiki {
		s.statisticsChanged(ctx, w.id)
	}
	return nil
}

func duplicateWikiPage(file string) error {
	v := Validation{}
	v.Add("base", "Duplicate page: A page with that title already exists in the file "+file)
	return v.Err()
}

// CreateWikiPage is POST …/wikis (create_wiki): a new file <slug>.<ext>
// committed by the caller as "<username> created page: <title>", GitLab's
// default message.
func (s *Service) CreateWikiPage(ctx context.Context, id *auth.Identity, h WikiHolder, in WikiPageInput) (*WikiPage, error) {
	w, err := s.wikiFor(ctx, id, h, access.CreateWiki)
	if err != nil {
		return nil, err
	}
	author, err := wikiAuthor(id)
	if err != nil {
		return nil, err
	}
	title, content, format := deref(in.Title), deref(in.Content), "markdown"
	if in.Format != nil {
		format = *in.Format
	}
	if !validWikiFormat(format) {
		return nil, ParamError("format does not have a valid value")
	}
	if len(content) > maxWikiContentBytes {
		return nil, wikiContentTooLarge()
	}
	file := wikiSlug(title) + "." + wikiDefaultExt[format]
	if err := validateWikiTitle(title, file); err != nil {
		return nil, err
	}
	branch, commit, err := w.head(ctx)
	if err != nil {
		return nil, err
	}
	files, err := w.pageFiles(ctx, commit)
	if err != nil {
		return nil, err
	}
	// One page per title, whatever its format or capitalisation.
	if findWikiFile(files, title) != "" {
		return nil, duplicateWikiPage(file)
	}
	msg := in.Message
	if msg == "" {
		msg = id.User.Username + " created page: " + title
	}
	if err := s.commitWiki(ctx, w, branch, author, msg,
		[]repo.Action{{Kind: repo.ActionCreate, Path: file, Content: []byte(content)}}); err != nil {
		return nil, err
	}
	return w.reread(ctx, file)
}

// reread reads back the page at file from the wiki's head.
func (w *wiki) reread(ctx context.Context, file string) (*WikiPage, error) {
	_, commit, err := w.head(ctx)
	if err != nil {
		return nil, err
	}
	b, err := w.repo.Blob(ctx, commit, file)
	if err != nil {
		return nil, fmt.Errorf("service: wiki page %q: %w", file, err)
	}
	pg := wikiPageOf(file)
	pg.Content = string(b.Content)
	return pg, nil
}

func wikiContentTooLarge() error {
	v := Validation{}
	v.Add("content", fmt.Sprintf("is too long (%d bytes). The maximum size is %d bytes.", maxWikiContentBytes+1, maxWikiContentBytes))
	return v.Err()
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// UpdateWikiPage is PUT …/wikis/:slug (create_wiki): a new title moves
// the file, a new format changes its extension; what is not given is
// kept. The commit is "<username> updated page: <title>".
func (s *Service) UpdateWikiPage(ctx context.Context, id *auth.Identity, h WikiHolder, slug string, in WikiPageInput) (*WikiPage, error) {
	w, err := s.wikiFor(ctx, id, h, access.CreateWiki)
	if err != nil {
		return nil, err
	}
	author, err := wikiAuthor(id)
	if err != nil {
		return nil, err
	}
	if in.Format != nil && !validWikiFormat(*in.Format) {
		return nil, ParamError("format does not have a valid value")
	}
	branch, commit, err := w.head(ctx)
	if err != nil {
		return nil, err
	}
	old, err := w.page(ctx, commit, slug)
	if err != nil {
		return nil, err
	}
	title := old.Slug
	if in.Title != nil && strings.TrimSpace(*in.Title) != "" {
		title = *in.Title
	}
	content := old.Content
	if in.Content != nil {
		content = *in.Content
	}
	if len(content) > maxWikiContentBytes {
		return nil, wikiContentTooLarge()
	}
	// The same format keeps its extension (.markdown stays .markdown).
	ext := strings.TrimPrefix(path.Ext(old.Path), ".")
	if in.Format != nil && *in.Format != old.Format {
		ext = wikiDefaultExt[*in.Format]
	}
	file := wikiSlug(title) + "." + ext
	if err := validateWikiTitle(title, file); err != nil {
		return nil, err
	}
	action := repo.Action{Kind: repo.ActionUpdate, Path: file, Content: []byte(content)}
	if file != old.Path {
		files, err := w.pageFiles(ctx, commit)
		if err != nil {
			return nil, err
		}
		if other := findWikiFile(files, title); other != "" && other != old.Path {
			return nil, duplicateWikiPage(file)
		}
		action = repo.Action{Kind: repo.ActionMove, Path: file, PreviousPath: old.Path, Content: []byte(content)}
	}
	msg := in.Message
	if msg == "" {
		msg = id.User.Username + " updated page: " + title
	}
	if err := s.commitWiki(ctx, w, branch, author, msg, []repo.Action{action}); err != nil {
		return nil, err
	}
	return w.reread(ctx, file)
}

// DeleteWikiPage is DELETE …/wikis/:slug (admin_wiki): the commit is
// "<username> deleted page: <title>".
func (s *Service) DeleteWikiPage(ctx context.Context, id *auth.Identity, h WikiHolder, slug string) error {
	w, err := s.wikiFor(ctx, id, h, access.AdminWiki)
	if err != nil {
		return err
	}
	author, err := wikiAuthor(id)
	if err != nil {
		return err
	}
	branch, commit, err := w.head(ctx)
	if err != nil {
		return err
	}
	pg, err := w.page(ctx, commit, slug)
	if err != nil {
		return err
	}
	return s.commitWiki(ctx, w, branch, author, id.User.Username+" deleted page: "+pg.Title,
		[]repo.Action{{Kind: repo.ActionDelete, Path: pg.Path}})
}

// deleteProjectWikis removes the wiki repositories of deleted projects.
func (s *Service) deleteProjectWikis(ctx context.Context, projectIDs ...int64) {
	s.deleteWikis(ctx, repo.ProjectWiki, projectIDs)
}

// deleteGroupWikis removes the wiki repositories of deleted groups.
func (s *Service) deleteGroupWikis(ctx context.Context, groupIDs ...int64) {
	s.deleteWikis(ctx, repo.GroupWiki, groupIDs)
}

func (s *Service) deleteWikis(ctx context.Context, kind repo.WikiKind, ids []int64) {
	if s.repos == nil {
		return
	}
	for _, id := range ids {
		if err := s.repos.DeleteWiki(ctx, kind, id); err != nil {
			s.log.Error("delete wiki repository", "kind", kind, "id", id, "err", err)
		}
	}
}
