package v4

import (
	"bytes"
	"encoding/json"
	"strconv"
	"unicode/utf8"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/store"
)

// Encoding fullProject by reflection was most of the CPU of a project list
// on a cache miss and of GET /projects/:id. These append-style encoders
// write the same bytes json.Encoder writes with SetEscapeHTML(false)
// (without its trailing newline), field by field in the structs' order.
// The structs stay the single source of truth for names and order:
// TestAppendFullProjectMatchesEncodingJSON fills every field by
// reflection and compares, so a field the encoder misses fails it.

// appendFullProject appends f as JSON.
func appendFullProject(dst []byte, f *fullProject) []byte {
	dst = append(dst, '{')
	dst = appendBasicProjectFields(dst, &f.basicProject)

	l := &f.Links
	dst = appendStringField(dst, `,"_links":{"self":`, l.Self)
	if l.Issues != "" {
		dst = appendStringField(dst, `,"issues":`, l.Issues)
	}
	if l.MergeRequests != "" {
		dst = appendStringField(dst, `,"merge_requests":`, l.MergeRequests)
	}
	dst = appendStringField(dst, `,"repo_branches":`, l.RepoBranches)
	dst = appendStringField(dst, `,"labels":`, l.Labels)
	dst = appendStringField(dst, `,"events":`, l.Events)
	dst = appendStringField(dst, `,"members":`, l.Members)
	dst = appendStringField(dst, `,"cluster_agents":`, l.ClusterAgents)
	dst = append(dst, '}')

	dst = appendBoolField(dst, `,"packages_enabled":`, f.PackagesEnabled)
	dst = appendBoolField(dst, `,"empty_repo":`, f.EmptyRepo)
	dst = appendBoolField(dst, `,"archived":`, f.Archived)
	if f.Owner != nil {
		dst = append(dst, `,"owner":`...)
		dst = appendBasicUser(dst, f.Owner)
	}
	dst = appendBoolField(dst, `,"resolve_outdated_diff_discussions":`, f.ResolveOutdatedDiffDiscussions)
	dst = appendBoolField(dst, `,"container_registry_enabled":`, f.ContainerRegistryEnabled)
	dst = appendStringField(dst, `,"container_registry_access_level":`, f.ContainerRegistryAccessLevel)
	dst = appendBoolField(dst, `,"issues_enabled":`, f.IssuesEnabled)
	dst = appendBoolField(dst, `,"merge_requests_enabled":`, f.MergeRequestsEnabled)
	dst = appendBoolField(dst, `,"wiki_enabled":`, f.WikiEnabled)
	dst = appendBoolField(dst, `,"jobs_enabled":`, f.JobsEnabled)
	dst = appendBoolField(dst, `,"snippets_enabled":`, f.SnippetsEnabled)
	dst = appendBoolField(dst, `,"service_desk_enabled":`, f.ServiceDeskEnabled)
	dst = appendBoolField(dst, `,"can_create_merge_request_in":`, f.CanCreateMergeRequestIn)
	dst = appendStringField(dst, `,"issues_access_level":`, f.IssuesAccessLevel)
	dst = appendStringField(dst, `,"repository_access_level":`, f.RepositoryAccessLevel)
	dst = appendStringField(dst, `,"merge_requests_access_level":`, f.MergeRequestsAccessLevel)
	dst = appendStringField(dst, `,"forking_access_level":`, f.ForkingAccessLevel)
	dst = appendStringField(dst, `,"wiki_access_level":`, f.WikiAccessLevel)
	dst = appendStringField(dst, `,"builds_access_level":`, f.BuildsAccessLevel)
	dst = appendStringField(dst, `,"snippets_access_level":`, f.SnippetsAccessLevel)
	dst = appendStringField(dst, `,"pages_access_level":`, f.PagesAccessLevel)
	dst = appendStringField(dst, `,"analytics_access_level":`, f.AnalyticsAccessLevel)
	dst = appendStringField(dst, `,"security_and_compliance_access_level":`, f.SecurityAndComplianceAccessLevel)
	dst = appendStringField(dst, `,"releases_access_level":`, f.ReleasesAccessLevel)
	dst = appendStringField(dst, `,"environments_access_level":`, f.EnvironmentsAccessLevel)
	dst = appendStringField(dst, `,"feature_flags_access_level":`, f.FeatureFlagsAccessLevel)
	dst = appendStringField(dst, `,"infrastructure_access_level":`, f.InfrastructureAccessLevel)
	dst = appendStringField(dst, `,"monitor_access_level":`, f.MonitorAccessLevel)
	dst = appendStringField(dst, `,"model_experiments_access_level":`, f.ModelExperimentsAccessLevel)
	dst = appendStringField(dst, `,"model_registry_access_level":`, f.ModelRegistryAccessLevel)
	dst = appendBoolField(dst, `,"emails_disabled":`, f.EmailsDisabled)
	dst = appendBoolField(dst, `,"emails_enabled":`, f.EmailsEnabled)
	dst = appendBoolField(dst, `,"shared_runners_enabled":`, f.SharedRunnersEnabled)
	dst = appendBoolField(dst, `,"lfs_enabled":`, f.LFSEnabled)
	dst = appendInt64PtrField(dst, `,"creator_id":`, f.CreatorID)
	dst = appendStringPtrField(dst, `,"import_url":`, f.ImportURL)
	dst = appendStringPtrField(dst, `,"import_type":`, f.ImportType)
	dst = appendStringField(dst, `,"import_status":`, f.ImportStatus)
	dst = appendStringPtrField(dst, `,"import_error":`, f.ImportError)
	dst = appendIntField(dst, `,"open_issues_count":`, int64(f.OpenIssuesCount))
	dst = appendStringField(dst, `,"updated_at":`, f.UpdatedAt)
	dst = appendIntField(dst, `,"ci_default_git_depth":`, int64(f.CIDefaultGitDepth))
	dst = appendStringPtrField(dst, `,"ci_config_path":`, f.CIConfigPath)
	dst = appendBoolField(dst, `,"public_jobs":`, f.PublicJobs)
	dst = appendIntField(dst, `,"build_timeout":`, int64(f.BuildTimeout))
	dst = appendStringField(dst, `,"auto_cancel_pending_pipelines":`, f.AutoCancelPendingPipelines)
	dst = append(dst, `,"shared_with_groups":`...)
	dst = appendAnySlice(dst, f.SharedWithGroups)
	dst = appendBoolField(dst, `,"only_allow_merge_if_pipeline_succeeds":`, f.OnlyAllowMergeIfPipelineSucceeds)
	dst = appendBoolPtrField(dst, `,"allow_merge_on_skipped_pipeline":`, f.AllowMergeOnSkippedPipeline)
	dst = appendBoolField(dst, `,"request_access_enabled":`, f.RequestAccessEnabled)
	dst = appendBoolField(dst, `,"only_allow_merge_if_all_discussions_are_resolved":`, f.OnlyAllowMergeIfAllDiscussionsAreResolved)
	dst = appendBoolField(dst, `,"remove_source_branch_after_merge":`, f.RemoveSourceBranchAfterMerge)
	dst = appendBoolField(dst, `,"printing_merge_request_link_enabled":`, f.PrintingMergeRequestLinkEnabled)
	dst = appendStringField(dst, `,"merge_method":`, f.MergeMethod)
	dst = appendStringField(dst, `,"squash_option":`, f.SquashOption)
	dst = appendBoolField(dst, `,"autoclose_referenced_issues":`, f.AutocloseReferencedIssues)
	dst = appendStringPtrField(dst, `,"marked_for_deletion_at":`, f.MarkedForDeletionAt)
	dst = appendStringPtrField(dst, `,"marked_for_deletion_on":`, f.MarkedForDeletionOn)
	dst = appendStringsField(dst, `,"compliance_frameworks":`, f.ComplianceFrameworks)
	if pm := f.Permissions; pm != nil {
		dst = append(dst, `,"permissions":{"project_access":`...)
		dst = appendAccessEntity(dst, pm.ProjectAccess)
		dst = append(dst, `,"group_access":`...)
		dst = appendAccessEntity(dst, pm.GroupAccess)
		dst = append(dst, '}')
	}
	return append(dst, '}')
}

