package v4

import "github.com/lablet/lablet/internal/access"

// badgesRoutes are the rows of badges, stars, topics and languages
// (badges.go, stars.go, topics.go, languages.go).
func badgesRoutes() []endpoint {
	return []endpoint{
		// Badges (badges.go)
		row("GET /projects/{id}/badges", badgeRoute(listBadges).of(false), anyone, access.ReadProject),
		row("GET /projects/{id}/badges/render", badgeRoute(renderBadge).of(false), signedIn, access.AdminProject),
		row("GET /projects/{id}/badges/{badge_id}", badgeRoute(getBadge).of(false), anyone, access.ReadProject),
		row("POST /projects/{id}/badges", badgeRoute(createBadge).of(false), signedIn, access.AdminProject),
		row("PUT /projects/{id}/badges/{badge_id}", badgeRoute(updateBadge).of(false), signedIn, access.AdminProject),
		row("DELETE /projects/{id}/badges/{badge_id}", badgeRoute(deleteBadge).of(false), signedIn, access.AdminProject),
		row("GET /groups/{id}/badges", badgeRoute(listBadges).of(true), anyone, access.ReadGroup),
		row("GET /groups/{id}/badges/render", badgeRoute(renderBadge).of(true), signedIn, access.AdminGroup),
		row("GET /groups/{id}/badges/{badge_id}", badgeRoute(getBadge).of(true), anyone, access.ReadGroup),
		row("POST /groups/{id}/badges", badgeRoute(createBadge).of(true), signedIn, access.AdminGroup),
		row("PUT /groups/{id}/badges/{badge_id}", badgeRoute(updateBadge).of(true), signedIn, access.AdminGroup),
		row("DELETE /groups/{id}/badges/{badge_id}", badgeRoute(deleteBadge).of(true), signedIn, access.AdminGroup),

		// Topics (topics.go); avatars are not kept.
		row("GET /topics", (*API).listTopics, anyone, access.None),
		row("GET /topics/{id}", (*API).getTopic, anyone, access.None),
		row("POST /topics", (*API).createTopic, admin, access.AdminAll),
		row("PUT /topics/{id}", (*API).updateTopic, admin, access.AdminAll),
		row("DELETE /topics/{id}", (*API).deleteTopic, admin, access.AdminAll),
		row("POST /topics/merge", (*API).mergeTopics, admin, access.AdminAll),

		// Stars (stars.go)
		row("POST /projects/{id}/star", (*API).starProject, signedIn, access.ReadProject),
		row("POST /projects/{id}/unstar", (*API).unstarProject, signedIn, access.ReadProject),
		row("GET /projects/{id}/starrers", (*API).listStarrers, anyone, access.ReadProject),
		row("GET /users/{user_id}/starred_projects", (*API).listStarredProjects, anyone, access.ReadUser),

		// Languages (languages.go)
		row("GET /projects/{id}/languages", (*API).getLanguages, anyone, access.ReadCode),
	}
}
