package graphql_test

import (
	"fmt"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/config"
	"github.com/lablet/lablet/internal/labtest"
)

// nodesOf lists one field of a connection's nodes.
func nodesOf(v any, field string) string {
	var out []any
	nodes, _ := v.([]any)
	for _, n := range nodes {
		out = append(out, dig(n, field))
	}
	return fmt.Sprint(out)
}

// TestGraphQLIssueLabelsNotes: an issue's labels, milestone, assignees
// and notes as REST made them; internal notes only for Reporter and more,
// as REST's notes list answers; a merge request's likewise.
func TestGraphQLIssueLabelsNotes(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	tm := s.NewTeam(t)
	guest := s.NewUser(t, "guest")
	root := s.Client(t, s.RootToken)
	if _, _, err := root.ProjectMembers.AddProjectMember(tm.Project.ID, &gitlab.AddProjectMemberOptions{UserID: guest.ID,
		AccessLevel: gitlab.Ptr(gitlab.GuestPermissions)}); err != nil {
		t.Fatal(err)
	}
	dev := s.Client(t, tm.Developer.Token)
	for _, l := range []string{"bug", "ui"} {
		if _, _, err := dev.Labels.CreateLabel(tm.Project.ID, &gitlab.CreateLabelOptions{Name: gitlab.Ptr(l), Color: gitlab.Ptr("#ff0000")}); err != nil {
			t.Fatal(err)
		}
	}
	ms, _, err := dev.Milestones.CreateMilestone(tm.Project.ID, &gitlab.CreateMilestoneOptions{Title: gitlab.Ptr("v1")})
	if err != nil {
		t.Fatal(err)
	}
	issue, _, err := dev.Issues.CreateIssue(tm.Project.ID, &gitlab.CreateIssueOptions{Title: gitlab.Ptr("one"),
		Labels: &gitlab.LabelOptions{"bug", "ui"}, AssigneeIDs: &[]int64{tm.Developer.ID}, MilestoneID: gitlab.Ptr(ms.ID)})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := dev.Issues.CreateIssue(tm.Project.ID, &gitlab.CreateIssueOptions{Title: gitlab.Ptr("two")}); err != nil {
		t.Fatal(err)
	}
	for _, body := range []string{"first", "second"} {
		if _, _, err := dev.Notes.CreateIssueNote(tm.Project.ID, issue.IID, &gitlab.CreateIssueNoteOptions{Body: gitlab.Ptr(body)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := dev.Notes.CreateIssueNote(tm.Project.ID, issue.IID, &gitlab.CreateIssueNoteOptions{Body: gitlab.Ptr("hush"),
		Internal: gitlab.Ptr(true)}); err != nil {
		t.Fatal(err)
	}
	thread, _, err := dev.Discussions.CreateIssueDiscussion(tm.Project.ID, issue.IID, &gitlab.CreateIssueDiscussionOptions{Body: gitlab.Ptr("thread")})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := dev.Discussions.AddIssueDiscussionNote(tm.Project.ID, issue.IID, thread.ID,
		&gitlab.AddIssueDiscussionNoteOptions{Body: gitlab.Ptr("reply")}); err != nil {
		t.Fatal(err)
	}
	q := `query($p: ID!) { project(fullPath: $p) { issues(iids: ["1", "2"], first: 2) { nodes { iid
		discussions(first: 4) { count nodes { id notes(first: 2) { nodes { body } } } }
		labels(first: 2) { count nodes { id title color textColor } } milestone { title iid state webPath projectMilestone }
		assignees(first: 1) { nodes { username } } notes(filter: ONLY_COMMENTS, first: 5) { count nodes { body internal confidential system author { username } } }
		all: notes(first: 1) { count nodes { body } pageInfo { hasNextPage } } } } } }`
	issues := func(token string) []any {
		t.Helper()
		_, r := post(t, s, token, q, map[string]any{"p": tm.Project.PathWithNamespace})
		nodes, _ := dig(mustData(t, r), "project", "issues", "nodes").([]any)
		if len(nodes) != 2 || dig(nodes[0], "iid") != "2" {
			t.Fatalf("issues = %v", r.Data)
		}
		return nodes
	}
	n := issues(tm.Developer.Token)
	one, two := n[1], n[0]
	if nodesOf(dig(one, "labels", "nodes"), "title") != "[bug ui]" || dig(one, "labels", "count") != float64(2) ||
		dig(one, "labels", "nodes").([]any)[0].(map[string]any)["textColor"] != "#FFFFFF" {
		t.Errorf("labels = %v", dig(one, "labels"))
	}
	if dig(one, "milestone", "title") != "v1" || dig(one, "milestone", "state") != "active" || dig(one, "milestone", "projectMilestone") != true ||
		dig(one, "milestone", "webPath") != "/"+tm.Project.PathWithNamespace+"/-/milestones/1" {
		t.Errorf("milestone = %v", dig(one, "milestone"))
	}
	if nodesOf(dig(one, "assignees", "nodes"), "username") != "[dev]" {
		t.Errorf("assignees = %v", dig(one, "assignees"))
	}
	if nodesOf(dig(one, "notes", "nodes"), "body") != "[first second hush thread reply]" || dig(one, "notes", "count") != float64(5) {
		t.Errorf("developer's notes = %v", dig(one, "notes"))
	}
	ds, _ := dig(one, "discussions", "nodes").([]any)
	if dig(one, "discussions", "count") != float64(4) || len(ds) != 4 || dig(ds[3], "id") != "gid://gitlab/Discussion/"+thread.ID ||
		nodesOf(dig(ds[3], "notes", "nodes"), "body") != "[thread reply]" || nodesOf(dig(ds[0], "notes", "nodes"), "body") != "[first]" {
		t.Errorf("discussions = %v", dig(one, "discussions"))
	}
	if dig(one, "all", "count") != float64(5) || nodesOf(dig(one, "all", "nodes"), "body") != "[first]" ||
		dig(one, "all", "pageInfo", "hasNextPage") != true {
		t.Errorf("all notes, first 1 = %v", dig(one, "all"))
	}
	if dig(two, "labels", "count") != float64(0) || dig(two, "milestone") != nil || dig(two, "notes", "count") != float64(0) {
		t.Errorf("bare issue = %v", two)
	}
	// A guest does not read internal notes (REST hides them too).
	n = issues(guest.Token)
	if got := nodesOf(dig(n[1], "notes", "nodes"), "body"); got != "[first second thread reply]" {
		t.Errorf("guest's notes = %v", got)
	}
	if dig(n[1], "discussions", "count") != float64(3) {
		t.Errorf("guest's discussions = %v", dig(n[1], "discussions"))
	}
	rest, _, err := s.Client(t, guest.Token).Notes.ListIssueNotes(tm.Project.ID, issue.IID, &gitlab.ListIssueNotesOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, note := range rest {
		if note.Body == "hush" {
			t.Errorf("REST shows the guest an internal note")
		}
	}

	// A merge request's labels and notes.
	if _, _, err := root.Commits.CreateCommit(tm.Project.ID, &gitlab.CreateCommitOptions{Branch: gitlab.Ptr("main"),
		CommitMessage: gitlab.Ptr("init"), Actions: []*gitlab.CommitActionOptions{{Action: gitlab.Ptr(gitlab.FileCreate),
			FilePath: gitlab.Ptr("a"), Content: gitlab.Ptr("a")}}}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := root.Commits.CreateCommit(tm.Project.ID, &gitlab.CreateCommitOptions{Branch: gitlab.Ptr("topic"), StartBranch: gitlab.Ptr("main"),
		CommitMessage: gitlab.Ptr("b"), Actions: []*gitlab.CommitActionOptions{{Action: gitlab.Ptr(gitlab.FileCreate),
			FilePath: gitlab.Ptr("b"), Content: gitlab.Ptr("b")}}}); err != nil {
		t.Fatal(err)
	}
	mr, _, err := dev.MergeRequests.CreateMergeRequest(tm.Project.ID, &gitlab.CreateMergeRequestOptions{Title: gitlab.Ptr("mr"),
		SourceBranch: gitlab.Ptr("topic"), TargetBranch: gitlab.Ptr("main"), Labels: &gitlab.LabelOptions{"ui"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := dev.Notes.CreateMergeRequestNote(tm.Project.ID, mr.IID, &gitlab.CreateMergeRequestNoteOptions{Body: gitlab.Ptr("lgtm")}); err != nil {
		t.Fatal(err)
	}
	_, r := post(t, s, tm.Developer.Token, `query($p: ID!) { project(fullPath: $p) { mergeRequests(first: 5) { nodes { labels(first: 5) { nodes { title } }
		milestone { title } assignees(first: 5) { count } notes(filter: ONLY_COMMENTS, first: 5) { nodes { body } } } } } }`,
		map[string]any{"p": tm.Project.PathWithNamespace})
	m := dig(mustData(t, r), "project", "mergeRequests", "nodes").([]any)[0]
	if nodesOf(dig(m, "labels", "nodes"), "title") != "[ui]" || dig(m, "milestone") != nil ||
		nodesOf(dig(m, "notes", "nodes"), "body") != "[lgtm]" {
		t.Errorf("merge request = %v", m)
	}
}

// TestGraphQLProjectGroupPlanning: a project's and a group's labels and
// milestones, label(title:); an outsider gets null for a private
// project's, as REST answers 404.
func TestGraphQLProjectGroupPlanning(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	tm := s.NewTeam(t)
	outsider := s.NewUser(t, "outsider")
	owner := s.Client(t, tm.Owner.Token)
	if _, _, err := owner.GroupLabels.CreateGroupLabel(tm.Group.ID, &gitlab.CreateGroupLabelOptions{Name: gitlab.Ptr("team-wide"),
		Color: gitlab.Ptr("#eeeeee")}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := owner.GroupMilestones.CreateGroupMilestone(tm.Group.ID, &gitlab.CreateGroupMilestoneOptions{Title: gitlab.Ptr("Q1")}); err != nil {
		t.Fatal(err)
	}
	dev := s.Client(t, tm.Developer.Token)
	if _, _, err := dev.Labels.CreateLabel(tm.Project.ID, &gitlab.CreateLabelOptions{Name: gitlab.Ptr("local"), Color: gitlab.Ptr("#00ff00")}); err != nil {
		t.Fatal(err)
	}
	for _, title := range []string{"v1", "v2"} {
		if _, _, err := dev.Milestones.CreateMilestone(tm.Project.ID, &gitlab.CreateMilestoneOptions{Title: gitlab.Ptr(title)}); err != nil {
			t.Fatal(err)
		}
	}
	q := `query($p: ID!, $g: ID!) {
		project(fullPath: $p) { labels(first: 20) { count nodes { title } }
			withGroups: labels(includeAncestorGroups: true, first: 20) { nodes { title } }
			label(title: "local") { title color textColor } none: label(title: "nope") { title }
			milestones(first: 1) { count nodes { title } pageInfo { hasNextPage } } }
		group(fullPath: $g) { labels(first: 20) { nodes { title } } label(title: "team-wide") { id title textColor }
			milestones(first: 20) { nodes { title groupMilestone webPath } } } }`
	vars := map[string]any{"p": tm.Project.PathWithNamespace, "g": tm.Group.FullPath}
	_, r := post(t, s, tm.Developer.Token, q, vars)
	d := mustData(t, r)
	// The project's own group's labels are the project's too, as GitLab's
	// LabelsFinder answers; ancestors beyond it only when asked.
	if nodesOf(dig(d, "project", "labels", "nodes"), "title") != "[local team-wide]" ||
		nodesOf(dig(d, "project", "withGroups", "nodes"), "title") != "[local team-wide]" {
		t.Errorf("project labels = %v", dig(d, "project"))
	}
	if dig(d, "project", "label", "color") != "#00ff00" || dig(d, "project", "label", "textColor") != "#FFFFFF" ||
		dig(d, "project", "none") != nil {
		t.Errorf("project label = %v", dig(d, "project"))
	}
	if dig(d, "project", "milestones", "count") != float64(2) || dig(d, "project", "milestones", "pageInfo", "hasNextPage") != true {
		t.Errorf("project milestones = %v", dig(d, "project", "milestones"))
	}
	if nodesOf(dig(d, "group", "labels", "nodes"), "title") != "[team-wide]" || dig(d, "group", "label", "title") != "team-wide" {
		t.Errorf("group labels = %v", dig(d, "group"))
	}
	if nodesOf(dig(d, "group", "milestones", "nodes"), "webPath") != "[/groups/team/-/milestones/1]" {
		t.Errorf("group milestones = %v", dig(d, "group", "milestones"))
	}
	// The outsider sees neither the private project nor the group.
	_, r = post(t, s, outsider.Token, `query($p: ID!) { project(fullPath: $p) { labels { count } } }`, map[string]any{"p": tm.Project.PathWithNamespace})
	if d := mustData(t, r); dig(d, "project") != nil {
		t.Errorf("outsider = %v", d)
	}
	if _, _, err := s.Client(t, outsider.Token).Labels.ListLabels(tm.Project.ID, nil); err == nil {
		t.Errorf("REST shows the outsider the labels")
	}
}

// TestGraphQLPlanningMutations: labelCreate, issueSetAssignees,
// mergeRequestSetLabels, updateNote, destroyNote and groupUpdate do what
// REST then shows, with REST's permission answers.
func TestGraphQLPlanningMutations(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	tm := s.NewTeam(t)
	guest := s.NewUser(t, "guest")
	root := s.Client(t, s.RootToken)
	if _, _, err := root.ProjectMembers.AddProjectMember(tm.Project.ID, &gitlab.AddProjectMemberOptions{UserID: guest.ID,
		AccessLevel: gitlab.Ptr(gitlab.GuestPermissions)}); err != nil {
		t.Fatal(err)
	}
	p := tm.Project.PathWithNamespace
	create := `mutation($p: ID, $g: ID, $t: String!) { labelCreate(input: {projectPath: $p, groupPath: $g, title: $t, color: "#123456"}) {
		label { id title color } errors } }`
	_, r := post(t, s, tm.Developer.Token, create, map[string]any{"p": p, "t": "bug"})
	label := dig(mustData(t, r), "labelCreate", "label")
	if dig(label, "title") != "bug" || dig(label, "color") != "#123456" {
		t.Fatalf("labelCreate = %v", r.Data)
	}
	_, r = post(t, s, tm.Developer.Token, create, map[string]any{"p": p, "t": "bug"})
	if errs, _ := dig(mustData(t, r), "labelCreate", "errors").([]any); len(errs) != 1 {
		t.Errorf("duplicate label = %v", r.Data)
	}
	// A guest may not admin labels (REST: 403): a top-level error.
	_, r = post(t, s, guest.Token, create, map[string]any{"p": p, "t": "mine"})
	if len(r.Errors) != 1 || dig(r.Data, "labelCreate") != nil {
		t.Errorf("guest labelCreate = %v", r)
	}
	_, r = post(t, s, tm.Owner.Token, create, map[string]any{"g": tm.Group.FullPath, "t": "team"})
	if dig(mustData(t, r), "labelCreate", "label", "title") != "team" {
		t.Errorf("group labelCreate = %v", r.Data)
	}
	if _, _, err := root.GroupLabels.GetGroupLabel(tm.Group.ID, "team"); err != nil {
		t.Errorf("REST does not see the group label: %v", err)
	}

	dev := s.Client(t, tm.Developer.Token)
	issue, _, err := dev.Issues.CreateIssue(tm.Project.ID, &gitlab.CreateIssueOptions{Title: gitlab.Ptr("i")})
	if err != nil {
		t.Fatal(err)
	}
	assign := `mutation($p: ID!, $u: [String!]!, $m: MutationOperationMode) { issueSetAssignees(input: {projectPath: $p, iid: "1",
		assigneeUsernames: $u, operationMode: $m}) { issue { assignees { nodes { username } } } errors } }`
	_, r = post(t, s, tm.Developer.Token, assign, map[string]any{"p": p, "u": []string{"mia"}})
	if got := nodesOf(dig(mustData(t, r), "issueSetAssignees", "issue", "assignees", "nodes"), "username"); got != "[mia]" {
		t.Errorf("issueSetAssignees = %v", r.Data)
	}
	if rest, _, _ := dev.Issues.GetIssue(tm.Project.ID, issue.IID); rest == nil || len(rest.Assignees) != 1 || rest.Assignees[0].Username != "mia" {
		t.Errorf("REST assignees = %+v", rest)
	}
	_, r = post(t, s, tm.Developer.Token, assign, map[string]any{"p": p, "u": []string{"mia"}, "m": "REMOVE"})
	if got := nodesOf(dig(mustData(t, r), "issueSetAssignees", "issue", "assignees", "nodes"), "username"); got != "[]" {
		t.Errorf("issueSetAssignees REMOVE = %v", r.Data)
	}
	// A guest may not update the issue (REST: 403): a top-level error.
	_, r = post(t, s, guest.Token, assign, map[string]any{"p": p, "u": []string{"guest"}})
	if len(r.Errors) != 1 || dig(r.Data, "issueSetAssignees") != nil {
		t.Errorf("guest issueSetAssignees = %v", r)
	}
	if _, resp, _ := s.Client(t, guest.Token).Issues.UpdateIssue(tm.Project.ID, issue.IID,
		&gitlab.UpdateIssueOptions{AssigneeIDs: &[]int64{guest.ID}}); resp == nil || resp.StatusCode != 403 {
		t.Errorf("REST lets the guest assign: %v", resp)
	}
	// Notes: the author edits and deletes one; another developer may not.
	note, _, err := dev.Notes.CreateIssueNote(tm.Project.ID, issue.IID, &gitlab.CreateIssueNoteOptions{Body: gitlab.Ptr("draft")})
	if err != nil {
		t.Fatal(err)
	}
	noteID := fmt.Sprintf("gid://gitlab/Note/%d", note.ID)
	update := `mutation($id: NoteID!, $b: String) { updateNote(input: {id: $id, body: $b}) { note { id body
		discussion { id notes { nodes { body } } } } errors } }`
	_, r = post(t, s, guest.Token, update, map[string]any{"id": noteID, "b": "hijacked"})
	if len(r.Errors) != 1 {
		t.Errorf("guest updateNote = %v", r)
	}
	_, r = post(t, s, tm.Developer.Token, update, map[string]any{"id": noteID, "b": "final"})
	if d := mustData(t, r); dig(d, "updateNote", "note", "body") != "final" ||
		nodesOf(dig(d, "updateNote", "note", "discussion", "notes", "nodes"), "body") != "[final]" {
		t.Errorf("updateNote = %v", r.Data)
	}
	if rest, _, _ := dev.Notes.GetIssueNote(tm.Project.ID, issue.IID, note.ID); rest == nil || rest.Body != "final" {
		t.Errorf("REST note = %+v", rest)
	}
	_, r = post(t, s, tm.Developer.Token, update, map[string]any{"id": "gid://gitlab/Note/99999", "b": "x"})
	if len(r.Errors) != 1 {
		t.Errorf("updateNote of no note = %v", r)
	}
	destroy := `mutation($id: NoteID!) { destroyNote(input: {id: $id}) { note { body } errors } }`
	_, r = post(t, s, tm.Developer.Token, destroy, map[string]any{"id": noteID})
	if dig(mustData(t, r), "destroyNote", "note", "body") != "final" {
		t.Errorf("destroyNote = %v", r.Data)
	}
	if _, resp, _ := dev.Notes.GetIssueNote(tm.Project.ID, issue.IID, note.ID); resp == nil || resp.StatusCode != 404 {
		t.Errorf("REST still has the note")
	}

	// mergeRequestSetLabels by label global ids.
	for _, br := range []string{"main", "topic"} {
		o := &gitlab.CreateCommitOptions{Branch: gitlab.Ptr(br), CommitMessage: gitlab.Ptr(br),
			Actions: []*gitlab.CommitActionOptions{{Action: gitlab.Ptr(gitlab.FileCreate), FilePath: gitlab.Ptr(br), Content: gitlab.Ptr(br)}}}
		if br == "topic" {
			o.StartBranch = gitlab.Ptr("main")
		}
		if _, _, err := root.Commits.CreateCommit(tm.Project.ID, o); err != nil {
			t.Fatal(err)
		}
	}
	mr, _, err := dev.MergeRequests.CreateMergeRequest(tm.Project.ID, &gitlab.CreateMergeRequestOptions{Title: gitlab.Ptr("mr"),
		SourceBranch: gitlab.Ptr("topic"), TargetBranch: gitlab.Ptr("main")})
	if err != nil {
		t.Fatal(err)
	}
	set := `mutation($p: ID!, $iid: String!, $l: [LabelID!]!) { mergeRequestSetLabels(input: {projectPath: $p, iid: $iid, labelIds: $l}) {
		mergeRequest { labels { nodes { title } } } errors } }`
	_, r = post(t, s, tm.Developer.Token, set, map[string]any{"p": p, "iid": fmt.Sprint(mr.IID), "l": []any{dig(label, "id")}})
	if got := nodesOf(dig(mustData(t, r), "mergeRequestSetLabels", "mergeRequest", "labels", "nodes"), "title"); got != "[bug]" {
		t.Errorf("mergeRequestSetLabels = %v", r.Data)
	}
	if rest, _, _ := dev.MergeRequests.GetMergeRequest(tm.Project.ID, mr.IID, nil); rest == nil || fmt.Sprint(rest.Labels) != "[bug]" {
		t.Errorf("REST labels = %+v", rest)
	}

	// groupUpdate: the owner may, a developer of the project may not.
	gu := `mutation($g: ID!) { groupUpdate(input: {fullPath: $g, name: "Ours"}) { group { name } errors } }`
	_, r = post(t, s, tm.Developer.Token, gu, map[string]any{"g": tm.Group.FullPath})
	if len(r.Errors) != 1 {
		t.Errorf("developer groupUpdate = %v", r)
	}
	_, r = post(t, s, tm.Owner.Token, gu, map[string]any{"g": tm.Group.FullPath})
	if dig(mustData(t, r), "groupUpdate", "group", "name") != "Ours" {
		t.Errorf("groupUpdate = %v", r.Data)
	}
	if g, _, _ := root.Groups.GetGroup(tm.Group.ID, nil); g == nil || g.Name != "Ours" {
		t.Errorf("REST group = %+v", g)
	}
	// GitLab's GroupUpdateInput has no description.
	_, r = post(t, s, tm.Owner.Token, `mutation($g: ID!) { groupUpdate(input: {fullPath: $g, description: "x"}) { errors } }`,
		map[string]any{"g": tm.Group.FullPath})
	if len(r.Errors) == 0 {
		t.Errorf("groupUpdate description = %v", r)
	}
}

// TestGraphQLIssueFieldsNoNPlusOne: a page of 20 issues with labels,
// milestone, assignees and notes runs no more statements than a page of 2.
func TestGraphQLIssueFieldsNoNPlusOne(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t, func(c *config.Config) { c.CachesOff = true })
	tm := s.NewTeam(t)
	dev := s.Client(t, tm.Developer.Token)
	for _, l := range []string{"a", "b", "c"} {
		if _, _, err := dev.Labels.CreateLabel(tm.Project.ID, &gitlab.CreateLabelOptions{Name: gitlab.Ptr(l), Color: gitlab.Ptr("#ff0000")}); err != nil {
			t.Fatal(err)
		}
	}
	ms, _, err := dev.Milestones.CreateMilestone(tm.Project.ID, &gitlab.CreateMilestoneOptions{Title: gitlab.Ptr("v1")})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		is, _, err := dev.Issues.CreateIssue(tm.Project.ID, &gitlab.CreateIssueOptions{Title: gitlab.Ptr(fmt.Sprintf("issue %d", i)),
			Labels: &gitlab.LabelOptions{[]string{"a", "b", "c"}[i%3]}, AssigneeIDs: &[]int64{tm.Developer.ID}, MilestoneID: gitlab.Ptr(ms.ID)})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := dev.Notes.CreateIssueNote(tm.Project.ID, is.IID, &gitlab.CreateIssueNoteOptions{Body: gitlab.Ptr("hi")}); err != nil {
			t.Fatal(err)
		}
	}
	statements := func(first int) (int64, int) {
		q := fmt.Sprintf(`query { project(fullPath: %q) { issues(first: %d) { nodes { title labels(first: 1) { nodes { title } }
			milestone { title } assignees(first: 1) { nodes { username } } notes(first: 1) { count nodes { body author { username } } }
			discussions(first: 1) { nodes { notes(first: 1) { nodes { body } } } } } } } }`,
			tm.Project.PathWithNamespace, first)
		post(t, s, tm.Developer.Token, q, nil)
		r, n := countedPost(t, s, tm.Developer.Token, q, nil)
		nodes, _ := dig(mustData(t, r), "project", "issues", "nodes").([]any)
		for _, node := range nodes {
			if dig(node, "milestone", "title") != "v1" || nodesOf(dig(node, "assignees", "nodes"), "username") != "[dev]" ||
				dig(node, "notes", "count") == float64(0) || len(dig(node, "labels", "nodes").([]any)) != 1 {
				t.Fatalf("node = %v", node)
			}
		}
		return n, len(nodes)
	}
	few, n2 := statements(2)
	// Ten issues: with its nested connections the query is as much as
	// GitLab's complexity limit lets a user ask for.
	many, n10 := statements(10)
	if n2 != 2 || n10 != 10 || few == 0 || many > few+3 {
		t.Errorf("10 issues ran %d statements (%d nodes), 2 ran %d (%d nodes)", many, n10, few, n2)
	}
	t.Logf("statements: 2 issues %d, 10 issues %d", few, many)
}