// appendProjectEntity appends what appendFullProject appends for
// fullProjectAt(pb, p, owner, nil), straight from the row: on a list's
// cache miss, building the struct (its URLs joined, its timestamps
// formatted, each an allocation) cost more than encoding it. fullProjectAt
// stays the specification: TestAppendProjectEntityMatchesFullProject
// compares the two on random rows. Lists set neither readme_url nor
// permissions, so readme_url is null and permissions left out.
//
// Each string that recurs in the entity (the base URL, the project's path,
// its API URL) is escaped once, and its escaped bytes copied from dst
// where it recurs.
func appendProjectEntity(dst []byte, pb projectBase, p *store.Project, owner *store.User) []byte {
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
	dst = append(dst, `","readme_url":null,"forks_count":0,"avatar_url":null,"star_count":0,"last_activity_at":"`...)
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
	dst = append(dst, `,"avatar_url":null,"web_url":"`...)
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
		dst = append(dst, `,"locked":false,"avatar_url":null,"web_url":"`...)
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

// appendBasicProjectFields appends p's members, without the braces, so
// that fullProject can continue the object basicProject is embedded in.
func appendBasicProjectFields(dst []byte, p *basicProject) []byte {
	dst = appendIntField(dst, `"id":`, p.ID)
	dst = appendStringField(dst, `,"description":`, p.Description)
	dst = appendStringField(dst, `,"name":`, p.Name)
	dst = appendStringField(dst, `,"name_with_namespace":`, p.NameWithNamespace)
	dst = appendStringField(dst, `,"path":`, p.Path)
	dst = appendStringField(dst, `,"path_with_namespace":`, p.PathWithNamespace)
	dst = appendStringField(dst, `,"created_at":`, p.CreatedAt)
	dst = appendStringPtrField(dst, `,"default_branch":`, p.DefaultBranch)
	dst = appendStringsField(dst, `,"tag_list":`, p.TagList)
	dst = appendStringsField(dst, `,"topics":`, p.Topics)
	dst = appendStringField(dst, `,"ssh_url_to_repo":`, p.SSHURLToRepo)
	dst = appendStringField(dst, `,"http_url_to_repo":`, p.HTTPURLToRepo)
	dst = appendStringField(dst, `,"web_url":`, p.WebURL)
	dst = appendStringPtrField(dst, `,"readme_url":`, p.ReadmeURL)
	dst = appendIntField(dst, `,"forks_count":`, int64(p.ForksCount))
	dst = appendStringPtrField(dst, `,"avatar_url":`, p.AvatarURL)
	dst = appendIntField(dst, `,"star_count":`, int64(p.StarCount))
	dst = appendStringField(dst, `,"last_activity_at":`, p.LastActivityAt)
	dst = appendStringField(dst, `,"visibility":`, p.Visibility)
	ns := &p.Namespace
	dst = appendIntField(dst, `,"namespace":{"id":`, ns.ID)
	dst = appendStringField(dst, `,"name":`, ns.Name)
	dst = appendStringField(dst, `,"path":`, ns.Path)
	dst = appendStringField(dst, `,"kind":`, ns.Kind)
	dst = appendStringField(dst, `,"full_path":`, ns.FullPath)
	dst = appendInt64PtrField(dst, `,"parent_id":`, ns.ParentID)
	dst = appendStringPtrField(dst, `,"avatar_url":`, ns.AvatarURL)
	dst = appendStringField(dst, `,"web_url":`, ns.WebURL)
	return append(dst, '}')
}

// appendBasicUser appends u as an object.
func appendBasicUser(dst []byte, u *basicUser) []byte {
	dst = appendIntField(dst, `{"id":`, u.ID)
	dst = appendStringField(dst, `,"username":`, u.Username)
	dst = appendStringPtrField(dst, `,"public_email":`, u.PublicEmail)
	dst = appendStringField(dst, `,"name":`, u.Name)
	dst = appendStringField(dst, `,"state":`, u.State)
	dst = appendBoolField(dst, `,"locked":`, u.Locked)
	dst = appendStringPtrField(dst, `,"avatar_url":`, u.AvatarURL)
	dst = appendStringField(dst, `,"web_url":`, u.WebURL)
	return append(dst, '}')
}

// appendAccessEntity appends one side of the permissions object, or null.
func appendAccessEntity(dst []byte, e *projectAccessEntity) []byte {
	if e == nil {
		return append(dst, "null"...)
	}
	dst = appendIntField(dst, `{"access_level":`, int64(e.AccessLevel))
	dst = appendIntField(dst, `,"notification_level":`, int64(e.NotificationLevel))
	return append(dst, '}')
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

func appendBoolPtrField(dst []byte, key string, b *bool) []byte {
	dst = append(dst, key...)
	if b == nil {
		return append(dst, "null"...)
	}
	return strconv.AppendBool(dst, *b)
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

// appendAnySlice appends v as an array. The entities only ever hold an
// empty one; elements, should any appear, are left to encoding/json.
func appendAnySlice(dst []byte, v []any) []byte {
	if v == nil {
		return append(dst, "null"...)
	}
	if len(v) == 0 {
		return append(dst, "[]"...)
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// encoding/json would have failed the whole entity; an empty array
		// at least keeps the document valid and the field's type.
		return append(dst, "[]"...)
	}
	return append(dst, bytes.TrimSuffix(b.Bytes(), []byte("\n"))...)
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
