package v4

import "net/http"

// GitLabVersion is the GitLab API level lablet answers as; clients gate
// features on it.
const GitLabVersion = "17.6.0"

func (a *API) getVersion(w http.ResponseWriter, r *http.Request, c *Call) error {
	return WriteOK(w, map[string]string{"version": GitLabVersion + "-lablet", "revision": a.version})
}

func (a *API) getMetadata(w http.ResponseWriter, r *http.Request, c *Call) error {
	return WriteOK(w, map[string]any{
		"version":    GitLabVersion + "-lablet",
		"revision":   a.version,
		"kas":        map[string]any{"enabled": false, "externalUrl": nil, "externalK8sProxyUrl": nil, "version": nil},
		"enterprise": false,
	})
}
