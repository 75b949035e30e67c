package v4

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/avatar"
	"github.com/lablet/lablet/internal/model"
)

// Encoding fullProject by reflection was most of the CPU of a project list
// on a cache miss and of GET /projects/:id. appendProjectEntity writes the
// same bytes json.Encoder writes with SetEscapeHTML(false) (without its
// trailing newline) for the struct fullProjectAt builds, field by field in
// the struct's order. The struct stays the single source of truth for
// names and order: the tests fill rows by reflection and compare with
// encoding/json of fullProjectAt, so a field the encoder misses fails them.

// appendProjectEntity appends the project entity fullProjectAt(pb, p,
// owner, nil) describes, with readme as its readme_url, straight from the
// row: building the struct (its URLs joined, its timestamps formatted, each
// an allocation) cost more than encoding it. fullProjectAt stays the
// specification: TestAppendProjectEntityMatchesEncodingJSON compares the
// two on random rows. Permissions, when a response has them, are spliced in
// before the closing brace (appendPermissions).
//
// Each string that recurs in the entity (the base URL, the project's path,
// its API URL) is escaped once, and its escaped bytes copied from dst
// where it recurs.
func appendProjectEntity(dst []byte, pb projectBase, p *model.Project, owner *model.User, readme *string) []byte {
	ns := p.Namespace
	dst = appendIntField(dst, `{"id":`, p.ID)
	dst = appendStringField(dst, `,"description":`, p.Description)
	dst = appendStringField(dst, `,"name":`, p.Name)
	dst = append(dst, `,"name_with_namespace":"`...)
	dst = appendJSONEscaped(dst, ns.FullName)
	dst = append(dst, " / "...)
	dst = appendJSONEscaped(dst, p.Name)
	dst = append(dst, '"')
	dst = appendStringField(dst, `,"path":`, p.Path)

	// dst[full:fullEnd] is the escaped full path, dst[full:nsEnd] its
	// namespace's.
	dst = append(dst, `,"path_with_namespace":"`...)
	full := len(dst)
	dst = appendJSONEscaped(dst, ns.FullPath)
	nsEnd := len(dst)
	dst = append(dst, '/')
	dst = appendJSONEscaped(dst, p.Path)
	fullEnd := len(dst)

	dst = append(dst, `","created_at":"`...)
	dst = appendTS(dst, p.CreatedAt)
	dst = append(dst, '"')
	dst = appendStringPtrField(dst, `,"default_branch":`, p.DefaultBranch)
	// tag_list and topics are the same array; [] when there are none.
	dst = append(dst, `,"tag_list":`...)
	topics := len(dst)
	if p.Topics == nil {
		dst = append(dst, "[]"...)
	} else {
		dst = appendStringsField(dst, "", p.Topics)
	}
	topicsEnd := len(dst)
	dst = append(dst, `,"topics":`...)
	dst = append(dst, dst[topics:topicsEnd]...)

	dst = append(dst, `,"ssh_url_to_repo":"git@`...)
	dst = appendJSONEscaped(dst, pb.host)
	dst = append(dst, ':')
	dst = append(dst, dst[full:fullEnd]...)
	// dst[base:baseEnd] is the escaped base URL, dst[base:webEnd] web_url.
	dst = append(dst, `.git","http_url_to_repo":"`...)
	base := len(dst)
	dst = appendJSONEscaped(dst, pb.url)
	baseEnd := len(dst)
	dst = append(dst, '/')
	dst = append(dst, dst[full:fullEnd]...)
	webEnd := len(dst)
	dst = append(dst, `.git","web_url":"`...)
	dst = append(dst, dst[base:webEnd]...)
	dst = appendStringPtrField(append(dst, '"'), `,"readme_url":`, readme)
	dst = append(dst, `,"forks_count":0,"avatar_url":null,"star_count":0,"last_activity_at":"`...)
	dst = appendTS(dst, p.LastActivityAt)
	dst = append(dst, `","visibility":"`...)
	dst = append(dst, access.VisibilityName(p.VisibilityLevel)...)

	dst = appendIntField(dst, `","namespace":{"id":`, ns.ID)
	dst = appendStringField(dst, `,"name":`, ns.Name)
	dst = appendStringField(dst, `,"path":`, ns.Path)
	dst = appendStringField(dst, `,"kind":`, ns.Kind)
	dst = append(dst, `,"full_path":"`...)
	dst = append(dst, dst[full:nsEnd]...)
	dst = appendInt64PtrField(dst, `","parent_id":`, ns.ParentID)
	if ns.IsGroup() || ns.OwnerID == nil {
		dst = append(dst, `,"avatar_url":null,"web_url":"`...)
	} else { // namespaceAvatar
		dst = append(dst, `,"avatar_url":"`...)
		dst = append(dst, dst[base:baseEnd]...)
		dst = avatar.AppendIdenticonURL(dst, "", *ns.OwnerID)
		dst = append(dst, `","web_url":"`...)
	}
	dst = append(dst, dst[base:baseEnd]...)
	if ns.IsGroup() {
		dst = append(dst, "/groups/"...)
	} else {
		dst = append(dst, '/')
	}
	dst = append(dst, dst[full:nsEnd]...)

	// dst[self:selfEnd] is the project's API URL, which all links extend.
	dst = append(dst, `"},"_links":{"self":"`...)
	self := len(dst)
	dst = append(dst, dst[base:baseEnd]...)
	dst = append(dst, Prefix+"/projects/"...)
	dst = strconv.AppendInt(dst, p.ID, 10)
	selfEnd := len(dst)
	link := func(dst []byte, key, suffix string) []byte {
		dst = append(dst, key...)
		dst = append(dst, dst[self:selfEnd]...)
		return append(dst, suffix...)
	}
	if p.IssuesEnabled {
		dst = link(dst, `","issues":"`, "/issues")
	}
	if p.MergeRequestsEnabled {
		dst = link(dst, `","merge_requests":"`, "/merge_requests")
	}
	dst = link(dst, `","repo_branches":"`, "/repository/branches")
	dst = link(dst, `","labels":"`, "/labels")
	dst = link(dst, `","events":"`, "/events")
	dst = link(dst, `","members":"`, "/members")
	dst = link(dst, `","cluster_agents":"`, "/cluster_agents")

	dst = appendBoolField(dst, `"},"packages_enabled":true,"empty_repo":`, p.EmptyRepo)
	dst = appendBoolField(dst, `,"archived":`, p.Archived)
	if owner != nil {
		dst = appendIntField(dst, `,"owner":{"id":`, owner.ID)
		dst = append(dst, `,"username":"`...)
		user := len(dst)
		dst = appendJSONEscaped(dst, owner.Username)
		userEnd := len(dst)
		dst = append(dst, `","public_email":`...)
		if owner.PublicEmail == "" {
			dst = append(dst, "null"...)
		} else {
			dst = appendJSONString(dst, owner.PublicEmail)
		}
		dst = appendStringField(dst, `,"name":`, owner.Name)
		dst = appendStringField(dst, `,"state":`, owner.State)
		dst = append(dst, `,"locked":false,"avatar_url":"`...)
		if pb.gravatar && strings.TrimSpace(owner.Email) != "" { // avatar.AppendURL, the base escaped
			dst = avatar.AppendGravatarURL(dst, pb.url, owner.Email)
		} else {
			dst = append(dst, dst[base:baseEnd]...)
			dst = avatar.AppendIdenticonURL(dst, "", owner.ID)
		}
		dst = append(dst, `","web_url":"`...)
		dst = append(dst, dst[base:baseEnd]...)
		dst = append(dst, '/')
		dst = append(dst, dst[user:userEnd]...)
		dst = append(dst, `"}`...)
	}
	dst = appendBoolField(dst, `,"resolve_outdated_diff_discussions":false,"container_registry_enabled":false,`+
		`"container_registry_access_level":"disabled","issues_enabled":`, p.IssuesEnabled)
	dst = appendBoolField(dst, `,"merge_requests_enabled":`, p.MergeRequestsEnabled)
	dst = appendBoolField(dst, `,"wiki_enabled":`, p.WikiEnabled)
	dst = appendBoolField(dst, `,"jobs_enabled":`, p.JobsEnabled)
	dst = appendBoolField(dst, `,"snippets_enabled":`, p.SnippetsEnabled)
	dst = appendFeatureLevel(dst, `,"service_desk_enabled":false,"can_create_merge_request_in":false,`+
		`"issues_access_level":`, p.IssuesEnabled)
	dst = appendFeatureLevel(dst, `,"repository_access_level":"enabled","merge_requests_access_level":`,
		p.MergeRequestsEnabled)
	dst = appendFeatureLevel(dst, `,"forking_access_level":"enabled","wiki_access_level":`, p.WikiEnabled)
	dst = appendFeatureLevel(dst, `,"builds_access_level":`, p.JobsEnabled)
	dst = appendFeatureLevel(dst, `,"snippets_access_level":`, p.SnippetsEnabled)
	dst = appendBoolField(dst, `,"pages_access_level":"private","analytics_access_level":"enabled",`+
		`"security_and_compliance_access_level":"private","releases_access_level":"enabled",`+
		`"environments_access_level":"enabled","feature_flags_access_level":"enabled",`+
		`"infrastructure_access_level":"enabled","monitor_access_level":"enabled",`+
		`"model_experiments_access_level":"enabled","model_registry_access_level":"enabled",`+
		`"emails_disabled":false,"emails_enabled":true,"shared_runners_enabled":true,"lfs_enabled":`, p.LFSEnabled)
	dst = appendInt64PtrField(dst, `,"creator_id":`, p.CreatorID)
	dst = append(dst, `,"import_url":null,"import_type":null,"import_status":"none","import_error":null,`+
		`"open_issues_count":0,"updated_at":"`...)
	dst = appendTS(dst, p.UpdatedAt)
	dst = appendBoolField(dst, `","ci_default_git_depth":20,"ci_config_path":null,"public_jobs":false,`+
		`"build_timeout":3600,"auto_cancel_pending_pipelines":"enabled","shared_with_groups":[],`+
		`"only_allow_merge_if_pipeline_succeeds":false,"allow_merge_on_skipped_pipeline":null,`+
		`"request_access_enabled":`, p.RequestAccessEnabled)
	dst = appendStringPtrField(dst, `,"only_allow_merge_if_all_discussions_are_resolved":false,`+
		`"remove_source_branch_after_merge":false,"printing_merge_request_link_enabled":true,`+
		`"merge_method":"merge","squash_option":"default_off","autoclose_referenced_issues":true,`+
		`"marked_for_deletion_at":`, p.MarkedForDeletionOn)
	dst = appendStringPtrField(dst, `,"marked_for_deletion_on":`, p.MarkedForDeletionOn)
	return append(dst, `,"compliance_frameworks":[]}`...)
}

