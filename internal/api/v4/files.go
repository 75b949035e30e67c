package v4

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"path"
	"strconv"
	"unicode/utf8"

	"github.com/lablet/lablet/internal/repo"
	"github.com/lablet/lablet/internal/service"
)

// fileEntity is GitLab's file answer (without content for HEAD).
type fileEntity struct {
	FileName        string `json:"file_name"`
	FilePath        string `json:"file_path"`
	Size            int64  `json:"size"`
	Encoding        string `json:"encoding"`
	Content         string `json:"content,omitempty"`
	ContentSHA256   string `json:"content_sha256"`
	Ref             string `json:"ref"`
	BlobID          string `json:"blob_id"`
	CommitID        string `json:"commit_id"`
	LastCommitID    string `json:"last_commit_id"`
	ExecuteFilemode bool   `json:"execute_filemode"`
}

func fileEntityOf(f *service.FileResult) fileEntity {
	sum := sha256.Sum256(f.Blob.Content)
	return fileEntity{FileName: f.Blob.Name, FilePath: f.Blob.Path, Size: f.Blob.Size, Encoding: "base64",
		ContentSHA256: hex.EncodeToString(sum[:]), Ref: f.Ref, BlobID: f.Blob.ID, CommitID: f.CommitID,
		LastCommitID: f.LastCommitID, ExecuteFilemode: f.Blob.Mode == "100755"}
}

// setFileHeaders writes GitLab's X-Gitlab-* file metadata headers.
func setFileHeaders(w http.ResponseWriter, e fileEntity) {
	h := w.Header()
	h.Set("X-Gitlab-Blob-Id", e.BlobID)
	h.Set("X-Gitlab-Commit-Id", e.CommitID)
	h.Set("X-Gitlab-Content-Sha256", e.ContentSHA256)
	h.Set("X-Gitlab-Encoding", e.Encoding)
	h.Set("X-Gitlab-File-Name", e.FileName)
	h.Set("X-Gitlab-File-Path", e.FilePath)
	h.Set("X-Gitlab-Last-Commit-Id", e.LastCommitID)
	h.Set("X-Gitlab-Ref", e.Ref)
	h.Set("X-Gitlab-Size", strconv.FormatInt(e.Size, 10))
	h.Set("X-Gitlab-Execute-Filemode", strconv.FormatBool(e.ExecuteFilemode))
}

// fileRef reads the ref parameter the metadata endpoints require.
func fileRef(c *Call) (string, error) {
	return c.params.Required("ref", 1024)
}

func (a *API) getFile(w http.ResponseWriter, r *http.Request, c *Call) error {
	ref, err := fileRef(c)
	if err != nil {
		return err
	}
	_, f, err := a.svc.GetFile(r.Context(), c.id, r.PathValue("id"), ref, r.PathValue("file_path"))
	if err != nil {
		return err
	}
	e := fileEntityOf(f)
	setFileHeaders(w, e)
	if r.Method == http.MethodHead {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		return nil
	}
	return writeFileEntity(w, e, f.Blob.Content)
}

// writeFileEntity writes e with content = base64(data) exactly as WriteOK(w, e)
// would, but splices the base64 text in instead of having encoding/json
// copy and scan it: base64 needs no JSON escaping, and it is most of the
// body.
func writeFileEntity(w http.ResponseWriter, e fileEntity, data []byte) error {
	if len(data) == 0 { // "content" is omitted when empty
		return WriteOK(w, e)
	}
	e.Content = ""
	var head bytes.Buffer
	enc := json.NewEncoder(&head)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(e); err != nil {
		return fmt.Errorf("encode file: %w", err)
	}
	// The field after "content": no JSON string can hold this text with an
	// unescaped quote, so its first occurrence is the field itself.
	b := head.Bytes()
	i := bytes.Index(b, []byte(`,"content_sha256":`))
	if i < 0 {
		return fmt.Errorf("encode file: content_sha256 field not found")
	}
	body := make([]byte, 0, len(b)+base64.StdEncoding.EncodedLen(len(data))+16)
	body = append(body, b[:i]...)
	body = append(body, `,"content":"`...)
	body = base64.StdEncoding.AppendEncode(body, data)
	body = append(body, '"')
	body = append(body, b[i:]...)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
	return nil
}

