package model

// FromFork reports whether the merge request's source branch lives in
// another project than its target (a fork of the same network).
func (m *MergeRequest) FromFork() bool {
	return m.SourceProjectID != nil && *m.SourceProjectID != m.TargetProjectID
}
