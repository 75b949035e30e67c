package server_test

import (
	"net/http"
	"regexp"
	"slices"
	"strings"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/route"
)

// outcome is how GitLab answers a cell: allowed, or which refusal.
type outcome string

const (
	allowed           outcome = "allowed"
	unauthorized      outcome = "401"
	insufficientScope outcome = "403 insufficient_scope"
	forbidden         outcome = "403"
	notFound          outcome = "404"
	// badRequest: GitLab's resource token endpoints refuse some callers
	// with 400 (the services' error messages).
	badRequest outcome = "400"
	// conflict: a fork GitLab's project creation refuses (409).
	conflict         outcome = "409"
	methodNotAllowed outcome = "405"
	// signIn: pages send signed-out visitors to the sign-in page.
	signIn outcome = "302 to sign-in"
	// csrfRejected: a page POST without the session's authenticity token
	// (Rails' InvalidAuthenticityToken).
	csrfRejected outcome = "422"
	// adminModeRedirect: an administrator's session that has not entered
	// Admin Mode is sent to re-authenticate before the admin area.
	adminModeRedirect outcome = "302 to admin mode"
	// unauthorizedNoChallenge: git's 401 without WWW-Authenticate: Basic,
	// which git would not answer with credentials.
	unauthorizedNoChallenge outcome = "401 without a Basic challenge"
)

// surface is the part of lablet a route belongs to; each reads
// credentials its own way.
type surface int

const (
	apiSurface     surface = iota // REST: tokens, OAuth tokens, session cookie (+CSRF on writes)
	gitSurface                    // smart HTTP: Basic with a token as password
	pageSurface                   // pages: the session cookie only
	machineSurface                // OAuth's machine endpoints and health: their own credentials
)

func surfaceOf(r *route.Route) surface {
	a := parseAuth(r.Auth)
	switch {
	case strings.HasPrefix(r.Pattern, "/api/v4/"), r.Pattern == "/api/graphql":
		// GraphQL reads credentials as REST does.
		return apiSurface
	case a.basic != nil:
		return gitSurface
	case a.has("session"):
		return pageSurface
	}
	return machineSurface
}

// authColumn is a route's Auth column, parsed.
type authColumn struct {
	words  []string
	scopes []string // token:… (REST)
	basic  []string // basic:… (git)
}

func parseAuth(s string) authColumn {
	var a authColumn
	for _, w := range strings.Split(s, ",") {
		switch {
		case strings.HasPrefix(w, "token:"):
			a.scopes = strings.Split(strings.TrimPrefix(w, "token:"), "|")
		case strings.HasPrefix(w, "basic:"):
			a.basic = strings.Split(strings.TrimPrefix(w, "basic:"), "|")
		default:
			a.words = append(a.words, w)
		}
	}
	return a
}

func (a authColumn) has(w string) bool { return slices.Contains(a.words, w) }

