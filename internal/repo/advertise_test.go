package repo

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// advGit runs git in dir with a committer identity; it returns stdout.
func advGit(t *testing.T, dir string, env []string, stdin string, args ...string) string {
	t.Helper()
	cmd := Command(context.Background(), dir, append([]string{
		"GIT_AUTHOR_NAME=A", "GIT_AUTHOR_EMAIL=a@example.com", "GIT_AUTHOR_DATE=1700000000 +0000",
		"GIT_COMMITTER_NAME=A", "GIT_COMMITTER_EMAIL=a@example.com", "GIT_COMMITTER_DATE=1700000000 +0000",
	}, env...), args...)
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil && !strings.HasPrefix(args[0], "upload-pack") {
		t.Fatalf("git %v: %v: %s", args, err, stderr.String())
	}
	return stdout.String()
}

// lsRefsFromGit asks git's ls-refs (symrefs, peel, unborn) and parses
// the answer into the shape AdvertisedRefs returns.
func lsRefsFromGit(t *testing.T, dir, paranoia string) *AdvertisedRefs {
	t.Helper()
	req := "0014command=ls-refs\n0001000bunborn\n000csymrefs\n0009peel\n0000"
	out := advGit(t, dir, []string{"GIT_PROTOCOL=version=2", "GIT_REF_PARANOIA=" + paranoia}, req, "upload-pack", "--stateless-rpc", ".")
	got := &AdvertisedRefs{Head: AdvertisedRef{Name: "HEAD"}, Refs: []AdvertisedRef{}}
	for len(out) >= 4 && out[:4] != "0000" {
		n := 0
		for _, c := range out[:4] {
			n = n*16 + strings.IndexRune("0123456789abcdef", c)
		}
		line := strings.TrimSuffix(out[4:n], "\n")
		out = out[n:]
		f := strings.Split(line, " ")
		ref := AdvertisedRef{Name: f[1]}
		if f[0] != "unborn" {
			ref.OID = f[0]
		}
		for _, attr := range f[2:] {
			if v, ok := strings.CutPrefix(attr, "symref-target:"); ok {
				ref.Target = v
			}
			if v, ok := strings.CutPrefix(attr, "peeled:"); ok {
				ref.Peeled = v
			}
		}
		if ref.Name == "HEAD" {
			got.Head = ref
		} else {
			got.Refs = append(got.Refs, ref)
		}
	}
	if out != "0000" {
		t.Fatalf("unexpected ls-refs tail %q", out)
	}
	return got
}

