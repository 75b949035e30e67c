package keys_test

import (
	"net/http"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// TestDeployKeys: a Maintainer adds, lists, updates, enables elsewhere and
// removes deploy keys; administrators add instance-level keys and list
// every key with its projects; Developers are refused.
func TestDeployKeys(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	f := s.NewTeam(t)
	mc := s.Client(t, f.Maintainer.Token)
	text, _ := ed25519Key(t, "ci@example")
	dk, resp, err := mc.DeployKeys.AddDeployKey(f.Project.ID, &gitlab.AddDeployKeyOptions{Title: gitlab.Ptr("ci"),
		Key: gitlab.Ptr(text), CanPush: gitlab.Ptr(true)})
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("add deploy key: %v", err)
	}
	if !dk.CanPush || dk.Key != text || dk.FingerprintSHA256 == "" || dk.Fingerprint == "" {
		t.Fatalf("deploy key = %+v", dk)
	}
	// The same key again is the same key, on the project once.
	again, _, err := mc.DeployKeys.AddDeployKey(f.Project.ID, &gitlab.AddDeployKeyOptions{Title: gitlab.Ptr("again"), Key: gitlab.Ptr(text)})
	if err != nil || again.ID != dk.ID {
		t.Fatalf("add again = %+v, %v", again, err)
	}
	list, _, err := mc.DeployKeys.ListProjectDeployKeys(f.Project.ID, nil)
	if err != nil || len(list) != 1 {
		t.Fatalf("list = %v, %v", list, err)
	}
	up, _, err := mc.DeployKeys.UpdateDeployKey(f.Project.ID, dk.ID, &gitlab.UpdateDeployKeyOptions{CanPush: gitlab.Ptr(false), Title: gitlab.Ptr("renamed")})
	if err != nil || up.Title != "renamed" {
		t.Fatalf("update = %+v, %v", up, err)
	}
	if got, _, _ := mc.DeployKeys.GetDeployKey(f.Project.ID, dk.ID); got == nil || got.CanPush {
		t.Fatalf("after update = %+v", got)
	}
	base := "/projects/" + itoa(f.Project.ID) + "/deploy_keys"
	s.Do(t, labtest.Request{Method: "PUT", Path: base + "/" + itoa(dk.ID), Token: f.Maintainer.Token, JSON: map[string]any{}}).
		ExpectError(t, http.StatusBadRequest, `{"error":"title, can_push are missing, at least one parameter must be provided"}`)
	s.Do(t, labtest.Request{Path: base + "/999999", Token: f.Maintainer.Token}).
		ExpectError(t, http.StatusNotFound, `{"message":"404 Deploy Key Not Found"}`)
	s.Do(t, labtest.Request{Path: base, Token: f.Developer.Token}).ExpectError(t, http.StatusForbidden, `{"message":"403 Forbidden"}`)
	s.Do(t, labtest.Request{Method: "POST", Path: base, Token: f.Maintainer.Token, JSON: map[string]any{"title": "x", "key": "ssh-rsa nope"}}).
		ExpectError(t, http.StatusBadRequest, `{"message":{"deploy_key.key":["type is forbidden. Must be RSA, ECDSA, ED25519, ECDSA_SK, or ED25519_SK"],"deploy_key.fingerprint_sha256":["cannot be generated"]}}`)
	// A user's key is not a deploy key to take.
	userKey, _ := ed25519Key(t, "")
	if _, _, err := s.Client(t, f.Developer.Token).Users.AddSSHKey(&gitlab.AddSSHKeyOptions{Title: gitlab.Ptr("dev"), Key: gitlab.Ptr(userKey)}); err != nil {
		t.Fatal(err)
	}
	s.Do(t, labtest.Request{Method: "POST", Path: base, Token: f.Maintainer.Token, JSON: map[string]any{"title": "x", "key": userKey}}).
		ExpectError(t, http.StatusBadRequest, `{"message":{"deploy_key.fingerprint_sha256":["has already been taken"]}}`)

	// Enabling on another project the maintainer manages.
	root := s.Client(t, s.RootToken)
	other, _, err := root.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("Other"), NamespaceID: gitlab.Ptr(f.Group.ID)})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := root.ProjectMembers.AddProjectMember(other.ID, &gitlab.AddProjectMemberOptions{UserID: f.Maintainer.ID,
		AccessLevel: gitlab.Ptr(gitlab.MaintainerPermissions)}); err != nil {
		t.Fatal(err)
	}
	if _, resp, err := mc.DeployKeys.EnableDeployKey(other.ID, dk.ID); err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("enable: %v", err)
	}
	// Someone maintaining neither project cannot reach it, not even on
	// a project of their own.
	own, _, err := s.Client(t, f.Developer.Token).Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("Mine")})
	if err != nil {
		t.Fatal(err)
	}
	s.Do(t, labtest.Request{Method: "POST", Path: "/projects/" + itoa(own.ID) + "/deploy_keys/" + itoa(dk.ID) + "/enable",
		Token: f.Developer.Token}).ExpectError(t, http.StatusNotFound, `{"message":"404 Deploy Key Not Found"}`)

	// Instance-level keys: administrators add them, any maintainer enables them.
	instText, _ := ed25519Key(t, "")
	inst, _, err := root.DeployKeys.AddInstanceDeployKey(&gitlab.AddInstanceDeployKeyOptions{Title: gitlab.Ptr("fleet"), Key: gitlab.Ptr(instText)})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := mc.DeployKeys.EnableDeployKey(f.Project.ID, inst.ID); err != nil {
		t.Fatalf("enable instance key: %v", err)
	}
	all, _, err := root.DeployKeys.ListAllDeployKeys(nil)
	if err != nil || len(all) != 2 {
		t.Fatalf("all deploy keys = %v, %v", all, err)
	}
	if len(all[0].ProjectsWithReadonlyAccess) != 2 || len(all[0].ProjectsWithWriteAccess) != 0 {
		t.Fatalf("projects of %+v", all[0])
	}
	public, _, err := root.DeployKeys.ListAllDeployKeys(&gitlab.ListInstanceDeployKeysOptions{Public: gitlab.Ptr(true)})
	if err != nil || len(public) != 1 || public[0].ID != inst.ID {
		t.Fatalf("public deploy keys = %v, %v", public, err)
	}
	s.Do(t, labtest.Request{Path: "/deploy_keys", Token: f.Maintainer.Token}).ExpectError(t, http.StatusForbidden, `{"message":"403 Forbidden"}`)

	// Removal: the key leaves one project, and the instance with its last.
	for _, pid := range []int64{f.Project.ID, other.ID} {
		if _, err := mc.DeployKeys.DeleteDeployKey(pid, dk.ID); err != nil {
			t.Fatal(err)
		}
	}
	s.Do(t, labtest.Request{Path: "/keys/" + itoa(dk.ID), Token: s.RootToken}).ExpectError(t, http.StatusNotFound, `{"message":"404 Not Found"}`)
}
