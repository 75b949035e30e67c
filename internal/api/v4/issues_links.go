package v4

import (
	"net/http"
	"strconv"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// relatedIssueEntity is Entities::RelatedIssue: a linked issue with its
// link.
type relatedIssueEntity struct {
	issueEntity
	IssueLinkID   int64  `json:"issue_link_id"`
	LinkType      string `json:"link_type"`
	LinkCreatedAt string `json:"link_created_at"`
	LinkUpdatedAt string `json:"link_updated_at"`
}

// issueLinkEntity is Entities::IssueLink.
type issueLinkEntity struct {
	SourceIssue issueEntity `json:"source_issue"`
	TargetIssue issueEntity `json:"target_issue"`
	LinkType    string      `json:"link_type"`
}

func (a *API) listIssueLinks(w http.ResponseWriter, r *http.Request, c *Call) error {
	iid, err := issueIID(r)
	if err != nil {
		return err
	}
	linked, err := a.svc.ListIssueLinks(r.Context(), c.id, r.PathValue("id"), iid)
	if err != nil {
		return err
	}
	issues := make([]*model.Issue, 0, len(linked))
	var projects []*model.Project
	for _, l := range linked {
		issues = append(issues, l.Issue)
		projects = append(projects, l.Project)
	}
	refs, err := a.svc.LoadIssueRefs(r.Context(), issues, projects...)
	if err != nil {
		return err
	}
	ir := a.newIssueRenderer(a.BaseURL(r), refs, false)
	out := make([]relatedIssueEntity, 0, len(linked))
	for _, l := range linked {
		out = append(out, relatedIssueEntity{issueEntity: ir.issue(l.Issue), IssueLinkID: l.Link.ID,
			LinkType: l.Link.LinkType, LinkCreatedAt: TS(l.Link.CreatedAt), LinkUpdatedAt: TS(l.Link.UpdatedAt)})
	}
	return WriteOK(w, out)
}

func (a *API) writeIssueLink(w http.ResponseWriter, r *http.Request, v *service.IssueLinkView, status int) error {
	refs, err := a.svc.LoadIssueRefs(r.Context(), []*model.Issue{v.Source.Issue, v.Target.Issue}, v.Source.Project, v.Target.Project)
	if err != nil {
		return err
	}
	ir := a.newIssueRenderer(a.BaseURL(r), refs, false)
	WriteJSON(w, status, issueLinkEntity{SourceIssue: ir.issue(v.Source.Issue), TargetIssue: ir.issue(v.Target.Issue),
		LinkType: v.Link.LinkType})
	return nil
}

func (a *API) createIssueLink(w http.ResponseWriter, r *http.Request, c *Call) error {
	iid, err := issueIID(r)
	if err != nil {
		return err
	}
	target, err := c.params.Required("target_project_id", 4096)
	if err != nil {
		return err
	}
	targetIID, err := c.params.RequiredInt("target_issue_iid")
	if err != nil {
		return err
	}
	linkType, _ := c.params.Str("link_type")
	v, err := a.svc.CreateIssueLink(r.Context(), c.id, r.PathValue("id"), iid, target, targetIID, linkType)
	if err != nil {
		return err
	}
	return a.writeIssueLink(w, r, v, http.StatusCreated)
}

func issueLinkID(r *http.Request) (int64, error) {
	n, err := strconv.ParseInt(r.PathValue("issue_link_id"), 10, 64)
	if err != nil || n <= 0 {
		return 0, &service.Error{Kind: service.KindNotFound, Message: "Not found"}
	}
	return n, nil
}

func (a *API) getIssueLink(w http.ResponseWriter, r *http.Request, c *Call) error {
	iid, err := issueIID(r)
	if err != nil {
		return err
	}
	lid, err := issueLinkID(r)
	if err != nil {
		return err
	}
	v, err := a.svc.IssueLink(r.Context(), c.id, r.PathValue("id"), iid, lid)
	if err != nil {
		return err
	}
	return a.writeIssueLink(w, r, v, http.StatusOK)
}

func (a *API) deleteIssueLink(w http.ResponseWriter, r *http.Request, c *Call) error {
	iid, err := issueIID(r)
	if err != nil {
		return err
	}
	lid, err := issueLinkID(r)
	if err != nil {
		return err
	}
	v, err := a.svc.DeleteIssueLink(r.Context(), c.id, r.PathValue("id"), iid, lid)
	if err != nil {
		return err
	}
	return a.writeIssueLink(w, r, v, http.StatusOK)
}

func (a *API) moveIssue(w http.ResponseWriter, r *http.Request, c *Call) error {
	iid, err := issueIID(r)
	if err != nil {
		return err
	}
	to, err := c.params.Required("to_project_id", 4096)
	if err != nil {
		return err
	}
	ip, err := a.svc.MoveIssue(r.Context(), c.id, r.PathValue("id"), iid, to)
	if err != nil {
		return err
	}
	return a.writeIssue(w, r, c, ip, http.StatusCreated)
}

func (a *API) reorderIssue(w http.ResponseWriter, r *http.Request, c *Call) error {
	iid, err := issueIID(r)
	if err != nil {
		return err
	}
	var ids [2]*int64
	for k, name := range []string{"move_after_id", "move_before_id"} {
		n, ok, err := c.params.Int(name)
		if err != nil {
			return err
		}
		if ok {
			ids[k] = &n
		}
	}
	ip, err := a.svc.ReorderIssue(r.Context(), c.id, r.PathValue("id"), iid, ids[0], ids[1])
	if err != nil {
		return err
	}
	return a.writeIssue(w, r, c, ip, http.StatusOK)
}
