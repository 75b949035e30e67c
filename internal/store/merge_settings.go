package store

import (
	"cmp"
	"database/sql"

	"github.com/lablet/lablet/internal/model"
)

// The projects columns of model.MergeSettings, in the order of
// mergeSettingsScan.dest and mergeSettingsArgs.
const (
	mergeSettingsInsert = `merge_method, squash_option, only_allow_merge_if_all_discussions_are_resolved,
		only_allow_merge_if_pipeline_succeeds, allow_merge_on_skipped_pipeline, remove_source_branch_after_merge,
		merge_commit_template, squash_commit_template`
	mergeSettingsColumns = `p.merge_method, p.squash_option, p.only_allow_merge_if_all_discussions_are_resolved,
		p.only_allow_merge_if_pipeline_succeeds, p.allow_merge_on_skipped_pipeline, p.remove_source_branch_after_merge,
		p.merge_commit_template, p.squash_commit_template`
	mergeSettingsValues = "?, ?, ?, ?, ?, ?, ?, ?"
	mergeSettingsSet    = `merge_method = ?, squash_option = ?, only_allow_merge_if_all_discussions_are_resolved = ?,
		only_allow_merge_if_pipeline_succeeds = ?, allow_merge_on_skipped_pipeline = ?,
		remove_source_branch_after_merge = ?, merge_commit_template = ?, squash_commit_template = ?`
)

// mergeSettingsScan holds what a row's nullable templates scan into.
type mergeSettingsScan struct{ mergeTpl, squashTpl sql.NullString }

func (m *mergeSettingsScan) dest(s *model.MergeSettings) []any {
	return []any{&s.MergeMethod, &s.SquashOption, &s.OnlyAllowMergeIfAllDiscussionsAreResolved,
		&s.OnlyAllowMergeIfPipelineSucceeds, &s.AllowMergeOnSkippedPipeline, &s.RemoveSourceBranchAfterMerge,
		&m.mergeTpl, &m.squashTpl}
}

func (m *mergeSettingsScan) finish(s *model.MergeSettings) {
	s.MergeCommitTemplate, s.SquashCommitTemplate = fromNullStr(m.mergeTpl), fromNullStr(m.squashTpl)
}

// mergeSettingsArgs are s's values for mergeSettingsNames; an unset
// method or squash option is GitLab's default.
func mergeSettingsArgs(s model.MergeSettings) []any {
	d := model.DefaultMergeSettings()
	return []any{cmp.Or(s.MergeMethod, d.MergeMethod), cmp.Or(s.SquashOption, d.SquashOption),
		s.OnlyAllowMergeIfAllDiscussionsAreResolved, s.OnlyAllowMergeIfPipelineSucceeds,
		s.AllowMergeOnSkippedPipeline, s.RemoveSourceBranchAfterMerge, nullStr(s.MergeCommitTemplate),
		nullStr(s.SquashCommitTemplate)}
}