// TestAdvertisedRefsMatchesGit compares AdvertisedRefs with git's ls-refs
// (with and without GIT_REF_PARANOIA) across loose and packed refs, tags
// of every kind, symbolic refs, broken refs and HEAD states.
func TestAdvertisedRefsMatchesGit(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	r := newRepo(t, s, 1)
	dir := r.Path()
	check := func(stage string) {
		t.Helper()
		for _, paranoia := range []string{"1", "0"} {
			want := lsRefsFromGit(t, dir, paranoia)
			got, err := r.AdvertisedRefs(ctx, paranoia == "1")
			if err != nil {
				t.Fatalf("%s: %v", stage, err)
			}
			if got.Refs == nil {
				got.Refs = []AdvertisedRef{}
			}
			// ls-refs leaves out a HEAD that does not resolve.
			if got.Head.OID == "" && got.Head.Target == "" {
				got.Head = AdvertisedRef{Name: "HEAD"}
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%s (paranoia %s):\n got %+v\nwant %+v", stage, paranoia, got, want)
			}
		}
	}
	check("empty")

	blob := strings.TrimSpace(advGit(t, dir, nil, "x\n", "hash-object", "-w", "--stdin"))
	tree := strings.TrimSpace(advGit(t, dir, nil, "100644 blob "+blob+"\tx\n", "mktree"))
	c1 := strings.TrimSpace(advGit(t, dir, nil, "", "commit-tree", "-m", "one", tree))
	c2 := strings.TrimSpace(advGit(t, dir, nil, "", "commit-tree", "-m", "two", "-p", c1, tree))
	for ref, v := range map[string]string{
		"refs/heads/main": c2, "refs/heads/old": c1, "refs/heads/a/b/c": c1, "refs/heads/a-b": c2,
		"refs/tags/light": c1, "refs/tags/blob": blob, "refs/merge-requests/1/head": c2,
	} {
		advGit(t, dir, nil, "", "update-ref", ref, v)
	}
	advGit(t, dir, nil, "", "tag", "-a", "-m", "v1", "v1", c1)
	advGit(t, dir, nil, "", "tag", "-a", "-m", "outer", "v1-outer", "v1")
	advGit(t, dir, nil, "", "tag", "-a", "-m", "tree", "tree-tag", tree)
	check("loose")

	advGit(t, dir, nil, "", "pack-refs", "--all")
	advGit(t, dir, nil, "", "update-ref", "refs/heads/old", c2) // loose over packed
	advGit(t, dir, nil, "", "update-ref", "-d", "refs/heads/a-b")
	advGit(t, dir, nil, "", "symbolic-ref", "refs/remotes/origin/HEAD", "refs/heads/old")
	advGit(t, dir, nil, "", "symbolic-ref", "refs/heads/dangling", "refs/heads/none")
	check("packed")

	write := func(name, content string) {
		t.Helper()
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("refs/heads/garbage", "garbage\n")
	write("refs/heads/light", "ref: refs/heads/garbage\n") // symbolic ref to a broken ref
	write("refs/tags/v1", "nonsense\n")                    // hides the packed v1
	write("refs/heads/missing", strings.Repeat("0123", 10)+"\n")
	write("refs/heads/upper", strings.ToUpper(c2)+"\tjunk\n")
	write("refs/heads/x.lock", c1+"\n")
	write("refs/heads/.dot", c1+"\n")
	check("broken refs")

	advGit(t, dir, nil, "", "symbolic-ref", "HEAD", "refs/heads/unborn")
	check("unborn HEAD")
	write("HEAD", "ref: refs/heads/garbage\n")
	check("HEAD on a broken ref")
	write("HEAD", "ref: refs/remotes/origin/HEAD\n")
	check("HEAD through two symbolic refs")
	write("HEAD", c1+"\n")
	check("detached HEAD")

	// What is left to git.
	write("HEAD", "ref: refs/heads/main\n")
	for name, setup := range map[string]func(){
		"shallow":      func() { write("shallow", c1+"\n") },
		"bad HEAD":     func() { write("HEAD", "junk\n") },
		"invalid name": func() { write("refs/heads/a..b", c1+"\n") },
		"null ref":     func() { write("refs/heads/null", strings.Repeat("0", 40)+"\n") },
		"odd target":   func() { write("refs/heads/odd", "ref: HEAD\n") },
		"loop":         func() { write("refs/heads/l1", "ref: refs/heads/l2\n"); write("refs/heads/l2", "ref: refs/heads/l1\n") },
	} {
		before, err := r.AdvertisedRefs(ctx, true)
		if err != nil {
			t.Fatal(err)
		}
		setup()
		if _, err := r.AdvertisedRefs(ctx, true); !errors.Is(err, ErrAdvertiseUnsupported) {
			t.Fatalf("%s: err = %v, want ErrAdvertiseUnsupported", name, err)
		}
		write("HEAD", "ref: refs/heads/main\n")
		for _, p := range []string{"shallow", "refs/heads/a..b", "refs/heads/null", "refs/heads/odd", "refs/heads/l1", "refs/heads/l2"} {
			_ = os.Remove(filepath.Join(dir, filepath.FromSlash(p)))
		}
		if after, err := r.AdvertisedRefs(ctx, true); err != nil || !reflect.DeepEqual(before, after) {
			t.Fatalf("%s: cleanup: %v", name, err)
		}
	}
}

func TestParseLooseRef(t *testing.T) {
	id := strings.Repeat("ab", 20)
	for in, want := range map[string]looseRef{
		id + "\n":                          {oid: id},
		id:                                 {oid: id},
		strings.ToUpper(id) + " x y\n":     {oid: id},
		id + "x\n":                         {broken: true},
		id[:39] + "\n":                     {broken: true},
		"":                                 {broken: true},
		"ref: refs/heads/main\n":           {target: "refs/heads/main"},
		"ref:\trefs/heads/main  \n\n":      {target: "refs/heads/main"},
		"ref:refs/heads/a/b":               {target: "refs/heads/a/b"},
		"garbage\n":                        {broken: true},
		"Ref: refs/heads/main\n":           {broken: true},
		"\n" + id:                          {broken: true},
		id + "\n" + strings.Repeat("0", 5): {oid: id},
	} {
		got, err := parseLooseRef([]byte(in))
		if err != nil || got != want {
			t.Errorf("%q: %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, in := range []string{"ref: HEAD\n", "ref: refs/heads/a..b\n", strings.Repeat("0", 40) + "\n"} {
		if _, err := parseLooseRef([]byte(in)); !errors.Is(err, ErrAdvertiseUnsupported) {
			t.Errorf("%q: err = %v, want ErrAdvertiseUnsupported", in, err)
		}
	}
}
