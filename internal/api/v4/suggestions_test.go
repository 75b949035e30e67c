package v4_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// suggestion is GitLab's suggestion entity as the tests read it.
type suggestion struct {
	ID          int64  `json:"id"`
	FromLine    int    `json:"from_line"`
	ToLine      int    `json:"to_line"`
	Appliable   bool   `json:"appliable"`
	Applied     bool   `json:"applied"`
	FromContent string `json:"from_content"`
	ToContent   string `json:"to_content"`
}

// suggestFixture is a merge request from feature, which adds app.txt
// (lines one to six) and lib.txt (a, b, c).
type suggestFixture struct {
	*mrFixture
	mr                         *gitlab.MergeRequest
	baseSHA, headSHA, startSHA string
}

func newSuggestFixture(t *testing.T) *suggestFixture {
	t.Helper()
	f := &suggestFixture{mrFixture: newMRFixture(t, "feature")}
	f.commitFile(t, "feature", "app.txt", "one\ntwo\nthree\nfour\nfive\nsix\n")
	f.commitFile(t, "feature", "lib.txt", "a\nb\nc\n")
	f.mr = f.create(t, f.devC, "feature", "Feature")
	f.baseSHA, f.startSHA, f.headSHA = f.head(t, "main"), f.head(t, "main"), f.head(t, "feature")
	return f
}

// suggest starts a diff thread by token on line of path with body and
// returns its note's id and suggestions.
func (f *suggestFixture) suggest(t *testing.T, token, path string, line int, body string) (int64, []suggestion) {
	t.Helper()
	resp := f.s.Do(t, labtest.Request{Method: http.MethodPost, Path: f.path(fmt.Sprintf("/%d/discussions", f.mr.IID)), Token: token,
		JSON: map[string]any{"body": body, "position": map[string]any{"base_sha": f.baseSHA, "start_sha": f.startSHA,
			"head_sha": f.headSHA, "position_type": "text", "old_path": path, "new_path": path, "new_line": line}}})
	if resp.Status != http.StatusCreated {
		t.Fatalf("diff thread: %d %s", resp.Status, resp.Body)
	}
	var d struct {
		Notes []struct {
			ID          int64         `json:"id"`
			Suggestions *[]suggestion `json:"suggestions"`
		} `json:"notes"`
	}
	if err := json.Unmarshal(resp.Body, &d); err != nil || len(d.Notes) != 1 || d.Notes[0].Suggestions == nil {
		t.Fatalf("diff thread = %s, %v", resp.Body, err)
	}
	return d.Notes[0].ID, *d.Notes[0].Suggestions
}

// apply applies one suggestion with the official client.
func apply(c *gitlab.Client, id any, message string) (*suggestion, *gitlab.Response, error) {
	var opt any
	if message != "" {
		opt = map[string]string{"commit_message": message}
	}
	req, err := c.NewRequest(http.MethodPut, fmt.Sprintf("suggestions/%v/apply", id), opt, nil)
	if err != nil {
		return nil, nil, err
	}
	var out suggestion
	resp, err := c.Do(req, &out)
	return &out, resp, err
}

func batchApply(c *gitlab.Client, ids []int64, message string) ([]suggestion, *gitlab.Response, error) {
	opt := map[string]any{"ids": ids}
	if message != "" {
		opt["commit_message"] = message
	}
	req, err := c.NewRequest(http.MethodPut, "suggestions/batch_apply", opt, nil)
	if err != nil {
		return nil, nil, err
	}
	var out []suggestion
	resp, err := c.Do(req, &out)
	return out, resp, err
}

