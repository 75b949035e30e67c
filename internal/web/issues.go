package web

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// An issue's page, as GitLab's Projects::IssuesController#show:
// /<project path>/-/issues/<iid>. Its description and notes are rendered
// by the one Markdown renderer with the viewer's permissions; the
// template escapes everything else.

// maxIssueNotes bounds the notes one page renders (each is a Markdown
// rendering); the page says how many more there are.
const maxIssueNotes = 500

// issuePageData is what issue.html shows.
type issuePageData struct {
	ProjectName, IssuesURL string
	IID                    int64
	Title, State           string
	Confidential           bool
	Created                timeView
	Author                 *userView
	Assignees              []userView
	Labels                 []labelView
	Milestone              *linkView
	Description            template.HTML
	Notes                  []noteView
	NotesShown, NotesTotal int
	DiscussionLocked       bool
}

type userView struct{ Name, Username, URL string }

type linkView struct{ Title, URL string }

// labelView is a label's chip. Its colour is drawn by an SVG rect's fill
// (a presentation attribute, not a style the pages' CSP refuses); the
// text takes GitLab's contrast colour through a class.
type labelView struct {
	Title, Description, Color, URL string
	Dark                           bool // dark text on a light colour
}

type noteView struct {
	ID               int64
	Author           *userView
	System, Internal bool
	Created          timeView
	Body             template.HTML
}

type timeView struct{ ISO, Text string }

func timeOf(t time.Time) timeView {
	t = t.UTC()
	return timeView{ISO: t.Format(time.RFC3339), Text: t.Format("2006-01-02 15:04 UTC")}
}

// issueLinks builds the links a project's issue pages show, under the
// external URL's path (references are rendered with the same prefix).
type issueLinks struct {
	base    string // the external URL's path: "" at the root
	project *model.Project
}

func (l issueLinks) issues() string { return l.base + "/" + l.project.FullPath() + "/-/issues" }

func (l issueLinks) issue(iid int64) string { return l.issues() + "/" + strconv.FormatInt(iid, 10) }

func (l issueLinks) user(u *model.User) *userView {
	if u == nil {
		return nil
	}
	return &userView{Name: u.Name, Username: u.Username, URL: l.base + "/" + u.Username}
}

func (l issueLinks) labels(ids []int64, refs *service.IssueRefs) []labelView {
	var out []labelView
	for _, id := range ids {
		lb := refs.Labels[id]
		if lb == nil {
			continue
		}
		out = append(out, labelView{Title: lb.Title, Description: lb.Description, Color: lb.Color,
			Dark: service.LabelTextColor(lb.Color) != "#FFFFFF",
			URL:  l.issues() + "?label_name=" + url.QueryEscape(lb.Title)})
	}
	return out
}

func (l issueLinks) milestone(id *int64, refs *service.IssueRefs) *linkView {
	if id == nil || refs.Milestones[*id] == nil {
		return nil
	}
	m := refs.Milestones[*id]
	u := l.base + "/" + l.project.FullPath() + "/-/milestones/" + strconv.FormatInt(m.IID, 10)
	if m.GroupID != nil {
		g := refs.Groups[*m.GroupID]
		if g == nil {
			return &linkView{Title: m.Title}
		}
		u = l.base + "/groups/" + g.FullPath + "/-/milestones/" + strconv.FormatInt(m.IID, 10)
	}
	return &linkView{Title: m.Title, URL: u}
}

// urlPath is the path part of the external URL, without its final slash.
func urlPath(base string) string {
	u, err := url.Parse(base)
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(u.Path, "/")
}

// projectRef reads the project's full path from a page path: projects
// always live in a namespace (a bare number would name a project by id).
func projectRef(r *http.Request) (string, bool) {
	ref := r.PathValue("full_path")
	return ref, strings.Contains(ref, "/")
}

