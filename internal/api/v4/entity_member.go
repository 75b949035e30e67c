package v4

import (
	"net/http"

	"github.com/lablet/lablet/internal/service"
)

// memberEntity is GitLab's API::Entities::Member: the user's basic fields
// merged with the membership's.
type memberEntity struct {
	BasicUser
	AccessLevel     int        `json:"access_level"`
	CreatedAt       string     `json:"created_at"`
	CreatedBy       *BasicUser `json:"created_by,omitempty"`
	ExpiresAt       *string    `json:"expires_at"`
	MembershipState string     `json:"membership_state"`
}

func (a *API) member(r *http.Request, m *service.MemberView) memberEntity {
	e := memberEntity{BasicUser: a.basicUser(r, m.User), AccessLevel: m.AccessLevel, CreatedAt: TS(m.Member.CreatedAt),
		ExpiresAt: m.ExpiresAt, MembershipState: "active"}
	if m.CreatedBy != nil {
		cb := a.basicUser(r, m.CreatedBy)
		e.CreatedBy = &cb
	}
	return e
}

func (a *API) members(r *http.Request, ms []*service.MemberView) []memberEntity {
	out := make([]memberEntity, len(ms))
	for i, m := range ms {
		out[i] = a.member(r, m)
	}
	return out
}