func (f *suggestFixture) file(t *testing.T, path string) string {
	t.Helper()
	b, _, err := f.ownerC.RepositoryFiles.GetRawFile(f.p.ID, path, &gitlab.GetRawFileOptions{Ref: gitlab.Ptr("feature")})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestSuggestionApply: a diff note's suggestion block is stored with the
// lines it replaces; applying it commits the change to the source branch
// with GitLab's default message, the note's author as author and a
// co-author trailer; it is then applied and no longer appliable.
func TestSuggestionApply(t *testing.T) {
	t.Parallel()
	f := newSuggestFixture(t)
	_, gs := f.suggest(t, f.reporter.Token, "app.txt", 2, "Better:\n\n```suggestion:-0+0\nTWO\n```\n")
	if len(gs) != 1 || gs[0].FromLine != 2 || gs[0].ToLine != 2 || !gs[0].Appliable || gs[0].Applied ||
		gs[0].FromContent != "two\n" || gs[0].ToContent != "TWO\n" {
		t.Fatalf("suggestions = %+v", gs)
	}
	g, resp, err := apply(f.devC, gs[0].ID, "")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("apply: %v", err)
	}
	if g.ID != gs[0].ID || !g.Applied || g.Appliable || g.FromLine != 2 || g.ToLine != 2 || g.FromContent != "two\n" ||
		g.ToContent != "TWO\n" {
		t.Fatalf("applied = %+v", g)
	}
	if got := f.file(t, "app.txt"); got != "one\nTWO\nthree\nfour\nfive\nsix\n" {
		t.Fatalf("app.txt = %q", got)
	}
	c, _, err := f.ownerC.Commits.GetCommit(f.p.ID, "feature", nil)
	want := fmt.Sprintf("Apply 1 suggestion(s) to 1 file(s)\n\nCo-authored-by: %s <%s>\n", f.reporter.Name, f.reporter.Email)
	if err != nil || c.Message != want || c.AuthorEmail != f.reporter.Email || c.CommitterEmail != f.dev.Email {
		t.Fatalf("commit = %q by %s/%s, %v", c.Message, c.AuthorEmail, c.CommitterEmail, err)
	}
	// Applied once: a second apply is refused.
	f.s.Do(t, labtest.Request{Method: http.MethodPut, Path: fmt.Sprintf("/suggestions/%d/apply", g.ID), Token: f.dev.Token}).
		ExpectError(t, 400, `{"message":"Can't apply this suggestion."}`)
	// The merge request's discussions show it applied.
	resp2 := f.s.Do(t, labtest.Request{Method: http.MethodGet, Path: f.path(fmt.Sprintf("/%d/discussions", f.mr.IID)), Token: f.reporter.Token})
	if !strings.Contains(string(resp2.Body), `"suggestions":[{"id":`+fmt.Sprint(g.ID)+`,"from_line":2,"to_line":2,"appliable":false,"applied":true`) {
		t.Fatalf("discussions = %s", resp2.Body)
	}
	// The custom message, with GitLab's placeholders.
	_, gs = f.suggest(t, f.dev.Token, "app.txt", 4, "```suggestion:-1+1\nTHREE\nFOUR\nFIVE\n```")
	if len(gs) != 1 || gs[0].FromLine != 3 || gs[0].ToLine != 5 || gs[0].FromContent != "three\nfour\nfive\n" ||
		gs[0].ToContent != "THREE\nFOUR\nFIVE\n" {
		t.Fatalf("multi-line suggestion = %+v", gs)
	}
	if _, _, err := apply(f.devC, gs[0].ID, "%{suggestions_count} by %{username} to %{file_paths} on %{branch_name}"); err != nil {
		t.Fatal(err)
	}
	if c, _, err = f.ownerC.Commits.GetCommit(f.p.ID, "feature", nil); err != nil || c.Message != "1 by dora to app.txt on feature\n" ||
		c.AuthorEmail != f.dev.Email {
		t.Fatalf("commit = %+v, %v", c, err)
	}
	if got := f.file(t, "app.txt"); got != "one\nTWO\nTHREE\nFOUR\nFIVE\nsix\n" {
		t.Fatalf("app.txt = %q", got)
	}
	// Lines below the end of the file are none of the suggestion's.
	_, gs = f.suggest(t, f.dev.Token, "lib.txt", 3, "```suggestion:-0+5\nC\n```")
	if len(gs) != 1 || gs[0].FromLine != 3 || gs[0].ToLine != 8 || gs[0].FromContent != "c\n" || gs[0].ToContent != "C\n" {
		t.Fatalf("suggestion past the end = %+v", gs)
	}
	if _, _, err := apply(f.devC, gs[0].ID, ""); err != nil {
		t.Fatal(err)
	}
	if got := f.file(t, "lib.txt"); got != "a\nb\nC\n" {
		t.Fatalf("lib.txt = %q", got)
	}
}

