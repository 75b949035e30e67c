// Package emoji knows the names of emoji as GitLab's award emoji and
// markdown's :shortcode: use them. The table is goldmark-emoji's GitHub
// definition, the one the markdown renderer uses for :smile:, so a name
// the API accepts is a name the renderer draws.
package emoji

import "github.com/yuin/goldmark-emoji/definition"

// aliases are names GitLab stores under another: its vote emoji are
// "thumbsup" and "thumbsdown" (AwardEmoji::UPVOTE_NAME, DOWNVOTE_NAME),
// which GitHub's table lists after "+1" and "-1".
var aliases = map[string]string{"+1": "thumbsup", "-1": "thumbsdown"}

// Valid reports whether name (without colons) is a known emoji.
func Valid(name string) bool {
	_, ok := definition.Github().Get(name)
	return ok
}

// Normalize returns the name GitLab stores for name: the vote emoji's
// aliases become "thumbsup" and "thumbsdown"; other names are kept.
func Normalize(name string) string {
	if n, ok := aliases[name]; ok {
		return n
	}
	return name
}

// Unicode returns the characters of the emoji called name, or "" when
// there is none (or it has no Unicode form, like GitHub's :octocat:).
func Unicode(name string) string {
	e, ok := definition.Github().Get(name)
	if !ok || !e.IsUnicode() {
		return ""
	}
	return string(e.Unicode)
}

// Description returns the emoji's name in words ("thumbs up"), or "".
func Description(name string) string {
	e, ok := definition.Github().Get(name)
	if !ok {
		return ""
	}
	return e.Name
}