// expect is GitLab's answer to caller c on route r addressing target t,
// derived from the route's Auth column and ability. The rules, in GitLab's
// order:
//
//   - REST: a session-authenticated write without the CSRF token is
//     unauthenticated (401); an unauthenticated caller gets 401 unless the
//     route admits anonymous callers; a token without any of the route's
//     scopes gets 403 insufficient_scope, before anything is looked up; an
//     admin-only route answers 403 to everyone else (authenticated_as_admin!).
//     Then the ability decides (projectAbility, groupAbility, and the
//     instance abilities below).
//   - git: see expectGit; pages: see expectPage; OAuth machine endpoints
//     and health: see expectMachine.
func expect(r *route.Route, c *caller, t target) outcome {
	switch surfaceOf(r) {
	case gitSurface:
		return expectGit(r, c, t)
	case pageSurface:
		return expectPage(r, c, t)
	case machineSurface:
		return expectMachine(r, c)
	}
	a := parseAuth(r.Auth)
	if a.has("runner-token") {
		// GitLab Runner's calls read no user credential: every caller is
		// anonymous, and the fixture's token in the body lets them in.
		return allowed
	}
	write := r.Method != http.MethodGet && r.Method != http.MethodHead
	switch {
	case c.kind == sessionCaller && !c.csrf && write:
		return unauthorized
	case !c.authenticated() && !a.has("anonymous"):
		return unauthorized
	case c.hasToken() && !c.hasAnyScope(a.scopes):
		return insufficientScope
	case a.has("admin") && !c.admin:
		return forbidden
	}
	if o, ok := expectRunner(r, c, t); ok {
		return o
	}
	if strings.HasSuffix(r.Pattern, "/users/{id}/approve") || strings.HasSuffix(r.Pattern, "/users/{id}/reject") {
		// lablet has no pending-approval state: GitLab's services answer
		// 409 for a user who is not pending.
		return conflict
	}
	switch r.Ability {
	case access.None, access.ReadUser, access.ReadCurrentUser, access.AdminAll:
		return allowed
	case access.ManageOwnTokens:
		return ownTokens(r, c)
	case access.CreateGroup:
		// External users and bots have no group creation right.
		if c.external || c.bot {
			return forbidden
		}
		return allowed
	case access.CreateProject:
		switch {
		case c.bot:
			// Projects::CreateService: a bot's namespace takes no
			// projects, "namespace is not valid" (400).
			return badRequest
		case c.external:
			// A projects limit of 0: "You cannot create projects in
			// your personal namespace" (403).
			return forbidden
		}
		return allowed
	case access.ReadNamespace:
		if t.kind == noTarget || c.admin || c.level(t) >= access.Guest {
			return allowed
		}
		return notFound
	case access.ReadProject:
		if t.kind == noTarget { // the list: everyone sees what they may
			return allowed
		}
	case access.ReadGroup:
		if t.kind == noTarget {
			return allowed
		}
	case access.ReadIssue, access.ReadMergeRequest:
		// GET /issues, /issues_statistics and /merge_requests with
		// scope=all: everyone sees what they may (GitLab's finders).
		if t.kind == noTarget {
			return allowed
		}
	case access.ReadSnippet, access.CreateSnippet, access.AdminSnippet:
		if t.kind == noTarget {
			return personalSnippet(r, c)
		}
	}
	switch t.kind {
	case mainGroup, freshGroup:
		return groupAbility(r, c, t)
	case mainProject, freshProject:
		return projectAbility(r, c, t)
	}
	panic("expect: no rule for " + routeKey(*r) + " ability " + string(r.Ability))
}

// projectVisible is GitLab's read_project: public projects to everyone,
// internal ones to signed-in users who are not external (bots of access
// tokens count as internal users), private ones to members; admins see
// all.
func projectVisible(c *caller, t target) bool {
	return c.admin || c.level(t) >= access.Guest || t.vis == public ||
		t.vis == internal && c.authenticated() && !c.external
}

// mergeRequestNoteablePattern matches the routes that find a merge
// request as a noteable (notes, discussions, award emoji, resource
// events): GitLab's NotesFinder and MergeRequestsFinder.
var mergeRequestNoteablePattern = regexp.MustCompile(`/merge_requests/\{merge_request_iid\}/(notes|discussions|award_emoji|resource_)`)

