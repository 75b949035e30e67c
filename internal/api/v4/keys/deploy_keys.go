package keys

import (
	"net/http"

	v4 "github.com/lablet/lablet/internal/api/v4"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// deployKeyEntity is GitLab's Entities::DeployKey: an SSH key with its
// fingerprints, and in the administrators' list the projects using it.
type deployKeyEntity struct {
	sshKeyEntity
	Fingerprint                string                `json:"fingerprint"`
	FingerprintSHA256          string                `json:"fingerprint_sha256"`
	ProjectsWithWriteAccess    *[]v4.ProjectIdentity `json:"projects_with_write_access,omitempty"`
	ProjectsWithReadonlyAccess *[]v4.ProjectIdentity `json:"projects_with_readonly_access,omitempty"`
}

func deployKeyEntityOf(k *model.Key) deployKeyEntity {
	return deployKeyEntity{sshKeyEntity: sshKeyEntityOf(k), Fingerprint: k.FingerprintMD5, FingerprintSHA256: k.FingerprintSHA256}
}

// deployKeysProjectEntity is Entities::DeployKeysProject: the key merged
// with its can_push on the project.
type deployKeysProjectEntity struct {
	deployKeyEntity
	CanPush bool `json:"can_push"`
}

func deployKeysProjectEntityOf(pk service.ProjectDeployKey) deployKeysProjectEntity {
	return deployKeysProjectEntity{deployKeyEntity: deployKeyEntityOf(pk.Key), CanPush: pk.Link.CanPush}
}

// listDeployKeys is GET /deploy_keys (administrators).
func listDeployKeys(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	public, _, err := c.Params().Bool("public")
	if err != nil {
		return err
	}
	list, err := a.Service().ListDeployKeys(r.Context(), c.Identity(), public)
	if err != nil {
		return err
	}
	page := v4.PaginateSlice(a, w, r, c, list)
	out := make([]deployKeyEntity, len(page))
	for i, v := range page {
		e := deployKeyEntityOf(v.Key)
		write, read := []v4.ProjectIdentity{}, []v4.ProjectIdentity{}
		for _, l := range v.Projects {
			if l.CanPush {
				write = append(write, v4.ProjectIdentityOf(l.Project))
			} else {
				read = append(read, v4.ProjectIdentityOf(l.Project))
			}
		}
		e.ProjectsWithWriteAccess, e.ProjectsWithReadonlyAccess = &write, &read
		out[i] = e
	}
	return v4.WriteOK(w, out)
}

// createInstanceDeployKey is POST /deploy_keys (administrators).
func createInstanceDeployKey(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	in, err := keyInput(c.Params())
	if err != nil {
		return err
	}
	k, err := a.Service().CreateInstanceDeployKey(r.Context(), c.Identity(), in)
	if err != nil {
		return err
	}
	return v4.WriteCreated(w, deployKeyEntityOf(k))
}

// listProjectDeployKeys is GET /projects/:id/deploy_keys.
func listProjectDeployKeys(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	list, err := a.Service().ProjectDeployKeys(r.Context(), c.Identity(), r.PathValue("id"))
	if err != nil {
		return err
	}
	page := v4.PaginateSlice(a, w, r, c, list)
	out := make([]deployKeysProjectEntity, len(page))
	for i, pk := range page {
		out[i] = deployKeysProjectEntityOf(pk)
	}
	return v4.WriteOK(w, out)
}

// getProjectDeployKey is GET /projects/:id/deploy_keys/:key_id.
func getProjectDeployKey(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	id, err := v4.PathID(r, "key_id", "key_id")
	if err != nil {
		return err
	}
	pk, err := a.Service().ProjectDeployKey(r.Context(), c.Identity(), r.PathValue("id"), id)
	if err != nil {
		return err
	}
	return v4.WriteOK(w, deployKeysProjectEntityOf(pk))
}

// createProjectDeployKey is POST /projects/:id/deploy_keys.
func createProjectDeployKey(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	ki, err := keyInput(c.Params())
	if err != nil {
		return err
	}
	in := service.DeployKeyInput{KeyInput: ki}
	if in.CanPush, _, err = c.Params().Bool("can_push"); err != nil {
		return err
	}
	pk, err := a.Service().CreateProjectDeployKey(r.Context(), c.Identity(), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return v4.WriteCreated(w, deployKeysProjectEntityOf(pk))
}

// updateProjectDeployKey is PUT /projects/:id/deploy_keys/:key_id: title
// and can_push, at least one of them.
func updateProjectDeployKey(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	id, err := v4.PathID(r, "key_id", "key_id")
	if err != nil {
		return err
	}
	var title *string
	if t, ok, err := c.Params().Text("title", 1<<16); err != nil {
		return err
	} else if ok {
		title = &t
	}
	var canPush *bool
	if b, ok, err := c.Params().Bool("can_push"); err != nil {
		return err
	} else if ok {
		canPush = &b
	}
	if title == nil && canPush == nil {
		return service.ParamError("title, can_push are missing, at least one parameter must be provided")
	}
	k, err := a.Service().UpdateProjectDeployKey(r.Context(), c.Identity(), r.PathValue("id"), id, title, canPush)
	if err != nil {
		return err
	}
	return v4.WriteOK(w, deployKeyEntityOf(k))
}

// deleteProjectDeployKey is DELETE /projects/:id/deploy_keys/:key_id.
func deleteProjectDeployKey(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	id, err := v4.PathID(r, "key_id", "key_id")
	if err != nil {
		return err
	}
	if err := a.Service().DeleteProjectDeployKey(r.Context(), c.Identity(), r.PathValue("id"), id); err != nil {
		return err
	}
	return v4.WriteNoContent(w)
}

// enableProjectDeployKey is POST /projects/:id/deploy_keys/:key_id/enable.
func enableProjectDeployKey(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	id, err := v4.PathID(r, "key_id", "key_id")
	if err != nil {
		return err
	}
	k, err := a.Service().EnableProjectDeployKey(r.Context(), c.Identity(), r.PathValue("id"), id)
	if err != nil {
		return err
	}
	return v4.WriteCreated(w, sshKeyEntityOf(k))
}
