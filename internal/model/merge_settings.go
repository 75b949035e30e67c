package model

// MergeSettings are a project's merge request settings (GitLab's
// project_settings and projects columns of the same names).
type MergeSettings struct {
	MergeMethod                               string // "merge", "rebase_merge" or "ff"
	SquashOption                              string // "never", "always", "default_on" or "default_off"
	OnlyAllowMergeIfAllDiscussionsAreResolved bool
	OnlyAllowMergeIfPipelineSucceeds          bool
	AllowMergeOnSkippedPipeline               bool
	RemoveSourceBranchAfterMerge              bool
	MergeCommitTemplate                       *string // nil: GitLab's default message
	SquashCommitTemplate                      *string
}

// DefaultMergeSettings are a new project's, as GitLab's.
func DefaultMergeSettings() MergeSettings {
	return MergeSettings{MergeMethod: "merge", SquashOption: "default_off", RemoveSourceBranchAfterMerge: true}
}

// FastForwardOnly reports whether merges need the source to contain the
// target (GitLab's ff_merge_must_be_possible?: the ff and rebase_merge
// methods).
func (s MergeSettings) FastForwardOnly() bool {
	return s.MergeMethod == "ff" || s.MergeMethod == "rebase_merge"
}

// Mergeability is what a merge request's last mergeability check found,
// with the source and target heads it checked: it holds while both are
// still there.
type Mergeability struct {
	MergeStatus       string // "unchecked", "can_be_merged" or "cannot_be_merged"
	MergeStatusHead   *string
	MergeStatusTarget *string
	// MergeFF: the target head is an ancestor of the source head.
	MergeFF bool
	// MergeError is why the last rebase failed, shown until the next one.
	MergeError *string
}

// CheckedAt reports whether m was computed for these heads.
func (m Mergeability) CheckedAt(head, target string) bool {
	return m.MergeStatus != "unchecked" && m.MergeStatusHead != nil && *m.MergeStatusHead == head &&
		m.MergeStatusTarget != nil && *m.MergeStatusTarget == target
}
