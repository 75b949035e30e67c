package v4

import "strconv"

// appendIssueEntity appends e as encoding/json encodes it without HTML
// escaping (issueEntity's field order, nulls and omitempty), which a list
// page of issues spends most of its rendering on. The struct stays the
// specification: TestIssueEncoding and FuzzIssueEncoding compare the two
// byte for byte. The rare nested objects (a milestone, label details) go
// through encoding/json.
func appendIssueEntity(dst []byte, e *issueEntity) ([]byte, error) {
	dst = append(dst, `{"id":`...)
	dst = strconv.AppendInt(dst, e.ID, 10)
	dst = append(dst, `,"iid":`...)
	dst = strconv.AppendInt(dst, e.IID, 10)
	dst = append(dst, `,"project_id":`...)
	dst = strconv.AppendInt(dst, e.ProjectID, 10)
	dst = append(dst, `,"title":`...)
	dst = appendJSONString(dst, e.Title)
	dst = append(dst, `,"description":`...)
	dst = appendJSONString(dst, e.Description)
	dst = append(dst, `,"state":`...)
	dst = appendJSONString(dst, e.State)
	dst = append(dst, `,"created_at":`...)
	dst = appendJSONString(dst, e.CreatedAt)
	dst = append(dst, `,"updated_at":`...)
	dst = appendJSONString(dst, e.UpdatedAt)
	dst = append(dst, `,"closed_at":`...)
	dst = appendOptString(dst, e.ClosedAt)
	dst = append(dst, `,"closed_by":`...)
	dst = appendBasicUserPtr(dst, e.ClosedBy)
	dst = append(dst, `,"labels":`...)
	var err error
	if titles, ok := e.Labels.([]string); ok {
		dst = appendJSONStrings(dst, titles)
	} else if dst, err = appendMarshaled(dst, e.Labels); err != nil {
		return nil, err
	}
	dst = append(dst, `,"milestone":`...)
	if e.Milestone == nil {
		dst = append(dst, "null"...)
	} else if dst, err = appendMarshaled(dst, e.Milestone); err != nil {
		return nil, err
	}
	dst = append(dst, `,"assignees":`...)
	if e.Assignees == nil {
		dst = append(dst, "null"...)
	} else {
		dst = append(dst, '[')
		for i := range e.Assignees {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendBasicUser(dst, &e.Assignees[i])
		}
		dst = append(dst, ']')
	}
	dst = append(dst, `,"author":`...)
	dst = appendBasicUserPtr(dst, e.Author)
	dst = append(dst, `,"type":`...)
	dst = appendJSONString(dst, e.Type)
	dst = append(dst, `,"assignee":`...)
	dst = appendBasicUserPtr(dst, e.Assignee)
	dst = append(dst, `,"user_notes_count":`...)
	dst = strconv.AppendInt(dst, e.UserNotesCount, 10)
	dst = append(dst, `,"merge_requests_count":`...)
	dst = strconv.AppendInt(dst, int64(e.MergeRequestsCount), 10)
	dst = append(dst, `,"upvotes":`...)
	dst = strconv.AppendInt(dst, e.Upvotes, 10)
	dst = append(dst, `,"downvotes":`...)
	dst = strconv.AppendInt(dst, e.Downvotes, 10)
	dst = append(dst, `,"due_date":`...)
	dst = appendOptString(dst, e.DueDate)
	dst = append(dst, `,"confidential":`...)
	dst = strconv.AppendBool(dst, e.Confidential)
	dst = append(dst, `,"discussion_locked":`...)
	dst = appendOptBool(dst, e.DiscussionLocked)
	dst = append(dst, `,"issue_type":`...)
	dst = appendJSONString(dst, e.IssueType)
	dst = append(dst, `,"web_url":`...)
	dst = appendJSONString(dst, e.WebURL)
	ts := &e.TimeStats
	dst = append(dst, `,"time_stats":{"time_estimate":`...)
	dst = strconv.AppendInt(dst, ts.TimeEstimate, 10)
	dst = append(dst, `,"total_time_spent":`...)
	dst = strconv.AppendInt(dst, ts.TotalTimeSpent, 10)
	dst = append(dst, `,"human_time_estimate":`...)
	dst = appendOptString(dst, ts.HumanTimeEstimate)
	dst = append(dst, `,"human_total_time_spent":`...)
	dst = appendOptString(dst, ts.HumanTotalTimeSpent)
	dst = append(dst, `},"task_completion_status":{"count":`...)
	dst = strconv.AppendInt(dst, int64(e.TaskCompletionStatus.Count), 10)
	dst = append(dst, `,"completed_count":`...)
	dst = strconv.AppendInt(dst, int64(e.TaskCompletionStatus.CompletedCount), 10)
	dst = append(dst, `},"has_tasks":`...)
	dst = strconv.AppendBool(dst, e.HasTasks)
	if e.TaskStatus != "" {
		dst = append(dst, `,"task_status":`...)
		dst = appendJSONString(dst, e.TaskStatus)
	}
	l := &e.Links
	dst = append(dst, `,"_links":{"self":`...)
	dst = appendJSONString(dst, l.Self)
	dst = append(dst, `,"notes":`...)
	dst = appendJSONString(dst, l.Notes)
	dst = append(dst, `,"award_emoji":`...)
	dst = appendJSONString(dst, l.AwardEmoji)
	dst = append(dst, `,"project":`...)
	dst = appendJSONString(dst, l.Project)
	dst = append(dst, `,"closed_as_duplicate_of":`...)
	dst = appendOptString(dst, l.ClosedAsDuplicateOf)
	dst = append(dst, `},"references":{"short":`...)
	dst = appendJSONString(dst, e.References.Short)
	dst = append(dst, `,"relative":`...)
	dst = appendJSONString(dst, e.References.Relative)
	dst = append(dst, `,"full":`...)
	dst = appendJSONString(dst, e.References.Full)
	dst = append(dst, `},"severity":`...)
	dst = appendJSONString(dst, e.Severity)
	if e.Subscribed != nil {
		dst = append(dst, `,"subscribed":`...)
		dst = strconv.AppendBool(dst, *e.Subscribed)
	}
	dst = append(dst, `,"moved_to_id":`...)
	if e.MovedToID == nil {
		dst = append(dst, "null"...)
	} else {
		dst = strconv.AppendInt(dst, *e.MovedToID, 10)
	}
	dst = append(dst, `,"imported":`...)
	dst = strconv.AppendBool(dst, e.Imported)
	dst = append(dst, `,"imported_from":`...)
	dst = appendJSONString(dst, e.ImportedFrom)
	dst = append(dst, `,"service_desk_reply_to":`...)
	dst = appendOptString(dst, e.ServiceDeskReplyTo)
	dst = append(dst, `,"blocking_issues_count":`...)
	dst = strconv.AppendInt(dst, int64(e.BlockingIssuesCount), 10)
	return append(dst, '}'), nil
}