// projectAbility applies a project ability: 404 to callers who may not
// see the project, 403 to those who see it without the ability.
func projectAbility(r *route.Route, c *caller, t target) outcome {
	if selfRotateRefused(r, c) {
		return methodNotAllowed
	}
	if !projectVisible(c, t) {
		return notFound
	}
	level := c.level(t)
	if c.admin {
		level = access.Owner
	}
	has := func(need access.Level) outcome {
		if level >= need {
			return allowed
		}
		return forbidden
	}
	// read_merge_request: Reporter, or public_access (as download_code).
	readMR := level >= access.Reporter || t.vis == public || t.vis == internal && !c.external
	if !readMR && mergeRequestNoteablePattern.MatchString(r.Pattern) {
		// A merge request's notes, discussions, award emoji and events
		// find it among those the caller reads (MergeRequestsFinder):
		// not found.
		return notFound
	}
	if !readMR && commitNoteablePattern.MatchString(r.Pattern) {
		// A commit's notes are read and written with read_code
		// (download_code, which read_merge_request's rule matches).
		return forbidden
	}
	if !readMR && strings.Contains(r.Pattern, "/merge_requests/{merge_request_iid}/pipelines") {
		// The pipeline ability, then find_merge_request_with_access
		// (read_merge_request: authorize!).
		return forbidden
	}
	switch r.Ability {
	case access.ReadMergeRequest:
		if readMR {
			return allowed
		}
		return forbidden
	case access.CreateMergeRequestIn, access.UpdateMergeRequest, access.AdminMergeRequest, access.ResolveNote:
		// The fixtures' merge requests and discussions are the
		// administrator's: no caller is their author or an assignee.
		if !readMR {
			return forbidden
		}
		return has(access.Developer)
	case access.ApproveMergeRequest:
		// update_merge_request and membership: Developers (the
		// fixtures' merge requests are the administrator's).
		if !readMR {
			return forbidden
		}
		return has(access.Developer)
	case access.ApplySuggestion:
		// Suggestion#note is found among the notes the caller reads
		// (not found otherwise); applying pushes to the source branch.
		if !readMR {
			return notFound
		}
		return has(access.Developer)
	case access.DestroyMergeRequest:
		if !readMR {
			return forbidden
		}
		return has(access.Owner)
	case access.AcceptMergeRequest:
		// The fixtures merge into main, protected: Maintainers merge.
		// A reader who may not is GitLab's unauthorized! (401).
		if !readMR {
			return forbidden
		}
		if level >= access.Maintainer {
			return allowed
		}
		return unauthorized
	case access.ReadProject, access.ReadProjectMember:
		return allowed
	case access.ReadCode, access.ReadCommitStatus, access.ReadPackage:
		// download_code (read_commit_status takes reporter_access or
		// public builds on a project whose code the caller reads): Reporter, or public_access (a public project, or
		// an internal one to a non-external user).
		if level >= access.Reporter || t.vis == public || t.vis == internal && !c.external {
			return allowed
		}
		return forbidden
	case access.PushCode, access.AdminTag, access.CreateCommitStatus, access.CreatePackage:
		return has(access.Developer)
	case access.AdminProject, access.AdminProjectMember, access.AdminCICDVariables, access.ManageTrigger,
		access.ReadDeployToken, access.CreateDeployToken, access.DestroyDeployToken:
		return has(access.Maintainer)
	case access.ArchiveProject, access.RemoveProject, access.ChangeNamespace:
		return has(access.Owner)
	case access.ManageProjectAccessTokens:
		return resourceTokens(r, c, level >= access.Maintainer, t)
	case access.ForkProject:
		// not_found! unless can?(:fork_project): download_code, as
		// ReadCode. The fork goes to the caller's personal namespace,
		// where a bot creates nothing ("Namespace is not valid") and an
		// external user's projects limit is 0: the fork's errors, 409.
		if level < access.Reporter && t.vis != public && (t.vis != internal || c.external) {
			return notFound
		}
		if c.bot || c.external {
			return conflict
		}
		return allowed
	case access.LinkForkedProject, access.RemoveForkProject:
		return has(access.Owner)
	case access.ReadIssue, access.ReadLabel, access.ReadMilestone, access.ReadNote, access.ReadIssueBoard, access.ReadSnippet:
		// The fixtures' project snippets are as visible as their project.
		return allowed
	case access.ReadRelease:
		// guest_access and public_access: everyone who sees the project.
		return allowed
	case access.CreateRelease, access.UpdateRelease, access.DestroyRelease:
		// developer_access (lablet has no protected tags to narrow it).
		return has(access.Developer)
	case access.CreateSnippet:
		return has(access.Reporter)
	case access.AdminSnippet:
		// The fixtures' snippets are the administrator's.
		return has(access.Maintainer)
	case access.CreateIssue, access.CreateNote, access.AwardEmoji, access.UploadFile:
		// guest_access: members, and public_user_access — any signed-in
		// caller on a public project, non-external ones on an internal
		// one; who sees the project and is signed in has it.
		return allowed
	case access.UpdateIssue, access.AdminIssue, access.AdminLabel, access.AdminMilestone, access.AdminIssueBoard,
		access.AdminIssueBoardList:
		// Promoting a label or milestone to the project's group also
		// takes the ability on the group (lib/api/helpers/label_helpers.rb
		// promote_label: authorize! :promote_label, parent.group;
		// lib/api/project_milestones.rb: authorize! :admin_milestone,
		// user_project.group), which a project-only member lacks.
		if strings.HasSuffix(r.Pattern, "/promote") && !c.admin && c.level(mainGroup.of(t.vis)) < access.Reporter {
			return forbidden
		}
		// The fixtures' issues are the administrator's: no caller is
		// their author or assignee.
		if strings.HasSuffix(r.Pattern, "/issues/{issue_iid}/move") && c.projectBot && level >= access.Reporter {
			// Moving takes admin_issue on the target project too (GitLab's
			// Issues::MoveService, after find_project! of to_project_id):
			// a project bot has no other project, so the target is not
			// found (private) or refused with 400 (MoveError).
			if t.vis == private {
				return notFound
			}
			return badRequest
		}
		return has(access.Reporter)
	case access.AdminNote, access.AdminUpload:
		return has(access.Maintainer)
	case access.ReadPipeline, access.ReadPipelineSchedule:
		// read_pipeline, read_build and read_pipeline_schedule:
		// public_builds, on by default, opens them to everyone who sees
		// the project.
		return allowed
	case access.CreatePipelineSchedule, access.PlayPipelineSchedule, access.UpdatePipelineSchedule:
		// The fixtures' schedules run on an unprotected branch; a
		// schedule is changed by its owner, and the fixtures give each
		// caller who may create one a schedule of their own.
		return has(access.Developer)
	case access.AdminPipelineSchedule:
		// Deleting, taking over and deleting variables of the
		// administrator's schedules: Maintainer.
		return has(access.Maintainer)
	case access.CreatePipeline, access.UpdatePipeline:
		if strings.HasSuffix(r.Pattern, "/pipelines/{pipeline_id}/variables") {
			// read_pipeline_variable: admin_pipeline (Maintainer), or
			// update_pipeline for its triggerer; the fixtures'
			// pipelines are the administrator's.
			return has(access.Maintainer)
		}
		// The fixtures' pipelines run on unprotected refs.
		return has(access.Developer)
	case access.DestroyPipeline:
		return has(access.Owner)
	case access.EraseBuild:
		// The fixtures' jobs are the administrator's: no caller erases
		// them as their own (update_build & owner_of_job).
		return has(access.Maintainer)
	case access.DestroyIssue:
		return has(access.Owner)
	case access.ReadEnvironment, access.ReadDeployment:
		// Reporter; POST …/stop too, which answers every reader and
		// stops only for a Developer.
		return has(access.Reporter)
	case access.CreateEnvironment, access.UpdateEnvironment, access.DestroyEnvironment, access.StopEnvironment,
		access.CreateDeployment, access.UpdateDeployment:
		return has(access.Developer)
	case access.DestroyDeployment, access.DestroyArtifacts, access.DestroyPackage:
		return has(access.Maintainer)
	case access.ReadWiki:
		// guest_access or public_access: whoever sees the project.
		return allowed
	case access.CreateWiki:
		return has(access.Developer)
	case access.AdminWiki:
		return has(access.Maintainer)
	}
	panic("expect: no project rule for " + string(r.Ability))
}

