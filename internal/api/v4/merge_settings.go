package v4

import "github.com/lablet/lablet/internal/service"

// mergeSettingsInput reads the merge settings of POST /projects and PUT
// /projects/:id; a value outside an enumeration is Grape's 400 "…
// does not have a valid value".
func mergeSettingsInput(p *Params, in *service.MergeSettingsInput) error {
	for _, e := range []struct {
		name    string
		dst     **string
		allowed []string
	}{{"merge_method", &in.MergeMethod, []string{"merge", "rebase_merge", "ff"}},
		{"squash_option", &in.SquashOption, []string{"never", "always", "default_on", "default_off"}}} {
		v, ok, err := p.OneOf(e.name, e.allowed...)
		if err != nil {
			return err
		}
		if ok {
			*e.dst = &v
		}
	}
	for _, b := range []struct {
		name string
		dst  **bool
	}{{"only_allow_merge_if_all_discussions_are_resolved", &in.OnlyAllowMergeIfAllDiscussionsAreResolved},
		{"only_allow_merge_if_pipeline_succeeds", &in.OnlyAllowMergeIfPipelineSucceeds},
		{"allow_merge_on_skipped_pipeline", &in.AllowMergeOnSkippedPipeline},
		{"remove_source_branch_after_merge", &in.RemoveSourceBranchAfterMerge}} {
		v, ok, err := p.Bool(b.name)
		if err != nil {
			return err
		}
		if ok {
			*b.dst = &v
		}
	}
	for _, t := range []struct {
		name string
		dst  **string
	}{{"merge_commit_template", &in.MergeCommitTemplate}, {"squash_commit_template", &in.SquashCommitTemplate}} {
		// Four bytes a character at most: the service counts characters.
		v, ok, err := p.Text(t.name, 4*500)
		if err != nil {
			return err
		}
		if ok {
			*t.dst = &v
		}
	}
	return nil
}
