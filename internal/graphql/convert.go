package graphql

import (
	"context"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/lablet/lablet/internal/access"
	v4 "github.com/lablet/lablet/internal/api/v4"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// gid is a global ID as GitLab writes it: gid://gitlab/Project/1.
func gid(kind string, id int64) string {
	return "gid://gitlab/" + kind + "/" + strconv.FormatInt(id, 10)
}

// parseGID reads a global ID of kind; a bare number is taken too.
func parseGID(kind, s string) (int64, error) {
	rest, ok := strings.CutPrefix(s, "gid://gitlab/"+kind+"/")
	if !ok {
		rest = s
	}
	n, err := strconv.ParseInt(rest, 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%q is not a valid Global ID", s)
	}
	return n, nil
}

func visibilityName(level int) string {
	switch {
	case level >= access.Public:
		return "public"
	case level >= access.Internal:
		return "internal"
	}
	return "private"
}

func ptr[T any](v T) *T { return &v }

func (v view) project(p *model.Project, level int) *Project {
	web := v.base + "/" + p.FullPath()
	return &Project{p: p, level: level, readCode: v.r.svc != nil && service.CanReadCode(v.caller, p, access.Level(level)),
		ID: gid("Project", p.ID), Name: p.Name, Path: p.Path, FullPath: p.FullPath(),
		NameWithNamespace: p.FullName(), Description: ptr(p.Description), Visibility: ptr(visibilityName(p.VisibilityLevel)),
		Archived: ptr(p.Archived), CreatedAt: ptr(p.CreatedAt), WebURL: &web, HTTPURLToRepo: ptr(web + ".git")}
}

func (v view) group(g *model.Namespace) *Group {
	return &Group{g: g, ID: gid("Group", g.ID), Name: g.Name, Path: g.Path, FullName: g.FullName, FullPath: g.FullPath,
		Description: ptr(g.Description), Visibility: ptr(visibilityName(g.VisibilityLevel)),
		WebURL: v.base + "/groups/" + g.FullPath, CreatedAt: ptr(g.CreatedAt)}
}

func (r *Resolver) namespace(ns *model.Namespace) *Namespace {
	id := gid("Namespace", ns.ID)
	if ns.IsGroup() {
		id = gid("Group", ns.ID)
	}
	return &Namespace{ns: ns, ID: id, Name: ns.Name, Path: ns.Path, FullName: ns.FullName, FullPath: ns.FullPath,
		Description: ptr(ns.Description), Visibility: ptr(visibilityName(ns.VisibilityLevel))}
}

func (v view) userFields(u *model.User) (avatar *string, web string) {
	b := v4.BasicUserAt(v.base, v.r.gravatar, u)
	return b.AvatarURL, b.WebURL
}

func (v view) userCore(u *model.User) *UserCore {
	if u == nil {
		return nil
	}
	avatar, web := v.userFields(u)
	if v.l != nil {
		v.l.users.seen(u.ID)
	}
	var email *string
	if u.PublicEmail != "" {
		email = &u.PublicEmail
	}
	return &UserCore{ID: gid("User", u.ID), Username: u.Username, Name: u.Name, State: UserState(u.State),
		PublicEmail: email, AvatarURL: avatar, WebURL: web, WebPath: "/" + u.Username, Bot: u.Bot, CreatedAt: ptr(u.CreatedAt)}
}

func (v view) currentUser(u *model.User) *CurrentUser {
	c := v.userCore(u)
	return &CurrentUser{ID: c.ID, Username: c.Username, Name: c.Name, State: c.State, PublicEmail: c.PublicEmail,
		AvatarURL: c.AvatarURL, WebURL: c.WebURL, WebPath: c.WebPath, Bot: c.Bot, CreatedAt: c.CreatedAt}
}

var accessNames = map[int]AccessLevelEnum{0: AccessLevelEnumNoAccess, 5: AccessLevelEnumMinimalAccess,
	10: AccessLevelEnumGuest, 15: AccessLevelEnumPlanner, 20: AccessLevelEnumReporter, 30: AccessLevelEnumDeveloper,
	40: AccessLevelEnumMaintainer, 50: AccessLevelEnumOwner, 60: AccessLevelEnumAdmin}

func accessLevel(n int) *AccessLevel {
	name := accessNames[n]
	human := strings.ReplaceAll(strings.ToLower(string(name)), "_", " ")
	if human != "" {
		human = strings.ToUpper(human[:1]) + human[1:]
	}
	return &AccessLevel{IntegerValue: ptr(n), StringValue: &name, HumanAccess: &human}
}

func expires(s *string) *time.Time {
	if s == nil {
		return nil
	}
	t, err := time.Parse(time.DateOnly, *s)
	if err != nil {
		return nil
	}
	return &t
}

func (v view) projectMember(m *service.MemberView) *ProjectMember {
	return &ProjectMember{projectID: m.SourceID, ID: gid("ProjectMember", m.ID), AccessLevel: accessLevel(m.AccessLevel),
		CreatedAt: ptr(m.CreatedAt), ExpiresAt: expires(m.ExpiresAt), User: v.userCore(m.User)}
}

func (v view) groupMember(m *service.MemberView) *GroupMember {
	return &GroupMember{groupID: m.SourceID, ID: gid("GroupMember", m.ID), AccessLevel: accessLevel(m.AccessLevel),
		CreatedAt: ptr(m.CreatedAt), ExpiresAt: expires(m.ExpiresAt), User: v.userCore(m.User)}
}

// page is a connection's window: offset-based, with opaque cursors as
// GitLab's (base64 of the position).
type page struct {
	offset, limit int
	last          bool
}

// maxPageSize is GitLab's default max_page_size.
const maxPageSize = 100

func cursor(pos int) string {
	return base64.StdEncoding.EncodeToString([]byte(`{"offset":"` + strconv.Itoa(pos) + `"}`))
}

func parseCursor(s string) (int, error) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err == nil {
		v, ok := strings.CutPrefix(string(b), `{"offset":"`)
		v, ok2 := strings.CutSuffix(v, `"}`)
		if n, err := strconv.Atoi(v); ok && ok2 && err == nil && n >= 0 {
			return n, nil
		}
	}
	return 0, fmt.Errorf("Please provide a valid cursor")
}

