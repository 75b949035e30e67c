package v4

import (
	"net/http"
	"strconv"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
)

// statistics=true adds a project's stored statistics to the full entity
// (GitLab's expose :statistics, if: options[:statistics] and
// read_statistics): Reporters and above, and administrators. Others simply
// don't get the key.

// wantStatistics reads the statistics parameter.
func wantStatistics(c *Call) (bool, error) {
	on, _, err := c.params.Bool("statistics")
	return on, err
}

// projectStatistics loads the statistics of those of projects the caller
// may read them of (nil when not asked for): one statement for a page.
func (a *API) projectStatistics(r *http.Request, id *auth.Identity, want bool, projects []*model.Project,
	levels func(p *model.Project) access.Level) (map[int64]*model.ProjectStatistics, error) {
	if !want || !id.Authenticated() {
		return nil, nil
	}
	lv := make(map[int64]access.Level, len(projects))
	for _, p := range projects {
		lv[p.ID] = levels(p)
	}
	return a.svc.ProjectStatistics(r.Context(), id, projects, lv)
}

// withStatistics turns an encoded entity (ending in its closing brace)
// into one with st as its statistics, in client-go's field order.
func withStatistics(entity []byte, st *model.ProjectStatistics) []byte {
	if st == nil {
		return entity
	}
	dst := entity[:len(entity)-1]
	field := func(name string, v int64, first bool) {
		if !first {
			dst = append(dst, ',')
		}
		dst = append(append(append(dst, '"'), name...), `":`...)
		dst = strconv.AppendInt(dst, v, 10)
	}
	dst = append(dst, `,"statistics":{`...)
	field("commit_count", st.CommitCount, true)
	field("storage_size", st.StorageSize(), false)
	field("repository_size", st.RepositorySize, false)
	field("wiki_size", st.WikiSize, false)
	field("lfs_objects_size", st.LFSObjectsSize, false)
	field("job_artifacts_size", st.BuildArtifactsSize, false)
	field("pipeline_artifacts_size", st.PipelineArtifactsSize, false)
	field("packages_size", st.PackagesSize, false)
	field("snippets_size", st.SnippetsSize, false)
	field("uploads_size", st.UploadsSize, false)
	field("container_registry_size", st.ContainerRegistrySize, false)
	return append(dst, "}}"...)
}