// groupVisible is GitLab's read_group: public groups to everyone, internal
// ones to signed-in users who are not external, private ones to members
// and to members of a project in the group (has_projects).
func groupVisible(c *caller, t target) bool {
	return c.admin || c.level(t) >= access.Guest || t.vis == public ||
		t.vis == internal && c.authenticated() && !c.external || c.hasProjectIn(t)
}

func groupAbility(r *route.Route, c *caller, t target) outcome {
	if selfRotateRefused(r, c) {
		return methodNotAllowed
	}
	if !groupVisible(c, t) {
		return notFound
	}
	level := c.level(t)
	if c.admin {
		level = access.Owner
	}
	switch r.Ability {
	case access.ReadGroup:
		return allowed
	case access.ReadGroupMember:
		// Not for those who see a private group only through a project.
		if t.vis == private && level == access.NoAccess {
			return forbidden
		}
		return allowed
	case access.AdminGroup, access.AdminGroupMember, access.AdminCICDVariables:
		// A group's CI/CD variables take Owner (GitLab's group_policy).
		if level >= access.Owner {
			return allowed
		}
		return forbidden
	case access.ManageGroupAccessTokens:
		return resourceTokens(r, c, level >= access.Owner, t)
	case access.ReadDeployToken:
		// group_policy: maintainer reads, owner creates and destroys.
		if level >= access.Maintainer {
			return allowed
		}
		return forbidden
	case access.CreateDeployToken, access.DestroyDeployToken:
		if level >= access.Owner {
			return allowed
		}
		return forbidden
	case access.ReadIssue, access.ReadLabel, access.ReadMilestone, access.ReadIssueBoard, access.ReadMergeRequest,
		access.ReadRelease, access.ReadPackage:
		return allowed
	case access.AdminLabel, access.AdminMilestone, access.AdminIssueBoard, access.AdminIssueBoardList:
		if level >= access.Reporter {
			return allowed
		}
		return forbidden
	case access.ReadWiki:
		// Members, and whoever sees a public or internal group as such
		// (not those who see a private group through a project only).
		if level >= access.Guest || t.vis == public || t.vis == internal && c.authenticated() && !c.external {
			return allowed
		}
		return forbidden
	case access.CreateWiki, access.AdminWiki:
		need := access.Developer
		if r.Ability == access.AdminWiki {
			need = access.Maintainer
		}
		if level >= need {
			return allowed
		}
		return forbidden
	}
	panic("expect: no group rule for " + string(r.Ability))
}