// window turns first/after/last/before into an offset and a limit; when
// only last is given without before, the total is needed (needTotal).
func window(after, before *string, first, last *int, total func() (int, error)) (page, error) {
	pg := page{limit: maxPageSize}
	if first != nil && *first < 0 || last != nil && *last < 0 {
		return pg, fmt.Errorf("Argument 'first' and 'last' must be a non-negative integer")
	}
	start, end := 0, -1
	if after != nil {
		n, err := parseCursor(*after)
		if err != nil {
			return pg, err
		}
		start = n + 1
	}
	if before != nil {
		n, err := parseCursor(*before)
		if err != nil {
			return pg, err
		}
		end = n
	}
	if first != nil {
		pg.limit = min(*first, maxPageSize)
	}
	if end >= 0 {
		pg.limit = min(pg.limit, max(end-start, 0))
	}
	if last != nil {
		n := min(*last, maxPageSize)
		if end < 0 {
			t, err := total()
			if err != nil {
				return pg, err
			}
			end = t
			if first != nil {
				end = min(end, start+pg.limit)
			}
		} else if first != nil {
			end = min(end, start+pg.limit)
		}
		if end-n > start {
			start = end - n
		}
		pg.limit = max(min(n, end-start), 0)
		pg.last = true
	}
	pg.offset = start
	return pg, nil
}

func pageInfo(pg page, shown int, more bool) *PageInfo {
	pi := &PageInfo{HasNextPage: more, HasPreviousPage: pg.offset > 0}
	if shown > 0 {
		pi.StartCursor = ptr(cursor(pg.offset))
		pi.EndCursor = ptr(cursor(pg.offset + shown - 1))
	}
	return pi
}

// pageOf reads the window after/before/first/last name of a list that
// fetch serves (offset and limit in; the items and the list's total
// out): the connections over the service's offset-paginated lists.
func pageOf[T any](after, before *string, first, last *int, fetch func(offset, limit int) ([]T, int, error)) ([]T, page, int, error) {
	total := func() (int, error) {
		_, n, err := fetch(0, 1)
		return n, err
	}
	pg, err := window(after, before, first, last, total)
	if err != nil {
		return nil, pg, 0, err
	}
	if pg.limit == 0 {
		n, err := total()
		return nil, pg, n, err
	}
	items, n, err := fetch(pg.offset, pg.limit)
	return items, pg, n, err
}

// usersOf reads, in one query, the users that userID names of items (nil:
// none), for a page's authors.
func usersOf[T any](ctx context.Context, r *Resolver, items []T, userID func(T) *int64) (map[int64]*model.User, error) {
	var ids []int64
	for _, it := range items {
		if id := userID(it); id != nil {
			ids = append(ids, *id)
		}
	}
	return r.svc.UsersByIDs(ctx, ids)
}

// userOf is the user id names in users; nil for none or a deleted one.
func userOf(users map[int64]*model.User, id *int64) *model.User {
	if id == nil {
		return nil
	}
	return users[*id]
}
