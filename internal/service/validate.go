package service

import (
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/lablet/lablet/internal/repo"
)

// MaxNameLength is GitLab's limit for names and paths.
const MaxNameLength = 255

var pathPattern = regexp.MustCompile(`^[a-zA-Z0-9_.][a-zA-Z0-9_.-]*$`)

// PathMessage is GitLab's wording for an invalid path.
const PathMessage = "can contain only letters, digits, '_', '-' and '.'. Cannot start with '-', end in '.git' or end in '.atom'"

// reservedTopLevel are paths GitLab keeps for its own routes at the root.
var reservedTopLevel = map[string]bool{
	"-": true, ".well-known": true, "404.html": true, "422.html": true, "500.html": true, "502.html": true,
	"503.html": true, "admin": true, "api": true, "apple-touch-icon.png": true, "assets": true,
	"dashboard": true, "deploy.html": true, "explore": true, "favicon.ico": true, "favicon.png": true,
	"files": true, "groups": true, "health_check": true, "help": true, "import": true, "jwt": true,
	"login": true, "oauth": true, "profile": true, "projects": true, "public": true, "robots.txt": true,
	"s": true, "search": true, "sitemap": true, "sitemap.xml": true, "sitemap.xml.gz": true,
	"slash-command-logo.png": true, "snippets": true, "unsubscribes": true, "uploads": true, "users": true,
	"v2": true, "scim": true, "graphql": true,
}

// reservedProjectPaths may not name a project or subgroup.
var reservedProjectPaths = map[string]bool{
	"-": true, "badges": true, "blame": true, "blob": true, "builds": true, "commits": true, "create": true,
	"create_dir": true, "edit": true, "files": true, "find_file": true, "new": true, "preview": true,
	"raw": true, "refs": true, "tree": true, "update": true, "wikis": true, "info": true, "objects": true,
}

// ValidPath checks a namespace or project path segment; topLevel applies
// the root-level reserved names too. It returns GitLab's message or "".
func ValidPath(path string, topLevel bool) string {
	switch {
	case path == "":
		return "can't be blank"
	case len(path) > MaxNameLength:
		return "is too long (maximum is 255 characters)"
	case !pathPattern.MatchString(path) || strings.HasSuffix(path, ".git") || strings.HasSuffix(path, ".atom") ||
		strings.HasSuffix(path, "."):
		return PathMessage
	}
	lower := strings.ToLower(path)
	if reservedProjectPaths[lower] || topLevel && reservedTopLevel[lower] {
		return "is a reserved name"
	}
	return ""
}

// ValidName checks a group or project display name; extra lists punctuation
// allowed beyond GitLab's common set. It returns GitLab's message or "".
func ValidName(name, extra string) string {
	if strings.TrimSpace(name) == "" {
		return "can't be blank"
	}
	if !utf8.ValidString(name) {
		return "is invalid"
	}
	if utf8.RuneCountInString(name) > MaxNameLength {
		return "is too long (maximum is 255 characters)"
	}
	for i, r := range name {
		ok := unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' || unicode.Is(unicode.So, r)
		if i > 0 && !ok {
			ok = r == '.' || r == '-' || r == ' ' || r == '(' || r == ')' || strings.ContainsRune(extra, r)
		}
		if !ok {
			return "can contain only letters, digits, emoji, '_', '.', '" + extra + "-', space, parenthesis. It must start with letter, digit, emoji or '_'."
		}
	}
	return ""
}

// PathFromName derives a path from a name the way GitLab does when only a
// name is given: lower-case, spaces and invalid characters become dashes.
func PathFromName(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(strings.TrimSpace(name)) {
		if r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' || r == '.') {
			b.WriteRune(r)
			dash = false
			continue
		}
		if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.Trim(b.String(), "-.")
}

// CleanPath turns any text into a namespace path the way GitLab's
// Gitlab::Slug::Path does: an email keeps its local part, characters other
// than letters, digits, '_', '-' and '.' go, so do trailing ".git", ".atom"
// and "." and leading dashes; nothing left is "blank".
func CleanPath(s string) string {
	if i := strings.IndexByte(s, '@'); i >= 0 {
		s = s[:i]
	}
	s = strings.Map(func(r rune) rune {
		if r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' || r == '-' || r == '.') {
			return r
		}
		return -1
	}, s)
	for {
		trimmed := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(s, ".git"), ".atom"), ".")
		if trimmed == s {
			break
		}
		s = trimmed
	}
	s = strings.TrimLeft(s, "-")
	if strings.TrimSpace(s) == "" {
		return "blank"
	}
	return s
}

// ValidText checks a free-text parameter: valid UTF-8, no NUL, at most max
// bytes. It returns a message or "".
func ValidText(s string, max int) string {
	if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
		return "is invalid"
	}
	if len(s) > max {
		return "is too long"
	}
	return ""
}

// parseDate reads a YYYY-MM-DD date, as GitLab's date parameters are.
func parseDate(s string) (time.Time, error) { return time.Parse("2006-01-02", s) }

// GitLab's words for branch and tag names it refuses.
const (
	// MsgBranchNameInvalid refuses a new branch's name
	// (Branches::ValidateNewService).
	MsgBranchNameInvalid = "Branch name is invalid"
	// MsgBranchRefnameInvalid refuses a branch the API is asked to find
	// (the API's find_branch!): in a path, or the target of a pick.
	MsgBranchRefnameInvalid = "The branch refname is invalid"
	// MsgTagNameInvalid refuses a new tag's name (Tags::CreateService).
	MsgTagNameInvalid = "Tag name invalid"
)

// ValidBranchName reports whether name may name a branch. The rules are
// repo.BranchRef's, the one check for names from users: git's
// check-ref-format --branch, GitLab's refusals (a leading "-", HEAD, a
// full ref, an object id), UTF-8, and parts of at most repo.MaxRefComponent
// bytes between slashes.
func ValidBranchName(name string) bool {
	_, err := repo.BranchRef(name)
	return err == nil
}

// ValidTagName reports whether name may name a tag (repo.TagRef's rules,
// the same as a branch's).
func ValidTagName(name string) bool {
	_, err := repo.TagRef(name)
	return err == nil
}
