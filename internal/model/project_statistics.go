package model

// ProjectStatistics are a project's storage figures in bytes and its
// default branch's commit count (GitLab's project_statistics), as the
// last background refresh stored them.
type ProjectStatistics struct {
	CommitCount           int64
	RepositorySize        int64
	WikiSize              int64
	LFSObjectsSize        int64
	BuildArtifactsSize    int64
	PipelineArtifactsSize int64
	PackagesSize          int64
	SnippetsSize          int64
	UploadsSize           int64
	ContainerRegistrySize int64
}

// StorageSize is the sum of the sizes, as GitLab's storage_size.
func (s *ProjectStatistics) StorageSize() int64 {
	return s.RepositorySize + s.WikiSize + s.LFSObjectsSize + s.BuildArtifactsSize + s.PipelineArtifactsSize +
		s.PackagesSize + s.SnippetsSize + s.UploadsSize + s.ContainerRegistrySize
}