// appendFeatureLevel appends key and projectFeatureLevel(enabled) quoted.
func appendFeatureLevel(dst []byte, key string, enabled bool) []byte {
	dst = append(dst, key...)
	if enabled {
		return append(dst, `"enabled"`...)
	}
	return append(dst, `"disabled"`...)
}

// The field helpers append key, which carries its separator and colon,
// then the value.

func appendStringField(dst []byte, key, s string) []byte {
	return appendJSONString(append(dst, key...), s)
}

func appendIntField(dst []byte, key string, n int64) []byte {
	return strconv.AppendInt(append(dst, key...), n, 10)
}

func appendBoolField(dst []byte, key string, b bool) []byte {
	return strconv.AppendBool(append(dst, key...), b)
}

func appendStringPtrField(dst []byte, key string, s *string) []byte {
	dst = append(dst, key...)
	if s == nil {
		return append(dst, "null"...)
	}
	return appendJSONString(dst, *s)
}

func appendInt64PtrField(dst []byte, key string, n *int64) []byte {
	dst = append(dst, key...)
	if n == nil {
		return append(dst, "null"...)
	}
	return strconv.AppendInt(dst, *n, 10)
}

// appendStringsField appends ss as an array; nil is null, as encoding/json
// writes it.
func appendStringsField(dst []byte, key string, ss []string) []byte {
	dst = append(dst, key...)
	if ss == nil {
		return append(dst, "null"...)
	}
	dst = append(dst, '[')
	for i, s := range ss {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendJSONString(dst, s)
	}
	return append(dst, ']')
}

