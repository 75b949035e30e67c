package service

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/lablet/lablet/internal/model"
)

// commitPlaceholder matches a placeholder of GitLab's MessageGenerator
// (names case-insensitive); other %{…} stay as written.
var commitPlaceholder = regexp.MustCompile(`(?i)%\{(source_branch|target_branch|title|issues|description|reference|` +
	`local_reference|source_project_id|first_commit|first_multiline_commit|url|reviewed_by|approved_by|merged_by|` +
	`merge_request_author|co_authored_by|all_commits)\}`)

// commitTemplateData is what a merge knows for the placeholders.
type commitTemplateData struct {
	project *model.Project
	mr      *model.MergeRequest
	closing []closingIssue
	mergedBy,
	author *model.User
	baseURL string // the instance's, for %{url}; "" leaves it empty
}

// values are the placeholders lablet fills, of GitLab's documented set:
// source_branch, target_branch, title, description, issues, reference,
// local_reference, source_project_id, url, merged_by and
// merge_request_author. The commit-, review- and approval-based ones
// (first_commit, all_commits, co_authored_by, reviewed_by, approved_by …)
// are left empty.
func (d commitTemplateData) value(name string) string {
	m, p := d.mr, d.project
	iid := strconv.FormatInt(m.IID, 10)
	switch name {
	case "source_branch":
		return m.SourceBranch
	case "target_branch":
		return m.TargetBranch
	case "title":
		return m.Title
	case "description":
		return m.Description
	case "issues":
		if len(d.closing) == 0 {
			return ""
		}
		refs := make([]string, len(d.closing))
		for i, c := range d.closing {
			refs[i] = c.text
		}
		return "Closes " + toSentence(refs)
	case "reference":
		return p.FullPath() + "!" + iid
	case "local_reference":
		return "!" + iid
	case "source_project_id":
		if m.SourceProjectID == nil {
			return ""
		}
		return strconv.FormatInt(*m.SourceProjectID, 10)
	case "url":
		if d.baseURL == "" {
			return ""
		}
		return strings.TrimSuffix(d.baseURL, "/") + "/" + p.FullPath() + "/-/merge_requests/" + iid
	case "merged_by":
		return userSignature(d.mergedBy)
	case "merge_request_author":
		return userSignature(d.author)
	}
	return ""
}

func userSignature(u *model.User) string {
	if u == nil {
		return ""
	}
	return u.Name + " <" + u.Email + ">"
}

// expandCommitTemplate fills tpl as GitLab does: a placeholder whose value
// is empty and makes a whole line goes with the line breaks before it (so
// an empty description or issue list leaves no blank paragraph).
func expandCommitTemplate(tpl string, d commitTemplateData) string {
	tpl = strings.ReplaceAll(tpl, "\r", "")
	values := map[string]string{}
	for _, sm := range commitPlaceholder.FindAllStringSubmatch(tpl, -1) {
		name := strings.ToLower(sm[1])
		values[name] = d.value(name)
	}
	lines := strings.Split(tpl, "\n")
	var out strings.Builder
	for i, line := range lines {
		if loc := commitPlaceholder.FindStringSubmatchIndex(line); loc != nil && loc[0] == 0 && loc[1] == len(line) &&
			values[strings.ToLower(line[loc[2]:loc[3]])] == "" {
			// Drop the line breaks before it, already in out.
			s := strings.TrimRight(out.String(), "\n")
			out.Reset()
			out.WriteString(s)
			continue
		}
		if i > 0 {
			out.WriteByte('\n')
		}
		out.WriteString(commitPlaceholder.ReplaceAllStringFunc(line, func(ph string) string {
			return values[strings.ToLower(ph[2:len(ph)-1])]
		}))
	}
	return out.String()
}

// mergeMessages are the merge and squash commit messages of a merge: the
// caller's, else the project's template filled in, else GitLab's
// defaults (the merge request's title for a squash).
func mergeMessages(in MergeInput, d commitTemplateData) (merge, squash string) {
	p := d.project
	merge = commitMessage(in.MergeCommitMessage, p.MergeCommitTemplate, d,
		func() string { return defaultMergeCommitMessage(p, d.mr, d.closing) })
	squash = commitMessage(in.SquashCommitMessage, p.SquashCommitTemplate, d, func() string { return d.mr.Title })
	return merge, squash
}

func commitMessage(given, tpl *string, d commitTemplateData, def func() string) string {
	switch {
	case given != nil && strings.TrimSpace(*given) != "":
		return *given
	case tpl != nil:
		return expandCommitTemplate(*tpl, d)
	}
	return def()
}

// SquashOnMerge is MergeRequest#squash_on_merge?: the project's "always"
// and "never" win over the merge request's choice.
func SquashOnMerge(p *model.Project, asked bool) bool {
	switch p.SquashOption {
	case "always":
		return true
	case "never":
		return false
	}
	return asked
}