func (h *Handler) issuePage(w http.ResponseWriter, r *http.Request, s pageSession) {
	ref, ok := projectRef(r)
	iid, err := strconv.ParseInt(r.PathValue("iid"), 10, 64)
	if !ok || err != nil || iid <= 0 {
		h.issuesHidden(w, r, s, ref, service.NotFound("Issue"))
		return
	}
	ctx := r.Context()
	ip, err := h.svc.VisibleIssue(ctx, s.id, ref, iid)
	if err != nil {
		h.issuesHidden(w, r, s, ref, err)
		return
	}
	d, err := h.issuePageData(ctx, s, ip, urlPath(h.baseURL(r)))
	if err != nil {
		h.issuesHidden(w, r, s, ref, err)
		return
	}
	title := fmt.Sprintf("%s (#%d) · Issues · %s", ip.Issue.Title, iid, ip.Project.FullName())
	h.render(w, r, http.StatusOK, "issue", view{Title: title, Data: d})
}

func (h *Handler) issuePageData(ctx context.Context, s pageSession, ip *service.IssueInProject, base string) (*issuePageData, error) {
	is, p := ip.Issue, ip.Project
	pid := strconv.FormatInt(p.ID, 10)
	refs, err := h.svc.LoadIssueRefs(ctx, []*model.Issue{is}, p)
	if err != nil {
		return nil, err
	}
	notes, err := h.svc.ListNotes(ctx, s.id, service.NoteableRef{Project: pid, Type: model.NoteableIssue, IID: is.IID},
		service.NoteListInput{Asc: true, Limit: maxIssueNotes})
	if err != nil {
		return nil, err
	}
	texts := make([]string, 0, len(notes.Notes)+1)
	texts = append(texts, is.Description)
	for _, n := range notes.Notes {
		texts = append(texts, n.Body)
	}
	html, err := h.svc.RenderMarkdownTexts(ctx, s.id, service.MarkdownInput{GFM: true, Project: pid, BaseURL: base}, texts)
	if err != nil {
		return nil, err
	}
	l := issueLinks{base: base, project: p}
	d := &issuePageData{ProjectName: p.FullName(), IssuesURL: l.issues(), IID: is.IID, Title: is.Title,
		State: is.State, Confidential: is.Confidential, Created: timeOf(is.CreatedAt),
		Labels: l.labels(is.LabelIDs, refs), Milestone: l.milestone(is.MilestoneID, refs),
		// The renderer's output is sanitized HTML: the one unescaped text.
		Description: template.HTML(html[0]), NotesShown: len(notes.Notes), NotesTotal: notes.Total,
		DiscussionLocked: is.DiscussionLocked != nil && *is.DiscussionLocked}
	if is.AuthorID != nil {
		d.Author = l.user(refs.Users[*is.AuthorID])
	}
	for _, id := range is.AssigneeIDs {
		if u := l.user(refs.Users[id]); u != nil {
			d.Assignees = append(d.Assignees, *u)
		}
	}
	for i, n := range notes.Notes {
		nv := noteView{ID: n.ID, System: n.System, Internal: n.Internal, Created: timeOf(n.CreatedAt),
			Body: template.HTML(html[i+1])}
		if n.AuthorID != nil {
			nv.Author = l.user(notes.Users[*n.AuthorID])
		}
		d.Notes = append(d.Notes, nv)
	}
	return d, nil
}

// issuesHidden answers a request for issues the caller may not see, as
// GitLab: a project the caller can't see (or that does not exist) sends a
// signed-out visitor to sign in (route_not_found) and is 404 to a signed-in
// one; in a project the caller sees, an unknown or confidential issue, or
// issues turned off, is 404 to everyone.
func (h *Handler) issuesHidden(w http.ResponseWriter, r *http.Request, s pageSession, ref string, err error) {
	switch service.KindOf(err) {
	case service.KindNotFound, service.KindForbidden:
	default:
		h.fail(w, r, err)
		return
	}
	if s.id.Authenticated() {
		h.notFound(w, r)
		return
	}
	if strings.Contains(ref, "/") {
		_, _, perr := h.svc.VisibleProject(r.Context(), s.id, ref)
		if perr == nil {
			h.notFound(w, r)
			return
		}
		if service.KindOf(perr) != service.KindNotFound {
			h.fail(w, r, perr)
			return
		}
	}
	h.toSignIn(w, r)
}
