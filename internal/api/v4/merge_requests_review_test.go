package v4_test

import (
	"net/http"
	"net/url"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// commitFile adds path with content to branch of the fixture's project.
func (f *mrFixture) commitFile(t *testing.T, branch, path, content string) {
	t.Helper()
	if _, _, err := f.ownerC.RepositoryFiles.CreateFile(f.p.ID, path, &gitlab.CreateFileOptions{Branch: gitlab.Ptr(branch),
		Content: gitlab.Ptr(content), CommitMessage: gitlab.Ptr("add " + path)}); err != nil {
		t.Fatal(err)
	}
}

// twoVersionMR opens a merge request from feature (feature.txt) and adds
// more.txt ("a", "b", "c") to it: two versions. It returns main's head
// and both of feature's.
func twoVersionMR(t *testing.T) (f *mrFixture, mr *gitlab.MergeRequest, main, first, second string) {
	f = newMRFixture(t, "feature")
	main, first = f.head(t, "main"), f.head(t, "feature")
	mr = f.create(t, f.devC, "feature", "Feature")
	f.commitFile(t, "feature", "more.txt", "a\nb\nc\n")
	return f, mr, main, first, f.head(t, "feature")
}

// TestMergeRequestVersions: a merge request has a version on creation
// and one per push that moves its head, newest first; a version shows
// its commits and diffs, computed from its shas.
func TestMergeRequestVersions(t *testing.T) {
	t.Parallel()
	f, mr, main, first, second := twoVersionMR(t)

	vs, resp, err := f.reporterC.MergeRequests.GetMergeRequestDiffVersions(f.p.ID, mr.IID, nil)
	if err != nil || len(vs) != 2 || resp.Header.Get("X-Total") != "2" {
		t.Fatalf("versions = %+v, %v", vs, err)
	}
	if vs[0].HeadCommitSHA != second || vs[1].HeadCommitSHA != first || vs[0].BaseCommitSHA != main ||
		vs[0].StartCommitSHA != main || vs[0].State != "collected" || vs[0].RealSize != "2" || vs[1].RealSize != "1" ||
		vs[0].MergeRequestID != mr.ID || vs[0].ID <= vs[1].ID || vs[0].Commits != nil {
		t.Fatalf("versions = %+v %+v", vs[0], vs[1])
	}
	v, _, err := f.reporterC.MergeRequests.GetSingleMergeRequestDiffVersion(f.p.ID, mr.IID, vs[1].ID, nil)
	if err != nil || v.HeadCommitSHA != first || len(v.Commits) != 1 || v.Commits[0].ID != first ||
		len(v.Diffs) != 1 || v.Diffs[0].NewPath != "feature.txt" {
		t.Fatalf("first version = %+v, %v", v, err)
	}
	v, _, err = f.reporterC.MergeRequests.GetSingleMergeRequestDiffVersion(f.p.ID, mr.IID, vs[0].ID, nil)
	if err != nil || len(v.Commits) != 2 || v.Commits[0].ID != second || len(v.Diffs) != 2 {
		t.Fatalf("latest version = %+v, %v", v, err)
	}
	f.s.Do(t, labtest.Request{Method: http.MethodGet, Path: f.path("/1/versions/999999"), Token: f.reporter.Token}).
		ExpectError(t, 404, `{"message":"404 Not found"}`)
	// A guest of the private project may not read its merge requests.
	if _, _, err := f.guestC.MergeRequests.GetMergeRequestDiffVersions(f.p.ID, mr.IID, nil); status(err) != http.StatusForbidden {
		t.Fatalf("guest: %v", err)
	}
}

// TestMergeRequestDiffThreads: a thread on a line of the diff is a
// resolvable DiffNote with GitLab's position, from a JSON object or from
// position[...] form fields; its replies are DiffNotes at the same place;
// positions off the merge request's diffs are refused with GitLab's 400.
func TestMergeRequestDiffThreads(t *testing.T) {
	t.Parallel()
	f, mr, main, first, head := twoVersionMR(t)

	pos := func(base, head, path string, newLine int64) *gitlab.PositionOptions {
		return &gitlab.PositionOptions{BaseSHA: gitlab.Ptr(base), StartSHA: gitlab.Ptr(main), HeadSHA: gitlab.Ptr(head),
			PositionType: gitlab.Ptr("text"), NewPath: gitlab.Ptr(path), OldPath: gitlab.Ptr(path), NewLine: gitlab.Ptr(newLine)}
	}
	d, resp, err := f.reporterC.Discussions.CreateMergeRequestDiscussion(f.p.ID, mr.IID, &gitlab.CreateMergeRequestDiscussionOptions{
		Body: gitlab.Ptr("Why b?"), Position: pos(main, head, "more.txt", 2)})
	if err != nil || resp.StatusCode != http.StatusCreated || d.IndividualNote || len(d.Notes) != 1 {
		t.Fatalf("diff thread = %+v, %v", d, err)
	}
	n := d.Notes[0]
	if n.Type != "DiffNote" || !n.Resolvable || n.Resolved || n.Position == nil || n.Position.NewLine != 2 ||
		n.Position.OldLine != 0 || n.Position.HeadSHA != head || n.Position.BaseSHA != main ||
		n.Position.NewPath != "more.txt" || n.Position.PositionType != "text" {
		t.Fatalf("diff note = %+v position %+v", n, n.Position)
	}
	reply, _, err := f.devC.Discussions.AddMergeRequestDiscussionNote(f.p.ID, mr.IID, d.ID,
		&gitlab.AddMergeRequestDiscussionNoteOptions{Body: gitlab.Ptr("Because.")})
	if err != nil || reply.Type != "DiffNote" || reply.Position == nil || reply.Position.NewLine != 2 || !reply.Resolvable {
		t.Fatalf("reply = %+v, %v", reply, err)
	}
	// Resolving the thread resolves both notes.
	rd, _, err := f.devC.Discussions.ResolveMergeRequestDiscussion(f.p.ID, mr.IID, d.ID,
		&gitlab.ResolveMergeRequestDiscussionOptions{Resolved: gitlab.Ptr(true)})
	if err != nil || len(rd.Notes) != 2 || !rd.Notes[0].Resolved || !rd.Notes[1].Resolved {
		t.Fatalf("resolved = %+v, %v", rd, err)
	}

	// The older version's shas still take threads, as form fields too.
	r := f.s.Do(t, labtest.Request{Method: http.MethodPost, Path: f.path("/1/discussions"), Token: f.dev.Token,
		Form: url.Values{"body": {"on v1"}, "position[base_sha]": {main}, "position[start_sha]": {main},
			"position[head_sha]": {first}, "position[position_type]": {"text"}, "position[new_path]": {"feature.txt"},
			"position[old_path]": {"feature.txt"}, "position[new_line]": {"1"},
			"position[line_range][start][line_code]": {"x_0_1"}, "position[line_range][start][new_line]": {"1"}}})
	if r.Status != http.StatusCreated {
		t.Fatalf("form position: %d %s", r.Status, r.Body)
	}
	var fd gitlab.Discussion
	r.JSON(t, &fd)
	if p := fd.Notes[0].Position; p == nil || p.HeadSHA != first || p.NewLine != 1 || p.LineRange == nil ||
		p.LineRange.StartRange == nil || p.LineRange.StartRange.NewLine != 1 || p.LineRange.StartRange.LineCode != "x_0_1" {
		t.Fatalf("form position = %+v", fd.Notes[0].Position)
	}

	lineCode := `{"message":"400 Bad request - Note {:line_code=>[\"can't be blank\", \"must be a valid line code\"]}"}`
	for name, p := range map[string]*gitlab.PositionOptions{
		"line past the diff":      pos(main, head, "more.txt", 9),
		"file not in the diff":    pos(main, head, "README.md", 1),
		"head of no version":      pos(main, main, "more.txt", 2),
		"base of no version":      pos(head, head, "more.txt", 2),
		"file not in the version": pos(main, first, "more.txt", 2),
	} {
		t.Run(name, func(t *testing.T) {
			f.s.Do(t, labtest.Request{Method: http.MethodPost, Path: f.path("/1/discussions"), Token: f.dev.Token,
				JSON: map[string]any{"body": "x", "position": p}}).ExpectError(t, 400, lineCode)
		})
	}
	incomplete := pos(main, head, "more.txt", 0)
	incomplete.NewLine = nil
	f.s.Do(t, labtest.Request{Method: http.MethodPost, Path: f.path("/1/discussions"), Token: f.dev.Token,
		JSON: map[string]any{"body": "x", "position": incomplete}}).
		ExpectError(t, 400, `{"message":"400 Bad request - Note {:line_code=>[\"can't be blank\", \"must be a valid line code\"], :position=>[\"is incomplete\"]}"}`)
	f.s.Do(t, labtest.Request{Method: http.MethodPost, Path: f.path("/1/discussions"), Token: f.dev.Token,
		JSON: map[string]any{"body": "x", "position": map[string]any{"start_sha": main, "head_sha": head, "position_type": "text"}}}).
		ExpectError(t, 400, `{"error":"position[base_sha] is missing"}`)
	f.s.Do(t, labtest.Request{Method: http.MethodPost, Path: f.path("/1/discussions"), Token: f.dev.Token,
		JSON: map[string]any{"body": "x", "position": map[string]any{"base_sha": main, "start_sha": main, "head_sha": head,
			"position_type": "bogus"}}}).
		ExpectError(t, 400, `{"error":"position[position_type] does not have a valid value"}`)

	// Nothing was written by the refused ones: two diff threads (and the
	// push's system note); individual notes do not resolve.
	ds, _, err := f.devC.Discussions.ListMergeRequestDiscussions(f.p.ID, mr.IID, nil)
	diffThreads := 0
	for _, d := range ds {
		if d.Notes[0].Type == "DiffNote" {
			diffThreads++
		} else if d.Notes[0].Resolvable {
			t.Errorf("%q resolvable", d.Notes[0].Body)
		}
	}
	if err != nil || len(ds) != 3 || diffThreads != 2 {
		t.Fatalf("discussions = %d (%d diff threads), %v", len(ds), diffThreads, err)
	}
	note, _, err := f.devC.Notes.CreateMergeRequestNote(f.p.ID, mr.IID, &gitlab.CreateMergeRequestNoteOptions{Body: gitlab.Ptr("plain")})
	if err != nil || note.Resolvable || note.Position != nil {
		t.Fatalf("individual note = %+v, %v", note, err)
	}
}

// TestMergeRequestApprovals: Developers approve (the author too, as in
// GitLab Free) once each, with a system note and an "approved" event;
// a stale sha is 409, approving twice 401, a Reporter 403; unapproving
// what one did not approve is 404; a push of new commits resets them.
func TestMergeRequestApprovals(t *testing.T) {
	t.Parallel()
	f := newMRFixture(t, "feature")
	mr := f.create(t, f.devC, "feature", "Feature")
	head := f.head(t, "feature")
	ap := f.s.Client(t, f.dev.Token).MergeRequestApprovals

	a, _, err := f.reporterC.MergeRequestApprovals.GetConfiguration(f.p.ID, mr.IID)
	if err != nil || a.Approved || len(a.ApprovedBy) != 0 || a.UserCanApprove || a.UserHasApproved || a.IID != mr.IID {
		t.Fatalf("approvals before = %+v, %v", a, err)
	}
	if _, _, err := ap.ApproveMergeRequest(f.p.ID, mr.IID, &gitlab.ApproveMergeRequestOptions{SHA: gitlab.Ptr(f.head(t, "main"))}); status(err) != http.StatusConflict {
		t.Fatalf("stale sha: %v", err)
	}
	f.s.Do(t, labtest.Request{Method: http.MethodPost, Path: f.path("/1/approve"), Token: f.dev.Token,
		JSON: map[string]any{"sha": "0000"}}).
		ExpectError(t, 409, `{"message":"SHA does not match HEAD of source branch: `+head+`"}`)
	a, resp, err := ap.ApproveMergeRequest(f.p.ID, mr.IID, &gitlab.ApproveMergeRequestOptions{SHA: gitlab.Ptr(head)})
	if err != nil || resp.StatusCode != http.StatusCreated || !a.Approved || len(a.ApprovedBy) != 1 ||
		a.ApprovedBy[0].User.ID != f.dev.ID || !a.UserHasApproved || a.UserCanApprove {
		t.Fatalf("approve = %+v, %v", a, err)
	}
	f.s.Do(t, labtest.Request{Method: http.MethodPost, Path: f.path("/1/approve"), Token: f.dev.Token}).
		ExpectError(t, 401, `{"message":"401 Unauthorized"}`)
	f.s.Do(t, labtest.Request{Method: http.MethodPost, Path: f.path("/1/approve"), Token: f.reporter.Token}).
		ExpectError(t, 403, `{"message":"403 Forbidden"}`)
	f.s.Do(t, labtest.Request{Method: http.MethodPost, Path: f.path("/1/unapprove"), Token: f.owner.Token}).
		ExpectError(t, 404, `{"message":"404 Not found"}`)
	// The owner, asked to review, approves: their to-do item is done.
	if _, _, err := f.devC.MergeRequests.UpdateMergeRequest(f.p.ID, mr.IID, &gitlab.UpdateMergeRequestOptions{
		ReviewerIDs: &[]int64{f.owner.ID}}); err != nil {
		t.Fatal(err)
	}
	pending := func() int {
		todos, _, err := f.ownerC.Todos.ListTodos(&gitlab.ListTodosOptions{State: gitlab.Ptr("pending")})
		if err != nil {
			t.Fatal(err)
		}
		return len(todos)
	}
	if n := pending(); n != 1 {
		t.Fatalf("owner's pending to-do items before approving: %d", n)
	}
	if a, _, err = f.ownerC.MergeRequestApprovals.ApproveMergeRequest(f.p.ID, mr.IID, nil); err != nil || len(a.ApprovedBy) != 2 {
		t.Fatalf("second approval = %+v, %v", a, err)
	}
	if n := pending(); n != 0 {
		t.Fatalf("owner's pending to-do items after approving: %d", n)
	}
	st, _, err := f.reporterC.MergeRequestApprovals.GetApprovalState(f.p.ID, mr.IID)
	if err != nil || st.ApprovalRulesOverwritten || st.Rules == nil || len(st.Rules) != 0 {
		t.Fatalf("approval state = %+v, %v", st, err)
	}

	notes, _, err := f.devC.Notes.ListMergeRequestNotes(f.p.ID, mr.IID, nil)
	approvedNotes := 0
	for _, n := range notes {
		if n.System && n.Body == "approved this merge request" {
			approvedNotes++
		}
	}
	if err != nil || approvedNotes != 2 {
		t.Fatalf("%d approved notes, %v", approvedNotes, err)
	}
	events, _, err := f.devC.Events.ListProjectVisibleEvents(f.p.ID, &gitlab.ListProjectVisibleEventsOptions{Action: gitlab.Ptr(gitlab.EventTypeValue("approved"))})
	if err != nil || len(events) != 2 || events[0].TargetType != "MergeRequest" || events[0].TargetIID != mr.IID {
		t.Fatalf("approved events = %+v, %v", events, err)
	}

	// The owner takes theirs back.
	if _, err := f.ownerC.MergeRequestApprovals.UnapproveMergeRequest(f.p.ID, mr.IID); err != nil {
		t.Fatal(err)
	}
	a, _, err = ap.GetConfiguration(f.p.ID, mr.IID)
	if err != nil || len(a.ApprovedBy) != 1 || a.ApprovedBy[0].User.ID != f.dev.ID {
		t.Fatalf("after unapprove = %+v, %v", a, err)
	}

	// New commits drop the approvals (reset_approvals_on_push, GitLab's
	// default).
	f.commitFile(t, "feature", "more.txt", "more\n")
	a, _, err = ap.GetConfiguration(f.p.ID, mr.IID)
	if err != nil || a.Approved || len(a.ApprovedBy) != 0 || !a.UserCanApprove {
		t.Fatalf("after a push = %+v, %v", a, err)
	}

	// Maintainers turn the reset off; approvals then outlive pushes.
	cfg, _, err := f.ownerC.Projects.GetApprovalConfiguration(f.p.ID)
	if err != nil || !cfg.ResetApprovalsOnPush || !cfg.MergeRequestsAuthorApproval {
		t.Fatalf("project approvals = %+v, %v", cfg, err)
	}
	if _, _, err := f.devC.Projects.GetApprovalConfiguration(f.p.ID); status(err) != http.StatusForbidden {
		t.Fatalf("developer reads the configuration: %v", err)
	}
	f.s.Do(t, labtest.Request{Method: http.MethodPost, Path: "/projects/" + itoa(f.p.ID) + "/approvals", Token: f.owner.Token}).
		ExpectError(t, 400, `{"error":"approvals_before_merge, reset_approvals_on_push, disable_overriding_approvers_per_merge_request, merge_requests_author_approval, merge_requests_disable_committers_approval, require_password_to_approve, require_reauthentication_to_approve are missing, at least one parameter must be provided"}`)
	cfg, resp, err = f.ownerC.Projects.ChangeApprovalConfiguration(f.p.ID, &gitlab.ChangeApprovalConfigurationOptions{
		ResetApprovalsOnPush: gitlab.Ptr(false)})
	if err != nil || resp.StatusCode != http.StatusCreated || cfg.ResetApprovalsOnPush {
		t.Fatalf("turning the reset off = %+v, %v", cfg, err)
	}
	if _, _, err := ap.ApproveMergeRequest(f.p.ID, mr.IID, nil); err != nil {
		t.Fatal(err)
	}
	f.commitFile(t, "feature", "last.txt", "last\n")
	if a, _, err = ap.GetConfiguration(f.p.ID, mr.IID); err != nil || len(a.ApprovedBy) != 1 {
		t.Fatalf("after a push without reset = %+v, %v", a, err)
	}
}

// TestMergeRequestDiffThreadSides: on a changed file, a removed line is
// named by its old line, an added one by its new line, an unchanged one
// by both (one side alone is refused, as GitLab matches both); issues
// take no positions; concurrent approvals by one user make one approval.
func TestMergeRequestDiffThreadSides(t *testing.T) {
	t.Parallel()
	f := newMRFixture(t)
	f.commitFile(t, "main", "lines.txt", "1\n2\n3\n4\n5\n")
	if _, _, err := f.ownerC.Branches.CreateBranch(f.p.ID, &gitlab.CreateBranchOptions{Branch: gitlab.Ptr("edit"), Ref: gitlab.Ptr("main")}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.ownerC.RepositoryFiles.UpdateFile(f.p.ID, "lines.txt", &gitlab.UpdateFileOptions{Branch: gitlab.Ptr("edit"),
		Content: gitlab.Ptr("1\n2\nTHREE\n4\n5\n"), CommitMessage: gitlab.Ptr("edit")}); err != nil {
		t.Fatal(err)
	}
	mr := f.create(t, f.devC, "edit", "Edit")
	main, head := f.head(t, "main"), f.head(t, "edit")
	thread := func(oldLine, newLine int64) *labtest.Response {
		p := map[string]any{"base_sha": main, "start_sha": main, "head_sha": head, "position_type": "text",
			"old_path": "lines.txt", "new_path": "lines.txt"}
		if oldLine != 0 {
			p["old_line"] = oldLine
		}
		if newLine != 0 {
			p["new_line"] = newLine
		}
		return f.s.Do(t, labtest.Request{Method: http.MethodPost, Path: f.path("/" + itoa(mr.IID) + "/discussions"),
			Token: f.dev.Token, JSON: map[string]any{"body": "here", "position": p}})
	}
	for _, ok := range [][2]int64{{3, 0}, {0, 3}, {2, 2}, {4, 4}} {
		if r := thread(ok[0], ok[1]); r.Status != http.StatusCreated {
			t.Errorf("old %d new %d: %d %s", ok[0], ok[1], r.Status, r.Body)
		} else if pos := r.Map(t)["notes"].([]any)[0].(map[string]any)["position"].(map[string]any); ok[0] == 0 && pos["old_line"] != nil ||
			ok[1] == 0 && pos["new_line"] != nil || pos["line_range"] != nil || pos["old_path"] != "lines.txt" {
			t.Errorf("old %d new %d: position %v", ok[0], ok[1], pos)
		}
	}
	for _, bad := range [][2]int64{{0, 2}, {2, 0}, {3, 3}, {6, 6}} {
		if r := thread(bad[0], bad[1]); r.Status != http.StatusBadRequest {
			t.Errorf("old %d new %d: %d %s", bad[0], bad[1], r.Status, r.Body)
		}
	}

	issue, _, err := f.ownerC.Issues.CreateIssue(f.p.ID, &gitlab.CreateIssueOptions{Title: gitlab.Ptr("bug")})
	if err != nil {
		t.Fatal(err)
	}
	f.s.Do(t, labtest.Request{Method: http.MethodPost, Path: "/projects/" + itoa(f.p.ID) + "/issues/" + itoa(issue.IID) + "/discussions",
		Token: f.dev.Token, JSON: map[string]any{"body": "x", "position": map[string]any{"base_sha": main, "start_sha": main,
			"head_sha": head, "position_type": "text", "new_path": "lines.txt", "new_line": 3}}}).
		ExpectError(t, 400, `{"message":"400 Bad request - Note {:noteable_type=>[\"is not included in the list\"]}"}`)

	// A reply to an individual note makes it a resolvable discussion.
	n, _, err := f.devC.Notes.CreateMergeRequestNote(f.p.ID, mr.IID, &gitlab.CreateMergeRequestNoteOptions{Body: gitlab.Ptr("hm")})
	if err != nil {
		t.Fatal(err)
	}
	var discussionID string
	ds, _, err := f.devC.Discussions.ListMergeRequestDiscussions(f.p.ID, mr.IID, nil)
	for _, d := range ds {
		if d.Notes[0].ID == n.ID {
			discussionID = d.ID
		}
	}
	if err != nil || discussionID == "" {
		t.Fatalf("no discussion of note %d: %v", n.ID, err)
	}
	if _, _, err := f.ownerC.Discussions.AddMergeRequestDiscussionNote(f.p.ID, mr.IID, discussionID,
		&gitlab.AddMergeRequestDiscussionNoteOptions{Body: gitlab.Ptr("yes")}); err != nil {
		t.Fatal(err)
	}
	d, _, err := f.devC.Discussions.GetMergeRequestDiscussion(f.p.ID, mr.IID, discussionID)
	if err != nil || d.IndividualNote || len(d.Notes) != 2 || !d.Notes[0].Resolvable || d.Notes[0].Type != "DiscussionNote" || !d.Notes[1].Resolvable {
		t.Fatalf("discussion = %+v, %v", d, err)
	}

	// Eight approvals by one user at once: one lands, the rest are 401.
	codes := make(chan int, 8)
	for range 8 {
		go func() {
			codes <- f.s.Do(t, labtest.Request{Method: http.MethodPost, Path: f.path("/" + itoa(mr.IID) + "/approve"), Token: f.owner.Token}).Status
		}()
	}
	created := 0
	for range 8 {
		switch c := <-codes; c {
		case http.StatusCreated:
			created++
		case http.StatusUnauthorized:
		default:
			t.Errorf("concurrent approval: %d", c)
		}
	}
	a, _, err := f.ownerC.MergeRequestApprovals.GetConfiguration(f.p.ID, mr.IID)
	if created != 1 || err != nil || len(a.ApprovedBy) != 1 {
		t.Fatalf("%d approvals created, approved_by %d, %v", created, len(a.ApprovedBy), err)
	}
}
