package service

import (
	"strings"

	"github.com/lablet/lablet/internal/model"
)

// QuickAction is one command line of a text: "/label ~bug" is
// {Name: "label", Arg: "~bug"}.
type QuickAction struct {
	Name string
	Arg  string
}

// quickActionNames are the issue commands lablet runs, with GitLab's
// aliases mapped to the name the executor knows.
var quickActionNames = map[string]string{
	"close": "close", "reopen": "reopen", "title": "title",
	"label": "label", "labels": "label", "unlabel": "unlabel", "remove_label": "unlabel",
	"relabel": "relabel",
	"assign":  "assign", "unassign": "unassign",
	"milestone": "milestone", "remove_milestone": "remove_milestone",
	"due": "due", "remove_due_date": "remove_due_date",
	"estimate": "estimate", "estimate_time": "estimate",
	"remove_estimate": "remove_estimate", "remove_time_estimate": "remove_estimate",
	"spend": "spend", "spent": "spend", "spend_time": "spend",
	"confidential": "confidential", "lock": "lock", "unlock": "unlock",
	"subscribe": "subscribe", "unsubscribe": "unsubscribe",
	"award": "award", "react": "award",
	"reviewer": "reviewer", "assign_reviewer": "reviewer", "request_review": "reviewer",
	"unassign_reviewer": "unassign_reviewer", "remove_reviewer": "unassign_reviewer",
	"draft": "draft", "ready": "ready",
}

// quickActionsOnly are the commands of one kind of target: the others'
// stay text, as GitLab's extractor knows only the target's commands.
var quickActionsOnly = map[string]string{
	"confidential": model.NoteableIssue, "due": model.NoteableIssue, "remove_due_date": model.NoteableIssue,
	"reviewer": model.NoteableMergeRequest, "unassign_reviewer": model.NoteableMergeRequest,
	"draft": model.NoteableMergeRequest, "ready": model.NoteableMergeRequest,
}

// ParseQuickActions splits text into the text GitLab keeps and the
// commands it runs, as Gitlab::QuickActions::Extractor does: a command is
// a line starting with "/" and a known name, outside code fences and
// ">>>" blockquotes; its line is removed. Unknown commands stay text.
func ParseQuickActions(text string) (string, []QuickAction) {
	return parseQuickActions(text, model.NoteableIssue)
}

// parseQuickActions is ParseQuickActions for an issue's or a merge
// request's text (typ a model.Noteable* type).
func parseQuickActions(text, typ string) (string, []QuickAction) {
	lines := strings.SplitAfter(text, "\n")
	var kept strings.Builder
	var cmds []QuickAction
	fence := "" // the open fence's marker, "" outside one
	for _, line := range lines {
		bare := strings.TrimRight(line, "\r\n")
		trimmed := strings.TrimLeft(bare, " ")
		if fence != "" {
			if strings.HasPrefix(trimmed, fence) && strings.Trim(trimmed, fence[:1]) == "" ||
				fence == ">>>" && strings.HasPrefix(trimmed, ">>>") {
				fence = ""
			}
			kept.WriteString(line)
			continue
		}
		if m := fenceMarker(trimmed, len(bare)-len(trimmed)); m != "" {
			fence = m
			kept.WriteString(line)
			continue
		}
		if c, ok := quickActionOf(bare); ok && (quickActionsOnly[c.Name] == "" || quickActionsOnly[c.Name] == typ) {
			cmds = append(cmds, c)
			continue
		}
		kept.WriteString(line)
	}
	return strings.TrimSpace(kept.String()), cmds
}

// fenceMarker is the marker a line opens a block with (a code fence of
// three or more backticks or tildes indented at most three spaces, or
// GitLab's ">>>" blockquote), or "".
func fenceMarker(trimmed string, indent int) string {
	if indent > 3 {
		return ""
	}
	if strings.HasPrefix(trimmed, ">>>") && indent == 0 {
		return ">>>"
	}
	for _, ch := range []string{"`", "~"} {
		n := len(trimmed) - len(strings.TrimLeft(trimmed, ch))
		if n >= 3 {
			if ch == "`" && strings.Contains(trimmed[n:], "`") {
				return "" // an info string with a backtick opens no fence
			}
			return strings.Repeat(ch, n)
		}
	}
	return ""
}

// quickActionOf reads one line as a command.
func quickActionOf(line string) (QuickAction, bool) {
	if !strings.HasPrefix(line, "/") {
		return QuickAction{}, false
	}
	name, arg, _ := strings.Cut(line[1:], " ")
	canon, ok := quickActionNames[strings.ToLower(name)]
	if !ok {
		return QuickAction{}, false
	}
	return QuickAction{Name: canon, Arg: strings.TrimSpace(arg)}, true
}

// refArgs reads GitLab's reference arguments with prefix sigil: `~a
// ~"b c"` gives ["a", "b c"]. Words without the sigil count too, as
// GitLab's label and user finders accept them.
func refArgs(arg string, sigil byte) []string {
	var out []string
	for arg = strings.TrimSpace(arg); arg != ""; arg = strings.TrimSpace(arg) {
		if arg[0] == sigil {
			arg = arg[1:]
		}
		var word string
		if strings.HasPrefix(arg, `"`) {
			end := strings.Index(arg[1:], `"`)
			if end < 0 {
				word, arg = arg[1:], ""
			} else {
				word, arg = arg[1:end+1], arg[end+2:]
			}
		} else {
			cut := strings.IndexAny(arg, " ,")
			if cut < 0 {
				cut = len(arg)
			}
			word, arg = arg[:cut], strings.TrimLeft(arg[cut:], ",")
		}
		if word = strings.TrimSpace(word); word != "" {
			out = append(out, word)
		}
	}
	return out
}

// splitQuickActions is ParseQuickActions for a text to store: without
// commands it stays exactly as written.
func splitQuickActions(text, typ string) (string, []QuickAction) {
	kept, cmds := parseQuickActions(text, typ)
	if len(cmds) == 0 {
		return text, nil
	}
	return kept, cmds
}
