package v4

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// stdJSON is what writeJSON writes for v, without the trailing newline.
func stdJSON(t testing.TB, v any) []byte {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// firstDiff shows where got departs from want, which in a whole entity is
// easier to read than both.
func firstDiff(want, got []byte) string {
	i := 0
	for i < len(want) && i < len(got) && want[i] == got[i] {
		i++
	}
	from := max(i-60, 0)
	return fmt.Sprintf("differs at byte %d:\nwant …%s\n got …%s", i, want[from:min(i+60, len(want))],
		got[from:min(i+60, len(got))])
}

// trickyStrings are what JSON string escaping can get wrong.
var trickyStrings = []string{
	"", "plain", `"`, `\`, `a"b\c`, "\n\r\t\b\f", "\x00\x01\x1f", "\x7f", "<>&", "<script>&amp;</script>",
	"é", "日本語", "😀", "\u2028", "\u2029", "a\u2028b\u2029c", "\xff", "\xc3", "\xe2\x80", "\xed\xa0\x80",
	"\xf4\x90\x80\x80", "ok\xffok", "\ufffd", "\u2027\u202a", "/api/v4/projects/1",
}

// randString draws from pieces that exercise every branch of the escaper.
func randString(rng *rand.Rand) string {
	switch rng.IntN(8) {
	case 0:
		return "" // so that omitempty fields are left out sometimes
	case 1:
		return trickyStrings[rng.IntN(len(trickyStrings))]
	}
	pieces := []string{"a", "Z", " ", "/", "-", `"`, `\`, "<", ">", "&", "\x7f", "é", "日", "😀", "\u2028",
		"\u2029", "\xff", "\xc3", "\xe2\x80", "\x80", "\xed\xa0\x80"}
	var sb strings.Builder
	for range rng.IntN(12) {
		if rng.IntN(3) == 0 {
			sb.WriteByte(byte(rng.IntN(0x20))) // any control byte
		} else {
			sb.WriteString(pieces[rng.IntN(len(pieces))])
		}
	}
	return sb.String()
}

func randInt(rng *rand.Rand) int64 {
	switch rng.IntN(5) {
	case 0:
		return 0
	case 1:
		return math.MaxInt64
	case 2:
		return math.MinInt64
	case 3:
		return -rng.Int64N(1000)
	default:
		return rng.Int64()
	}
}

// fill sets every field reachable from v to a random value: pointers nil
// or set, slices nil, empty or not. It fails on a kind it doesn't know, so
// that a new kind of field gets a filler rather than going untested.
func fill(t *testing.T, rng *rand.Rand, v reflect.Value) {
	if v.Type() == reflect.TypeFor[time.Time]() { // its fields are unexported
		v.Set(reflect.ValueOf(randTime(rng)))
		return
	}
	if v.Type() == reflect.TypeFor[model.Version]() { // not rendered; unexported fields
		v.Set(reflect.ValueOf(model.NewVersion(rng.Uint64(), rng.Uint64(), rng.Uint64())))
		return
	}
	switch v.Kind() {
	case reflect.Struct:
		for i := range v.NumField() {
			fill(t, rng, v.Field(i))
		}
	case reflect.Pointer:
		if rng.IntN(3) == 0 {
			v.SetZero()
			return
		}
		v.Set(reflect.New(v.Type().Elem()))
		fill(t, rng, v.Elem())
	case reflect.Slice:
		switch rng.IntN(4) {
		case 0:
			v.SetZero()
		case 1:
			v.Set(reflect.MakeSlice(v.Type(), 0, 0))
		default:
			v.Set(reflect.MakeSlice(v.Type(), 1+rng.IntN(3), 3))
			for i := range v.Len() {
				fill(t, rng, v.Index(i))
			}
		}
	case reflect.Interface:
		// Only shared_with_groups is []any; its elements go to encoding/json.
		switch rng.IntN(4) {
		case 0:
			v.SetZero()
		case 1:
			v.Set(reflect.ValueOf(randString(rng)))
		case 2:
			v.Set(reflect.ValueOf(map[string]any{"group_id": randInt(rng), "name": randString(rng)}))
		default:
			v.Set(reflect.ValueOf(rng.Float64() * 1e6))
		}
	case reflect.String:
		v.SetString(randString(rng))
	case reflect.Int, reflect.Int64:
		v.SetInt(randInt(rng))
	case reflect.Bool:
		v.SetBool(rng.IntN(2) == 0)
	default:
		t.Fatalf("fill: no filler for %s (%s)", v.Type(), v.Kind())
	}
}

// randTime is any instant in a random zone: the zero time, years around
// 0000 and 9999 (which UTC conversion can cross), whole seconds and
// nanoseconds next to a millisecond, or anything from year -9999 to 19999.
func randTime(rng *rand.Rand) time.Time {
	var t time.Time
	switch rng.IntN(6) {
	case 0:
		return t
	case 1:
		years := []int{-1, 0, 1, 999, 1000, 1969, 1970, 2026, 9999, 10000}
		t = time.Date(years[rng.IntN(len(years))], time.Month(1+rng.IntN(12)), 1+rng.IntN(31),
			rng.IntN(24), rng.IntN(60), rng.IntN(60), rng.IntN(1e9), time.UTC)
	case 2:
		nanos := []int{0, 1, 999_999, 1_000_000, 1_000_001, 999_999_999}
		t = time.Unix(rng.Int64N(4e9), int64(nanos[rng.IntN(len(nanos))]))
	default:
		const span = 30000 * 366 * 86400 // seconds from year -9999 to 19999 or so
		t = time.Unix(rng.Int64N(span)-span/3-62135596800, rng.Int64N(1e9))
	}
	zones := []*time.Location{time.UTC, time.Local, time.FixedZone("", 14*3600), time.FixedZone("", -12*3600-1800)}
	return t.In(zones[rng.IntN(len(zones))])
}

func TestAppendTS(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 4))
	dst := []byte("x")
	for i := range 200000 {
		tm := randTime(rng)
		dst = appendTS(dst[:1], tm)
		if got, want := string(dst[1:]), TS(tm); got != want {
			t.Fatalf("iteration %d: appendTS(%v) = %q, ts = %q", i, tm, got, want)
		}
	}
}

// projectBases are the bases appendProjectEntity is compared under: with
// and without a path prefix, and one with what escaping must handle.
var projectBases = []ProjectBase{
	{url: "http://lablet.test", host: "lablet.test"},
	{url: "https://h.example:8443/gitlab", host: "h.example"},
	{url: "http://x.test/é\\\"\xc3", host: "x\u2028\xe2\x80"},
	{url: "https://gravatar.example", host: "gravatar.example", gravatar: true},
	{url: "http://g.test/é\\\"\xc3", host: "g.test", gravatar: true},
}

// randProjectRow fills a model.Project by reflection, as fill does, with a
// namespace that is a group's or a user's, and an owner (nil or set).
func randProjectRow(t *testing.T, rng *rand.Rand) (*model.Project, *model.User) {
	var p model.Project
	fill(t, rng, reflect.ValueOf(&p).Elem())
	if p.Namespace == nil || rng.IntN(4) == 0 {
		p.Namespace = new(model.Namespace)
		fill(t, rng, reflect.ValueOf(p.Namespace).Elem())
	}
	switch rng.IntN(3) {
	case 0:
		p.Namespace.Kind = model.KindGroup
	case 1:
		p.Namespace.Kind = model.KindUser
	} // else a random kind, which is not a group
	if rng.IntN(2) == 0 { // the real levels, which random ints mostly miss
		p.VisibilityLevel = []int{0, 10, 20}[rng.IntN(3)]
	}
	var owner *model.User
	if rng.IntN(2) == 0 {
		owner = new(model.User)
		fill(t, rng, reflect.ValueOf(owner).Elem())
	}
	return &p, owner
}

// appendProjectEntity, with a readme_url and permissions or without, is
// byte for byte what encoding/json writes for the struct fullProjectAt
// builds from the same row, on random rows. The rows are filled by
// reflection, so a column added to model.Project and rendered by
// fullProjectAt but not by the encoder fails this; fields of the struct
// the row does not decide are constants, compared all the same.
func TestAppendProjectEntityMatchesEncodingJSON(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(5, 6))
	var dst []byte
	for i := range 20000 {
		p, owner := randProjectRow(t, rng)
		pb := projectBases[i%len(projectBases)]
		var readme *string
		if rng.IntN(2) == 0 {
			s := randString(rng)
			readme = &s
		}
		var perms *model.ProjectAccess
		if rng.IntN(2) == 0 {
			perms = &model.ProjectAccess{Project: []int{0, 10, 30, 50}[rng.IntN(4)], Group: []int{0, 20, 40}[rng.IntN(3)]}
		}
		f := fullProjectAt(pb, p, owner, readme, perms)
		want := stdJSON(t, &f)
		dst = appendProjectEntity(append(dst[:0], "prefix"...), pb, p, owner, readme)
		if perms != nil {
			dst = withPermissions(dst, *perms, p.Namespace.IsGroup())
		}
		if got := dst[len("prefix"):]; !bytes.Equal(got, want) {
			t.Fatalf("iteration %d (base %q): %s", i, pb.url, firstDiff(want, got))
		}
	}
}

// A list's cache miss costs no allocation beyond its buffer's growth.
func TestAppendProjectEntityAllocs(t *testing.T) {
	branch, creator := "main", int64(7)
	p := &model.Project{ID: 42, Name: "Project", Path: "project", Description: "A project.", DefaultBranch: &branch,
		CreatorID: &creator, IssuesEnabled: true, MergeRequestsEnabled: true, Topics: []string{"go", "forge"},
		CreatedAt: time.Now(), UpdatedAt: time.Now(), LastActivityAt: time.Now(),
		Namespace: &model.Namespace{ID: 3, Kind: model.KindUser, Name: "Alice", Path: "alice", FullPath: "alice",
			FullName: "Alice"}}
	owner := &model.User{ID: 2, Username: "alice", Name: "Alice", State: "active", PublicEmail: "a@example.com"}
	pb := projectBases[1]
	dst := make([]byte, 0, 8192)
	if n := testing.AllocsPerRun(100, func() { dst = appendProjectEntity(dst[:0], pb, p, owner, nil) }); n != 0 {
		t.Errorf("appendProjectEntity: %v allocations, want 0", n)
	}
}

// GET /projects/:id answers as writeJSON did: status, content type, and
// a body that encoding/json re-encodes to the same bytes plus a newline.
// One project is a group's, the other personal (with an owner); both
// carry permissions.
func TestWriteProjectMatchesEncodingJSON(t *testing.T) {
	t.Parallel()
	ba := newBenchAPI(t)
	ctx := context.Background()
	alice, err := ba.db.Queries().UserByUsername(ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	personal := &model.Project{NamespaceID: alice.NamespaceID, Name: "Mine <&>", Path: "mine", VisibilityLevel: 20,
		Description: "quote \" backslash \\ tab \t nl \n \u2028 é", Topics: []string{"go", "<b>&"}}
	if err := ba.db.WithTx(ctx, func(q *store.Queries) error { return q.CreateProject(ctx, personal) }); err != nil {
		t.Fatal(err)
	}
	for _, id := range []int64{ba.project.ID, personal.ID} {
		req := httptest.NewRequest(http.MethodGet, fmt.Sprintf("/api/v4/projects/%d", id), nil)
		req.Header.Set("PRIVATE-TOKEN", ba.token)
		rec := httptest.NewRecorder()
		ba.api.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/json" {
			t.Fatalf("project %d: %d %q %s", id, rec.Code, rec.Header().Get("Content-Type"), rec.Body)
		}
		var f fullProject
		if err := json.Unmarshal(rec.Body.Bytes(), &f); err != nil {
			t.Fatal(err)
		}
		if f.Permissions == nil || id == personal.ID && f.Owner == nil {
			t.Fatalf("project %d: permissions or owner missing: %s", id, rec.Body)
		}
		if want := append(stdJSON(t, &f), '\n'); !bytes.Equal(rec.Body.Bytes(), want) {
			t.Fatalf("project %d:\nwant %s\n got %s", id, want, rec.Body)
		}
	}
}

func TestAppendJSONString(t *testing.T) {
	t.Parallel()
	for c := range 256 {
		want := c < 0x20 || c == '"' || c == '\\' || c >= utf8.RuneSelf
		if got := jsonSpecial[c] != 0; got != want {
			t.Errorf("jsonSpecial[%#x] = %v, want %v", c, got, want)
		}
		if s := string([]byte{byte(c)}); !bytes.Equal(appendJSONString(nil, s), stdJSON(t, s)) {
			t.Errorf("byte %#x: got %s, want %s", c, appendJSONString(nil, s), stdJSON(t, s))
		}
	}
	for _, s := range trickyStrings {
		if got, want := appendJSONString(nil, s), stdJSON(t, s); !bytes.Equal(got, want) {
			t.Errorf("%q: got %s, want %s", s, got, want)
		}
	}
}

func FuzzJSONString(f *testing.F) {
	for _, s := range trickyStrings {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := stdJSON(t, s)
		got := appendJSONString([]byte("x"), s)
		if !bytes.Equal(got[1:], want) || got[0] != 'x' {
			t.Fatalf("%q: got %s, want %s", s, got, want)
		}
	})
}