// resourceTokens is GitLab's resource_access_tokens.rb: callers who see
// the resource but may not manage its tokens get 401 on reads and
// rotation, 400 from the create and revoke services. Bots never create
// or rotate other tokens (project_bot_access prevents it), but may revoke.
// A bot's token rotates itself (…/self/rotate) only on its own resource
// (401 elsewhere).
func resourceTokens(r *route.Route, c *caller, manage bool, t target) outcome {
	switch {
	case strings.HasSuffix(r.Pattern, "/self/rotate"):
		if c.botOf(t) {
			return allowed
		}
		return unauthorized
	case strings.HasSuffix(r.Pattern, "/rotate"):
		if !manage || c.bot {
			return unauthorized
		}
	case r.Method == http.MethodGet:
		if !manage {
			return unauthorized
		}
	case r.Method == http.MethodPost:
		if !manage || c.bot {
			return badRequest
		}
	case r.Method == http.MethodDelete:
		if !manage {
			return badRequest
		}
	}
	return allowed
}

// selfRotateRefused is GitLab's not_allowed! on …/access_tokens/self/rotate
// for anything but a bot's personal access token, before the resource is
// looked up.
func selfRotateRefused(r *route.Route, c *caller) bool {
	return strings.HasSuffix(r.Pattern, "/access_tokens/self/rotate") && (c.kind != tokenCaller || !c.bot)
}

// ownTokens is GitLab's personal_access_tokens.rb and its self_* APIs.
// The fixtures' {id} is a token of the Owner user: its owner and admins
// may manage it; others learn nothing (401), and a refused revocation is
// a bare 400. /self works only with a personal access token.
func ownTokens(r *route.Route, c *caller) outcome {
	switch {
	case strings.Contains(r.Pattern, "/self"):
		if c.kind == tokenCaller {
			return allowed
		}
		if strings.HasSuffix(r.Pattern, "/rotate") {
			return methodNotAllowed
		}
		return badRequest // "This endpoint requires token type to be a personal access token"
	case strings.Contains(r.Pattern, "{id}"):
		if c.admin || c.ownsTokenTarget() {
			return allowed
		}
		if r.Method == http.MethodDelete {
			return badRequest
		}
		return unauthorized
	}
	return allowed
}

// expectGit is GitLab's git over HTTP: credentials are a token as the
// Basic password and count only with read_repository, write_repository or
// api (else 401, so git asks again); cookies are not read. A project the
// caller can't see is 401 for anonymous callers (git then prompts) and
// 404 for others; reading code follows read_code (403 "You are not
// allowed to download code"); pushing takes a signed-in Developer whose
// token has write_repository or api (403 otherwise).
func expectGit(r *route.Route, c *caller, t target) outcome {
	signedIn := c.kind == tokenCaller || c.kind == oauthCaller
	if signedIn && !c.hasAnyScope([]string{"api", "read_repository", "write_repository"}) {
		return unauthorized
	}
	gc := c
	if !signedIn {
		gc = anonymousCaller
	}
	if !projectVisible(gc, t) {
		if !signedIn {
			return unauthorized
		}
		return notFound
	}
	level := gc.level(t)
	if gc.admin {
		level = access.Owner
	}
	if level < access.Reporter && t.vis != public && !(t.vis == internal && !gc.external) {
		return forbidden
	}
	if r.Ability != access.PushCode {
		return allowed
	}
	switch {
	case !signedIn:
		return unauthorized
	case !gc.hasAnyScope([]string{"api", "write_repository"}), level < access.Developer:
		return forbidden
	}
	return allowed
}