const lowerHex = "0123456789abcdef"

// jsonSpecial marks the bytes appendJSONString must look at: control
// bytes, '"', '\\' and every byte of a multi-byte sequence. One table load
// per byte beat the four comparisons it replaces by about a fifth.
const jsonSpecial = "" +
	"\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01" + // 0x00
	"\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01" + // 0x10
	"\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" + // 0x20: '"'
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" + // 0x30
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" + // 0x40
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00" + // 0x50: '\\'
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" + // 0x60
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" + // 0x70: DEL is left as is
	"\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01" + // 0x80
	"\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01" + // 0x90
	"\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01" + // 0xa0
	"\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01" + // 0xb0
	"\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01" + // 0xc0
	"\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01" + // 0xd0
	"\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01" + // 0xe0
	"\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01" // 0xf0

// appendJSONString appends s quoted as encoding/json quotes it without
// HTML escaping: short escapes for \" \\ \n \r \t \b \f, \u00xx for the
// other control bytes, \ufffd for each invalid UTF-8 byte, and \u2028 and
// \u2029 escaped (for JSONP). Runs that need nothing are copied whole.
func appendJSONString(dst []byte, s string) []byte {
	return append(appendJSONEscaped(append(dst, '"'), s), '"')
}

// appendJSONEscaped appends s escaped as appendJSONString does, without the
// quotes. Escaping a+b is escaping a then b whenever b starts with an ASCII
// byte (a cut there never splits a UTF-8 sequence), so a string joined from
// parts by "/" or " / " can be escaped part by part without joining it.
func appendJSONEscaped(dst []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if jsonSpecial[c] == 0 {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', lowerHex[c>>4], lowerHex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', lowerHex[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	return append(dst, s[start:]...)
}