func appendBasicUserPtr(dst []byte, u *BasicUser) []byte {
	if u == nil {
		return append(dst, "null"...)
	}
	return appendBasicUser(dst, u)
}

func appendBasicUser(dst []byte, u *BasicUser) []byte {
	dst = append(dst, `{"id":`...)
	dst = strconv.AppendInt(dst, u.ID, 10)
	dst = append(dst, `,"username":`...)
	dst = appendJSONString(dst, u.Username)
	dst = append(dst, `,"public_email":`...)
	dst = appendOptString(dst, u.PublicEmail)
	dst = append(dst, `,"name":`...)
	dst = appendJSONString(dst, u.Name)
	dst = append(dst, `,"state":`...)
	dst = appendJSONString(dst, u.State)
	dst = append(dst, `,"locked":`...)
	dst = strconv.AppendBool(dst, u.Locked)
	dst = append(dst, `,"avatar_url":`...)
	dst = appendOptString(dst, u.AvatarURL)
	dst = append(dst, `,"web_url":`...)
	dst = appendJSONString(dst, u.WebURL)
	return append(dst, '}')
}

func appendOptString(dst []byte, s *string) []byte {
	if s == nil {
		return append(dst, "null"...)
	}
	return appendJSONString(dst, *s)
}

func appendOptBool(dst []byte, b *bool) []byte {
	if b == nil {
		return append(dst, "null"...)
	}
	return strconv.AppendBool(dst, *b)
}
