package v4

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"time"
	"unicode/utf8"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/repo"
	"github.com/lablet/lablet/internal/service"
)

// statsEntity is GitLab's CommitStats.
type statsEntity struct {
	Additions int64 `json:"additions"`
	Deletions int64 `json:"deletions"`
	Total     int64 `json:"total"`
}

func statsOf(s repo.Stats) *statsEntity {
	return &statsEntity{Additions: s.Additions, Deletions: s.Deletions, Total: s.Additions + s.Deletions}
}

// commitWithStatsEntity is GitLab's CommitWithStats (lists with_stats).
type commitWithStatsEntity struct {
	commitEntity
	Stats *statsEntity `json:"stats"`
}

// commitDetailEntity is GitLab's CommitDetail.
type commitDetailEntity struct {
	commitEntity
	Stats        *statsEntity `json:"stats,omitempty"`
	Status       *string      `json:"status"`
	ProjectID    int64        `json:"project_id"`
	LastPipeline any          `json:"last_pipeline"`
}

func (a *API) commitDetail(r *http.Request, pr *service.ProjectRepo, c *repo.Commit, withStats bool) (commitDetailEntity, error) {
	e := a.commitDetailOf(r, pr.Project, c)
	if withStats {
		st, err := a.svc.CommitStats(r.Context(), pr, []*repo.Commit{c})
		if err != nil {
			return e, err
		}
		e.Stats = statsOf(st[c.ID])
	}
	return e, nil
}

// commitDetailOf is a commit's CommitDetail without stats.
func (a *API) commitDetailOf(r *http.Request, p *model.Project, c *repo.Commit) commitDetailEntity {
	return commitDetailEntity{commitEntity: a.commitEntity(r, p, c), ProjectID: p.ID}
}

// timeParam reads an ISO 8601 date-time parameter.
func timeParam(c *Call, name string) (time.Time, error) {
	s, ok := c.params.Str(name)
	if !ok || s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04:05.999999999", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, service.ParamError(name + " is invalid")
}

func (a *API) listCommits(w http.ResponseWriter, r *http.Request, c *Call) error {
	var o repo.HistoryOptions
	var err error
	if o.Ref, _, err = c.params.Text("ref_name", 1024); err != nil {
		return err
	}
	if o.Path, _, err = c.params.Text("path", 4096); err != nil {
		return err
	}
	if o.Author, _, err = c.params.Text("author", 255); err != nil {
		return err
	}
	if o.Since, err = timeParam(c, "since"); err != nil {
		return err
	}
	if o.Until, err = timeParam(c, "until"); err != nil {
		return err
	}
	if o.All, _, err = c.params.Bool("all"); err != nil {
		return err
	}
	if o.FirstParent, _, err = c.params.Bool("first_parent"); err != nil {
		return err
	}
	withStats, _, err := c.params.Bool("with_stats")
	if err != nil {
		return err
	}
	if _, _, err := c.params.Bool("trailers"); err != nil {
		return err
	}
	order, _, err := c.params.OneOf("order", "default", "topo")
	if err != nil {
		return err
	}
	o.Topo = order == "topo"
	pg := PageOf(c.params)
	o.Offset, o.Limit = pg.Offset(), pg.PerPage
	pr, cs, err := a.svc.ListCommits(r.Context(), c.id, r.PathValue("id"), o)
	if err != nil {
		return err
	}
	// As GitLab: no X-Total/X-Total-Pages (counting would walk the whole
	// history); a full page announces a next one.
	// GitLab's paginate(without_count: true): no totals.
	a.setPageHeadersWithoutCount(w, r, pg, len(cs) == pg.PerPage)
	if !withStats {
		out := make([]commitEntity, 0, len(cs))
		for _, cm := range cs {
			out = append(out, a.commitEntity(r, pr.Project, cm))
		}
		return WriteOK(w, out)
	}
	st, err := a.svc.CommitStats(r.Context(), pr, cs)
	if err != nil {
		return err
	}
	out := make([]commitWithStatsEntity, 0, len(cs))
	for _, cm := range cs {
		out = append(out, commitWithStatsEntity{commitEntity: a.commitEntity(r, pr.Project, cm), Stats: statsOf(st[cm.ID])})
	}
	return WriteOK(w, out)
}

// PaginateSlice returns the page of a fully computed list and writes the
// offset headers with its total.
func PaginateSlice[T any](a *API, w http.ResponseWriter, r *http.Request, c *Call, all []T) []T {
	pg := PageOf(c.params)
	a.SetPageHeaders(w, r, pg, len(all))
	lo := min(pg.Offset(), len(all))
	hi := min(lo+pg.PerPage, len(all))
	return all[lo:hi]
}

