package cicd

import (
	"net/http"
	"time"

	v4 "github.com/lablet/lablet/internal/api/v4"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// runnerEntity is GitLab's Entities::Ci::Runner.
type runnerEntity struct {
	ID          int64   `json:"id"`
	Description string  `json:"description"`
	IPAddress   string  `json:"ip_address"`
	Active      bool    `json:"active"`
	Paused      bool    `json:"paused"`
	IsShared    bool    `json:"is_shared"`
	RunnerType  string  `json:"runner_type"`
	Name        *string `json:"name"`
	Online      bool    `json:"online"`
	Status      string  `json:"status"`
}

func newRunnerEntity(r *model.Runner, now time.Time) runnerEntity {
	return runnerEntity{ID: r.ID, Description: r.Description, IPAddress: r.IPAddress, Active: !r.Paused,
		Paused: r.Paused, IsShared: r.RunnerType == model.RunnerInstance, RunnerType: r.RunnerType,
		Online: r.Online(now), Status: r.Status(now)}
}

// runnerDetailsEntity is GitLab's Entities::Ci::RunnerDetails.
type runnerDetailsEntity struct {
	runnerEntity
	TagList         []string               `json:"tag_list"`
	RunUntagged     bool                   `json:"run_untagged"`
	Locked          bool                   `json:"locked"`
	MaximumTimeout  *int                   `json:"maximum_timeout"`
	AccessLevel     string                 `json:"access_level"`
	Version         string                 `json:"version"`
	Revision        string                 `json:"revision"`
	Platform        string                 `json:"platform"`
	Architecture    string                 `json:"architecture"`
	ContactedAt     *string                `json:"contacted_at"`
	CreatedAt       string                 `json:"created_at"`
	MaintenanceNote string                 `json:"maintenance_note"`
	Projects        []v4.BasicProject      `json:"projects"`
	Groups          []*v4.BasicGroupEntity `json:"groups"`
}

func runnerDetails(a *v4.API, r *http.Request, v *service.RunnerView) runnerDetailsEntity {
	rn := v.Runner
	tags := rn.Tags
	if tags == nil {
		tags = []string{}
	}
	e := runnerDetailsEntity{runnerEntity: newRunnerEntity(rn, a.Service().Now()), TagList: tags,
		RunUntagged: rn.RunUntagged, Locked: rn.Locked, MaximumTimeout: rn.MaximumTimeout,
		AccessLevel: rn.AccessLevel, Version: rn.Version, Revision: rn.Revision, Platform: rn.Platform,
		Architecture: rn.Architecture, ContactedAt: v4.TSP(rn.ContactedAt), CreatedAt: v4.TS(rn.CreatedAt),
		MaintenanceNote: rn.MaintenanceNote, Projects: []v4.BasicProject{}, Groups: []*v4.BasicGroupEntity{}}
	pb := a.ProjectBase(r)
	for _, p := range v.Projects {
		e.Projects = append(e.Projects, v4.BasicProjectAt(pb, p))
	}
	for _, g := range v.Groups {
		e.Groups = append(e.Groups, a.BasicGroup(r, g))
	}
	return e
}

// runnerTokenEntity is GitLab's RunnerRegistrationDetails (with id) and
// ResetTokenResult (without).
type runnerTokenEntity struct {
	ID             int64   `json:"id,omitempty"`
	Token          string  `json:"token"`
	TokenExpiresAt *string `json:"token_expires_at"`
}