// expectPage is GitLab's pages: a POST must carry the session's
// authenticity token (422 otherwise, before anything else); signed-out
// visitors of a signed-in page go to the sign-in page; the admin area is
// 404 to non-administrators, and an administrator's session must enter
// Admin Mode first; the resource token settings pages are 404 to callers
// who may not manage the tokens; issue pages of a project the caller can't
// see send signed-out visitors to sign in. Tokens don't sign anyone in to
// pages.
func expectPage(r *route.Route, c *caller, t target) outcome {
	a := parseAuth(r.Auth)
	sess := c.kind == sessionCaller
	if r.Method == http.MethodPost && (!sess || !c.csrf) {
		return csrfRejected
	}
	if r.Ability == access.ReadProject && t.kind != noTarget {
		// Project pages (uploads) answer 404 to whoever can't see the
		// project; tokens sign nobody in to pages.
		pc := c
		if !sess {
			pc = anonymousCaller
		}
		if projectVisible(pc, t) {
			return allowed
		}
		return notFound
	}
	if r.Ability == access.ReadGroup && t.kind != noTarget {
		// Group pages (avatars): 404 to whoever can't see the group.
		pc := c
		if !sess {
			pc = anonymousCaller
		}
		if groupVisible(pc, t) {
			return allowed
		}
		return notFound
	}
	if r.Ability == access.ReadIssue && t.kind != noTarget {
		// Issue pages: a project the caller can't see sends signed-out
		// visitors to sign in (GitLab's route_not_found) and is 404 to
		// signed-in ones; tokens sign nobody in to pages.
		switch {
		case sess && projectVisible(c, t) || !sess && projectVisible(anonymousCaller, t):
			return allowed
		case sess:
			return notFound
		}
		return signIn
	}
	if a.has("anonymous") {
		return allowed
	}
	if !sess {
		return signIn
	}
	if a.has("admin-account") { // entering and leaving Admin Mode
		if c.adminUser {
			return allowed
		}
		return notFound
	}
	if a.has("admin") {
		switch {
		case c.admin:
			return allowed
		case c.adminUser:
			return adminModeRedirect
		}
		return notFound
	}
	switch r.Ability {
	case access.ManageProjectAccessTokens:
		if projectVisible(c, t) && (c.admin || c.level(t) >= access.Maintainer) {
			return allowed
		}
		return notFound
	case access.ManageGroupAccessTokens:
		if groupVisible(c, t) && (c.admin || c.level(t) >= access.Owner) {
			return allowed
		}
		return notFound
	}
	return allowed
}

// expectMachine is OAuth's machine endpoints and health: client-
// authenticated and anonymous ones answer whoever calls (the fixtures
// bring the client's credentials); bearer ones take an OAuth access token
// and answer 401 to anything else.
func expectMachine(r *route.Route, c *caller) outcome {
	a := parseAuth(r.Auth)
	if a.has("scim-token") {
		// SCIM's Users routes take a group's (or the instance's) SCIM
		// token and nothing else: no caller here holds one.
		return unauthorized
	}
	if a.has("bearer") || a.has("bearer:openid") {
		if c.kind == oauthCaller {
			return allowed
		}
		return unauthorized
	}
	return allowed
}

// personalSnippet applies a personal snippet ability; the fixtures'
// snippets are the administrator's public ones. Everyone reads them;
// users who are not external create their own; only administrators
// change another's.
func personalSnippet(r *route.Route, c *caller) outcome {
	switch r.Ability {
	case access.CreateSnippet:
		if c.external && !c.admin {
			return forbidden
		}
	case access.AdminSnippet:
		if !c.admin {
			return forbidden
		}
	}
	return allowed
}