func (a *API) getCommit(w http.ResponseWriter, r *http.Request, c *Call) error {
	stats := true
	if b, ok, err := c.params.Bool("stats"); err != nil {
		return err
	} else if ok {
		stats = b
	}
	pr, cm, err := a.svc.GetCommit(r.Context(), c.id, r.PathValue("id"), r.PathValue("sha"))
	if err != nil {
		return err
	}
	e, err := a.commitDetail(r, pr, cm, stats)
	if err != nil {
		return err
	}
	// Only the single commit shows its newest pipeline, as GitLab's
	// CommitDetail does.
	pl, err := a.svc.LastPipelineOfCommit(r.Context(), c.id, pr.Project, pr.Level, cm.ID)
	if err != nil {
		return err
	}
	if pl != nil {
		b := PipelineBasicOf(a.BaseURL(r), pr.Project, pl)
		e.LastPipeline, e.Status = b, &pl.Status
	}
	return WriteOK(w, e)
}

// diffEntity is GitLab's Diff.
type diffEntity struct {
	Diff          string `json:"diff"`
	NewPath       string `json:"new_path"`
	OldPath       string `json:"old_path"`
	AMode         string `json:"a_mode"`
	BMode         string `json:"b_mode"`
	NewFile       bool   `json:"new_file"`
	RenamedFile   bool   `json:"renamed_file"`
	DeletedFile   bool   `json:"deleted_file"`
	GeneratedFile *bool  `json:"generated_file"`
}

func diffEntities(ds []repo.FileDiff) []diffEntity {
	out := make([]diffEntity, 0, len(ds))
	for _, d := range ds {
		gen := false
		out = append(out, diffEntity{Diff: d.Diff, NewPath: d.NewPath, OldPath: d.OldPath, AMode: d.AMode, BMode: d.BMode,
			NewFile: d.NewFile, RenamedFile: d.RenamedFile, DeletedFile: d.DeletedFile, GeneratedFile: &gen})
	}
	return out
}

func (a *API) getCommitDiff(w http.ResponseWriter, r *http.Request, c *Call) error {
	if _, _, err := c.params.Bool("unidiff"); err != nil {
		return err
	}
	ds, err := a.svc.CommitDiff(r.Context(), c.id, r.PathValue("id"), r.PathValue("sha"))
	if err != nil {
		return err
	}
	return WriteOK(w, PaginateSlice(a, w, r, c, diffEntities(ds)))
}

func (a *API) getCommitRefs(w http.ResponseWriter, r *http.Request, c *Call) error {
	kind, _, err := c.params.OneOf("type", "branch", "tag", "all")
	if err != nil {
		return err
	}
	refs, err := a.svc.CommitRefs(r.Context(), c.id, r.PathValue("id"), r.PathValue("sha"), kind)
	if err != nil {
		return err
	}
	type refEntity struct {
		Type string `json:"type"`
		Name string `json:"name"`
	}
	out := make([]refEntity, 0, len(refs))
	for _, ref := range refs {
		out = append(out, refEntity{Type: string(ref.Kind), Name: ref.Name})
	}
	return WriteOK(w, PaginateSlice(a, w, r, c, out))
}

// commitActionsParam reads the actions array of a commit request: a JSON
// array of objects (what every client sends).
func (a *API) commitActionsParam(c *Call) ([]service.FileAction, error) {
	v, present := c.params.Raw("actions")
	if !present {
		return nil, service.ParamError("actions is missing")
	}
	list, isList := v.([]any)
	if !isList {
		return nil, service.ParamError("actions is invalid")
	}
	if len(list) == 0 {
		return nil, service.ParamError("actions is empty")
	}
	out := make([]service.FileAction, 0, len(list))
	var total int64
	for i, item := range list {
		m, isMap := item.(map[string]any)
		if !isMap {
			return nil, service.ParamError("actions is invalid")
		}
		sub := &Call{params: &Params{json: m}}
		field := func(n string) string { return fmt.Sprintf("actions[%d][%s]", i, n) }
		kind, err := sub.params.Required("action", 16)
		if err != nil {
			return nil, service.ParamError(field("action") + " is missing")
		}
		switch repo.ActionKind(kind) {
		case repo.ActionCreate, repo.ActionUpdate, repo.ActionDelete, repo.ActionMove, repo.ActionChmod:
		default:
			return nil, service.ParamError(field("action") + " does not have a valid value")
		}
		fa := service.FileAction{Kind: repo.ActionKind(kind)}
		fp, ok := m["file_path"].(string)
		if !ok || fp == "" {
			return nil, service.ParamError(field("file_path") + " is missing")
		}
		fa.Path = fp
		if pp, ok := m["previous_path"].(string); ok {
			fa.PreviousPath = pp
		}
		if fa.LastCommitID, _, err = sub.params.Text("last_commit_id", 64); err != nil {
			return nil, service.ParamError(field("last_commit_id") + " is invalid")
		}
		if b, ok, err := sub.params.Bool("execute_filemode"); err != nil {
			return nil, service.ParamError(field("execute_filemode") + " is invalid")
		} else if ok {
			fa.ExecuteFilemode = &b
		}
		if raw, has := m["content"]; has && raw != nil {
			s, isStr := raw.(string)
			if !isStr {
				return nil, service.ParamError(field("content") + " is invalid")
			}
			enc, _ := m["encoding"].(string)
			switch enc {
			case "", "text":
				if !utf8.ValidString(s) {
					return nil, service.ParamError(field("content") + " is invalid")
				}
				fa.Content = []byte(s)
			case "base64":
				if fa.Content, err = base64.StdEncoding.DecodeString(s); err != nil {
					return nil, service.Invalid("400 Bad request - " + field("content") + " is not valid base64")
				}
			default:
				return nil, service.ParamError(field("encoding") + " does not have a valid value")
			}
			if int64(len(fa.Content)) > a.maxFileSize {
				return nil, service.Invalid(fmt.Sprintf("400 Bad request - file is too large (limit is %d bytes)", a.maxFileSize))
			}
			total += int64(len(fa.Content))
		} else if fa.Kind == repo.ActionCreate || fa.Kind == repo.ActionUpdate {
			fa.Content = []byte{} // GitLab creates an empty file
		}
		out = append(out, fa)
	}
	if total > 2*a.maxFileSize {
		return nil, service.Invalid(fmt.Sprintf("400 Bad request - commit is too large (limit is %d bytes)", 2*a.maxFileSize))
	}
	return out, nil
}

