package service

import (
	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
)

// guestAccess is GitLab's guest_access on a project the caller sees:
// members, and through public_user_access every signed-in user on a
// public project and every signed-in user who is not external on an
// internal one.
func guestAccess(id *auth.Identity, p *model.Project, level access.Level) bool {
	if level >= access.Guest {
		return true
	}
	if !id.Authenticated() {
		return false
	}
	return p.VisibilityLevel >= access.Public || p.VisibilityLevel >= access.Internal && !id.User.External
}

// ProjectCan reports whether a caller with level on p, who sees p, holds a
// planning ability there. It is the one place these rules live: every
// adapter asks it (through the service operations) and the authorization
// matrix derives its expectations from the same table. Per-object rules
// (an issue's author may update it, confidential issues) are applied by
// the operations on top of it. Archived projects are read-only, as
// GitLab's ArchivedAbilities make them.
func ProjectCan(id *auth.Identity, p *model.Project, level access.Level, a access.Ability) bool {
	switch a {
	case access.ReadProject, access.ReadIssue, access.ReadLabel, access.ReadMilestone,
		access.ReadNote, access.ReadIssueBoard, access.ReadPipeline, access.ReadPipelineSchedule, access.ReadRelease:
		return true
	case access.ReadMergeRequest:
		return p.MergeRequestsEnabled && CanReadCode(id, p, level)
	case access.ReadCommitStatus, access.ReadPackage:
		return CanReadCode(id, p, level)
	case access.AdminProject, access.ReadDeployToken, access.CreateDeployToken, access.DestroyDeployToken:
		// Settings such as deploy keys and tokens stay a Maintainer's on archived
		// projects: archiving does not prevent admin_project.
		return level >= access.Maintainer
	case access.ReadEnvironment, access.ReadDeployment, access.ReadStatistics:
		return level >= access.Reporter
	}
	if p.Archived {
		return false
	}
	switch a {
	case access.CreateIssue, access.CreateNote, access.AwardEmoji, access.UploadFile:
		return guestAccess(id, p, level)
	case access.UpdateIssue, access.AdminIssue, access.AdminLabel, access.AdminMilestone, access.AdminIssueBoard,
		access.AdminIssueBoardList:
		return level >= access.Reporter
	case access.CreateMergeRequestIn, access.UpdateMergeRequest, access.AdminMergeRequest, access.AcceptMergeRequest:
		return p.MergeRequestsEnabled && level >= access.Developer
	case access.AdminNote, access.AdminUpload:
		return level >= access.Maintainer
	case access.DestroyMergeRequest, access.DestroyPipeline:
		return level >= access.Owner
	case access.CreatePipeline, access.UpdatePipeline, access.CreateCommitStatus, access.CreatePipelineSchedule,
		access.PlayPipelineSchedule, access.UpdatePipelineSchedule, access.CreateEnvironment, access.UpdateEnvironment,
		access.DestroyEnvironment, access.StopEnvironment, access.CreateDeployment, access.UpdateDeployment,
		access.CreateRelease, access.UpdateRelease, access.DestroyRelease, access.CreatePackage:
		return level >= access.Developer
	case access.EraseBuild, access.DestroyArtifacts, access.ManageTrigger, access.AdminPipelineSchedule,
		access.DestroyDeployment, access.DestroyPackage:
		return level >= access.Maintainer
	case access.DestroyIssue:
		return level >= access.Owner
	}
	return false
}

// GroupCan is ProjectCan for a group the caller sees: group labels,
// milestones and boards take Reporter on the group; its deploy tokens
// Maintainer to read, Owner to create or delete.
func GroupCan(level access.Level, a access.Ability) bool {
	switch a {
	case access.ReadGroup, access.ReadLabel, access.ReadMilestone, access.ReadIssue, access.ReadIssueBoard,
		access.ReadRelease, access.ReadPackage:
		return true
	case access.AdminLabel, access.AdminMilestone, access.AdminIssueBoard, access.AdminIssueBoardList:
		return level >= access.Reporter
	case access.ReadDeployToken:
		return level >= access.Maintainer
	case access.CreateDeployToken, access.DestroyDeployToken, access.AdminGroup:
		return level >= access.Owner
	}
	return false
}
