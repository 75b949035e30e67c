package repo

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// TestLooseObjectsMatchGit checks that blobs and trees written without git
// get the ids git gives them and leave the repository fsck-clean.
func TestLooseObjectsMatchGit(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	r := newRepo(t, s, 1)
	for _, content := range []string{"", "hello\n", strings.Repeat("x", 100000)} {
		got, err := r.writeBlob(ctx, []byte(content))
		if err != nil {
			t.Fatal(err)
		}
		out, err := gitCmd{dir: r.Path(), args: []string{"hash-object", "--no-filters", "--stdin"}, stdin: strings.NewReader(content)}.run(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if want := strings.TrimSpace(string(out)); got != want {
			t.Fatalf("blob id %s, git says %s", got, want)
		}
		if typ := gitOut(t, r, "cat-file", "-t", got); typ != "blob" {
			t.Fatalf("cat-file -t %s = %s", got, typ)
		}
	}
	commit(t, r, "main",
		Action{Kind: ActionCreate, Path: "a.b", Content: []byte("1")},
		Action{Kind: ActionCreate, Path: "a/x", Content: []byte("2")},
		Action{Kind: ActionCreate, Path: "a-b/y", Content: []byte("3")},
		Action{Kind: ActionCreate, Path: "a0", Content: []byte("4"), ExecuteFilemode: ptr(true)},
		Action{Kind: ActionCreate, Path: "d/e/f/g.txt", Content: []byte("5")})
	commit(t, r, "main", Action{Kind: ActionUpdate, Path: "d/e/f/g.txt", Content: []byte("6")})
	// Rebuild every tree with git mktree from its own listing: same ids.
	for _, tree := range strings.Fields(gitOut(t, r, "rev-list", "--all", "--objects", "--filter=object:type=tree", "--no-object-names")) {
		if gitOut(t, r, "cat-file", "-t", tree) != "tree" {
			continue
		}
		listing := gitOut(t, r, "ls-tree", tree)
		out, err := gitCmd{dir: r.Path(), args: []string{"mktree"}, stdin: strings.NewReader(listing + "\n")}.run(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.TrimSpace(string(out)); got != tree {
			t.Fatalf("tree %s rebuilt by mktree as %s:\n%s", tree, got, listing)
		}
	}
	gitOut(t, r, "fsck", "--strict", "--no-dangling")
}

// TestCreateMatchesGitInit checks that a repository created without git
// has the config and HEAD that git init and git config give it, and git
// init's files but for the directories git makes when it first writes
// into them (initBare), and that git then writes packs, branches and tags
// into it.
func TestCreateMatchesGitInit(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	r := newRepo(t, s, 1)
	want := t.TempDir()
	if _, err := (gitCmd{dir: want, args: []string{"init", "--bare", "--quiet", "--template=", "--initial-branch=main", "."}}).run(ctx); err != nil {
		t.Fatal(err)
	}
	for _, kv := range repoConfig {
		if _, err := (gitCmd{dir: want, args: []string{"config", kv[0], kv[1]}}).run(ctx); err != nil {
			t.Fatal(err)
		}
	}
	list := func(dir string) string {
		out, err := gitCmd{dir: dir, args: []string{"config", "--list", "--local"}}.run(ctx)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		sort.Strings(lines)
		var files []string
		_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			rel, _ := filepath.Rel(dir, p)
			if rel != "config" && !lazyDirs[filepath.ToSlash(rel)] {
				files = append(files, rel)
			}
			return nil
		})
		head, _ := os.ReadFile(filepath.Join(dir, "HEAD"))
		return strings.Join(lines, "\n") + "\n--\n" + strings.Join(files, "\n") + "\n--\n" + string(head)
	}
	// The second repository uses the file system probe of the first.
	for _, r := range []*Repo{r, newRepo(t, s, 2)} {
		if got, want := list(r.Path()), list(want); got != want {
			t.Fatalf("created repository:\n%s\n\ngit init + git config:\n%s", got, want)
		}
		gitOut(t, r, "fsck", "--strict")
	}
	// git fills in the missing directories: a push received as a pack
	// (unpackLimit 1), then a branch and a tag.
	src := t.TempDir()
	for _, args := range [][]string{
		{"init", "--quiet", "--initial-branch=main", "."},
		{"-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "--quiet", "--allow-empty", "-m", "first"},
		{"push", "--quiet", "--receive-pack=git -c receive.unpackLimit=1 receive-pack", r.Path(), "main"},
	} {
		if out, err := (gitCmd{dir: src, args: args}).run(ctx); err != nil {
			t.Fatalf("git %v: %v %s", args, err, out)
		}
	}
	gitOut(t, r, "branch", "topic", "main")
	gitOut(t, r, "tag", "v1", "main")
	packs, _ := filepath.Glob(filepath.Join(r.Path(), "objects", "pack", "*.pack"))
	if len(packs) != 1 || gitOut(t, r, "for-each-ref", "--format=%(refname)") != "refs/heads/main\nrefs/heads/topic\nrefs/tags/v1" {
		t.Fatalf("after a push: packs %v, refs %q", packs, gitOut(t, r, "for-each-ref"))
	}
	gitOut(t, r, "fsck", "--strict")
}

// lazyDirs are the directories of git init that initBare leaves to git.
var lazyDirs = map[string]bool{"objects/info": true, "objects/pack": true, "refs/heads": true, "refs/tags": true}

// TestLooseObjectsBesideRepack: a repack beside an API commit (git
// prune-packed) removes empty object directories, also the one a write
// has just made; the write makes it again, as git's does.
func TestLooseObjectsBesideRepack(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	r := newRepo(t, s, 1)
	objects := filepath.Join(r.Path(), "objects")
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		for {
			select {
			case <-done:
				return
			default:
			}
			entries, _ := os.ReadDir(objects)
			for _, e := range entries {
				if len(e.Name()) == 2 {
					_ = os.Remove(filepath.Join(objects, e.Name())) // only empty ones go
				}
			}
		}
	}()
	for i := range 3000 {
		if _, err := r.writeBlob(ctx, []byte("blob "+strconv.Itoa(i))); err != nil {
			close(done)
			<-stopped
			t.Fatalf("write %d beside a repack: %v", i, err)
		}
	}
	close(done)
	<-stopped
}