// TestSuggestionBatchApply: ids[] apply as one commit; overlapping
// suggestions and unknown ids are refused as GitLab refuses them.
func TestSuggestionBatchApply(t *testing.T) {
	t.Parallel()
	f := newSuggestFixture(t)
	_, a := f.suggest(t, f.dev.Token, "app.txt", 1, "```suggestion\nONE\n```")
	_, b := f.suggest(t, f.dev.Token, "app.txt", 6, "```suggestion:-1\n```")
	_, c := f.suggest(t, f.dev.Token, "lib.txt", 2, "```suggestion:-0+0\nB\n```\n\n```suggestion:-1+0\nA+B\n```")
	if len(a) != 1 || len(b) != 1 || len(c) != 2 || b[0].ToContent != "" || b[0].FromContent != "five\nsix\n" {
		t.Fatalf("suggestions = %+v %+v %+v", a, b, c)
	}
	// The two of lib.txt share line 2.
	f.s.Do(t, labtest.Request{Method: http.MethodPut, Path: "/suggestions/batch_apply", Token: f.dev.Token,
		JSON: map[string]any{"ids": []int64{c[0].ID, c[1].ID}}}).
		ExpectError(t, 400, `{"message":"Suggestions are not applicable as their lines cannot overlap."}`)
	f.s.Do(t, labtest.Request{Method: http.MethodPut, Path: "/suggestions/batch_apply", Token: f.dev.Token,
		JSON: map[string]any{"ids": []any{a[0].ID, "foo-123"}}}).
		ExpectError(t, 404, `{"message":"Suggestions are not applicable as one or more suggestions were not found."}`)
	f.s.Do(t, labtest.Request{Method: http.MethodPut, Path: "/suggestions/batch_apply", Token: f.dev.Token,
		JSON: map[string]any{"ids": []int64{a[0].ID, 99999999}}}).
		ExpectError(t, 404, `{"message":"Suggestions are not applicable as one or more suggestions were not found."}`)
	f.s.Do(t, labtest.Request{Method: http.MethodPut, Path: "/suggestions/batch_apply", Token: f.dev.Token, JSON: map[string]any{}}).
		ExpectError(t, 400, `{"error":"ids is missing"}`)
	f.s.Do(t, labtest.Request{Method: http.MethodPut, Path: "/suggestions/batch_apply", Token: f.reporter.Token,
		JSON: map[string]any{"ids": []int64{a[0].ID, b[0].ID}}}).ExpectError(t, 403, `{"message":"403 Forbidden"}`)

	out, _, err := batchApply(f.devC, []int64{a[0].ID, b[0].ID, c[0].ID}, "")
	if err != nil || len(out) != 3 || out[0].ID != a[0].ID || !out[0].Applied || !out[1].Applied || !out[2].Applied {
		t.Fatalf("batch = %+v, %v", out, err)
	}
	if got := f.file(t, "app.txt"); got != "ONE\ntwo\nthree\nfour\n" {
		t.Fatalf("app.txt = %q", got)
	}
	if got := f.file(t, "lib.txt"); got != "a\nB\nc\n" {
		t.Fatalf("lib.txt = %q", got)
	}
	cm, _, err := f.ownerC.Commits.GetCommit(f.p.ID, "feature", nil)
	if err != nil || cm.Message != "Apply 3 suggestion(s) to 2 file(s)\n" || cm.AuthorEmail != f.dev.Email {
		t.Fatalf("commit = %+v, %v", cm, err)
	}
	// Its lines changed with the batch: the other one of lib.txt is outdated.
	f.s.Do(t, labtest.Request{Method: http.MethodPut, Path: fmt.Sprintf("/suggestions/%d/apply", c[1].ID), Token: f.dev.Token}).
		ExpectError(t, 400, `{"message":"Can't apply as these lines were changed in a more recent version."}`)
}

