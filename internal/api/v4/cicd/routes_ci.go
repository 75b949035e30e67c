// Package cicd is CI/CD's part of GitLab's REST API v4: runners, pipelines,
// jobs and their artifacts, GitLab Runner's job protocol, CI/CD variables,
// trigger tokens, pipeline schedules, the job token's scope, environments,
// deployments and commit statuses. Its handlers are functions of the core
// package's Handler type; Routes is its route table, which internal/server
// hands to v4.New.
package cicd

import (
	"net/http"

	v4 "github.com/lablet/lablet/internal/api/v4"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/service"
)

// Routes are CI/CD's rows of the REST API's route table: runners,
// pipelines and jobs for users, the job side of GitLab Runner's protocol,
// and CI/CD's other resources. internal/server hands them to v4.New.
func Routes() []v4.Endpoint {
	return []v4.Endpoint{
		// Runners (runners*.go). A runner the caller may not use is 403
		// "No access granted" (GitLab finds it first); tokens with
		// manage_runner reach /runners/:id, create_runner POST /user/runners.
		v4.Row("POST /user/runners", createUserRunner, v4.WithScopes(auth.ScopeAPI, auth.ScopeCreateRunner), access.CreateRunner),
		v4.Row("GET /runners", listOwnedRunners, v4.SignedIn, access.ReadRunner),
		v4.Row("GET /runners/all", listAllRunners, v4.Admin, access.AdminAll),
		v4.Row("GET /runners/{id}", getRunner, v4.WithScopes(auth.ScopeAPI, auth.ScopeReadAPI, auth.ScopeManageRunner), access.ReadRunner),
		v4.Row("PUT /runners/{id}", updateRunner, v4.WithScopes(auth.ScopeAPI, auth.ScopeManageRunner), access.UpdateRunner),
		v4.Row("DELETE /runners/{id}", deleteRunner, v4.WithScopes(auth.ScopeAPI, auth.ScopeManageRunner), access.DeleteRunner),
		v4.Row("POST /runners/{id}/reset_authentication_token", resetRunnerToken, v4.WithScopes(auth.ScopeAPI, auth.ScopeManageRunner), access.UpdateRunner),
		v4.Row("GET /projects/{id}/runners", listProjectRunners, v4.SignedIn, access.ReadProjectRunners),
		v4.Row("POST /projects/{id}/runners", enableProjectRunner, v4.SignedIn, access.CreateRunner),
		v4.Row("DELETE /projects/{id}/runners/{runner_id}", disableProjectRunner, v4.SignedIn, access.AdminProjectRunners),
		v4.Row("GET /groups/{id}/runners", listGroupRunners, v4.SignedIn, access.ReadGroupRunners),
		v4.Row("POST /runners/reset_registration_token", resetInstanceRegistrationToken, v4.Admin, access.AdminAll),
		v4.Row("POST /projects/{id}/runners/reset_registration_token", resetProjectRegistrationToken, v4.SignedIn, access.UpdateRunnersRegistrationToken),
		v4.Row("POST /groups/{id}/runners/reset_registration_token", resetGroupRegistrationToken, v4.SignedIn, access.UpdateRunnersRegistrationToken),
		// GitLab Runner's own calls: its token is in the body.
		v4.Row("POST /runners", registerRunner, v4.RunnerToken, access.None),
		v4.Row("DELETE /runners", unregisterRunner, v4.RunnerToken, access.None),
		v4.Row("POST /runners/verify", verifyRunner, v4.RunnerToken, access.None),
		v4.Row("POST /runners/reset_authentication_token", resetRunnerTokenByToken, v4.RunnerToken, access.None),

		// Instance CI/CD variables (ci_variables.go)
		v4.Row("GET /admin/ci/variables", listCIVariables(model.CIVariableOfInstance), v4.Admin, access.AdminAll),
		v4.Row("POST /admin/ci/variables", createCIVariable(model.CIVariableOfInstance), v4.Admin, access.AdminAll),
		v4.Row("GET /admin/ci/variables/{key}", getCIVariable(model.CIVariableOfInstance), v4.Admin, access.AdminAll),
		v4.Row("PUT /admin/ci/variables/{key}", updateCIVariable(model.CIVariableOfInstance), v4.Admin, access.AdminAll),
		v4.Row("DELETE /admin/ci/variables/{key}", deleteCIVariable(model.CIVariableOfInstance), v4.Admin, access.AdminAll),

		// Group CI/CD variables (ci_variables.go)
		v4.Row("GET /groups/{id}/variables", listCIVariables(model.CIVariableOfGroup), v4.SignedIn, access.AdminCICDVariables),
		v4.Row("POST /groups/{id}/variables", createCIVariable(model.CIVariableOfGroup), v4.SignedIn, access.AdminCICDVariables),
		v4.Row("GET /groups/{id}/variables/{key}", getCIVariable(model.CIVariableOfGroup), v4.SignedIn, access.AdminCICDVariables),
		v4.Row("PUT /groups/{id}/variables/{key}", updateCIVariable(model.CIVariableOfGroup), v4.SignedIn, access.AdminCICDVariables),
		v4.Row("DELETE /groups/{id}/variables/{key}", deleteCIVariable(model.CIVariableOfGroup), v4.SignedIn, access.AdminCICDVariables),

		// Project CI/CD variables (ci_variables.go)
		v4.Row("GET /projects/{id}/variables", listCIVariables(model.CIVariableOfProject), v4.SignedIn, access.AdminCICDVariables),
		v4.Row("POST /projects/{id}/variables", createCIVariable(model.CIVariableOfProject), v4.SignedIn, access.AdminCICDVariables),
		v4.Row("GET /projects/{id}/variables/{key}", getCIVariable(model.CIVariableOfProject), v4.SignedIn, access.AdminCICDVariables),
		v4.Row("PUT /projects/{id}/variables/{key}", updateCIVariable(model.CIVariableOfProject), v4.SignedIn, access.AdminCICDVariables),
		v4.Row("DELETE /projects/{id}/variables/{key}", deleteCIVariable(model.CIVariableOfProject), v4.SignedIn, access.AdminCICDVariables),

		// Merge request pipelines (merge_requests_pipelines.go): GitLab
		// checks read_pipeline, and create_pipeline to run one.
		v4.Row("GET /projects/{id}/merge_requests/{merge_request_iid}/pipelines", listMergeRequestPipelines, v4.Anyone, access.ReadPipeline),
		v4.Row("POST /projects/{id}/merge_requests/{merge_request_iid}/pipelines", createMergeRequestPipeline, v4.SignedIn, access.CreatePipeline),
		// Pipelines (pipelines.go)
		v4.Row("GET /projects/{id}/pipelines", listPipelines, v4.Anyone, access.ReadPipeline),
		v4.Row("GET /projects/{id}/pipelines/latest", getLatestPipeline, v4.Anyone, access.ReadPipeline),
		v4.Row("GET /projects/{id}/pipelines/{pipeline_id}", getPipeline, v4.Anyone, access.ReadPipeline),
		v4.Row("POST /projects/{id}/pipeline", createPipeline, v4.SignedIn, access.CreatePipeline),
		v4.Row("POST /projects/{id}/pipelines/{pipeline_id}/retry", retryPipeline, v4.SignedIn, access.UpdatePipeline),
		v4.Row("POST /projects/{id}/pipelines/{pipeline_id}/cancel", cancelPipeline, v4.SignedIn, access.UpdatePipeline),
		v4.Row("DELETE /projects/{id}/pipelines/{pipeline_id}", deletePipeline, v4.SignedIn, access.DestroyPipeline),
		v4.Row("GET /projects/{id}/pipelines/{pipeline_id}/variables", listPipelineVariables, v4.SignedIn, access.UpdatePipeline),
		v4.Row("GET /projects/{id}/pipelines/{pipeline_id}/jobs", listPipelineJobs, v4.Anyone, access.ReadPipeline),
		v4.Row("GET /projects/{id}/pipelines/{pipeline_id}/bridges", listPipelineBridges, v4.Anyone, access.ReadPipeline),

		// Test reports (pipeline_reports.go)
		v4.Row("GET /projects/{id}/pipelines/{pipeline_id}/test_report", getPipelineTestReport, v4.Anyone, access.ReadPipeline),
		v4.Row("GET /projects/{id}/pipelines/{pipeline_id}/test_report_summary", getPipelineTestReportSummary, v4.Anyone, access.ReadPipeline),

		// CI lint (ci_lint.go): POST takes create_pipeline, GET read_code.
		v4.Row("POST /projects/{id}/ci/lint", lintCIContent, v4.SignedIn, access.CreatePipeline),
		v4.Row("GET /projects/{id}/ci/lint", lintCIConfig, v4.Anyone, access.ReadCode),

		// Commit statuses (commit_statuses.go)
		v4.Row("POST /projects/{id}/statuses/{sha}", setCommitStatus, v4.SignedIn, access.CreateCommitStatus),
		v4.Row("GET /projects/{id}/repository/commits/{sha}/statuses", listCommitStatuses, v4.Anyone, access.ReadCommitStatus),

		// Jobs (jobs.go): GitLab's jobs API authenticates every caller
		// (lib/api/ci/jobs.rb: before { authenticate! }), unlike the
		// pipelines and artifacts APIs.
		v4.Row("GET /job", getCurrentJob, v4.RunnerToken, access.None),
		v4.Row("GET /projects/{id}/jobs", listJobs, v4.SignedInOrJob, access.ReadPipeline),
		v4.Row("GET /projects/{id}/jobs/{job_id}", jobAction((*service.Service).Job, http.StatusOK), v4.SignedIn, access.ReadPipeline),
		v4.Row("GET /projects/{id}/jobs/{job_id}/trace", getJobTrace, v4.SignedIn, access.ReadPipeline),
		v4.Row("POST /projects/{id}/jobs/{job_id}/retry", jobAction((*service.Service).RetryJob, http.StatusCreated), v4.SignedIn, access.UpdatePipeline),
		v4.Row("POST /projects/{id}/jobs/{job_id}/cancel", jobAction((*service.Service).CancelJob, http.StatusCreated), v4.SignedIn, access.UpdatePipeline),
		v4.Row("POST /projects/{id}/jobs/{job_id}/play", jobAction((*service.Service).PlayJob, http.StatusOK), v4.SignedIn, access.UpdatePipeline),
		v4.Row("POST /projects/{id}/jobs/{job_id}/erase", jobAction((*service.Service).EraseJob, http.StatusCreated), v4.SignedIn, access.EraseBuild),
		v4.Row("GET /projects/{id}/jobs/{job_id}/artifacts", getJobArtifacts, v4.AnyoneOrJob, access.ReadPipeline),
		v4.Row("GET /projects/{id}/jobs/{job_id}/artifacts/{artifact_path...}", getJobArtifactFile, v4.AnyoneOrJob, access.ReadPipeline),
		v4.Row("GET /projects/{id}/jobs/artifacts/{ref_name}/download", downloadRefArtifacts, v4.AnyoneOrJob, access.ReadPipeline),
		v4.Row("GET /projects/{id}/jobs/artifacts/{ref_name}/raw/{artifact_path...}", getRefArtifactFile, v4.AnyoneOrJob, access.ReadPipeline),
		v4.Row("POST /projects/{id}/jobs/{job_id}/artifacts/keep", jobAction((*service.Service).KeepJobArtifacts, http.StatusOK), v4.SignedIn, access.UpdatePipeline),
		v4.Row("DELETE /projects/{id}/jobs/{job_id}/artifacts", deleteJobArtifacts, v4.SignedIn, access.DestroyArtifacts),
		v4.Row("DELETE /projects/{id}/artifacts", deleteProjectArtifacts, v4.SignedIn, access.DestroyArtifacts),

		// Pipeline trigger tokens (ci_triggers.go); triggering reads only
		// the token in the request, a trigger's or a job's.
		v4.Row("GET /projects/{id}/triggers", listCITriggers, v4.SignedIn, access.ManageTrigger),
		v4.Row("POST /projects/{id}/triggers", createCITrigger, v4.SignedIn, access.ManageTrigger),
		v4.Row("GET /projects/{id}/triggers/{trigger_id}", getCITrigger, v4.SignedIn, access.ManageTrigger),
		v4.Row("PUT /projects/{id}/triggers/{trigger_id}", updateCITrigger, v4.SignedIn, access.ManageTrigger),
		v4.Row("DELETE /projects/{id}/triggers/{trigger_id}", deleteCITrigger, v4.SignedIn, access.ManageTrigger),
		v4.Row("POST /projects/{id}/trigger/pipeline", triggerPipeline, triggerToken, access.None),

		// Pipeline schedules (pipeline_schedules.go): GitLab authenticates
		// every caller; reading them is reading pipelines.
		v4.Row("GET /projects/{id}/pipeline_schedules", listPipelineSchedules, v4.SignedIn, access.ReadPipelineSchedule),
		v4.Row("POST /projects/{id}/pipeline_schedules", createPipelineSchedule, v4.SignedIn, access.CreatePipelineSchedule),
		v4.Row("GET /projects/{id}/pipeline_schedules/{pipeline_schedule_id}", getPipelineSchedule, v4.SignedIn, access.ReadPipelineSchedule),
		v4.Row("PUT /projects/{id}/pipeline_schedules/{pipeline_schedule_id}", updatePipelineSchedule, v4.SignedIn, access.UpdatePipelineSchedule),
		v4.Row("DELETE /projects/{id}/pipeline_schedules/{pipeline_schedule_id}", deletePipelineSchedule, v4.SignedIn, access.AdminPipelineSchedule),
		v4.Row("GET /projects/{id}/pipeline_schedules/{pipeline_schedule_id}/pipelines", listSchedulePipelines, v4.SignedIn, access.ReadPipelineSchedule),
		v4.Row("POST /projects/{id}/pipeline_schedules/{pipeline_schedule_id}/take_ownership", takePipelineScheduleOwnership, v4.SignedIn, access.AdminPipelineSchedule),
		v4.Row("POST /projects/{id}/pipeline_schedules/{pipeline_schedule_id}/play", playPipelineSchedule, v4.SignedIn, access.PlayPipelineSchedule),
		v4.Row("POST /projects/{id}/pipeline_schedules/{pipeline_schedule_id}/variables", createPipelineScheduleVariable, v4.SignedIn, access.UpdatePipelineSchedule),
		v4.Row("PUT /projects/{id}/pipeline_schedules/{pipeline_schedule_id}/variables/{key}", updatePipelineScheduleVariable, v4.SignedIn, access.UpdatePipelineSchedule),
		v4.Row("DELETE /projects/{id}/pipeline_schedules/{pipeline_schedule_id}/variables/{key}", deletePipelineScheduleVariable, v4.SignedIn, access.AdminPipelineSchedule),
		// The job token's inbound scope (ci_job_token_scope.go): GitLab's
		// authorize_admin_project; the DELETE rows check it in the service,
		// after finding the target.
		v4.Row("GET /projects/{id}/job_token_scope", getJobTokenScope, v4.SignedIn, access.AdminProject),
		v4.Row("PATCH /projects/{id}/job_token_scope", patchJobTokenScope, v4.SignedIn, access.AdminProject),
		v4.Row("GET /projects/{id}/job_token_scope/allowlist", listJobTokenAllowlist, v4.SignedIn, access.AdminProject),
		v4.Row("POST /projects/{id}/job_token_scope/allowlist", addJobTokenAllowlistProject, v4.SignedIn, access.AdminProject),
		v4.Row("DELETE /projects/{id}/job_token_scope/allowlist/{target_project_id}", removeJobTokenAllowlistProject, v4.SignedIn, access.AdminProject),
		v4.Row("GET /projects/{id}/job_token_scope/groups_allowlist", listJobTokenGroupsAllowlist, v4.SignedIn, access.AdminProject),
		v4.Row("POST /projects/{id}/job_token_scope/groups_allowlist", addJobTokenAllowlistGroup, v4.SignedIn, access.AdminProject),
		v4.Row("DELETE /projects/{id}/job_token_scope/groups_allowlist/{target_group_id}", removeJobTokenAllowlistGroup, v4.SignedIn, access.AdminProject),

		// Environments (environments.go): stop answers every reader, and
		// stops for who may (GitLab's API authorizes read_environment).
		v4.Row("GET /projects/{id}/environments", listEnvironments, v4.SignedIn, access.ReadEnvironment),
		v4.Row("POST /projects/{id}/environments", createEnvironment, v4.SignedIn, access.CreateEnvironment),
		v4.Row("POST /projects/{id}/environments/stop_stale", stopStaleEnvironments, v4.SignedIn, access.StopEnvironment),
		v4.Row("GET /projects/{id}/environments/{environment_id}", getEnvironment, v4.SignedIn, access.ReadEnvironment),
		v4.Row("PUT /projects/{id}/environments/{environment_id}", updateEnvironment, v4.SignedIn, access.UpdateEnvironment),
		v4.Row("DELETE /projects/{id}/environments/{environment_id}", deleteEnvironment, v4.SignedIn, access.DestroyEnvironment),
		v4.Row("POST /projects/{id}/environments/{environment_id}/stop", stopEnvironment, v4.SignedIn, access.ReadEnvironment),

		// Deployments (deployments.go)
		v4.Row("GET /projects/{id}/deployments", listDeployments, v4.SignedIn, access.ReadDeployment),
		v4.Row("POST /projects/{id}/deployments", createDeployment, v4.SignedIn, access.CreateDeployment),
		v4.Row("GET /projects/{id}/deployments/{deployment_id}", getDeployment, v4.SignedIn, access.ReadDeployment),
		v4.Row("PUT /projects/{id}/deployments/{deployment_id}", updateDeployment, v4.SignedIn, access.UpdateDeployment),
		v4.Row("DELETE /projects/{id}/deployments/{deployment_id}", deleteDeployment, v4.SignedIn, access.DestroyDeployment),

		// GitLab Runner's job protocol (runner_jobs.go): the runner's
		// token, or the job's, in the request; no user credential.
		v4.Row("POST /jobs/request", requestJob, v4.RunnerToken, access.None),
		v4.Row("PUT /jobs/{id}", updateJob, v4.RunnerToken, access.None),
		v4.Row("PATCH /jobs/{id}/trace", appendTrace, v4.RunnerToken, access.None).WithRawBody(),
		v4.Row("POST /jobs/{id}/artifacts", uploadJobArtifacts, v4.RunnerToken, access.None).WithRawBody(),
		v4.Row("GET /jobs/{id}/artifacts", downloadJobArtifacts, v4.RunnerToken, access.None),
	}
}
