package v4

import "github.com/lablet/lablet/internal/access"

// badgesRoutes are the rows of badges, stars, topics and languages
// (badges.go, stars.go, topics.go, languages.go).
func badgesRoutes() []Endpoint {
	return []Endpoint{
		// Badges (badges.go)
		Row("GET /projects/{id}/badges", badgeRoute(listBadges).of(false), Anyone, access.ReadProject),
		Row("GET /projects/{id}/badges/render", badgeRoute(renderBadge).of(false), SignedIn, access.AdminProject),
		Row("GET /projects/{id}/badges/{badge_id}", badgeRoute(getBadge).of(false), Anyone, access.ReadProject),
		Row("POST /projects/{id}/badges", badgeRoute(createBadge).of(false), SignedIn, access.AdminProject),
		Row("PUT /projects/{id}/badges/{badge_id}", badgeRoute(updateBadge).of(false), SignedIn, access.AdminProject),
		Row("DELETE /projects/{id}/badges/{badge_id}", badgeRoute(deleteBadge).of(false), SignedIn, access.AdminProject),
		Row("GET /groups/{id}/badges", badgeRoute(listBadges).of(true), Anyone, access.ReadGroup),
		Row("GET /groups/{id}/badges/render", badgeRoute(renderBadge).of(true), SignedIn, access.AdminGroup),
		Row("GET /groups/{id}/badges/{badge_id}", badgeRoute(getBadge).of(true), Anyone, access.ReadGroup),
		Row("POST /groups/{id}/badges", badgeRoute(createBadge).of(true), SignedIn, access.AdminGroup),
		Row("PUT /groups/{id}/badges/{badge_id}", badgeRoute(updateBadge).of(true), SignedIn, access.AdminGroup),
		Row("DELETE /groups/{id}/badges/{badge_id}", badgeRoute(deleteBadge).of(true), SignedIn, access.AdminGroup),

		// Topics (topics.go); avatars come with create and update (avatars.go).
		Row("GET /topics", (*API).listTopics, Anyone, access.None),
		Row("GET /topics/{id}", (*API).getTopic, Anyone, access.None),
		Row("POST /topics", (*API).createTopic, Admin, access.AdminAll),
		Row("PUT /topics/{id}", (*API).updateTopic, Admin, access.AdminAll),
		Row("DELETE /topics/{id}", (*API).deleteTopic, Admin, access.AdminAll),
		Row("POST /topics/merge", (*API).mergeTopics, Admin, access.AdminAll),

		// Stars (stars.go)
		Row("POST /projects/{id}/star", (*API).starProject, SignedIn, access.ReadProject),
		Row("POST /projects/{id}/unstar", (*API).unstarProject, SignedIn, access.ReadProject),
		Row("GET /projects/{id}/starrers", (*API).listStarrers, Anyone, access.ReadProject),
		Row("GET /users/{user_id}/starred_projects", (*API).listStarredProjects, Anyone, access.ReadUser),

		// Languages (languages.go)
		Row("GET /projects/{id}/languages", (*API).getLanguages, Anyone, access.ReadCode),
	}
}