// TestSuggestionRefusals: outdated after a push, closed merge requests,
// callers who may not push or read, unknown ids, and an edited note's
// suggestions replaced.
func TestSuggestionRefusals(t *testing.T) {
	t.Parallel()
	f := newSuggestFixture(t)
	noteID, gs := f.suggest(t, f.reporter.Token, "app.txt", 3, "```suggestion:-0+0\nTHREE\n```")
	id := gs[0].ID
	do := func(token string, id any) *labtest.Response {
		return f.s.Do(t, labtest.Request{Method: http.MethodPut, Path: fmt.Sprintf("/suggestions/%v/apply", id), Token: token})
	}
	const notFound = `{"message":"Suggestion is not applicable as the suggestion was not found."}`
	do(f.reporter.Token, id).ExpectError(t, 403, `{"message":"403 Forbidden"}`)
	do(f.guest.Token, id).ExpectError(t, 404, notFound)
	do(f.outsider.Token, id).ExpectError(t, 404, notFound)
	do("", id).ExpectError(t, 401, `{"message":"401 Unauthorized"}`)
	do(f.dev.Token, "foo-123").ExpectError(t, 404, notFound)
	do(f.dev.Token, 99999999).ExpectError(t, 404, notFound)

	// Editing the note writes its suggestions again.
	if _, _, err := f.reporterC.Notes.UpdateMergeRequestNote(f.p.ID, f.mr.IID, noteID, &gitlab.UpdateMergeRequestNoteOptions{
		Body: gitlab.Ptr("```suggestion:-0+0\nThree!\n```")}); err != nil {
		t.Fatal(err)
	}
	do(f.dev.Token, id).ExpectError(t, 404, notFound)
	_, gs = f.suggest(t, f.reporter.Token, "app.txt", 3, "```suggestion:-0+0\nThree!\n```")
	id = gs[0].ID

	// A push that changes the line outdates the suggestion.
	if _, _, err := f.ownerC.RepositoryFiles.UpdateFile(f.p.ID, "app.txt", &gitlab.UpdateFileOptions{Branch: gitlab.Ptr("feature"),
		Content: gitlab.Ptr("one\ntwo\n3\nfour\nfive\nsix\n"), CommitMessage: gitlab.Ptr("three")}); err != nil {
		t.Fatal(err)
	}
	do(f.dev.Token, id).ExpectError(t, 400, `{"message":"Can't apply as this line was changed in a more recent version."}`)

	// A change elsewhere leaves another suggestion appliable; closing
	// the merge request does not.
	_, gs = f.suggest(t, f.reporter.Token, "app.txt", 1, "```suggestion:-0+0\nOne\n```")
	if _, _, err := f.devC.MergeRequests.UpdateMergeRequest(f.p.ID, f.mr.IID, &gitlab.UpdateMergeRequestOptions{
		StateEvent: gitlab.Ptr("close")}); err != nil {
		t.Fatal(err)
	}
	do(f.dev.Token, gs[0].ID).ExpectError(t, 400, `{"message":"This merge request is closed. To apply this suggestion, edit this file directly."}`)
	if _, _, err := f.devC.MergeRequests.UpdateMergeRequest(f.p.ID, f.mr.IID, &gitlab.UpdateMergeRequestOptions{
		StateEvent: gitlab.Ptr("reopen")}); err != nil {
		t.Fatal(err)
	}
	if g, _, err := apply(f.devC, gs[0].ID, ""); err != nil || !g.Applied {
		t.Fatalf("apply = %+v, %v", g, err)
	}
	if got := f.file(t, "app.txt"); got != "One\ntwo\n3\nfour\nfive\nsix\n" {
		t.Fatalf("app.txt = %q", got)
	}
}

// TestSuggestionConcurrentApply: of concurrent applies of one suggestion
// exactly one commits.
func TestSuggestionConcurrentApply(t *testing.T) {
	t.Parallel()
	f := newSuggestFixture(t)
	_, gs := f.suggest(t, f.dev.Token, "lib.txt", 1, "```suggestion:-0+0\na\nnew\n```")
	before := f.head(t, "feature")
	codes := make(chan int, 6)
	for range cap(codes) {
		go func() {
			_, resp, _ := apply(f.devC, gs[0].ID, "")
			if resp == nil {
				codes <- 0
				return
			}
			codes <- resp.StatusCode
		}()
	}
	won := 0
	for range cap(codes) {
		if c := <-codes; c == http.StatusOK {
			won++
		} else if c != http.StatusBadRequest {
			t.Fatalf("concurrent apply answered %d", c)
		}
	}
	if won != 1 {
		t.Fatalf("%d concurrent applies won", won)
	}
	if got := f.file(t, "lib.txt"); got != "a\nnew\nb\nc\n" {
		t.Fatalf("lib.txt = %q", got)
	}
	c, _, err := f.ownerC.Commits.GetCommit(f.p.ID, "feature", nil)
	if err != nil || len(c.ParentIDs) != 1 || c.ParentIDs[0] != before {
		t.Fatalf("head = %+v, %v", c, err)
	}
}

// TestSuggestionMarkdown: suggestion blocks render as GitLab's.
func TestSuggestionMarkdown(t *testing.T) {
	t.Parallel()
	f := newMRFixture(t)
	resp := f.s.Do(t, labtest.Request{Method: http.MethodPost, Path: "/markdown", Token: f.dev.Token,
		JSON: map[string]any{"text": "```suggestion:-1+2\nx < y\n```", "gfm": true, "project": "team/app"}})
	want := "<pre class=\"code highlight js-syntax-highlight language-suggestion\" lang=\"suggestion\" data-lang-params=\"-1+2\">" +
		"<code class=\"js-render-suggestion\">x &lt; y\n</code></pre>"
	var out struct{ HTML string }
	if resp.Status != http.StatusCreated || json.Unmarshal(resp.Body, &out) != nil || out.HTML != want {
		t.Fatalf("markdown = %d %s", resp.Status, resp.Body)
	}
}