func (a *API) createCommit(w http.ResponseWriter, r *http.Request, c *Call) error {
	var in service.CommitInput
	var err error
	if in.Branch, err = c.params.Required("branch", 1024); err != nil {
		return err
	}
	if in.Message, err = c.params.Required("commit_message", 1<<20); err != nil {
		return err
	}
	if in.Actions, err = a.commitActionsParam(c); err != nil {
		return err
	}
	if in.StartBranch, _, err = c.params.Text("start_branch", 1024); err != nil {
		return err
	}
	if in.StartSHA, _, err = c.params.Text("start_sha", 64); err != nil {
		return err
	}
	if c.params.Has("start_project") {
		if sp, _ := c.params.Str("start_project"); sp != "" && sp != r.PathValue("id") {
			return service.Invalid("400 Bad request - start_project is not supported")
		}
	}
	if in.AuthorName, _, err = c.params.Text("author_name", 255); err != nil {
		return err
	}
	if in.AuthorEmail, _, err = c.params.Text("author_email", 255); err != nil {
		return err
	}
	stats := true
	if b, ok, err := c.params.Bool("stats"); err != nil {
		return err
	} else if ok {
		stats = b
	}
	if force, _, err := c.params.Bool("force"); err != nil {
		return err
	} else if force {
		return service.Invalid("400 Bad request - force is not supported")
	}
	pr, cm, err := a.svc.CommitFiles(r.Context(), c.id, r.PathValue("id"), in)
	if err != nil {
		return err
	}
	e, err := a.commitDetail(r, pr, cm, stats)
	if err != nil {
		return err
	}
	return WriteCreated(w, e)
}

func (a *API) cherryPick(w http.ResponseWriter, r *http.Request, c *Call) error {
	return a.pick(w, r, c, false)
}

func (a *API) revertCommit(w http.ResponseWriter, r *http.Request, c *Call) error {
	return a.pick(w, r, c, true)
}

func (a *API) pick(w http.ResponseWriter, r *http.Request, c *Call, revert bool) error {
	in := service.PickInput{SHA: r.PathValue("sha"), Revert: revert}
	var err error
	if in.Branch, err = c.params.Required("branch", 1024); err != nil {
		return err
	}
	if in.DryRun, _, err = c.params.Bool("dry_run"); err != nil {
		return err
	}
	if !revert {
		if in.Message, _, err = c.params.Text("message", 1<<20); err != nil {
			return err
		}
	}
	pr, cm, err := a.svc.Pick(r.Context(), c.id, r.PathValue("id"), in)
	var pe *service.PickError
	if errors.As(err, &pe) {
		body := map[string]string{"message": pe.Message, "error_code": pe.Code}
		if pe.DryRun {
			body["dry_run"] = "error"
		}
		WriteJSON(w, http.StatusBadRequest, body)
		return nil
	}
	if err != nil {
		return err
	}
	if in.DryRun {
		return WriteOK(w, map[string]string{"dry_run": "success"})
	}
	return WriteCreated(w, a.commitEntity(r, pr.Project, cm))
}

// commitWebURL is a project's web URL prefix for commit links.
func (a *API) projectWebURL(r *http.Request, p *model.Project) string {
	return a.BaseURL(r) + "/" + p.FullPath()
}