func (a *API) getRawFile(w http.ResponseWriter, r *http.Request, c *Call) error {
	ref, _, err := c.params.Text("ref", 1024)
	if err != nil {
		return err
	}
	if _, _, err := c.params.Bool("lfs"); err != nil {
		return err
	}
	_, f, err := a.svc.GetFile(r.Context(), c.id, r.PathValue("id"), ref, r.PathValue("file_path"))
	if err != nil {
		return err
	}
	e := fileEntityOf(f)
	setFileHeaders(w, e)
	h := w.Header()
	h.Set("Cache-Control", "max-age=0, private, must-revalidate, no-store, no-cache")
	h.Set("X-Content-Type-Options", "nosniff")
	// Never let a browser render repository content as HTML here.
	h.Set("Content-Type", "text/plain; charset=utf-8")
	if !utf8.Valid(f.Blob.Content) {
		h.Set("Content-Type", "application/octet-stream")
	}
	h.Set("Content-Disposition", fmt.Sprintf("inline; filename=%q", path.Base(f.Blob.Path)))
	h.Set("Content-Length", strconv.Itoa(len(f.Blob.Content)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(f.Blob.Content)
	}
	return nil
}

// blameRangeEntity is GitLab's BlameRange.
type blameRangeEntity struct {
	Commit blameCommitEntity `json:"commit"`
	Lines  []string          `json:"lines"`
}

type blameCommitEntity struct {
	ID             string   `json:"id"`
	ParentIDs      []string `json:"parent_ids"`
	Message        string   `json:"message"`
	AuthoredDate   string   `json:"authored_date"`
	AuthorName     string   `json:"author_name"`
	AuthorEmail    string   `json:"author_email"`
	CommittedDate  string   `json:"committed_date"`
	CommitterName  string   `json:"committer_name"`
	CommitterEmail string   `json:"committer_email"`
}

func (a *API) getFileBlame(w http.ResponseWriter, r *http.Request, c *Call) error {
	ref, err := fileRef(c)
	if err != nil {
		return err
	}
	start, hasStart, err := c.params.Int("range[start]")
	if err != nil {
		return err
	}
	end, hasEnd, err := c.params.Int("range[end]")
	if err != nil {
		return err
	}
	switch {
	case hasStart != hasEnd:
		if !hasStart {
			return service.ParamError("range[start] is missing")
		}
		return service.ParamError("range[end] is missing")
	case hasStart && start <= 0:
		return service.ParamError("range[start] does not have a valid value")
	case hasEnd && end <= 0:
		return service.ParamError("range[end] does not have a valid value")
	case start > end:
		return service.Invalid("400 Bad request - range[start] must be less than or equal to range[end]")
	case end > 1<<30:
		return service.ParamError("range[end] does not have a valid value")
	}
	_, f, ranges, err := a.svc.BlameFile(r.Context(), c.id, r.PathValue("id"), ref, r.PathValue("file_path"), int(start), int(end))
	if err != nil {
		return err
	}
	setFileHeaders(w, fileEntityOf(f))
	out := make([]blameRangeEntity, 0, len(ranges))
	for _, br := range ranges {
		cm := br.Commit
		parents := cm.Parents
		if parents == nil {
			parents = []string{}
		}
		out = append(out, blameRangeEntity{Lines: br.Lines, Commit: blameCommitEntity{ID: cm.ID, ParentIDs: parents,
			Message: cm.Message, AuthoredDate: cm.Author.Date.Format(commitTimeLayout), AuthorName: cm.Author.Name,
			AuthorEmail: cm.Author.Email, CommittedDate: cm.Committer.Date.Format(commitTimeLayout),
			CommitterName: cm.Committer.Name, CommitterEmail: cm.Committer.Email}})
	}
	return WriteOK(w, out)
}

// fileWriteInput reads the parameters every file write shares.
func (a *API) fileWriteInput(r *http.Request, c *Call) (service.CommitInput, string, error) {
	var in service.CommitInput
	p := r.PathValue("file_path")
	if err := service.ReadFilePathError(p); err != nil {
		return in, "", err
	}
	var err error
	if in.Branch, err = c.params.Required("branch", 1024); err != nil {
		return in, "", err
	}
	if in.Message, err = c.params.Required("commit_message", 1<<20); err != nil {
		return in, "", err
	}
	if in.StartBranch, _, err = c.params.Text("start_branch", 1024); err != nil {
		return in, "", err
	}
	if in.AuthorName, _, err = c.params.Text("author_name", 255); err != nil {
		return in, "", err
	}
	if in.AuthorEmail, _, err = c.params.Text("author_email", 255); err != nil {
		return in, "", err
	}
	in.FilesAPI = true
	return in, p, nil
}

// fileContent decodes a content parameter by its encoding and enforces the
// configured file size.
func (a *API) fileContent(c *Call, name, encName string) ([]byte, bool, error) {
	v, present := c.params.Raw(name)
	if !present {
		return nil, false, nil
	}
	var s string
	switch t := v.(type) {
	case string:
		s = t
	case nil:
	default:
		return nil, false, service.ParamError(name + " is invalid")
	}
	enc := "text"
	if e, ok := c.params.Str(encName); ok && e != "" {
		enc = e
	}
	var data []byte
	switch enc {
	case "text":
		if !utf8.ValidString(s) {
			return nil, false, service.ParamError(name + " is invalid")
		}
		data = []byte(s)
	case "base64":
		var err error
		if data, err = base64.StdEncoding.DecodeString(s); err != nil {
			return nil, false, service.Invalid("400 Bad request - " + name + " is not valid base64")
		}
	default:
		return nil, false, service.ParamError(encName + " does not have a valid value")
	}
	if int64(len(data)) > a.maxFileSize {
		return nil, false, service.Invalid(fmt.Sprintf("400 Bad request - file is too large (limit is %d bytes)", a.maxFileSize))
	}
	return data, true, nil
}

func (a *API) writeFile(w http.ResponseWriter, r *http.Request, c *Call, kind repo.ActionKind) error {
	in, p, err := a.fileWriteInput(r, c)
	if err != nil {
		return err
	}
	act := service.FileAction{Kind: kind, Path: p}
	if kind != repo.ActionDelete {
		content, present, err := a.fileContent(c, "content", "encoding")
		if err != nil {
			return err
		}
		if !present {
			return service.ParamError("content is missing")
		}
		if content == nil {
			content = []byte{}
		}
		act.Content = content
		if b, ok, err := c.params.Bool("execute_filemode"); err != nil {
			return err
		} else if ok {
			act.ExecuteFilemode = &b
		}
	}
	if kind != repo.ActionCreate {
		if act.LastCommitID, _, err = c.params.Text("last_commit_id", 64); err != nil {
			return err
		}
	}
	in.Actions = []service.FileAction{act}
	if _, _, err := a.svc.CommitFiles(r.Context(), c.id, r.PathValue("id"), in); err != nil {
		return err
	}
	body := map[string]string{"file_path": p, "branch": in.Branch}
	switch kind {
	case repo.ActionCreate:
		return WriteCreated(w, body)
	case repo.ActionDelete:
		return WriteNoContent(w)
	}
	return WriteOK(w, body)
}

func (a *API) createFile(w http.ResponseWriter, r *http.Request, c *Call) error {
	return a.writeFile(w, r, c, repo.ActionCreate)
}

func (a *API) updateFile(w http.ResponseWriter, r *http.Request, c *Call) error {
	return a.writeFile(w, r, c, repo.ActionUpdate)
}

func (a *API) deleteFile(w http.ResponseWriter, r *http.Request, c *Call) error {
	return a.writeFile(w, r, c, repo.ActionDelete)
}
