package v4

import (
	"net/http"

	"github.com/lablet/lablet/internal/model"
)

// namespaceEntity is GitLab's API::Entities::Namespace.
type namespaceEntity struct {
	ID        int64   `json:"id"`
	Name      string  `json:"name"`
	Path      string  `json:"path"`
	Kind      string  `json:"kind"`
	FullPath  string  `json:"full_path"`
	ParentID  *int64  `json:"parent_id"`
	AvatarURL *string `json:"avatar_url"`
	WebURL    string  `json:"web_url"`
}

// namespace renders ns. The counts GitLab adds for group admins
// (members_count_with_descendants, projects_count) are left out rather
// than computed per row.
func (a *API) namespace(r *http.Request, ns *model.Namespace) namespaceEntity {
	web := a.BaseURL(r) + "/" + ns.FullPath
	if ns.IsGroup() {
		web = a.groupWebURL(r, ns.FullPath)
	}
	return namespaceEntity{ID: ns.ID, Name: ns.Name, Path: ns.Path, Kind: ns.Kind, FullPath: ns.FullPath,
		ParentID: ns.ParentID, AvatarURL: namespaceAvatar(a.BaseURL(r), ns), WebURL: web}
}

// namespaceAvatar is a namespace's avatar_url: a group's uploaded avatar
// (none without one); a personal namespace shows its owner's, as GitLab
// does. Only the owner's id is at hand, so it is the identicon URL, which
// sends the browser on to the uploaded avatar or Gravatar.
func namespaceAvatar(base string, ns *model.Namespace) *string {
	if ns.IsGroup() && ns.Avatar != "" {
		u := uploadedAvatarURL(base, "group", ns.ID, ns.Avatar)
		return &u
	}
	if ns.IsGroup() || ns.OwnerID == nil {
		return nil
	}
	u := identiconURL(base, *ns.OwnerID)
	return &u
}
