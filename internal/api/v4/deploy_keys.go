package v4

import (
	"net/http"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// deployKeyEntity is GitLab's Entities::DeployKey: an SSH key with its
// fingerprints, and in the administrators' list the projects using it.
type deployKeyEntity struct {
	sshKeyEntity
	Fingerprint                string             `json:"fingerprint"`
	FingerprintSHA256          string             `json:"fingerprint_sha256"`
	ProjectsWithWriteAccess    *[]projectIdentity `json:"projects_with_write_access,omitempty"`
	ProjectsWithReadonlyAccess *[]projectIdentity `json:"projects_with_readonly_access,omitempty"`
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

func projectIdentityOf(p *model.Project) projectIdentity {
	return projectIdentity{ID: p.ID, Description: p.Description, Name: p.Name, NameWithNamespace: p.FullName(),
		Path: p.Path, PathWithNamespace: p.FullPath(), CreatedAt: TS(p.CreatedAt)}
}

// listDeployKeys is GET /deploy_keys (administrators).
func (a *API) listDeployKeys(w http.ResponseWriter, r *http.Request, c *Call) error {
	public, _, err := c.params.Bool("public")
	if err != nil {
		return err
	}
	list, err := a.svc.ListDeployKeys(r.Context(), c.id, public)
	if err != nil {
		return err
	}
	page := PaginateSlice(a, w, r, c, list)
	out := make([]deployKeyEntity, len(page))
	for i, v := range page {
		e := deployKeyEntityOf(v.Key)
		write, read := []projectIdentity{}, []projectIdentity{}
		for _, l := range v.Projects {
			if l.CanPush {
				write = append(write, projectIdentityOf(l.Project))
			} else {
				read = append(read, projectIdentityOf(l.Project))
			}
		}
		e.ProjectsWithWriteAccess, e.ProjectsWithReadonlyAccess = &write, &read
		out[i] = e
	}
	return WriteOK(w, out)
}

// createInstanceDeployKey is POST /deploy_keys (administrators).
func (a *API) createInstanceDeployKey(w http.ResponseWriter, r *http.Request, c *Call) error {
	in, err := keyInput(c.params)
	if err != nil {
		return err
	}
	k, err := a.svc.CreateInstanceDeployKey(r.Context(), c.id, in)
	if err != nil {
		return err
	}
	return WriteCreated(w, deployKeyEntityOf(k))
}

// listProjectDeployKeys is GET /projects/:id/deploy_keys.
func (a *API) listProjectDeployKeys(w http.ResponseWriter, r *http.Request, c *Call) error {
	list, err := a.svc.ProjectDeployKeys(r.Context(), c.id, r.PathValue("id"))
	if err != nil {
		return err
	}
	page := PaginateSlice(a, w, r, c, list)
	out := make([]deployKeysProjectEntity, len(page))
	for i, pk := range page {
		out[i] = deployKeysProjectEntityOf(pk)
	}
	return WriteOK(w, out)
}

// getProjectDeployKey is GET /projects/:id/deploy_keys/:key_id.
func (a *API) getProjectDeployKey(w http.ResponseWriter, r *http.Request, c *Call) error {
	id, err := keyIDParam(r, "key_id")
	if err != nil {
		return err
	}
	pk, err := a.svc.ProjectDeployKey(r.Context(), c.id, r.PathValue("id"), id)
	if err != nil {
		return err
	}
	return WriteOK(w, deployKeysProjectEntityOf(pk))
}

// createProjectDeployKey is POST /projects/:id/deploy_keys.
func (a *API) createProjectDeployKey(w http.ResponseWriter, r *http.Request, c *Call) error {
	ki, err := keyInput(c.params)
	if err != nil {
		return err
	}
	in := service.DeployKeyInput{KeyInput: ki}
	if in.CanPush, _, err = c.params.Bool("can_push"); err != nil {
		return err
	}
	pk, err := a.svc.CreateProjectDeployKey(r.Context(), c.id, r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return WriteCreated(w, deployKeysProjectEntityOf(pk))
}

// updateProjectDeployKey is PUT /projects/:id/deploy_keys/:key_id: title
// and can_push, at least one of them.
func (a *API) updateProjectDeployKey(w http.ResponseWriter, r *http.Request, c *Call) error {
	id, err := keyIDParam(r, "key_id")
	if err != nil {
		return err
	}
	var title *string
	if t, ok, err := c.params.Text("title", 1<<16); err != nil {
		return err
	} else if ok {
		title = &t
	}
	var canPush *bool
	if b, ok, err := c.params.Bool("can_push"); err != nil {
		return err
	} else if ok {
		canPush = &b
	}
	if title == nil && canPush == nil {
		return service.ParamError("title, can_push are missing, at least one parameter must be provided")
	}
	k, err := a.svc.UpdateProjectDeployKey(r.Context(), c.id, r.PathValue("id"), id, title, canPush)
	if err != nil {
		return err
	}
	return WriteOK(w, deployKeyEntityOf(k))
}

// deleteProjectDeployKey is DELETE /projects/:id/deploy_keys/:key_id.
func (a *API) deleteProjectDeployKey(w http.ResponseWriter, r *http.Request, c *Call) error {
	id, err := keyIDParam(r, "key_id")
	if err != nil {
		return err
	}
	if err := a.svc.DeleteProjectDeployKey(r.Context(), c.id, r.PathValue("id"), id); err != nil {
		return err
	}
	return WriteNoContent(w)
}

// enableProjectDeployKey is POST /projects/:id/deploy_keys/:key_id/enable.
func (a *API) enableProjectDeployKey(w http.ResponseWriter, r *http.Request, c *Call) error {
	id, err := keyIDParam(r, "key_id")
	if err != nil {
		return err
	}
	k, err := a.svc.EnableProjectDeployKey(r.Context(), c.id, r.PathValue("id"), id)
	if err != nil {
		return err
	}
	return WriteCreated(w, sshKeyEntityOf(k))
}
