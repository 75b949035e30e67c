package service

import (
	"fmt"
	"unicode/utf8"

	"github.com/lablet/lablet/internal/model"
)

// maxCommitTemplate is GitLab's limit for merge and squash commit
// templates (Project::MAX_COMMIT_TEMPLATE_LENGTH).
const maxCommitTemplate = 500

// MergeSettingsInput are the merge settings a project create or update
// sets; nil: not given. The API checks the enumerations' values.
type MergeSettingsInput struct {
	MergeMethod                               *string
	SquashOption                              *string
	OnlyAllowMergeIfAllDiscussionsAreResolved *bool
	OnlyAllowMergeIfPipelineSucceeds          *bool
	AllowMergeOnSkippedPipeline               *bool
	RemoveSourceBranchAfterMerge              *bool
	// MergeCommitTemplate and SquashCommitTemplate: "" goes back to
	// GitLab's default message.
	MergeCommitTemplate  *string
	SquashCommitTemplate *string
}

func (in *MergeSettingsInput) validate(v Validation) {
	for _, t := range []struct {
		name string
		val  *string
	}{{"merge_commit_template", in.MergeCommitTemplate}, {"squash_commit_template", in.SquashCommitTemplate}} {
		if t.val != nil && utf8.RuneCountInString(*t.val) > maxCommitTemplate {
			v.Add(t.name, fmt.Sprintf("is too long (maximum is %d characters)", maxCommitTemplate))
		}
	}
}

// apply copies the given settings onto s; templates get fresh pointers,
// so a cached project's are never written through.
func (in *MergeSettingsInput) apply(s *model.MergeSettings) {
	if in.MergeMethod != nil {
		s.MergeMethod = *in.MergeMethod
	}
	if in.SquashOption != nil {
		s.SquashOption = *in.SquashOption
	}
	for _, b := range []struct {
		dst *bool
		src *bool
	}{{&s.OnlyAllowMergeIfAllDiscussionsAreResolved, in.OnlyAllowMergeIfAllDiscussionsAreResolved},
		{&s.OnlyAllowMergeIfPipelineSucceeds, in.OnlyAllowMergeIfPipelineSucceeds},
		{&s.AllowMergeOnSkippedPipeline, in.AllowMergeOnSkippedPipeline},
		{&s.RemoveSourceBranchAfterMerge, in.RemoveSourceBranchAfterMerge}} {
		if b.src != nil {
			*b.dst = *b.src
		}
	}
	for _, t := range []struct {
		dst **string
		src *string
	}{{&s.MergeCommitTemplate, in.MergeCommitTemplate}, {&s.SquashCommitTemplate, in.SquashCommitTemplate}} {
		switch {
		case t.src == nil:
		case *t.src == "":
			*t.dst = nil
		default:
			v := *t.src
			*t.dst = &v
		}
	}
}
