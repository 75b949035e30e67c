package v4

import (
	"net/http"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/service"
)

// ciRoutes are CI/CD's rows of the route table: pipelines and jobs for
// users, and the job side of GitLab Runner's protocol.
func ciRoutes() []endpoint {
	return []endpoint{
		// Pipelines (pipelines.go)
		row("GET /projects/{id}/pipelines", (*API).listPipelines, anyone, access.ReadPipeline),
		row("GET /projects/{id}/pipelines/latest", (*API).getLatestPipeline, anyone, access.ReadPipeline),
		row("GET /projects/{id}/pipelines/{pipeline_id}", (*API).getPipeline, anyone, access.ReadPipeline),
		row("POST /projects/{id}/pipeline", (*API).createPipeline, signedIn, access.CreatePipeline),
		row("POST /projects/{id}/pipelines/{pipeline_id}/retry", (*API).retryPipeline, signedIn, access.UpdatePipeline),
		row("POST /projects/{id}/pipelines/{pipeline_id}/cancel", (*API).cancelPipeline, signedIn, access.UpdatePipeline),
		row("DELETE /projects/{id}/pipelines/{pipeline_id}", (*API).deletePipeline, signedIn, access.DestroyPipeline),
		row("GET /projects/{id}/pipelines/{pipeline_id}/variables", (*API).listPipelineVariables, signedIn, access.UpdatePipeline),
		row("GET /projects/{id}/pipelines/{pipeline_id}/jobs", (*API).listPipelineJobs, anyone, access.ReadPipeline),
		row("GET /projects/{id}/pipelines/{pipeline_id}/bridges", (*API).listPipelineBridges, anyone, access.ReadPipeline),

		// Test reports (pipeline_reports.go)
		row("GET /projects/{id}/pipelines/{pipeline_id}/test_report", (*API).getPipelineTestReport, anyone, access.ReadPipeline),
		row("GET /projects/{id}/pipelines/{pipeline_id}/test_report_summary", (*API).getPipelineTestReportSummary, anyone, access.ReadPipeline),

		// CI lint (ci_lint.go): POST takes create_pipeline, GET read_code.
		row("POST /projects/{id}/ci/lint", (*API).lintCIContent, signedIn, access.CreatePipeline),
		row("GET /projects/{id}/ci/lint", (*API).lintCIConfig, anyone, access.ReadCode),

		// Commit statuses (commit_statuses.go)
		row("POST /projects/{id}/statuses/{sha}", (*API).setCommitStatus, signedIn, access.CreateCommitStatus),
		row("GET /projects/{id}/repository/commits/{sha}/statuses", (*API).listCommitStatuses, anyone, access.ReadCommitStatus),

		// Jobs (jobs.go): GitLab's jobs API authenticates every caller
		// (lib/api/ci/jobs.rb: before { authenticate! }), unlike the
		// pipelines and artifacts APIs.
		row("GET /job", (*API).getCurrentJob, runnerToken, access.None),
		row("GET /projects/{id}/jobs", (*API).listJobs, signedInOrJob, access.ReadPipeline),
		row("GET /projects/{id}/jobs/{job_id}", jobAction((*service.Service).Job, http.StatusOK), signedIn, access.ReadPipeline),
		row("GET /projects/{id}/jobs/{job_id}/trace", (*API).getJobTrace, signedIn, access.ReadPipeline),
		row("POST /projects/{id}/jobs/{job_id}/retry", jobAction((*service.Service).RetryJob, http.StatusCreated), signedIn, access.UpdatePipeline),
		row("POST /projects/{id}/jobs/{job_id}/cancel", jobAction((*service.Service).CancelJob, http.StatusCreated), signedIn, access.UpdatePipeline),
		row("POST /projects/{id}/jobs/{job_id}/play", jobAction((*service.Service).PlayJob, http.StatusOK), signedIn, access.UpdatePipeline),
		row("POST /projects/{id}/jobs/{job_id}/erase", jobAction((*service.Service).EraseJob, http.StatusCreated), signedIn, access.EraseBuild),
		row("GET /projects/{id}/jobs/{job_id}/artifacts", (*API).getJobArtifacts, anyoneOrJob, access.ReadPipeline),
		row("GET /projects/{id}/jobs/{job_id}/artifacts/{artifact_path...}", (*API).getJobArtifactFile, anyoneOrJob, access.ReadPipeline),
		row("GET /projects/{id}/jobs/artifacts/{ref_name}/download", (*API).downloadRefArtifacts, anyoneOrJob, access.ReadPipeline),
		row("GET /projects/{id}/jobs/artifacts/{ref_name}/raw/{artifact_path...}", (*API).getRefArtifactFile, anyoneOrJob, access.ReadPipeline),
		row("POST /projects/{id}/jobs/{job_id}/artifacts/keep", jobAction((*service.Service).KeepJobArtifacts, http.StatusOK), signedIn, access.UpdatePipeline),
		row("DELETE /projects/{id}/jobs/{job_id}/artifacts", (*API).deleteJobArtifacts, signedIn, access.DestroyArtifacts),
		row("DELETE /projects/{id}/artifacts", (*API).deleteProjectArtifacts, signedIn, access.DestroyArtifacts),

		// Pipeline trigger tokens (ci_triggers.go); triggering reads only
		// the token in the request, a trigger's or a job's.
		row("GET /projects/{id}/triggers", (*API).listCITriggers, signedIn, access.ManageTrigger),
		row("POST /projects/{id}/triggers", (*API).createCITrigger, signedIn, access.ManageTrigger),
		row("GET /projects/{id}/triggers/{trigger_id}", (*API).getCITrigger, signedIn, access.ManageTrigger),
		row("PUT /projects/{id}/triggers/{trigger_id}", (*API).updateCITrigger, signedIn, access.ManageTrigger),
		row("DELETE /projects/{id}/triggers/{trigger_id}", (*API).deleteCITrigger, signedIn, access.ManageTrigger),
		row("POST /projects/{id}/trigger/pipeline", (*API).triggerPipeline, triggerToken, access.None),

		// Pipeline schedules (pipeline_schedules.go): GitLab authenticates
		// every caller; reading them is reading pipelines.
		row("GET /projects/{id}/pipeline_schedules", (*API).listPipelineSchedules, signedIn, access.ReadPipelineSchedule),
		row("POST /projects/{id}/pipeline_schedules", (*API).createPipelineSchedule, signedIn, access.CreatePipelineSchedule),
		row("GET /projects/{id}/pipeline_schedules/{pipeline_schedule_id}", (*API).getPipelineSchedule, signedIn, access.ReadPipelineSchedule),
		row("PUT /projects/{id}/pipeline_schedules/{pipeline_schedule_id}", (*API).updatePipelineSchedule, signedIn, access.UpdatePipelineSchedule),
		row("DELETE /projects/{id}/pipeline_schedules/{pipeline_schedule_id}", (*API).deletePipelineSchedule, signedIn, access.AdminPipelineSchedule),
		row("GET /projects/{id}/pipeline_schedules/{pipeline_schedule_id}/pipelines", (*API).listSchedulePipelines, signedIn, access.ReadPipelineSchedule),
		row("POST /projects/{id}/pipeline_schedules/{pipeline_schedule_id}/take_ownership", (*API).takePipelineScheduleOwnership, signedIn, access.AdminPipelineSchedule),
		row("POST /projects/{id}/pipeline_schedules/{pipeline_schedule_id}/play", (*API).playPipelineSchedule, signedIn, access.PlayPipelineSchedule),
		row("POST /projects/{id}/pipeline_schedules/{pipeline_schedule_id}/variables", (*API).createPipelineScheduleVariable, signedIn, access.UpdatePipelineSchedule),
		row("PUT /projects/{id}/pipeline_schedules/{pipeline_schedule_id}/variables/{key}", (*API).updatePipelineScheduleVariable, signedIn, access.UpdatePipelineSchedule),
		row("DELETE /projects/{id}/pipeline_schedules/{pipeline_schedule_id}/variables/{key}", (*API).deletePipelineScheduleVariable, signedIn, access.AdminPipelineSchedule),
		// The job token's inbound scope (ci_job_token_scope.go): GitLab's
		// authorize_admin_project; the DELETE rows check it in the service,
		// after finding the target.
		row("GET /projects/{id}/job_token_scope", (*API).getJobTokenScope, signedIn, access.AdminProject),
		row("PATCH /projects/{id}/job_token_scope", (*API).patchJobTokenScope, signedIn, access.AdminProject),
		row("GET /projects/{id}/job_token_scope/allowlist", (*API).listJobTokenAllowlist, signedIn, access.AdminProject),
		row("POST /projects/{id}/job_token_scope/allowlist", (*API).addJobTokenAllowlistProject, signedIn, access.AdminProject),
		row("DELETE /projects/{id}/job_token_scope/allowlist/{target_project_id}", (*API).removeJobTokenAllowlistProject, signedIn, access.AdminProject),
		row("GET /projects/{id}/job_token_scope/groups_allowlist", (*API).listJobTokenGroupsAllowlist, signedIn, access.AdminProject),
		row("POST /projects/{id}/job_token_scope/groups_allowlist", (*API).addJobTokenAllowlistGroup, signedIn, access.AdminProject),
		row("DELETE /projects/{id}/job_token_scope/groups_allowlist/{target_group_id}", (*API).removeJobTokenAllowlistGroup, signedIn, access.AdminProject),

		// Environments (environments.go): stop answers every reader, and
		// stops for who may (GitLab's API authorizes read_environment).
		row("GET /projects/{id}/environments", (*API).listEnvironments, signedIn, access.ReadEnvironment),
		row("POST /projects/{id}/environments", (*API).createEnvironment, signedIn, access.CreateEnvironment),
		row("POST /projects/{id}/environments/stop_stale", (*API).stopStaleEnvironments, signedIn, access.StopEnvironment),
		row("GET /projects/{id}/environments/{environment_id}", (*API).getEnvironment, signedIn, access.ReadEnvironment),
		row("PUT /projects/{id}/environments/{environment_id}", (*API).updateEnvironment, signedIn, access.UpdateEnvironment),
		row("DELETE /projects/{id}/environments/{environment_id}", (*API).deleteEnvironment, signedIn, access.DestroyEnvironment),
		row("POST /projects/{id}/environments/{environment_id}/stop", (*API).stopEnvironment, signedIn, access.ReadEnvironment),

		// Deployments (deployments.go)
		row("GET /projects/{id}/deployments", (*API).listDeployments, signedIn, access.ReadDeployment),
		row("POST /projects/{id}/deployments", (*API).createDeployment, signedIn, access.CreateDeployment),
		row("GET /projects/{id}/deployments/{deployment_id}", (*API).getDeployment, signedIn, access.ReadDeployment),
		row("PUT /projects/{id}/deployments/{deployment_id}", (*API).updateDeployment, signedIn, access.UpdateDeployment),
		row("DELETE /projects/{id}/deployments/{deployment_id}", (*API).deleteDeployment, signedIn, access.DestroyDeployment),

		// GitLab Runner's job protocol (runner_jobs.go): the runner's
		// token, or the job's, in the request; no user credential.
		row("POST /jobs/request", (*API).requestJob, runnerToken, access.None),
		row("PUT /jobs/{id}", (*API).updateJob, runnerToken, access.None),
		row("PATCH /jobs/{id}/trace", (*API).appendTrace, runnerToken, access.None).withRawBody(),
		row("POST /jobs/{id}/artifacts", (*API).uploadJobArtifacts, runnerToken, access.None).withRawBody(),
		row("GET /jobs/{id}/artifacts", (*API).downloadJobArtifacts, runnerToken, access.None),
	}
}
