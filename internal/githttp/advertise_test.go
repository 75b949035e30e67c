package githttp

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lablet/lablet/internal/repo"
)

// upstream runs git upload-pack in dir as the handler would: what git
// itself answers for the same request.
func upstream(t *testing.T, dir string, env []string, stdin []byte, advertise bool) []byte {
	t.Helper()
	args := []string{"upload-pack", "--stateless-rpc"}
	if advertise {
		args = append(args, "--advertise-refs")
	}
	cmd := repo.Command(context.Background(), dir, env, append(args, ".")...)
	cmd.Stdin = bytes.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	_ = cmd.Run() // some requests make git die; what it wrote is the answer
	return stdout.Bytes()
}

// do sends one request with the read token; it returns the body.
func (e *env) do(method, path, proto string, body []byte) (*http.Response, []byte) {
	e.t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+path, bytes.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	req.SetBasicAuth("u", "read")
	if proto != "" {
		req.Header.Set("Git-Protocol", proto)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/x-git-upload-pack-request")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp, b
}

// lsRefsRequest builds a v2 ls-refs request: keys after the command,
// then (if args is not nil) a delimiter and the arguments, then a flush.
func lsRefsRequest(keys, args []string) []byte {
	b := pktLine("command=ls-refs\n")
	for _, k := range keys {
		b = append(b, pktLine(k+"\n")...)
	}
	if args != nil {
		b = append(b, "0001"...)
		for _, a := range args {
			b = append(b, pktLine(a+"\n")...)
		}
	}
	return append(b, "0000"...)
}

var lsRefsCases = []struct {
	name       string
	keys, args []string
}{
	{"no arguments", []string{"agent=git/2.39.5", "object-format=sha1"}, nil},
	{"empty arguments", nil, []string{}},
	{"peel", nil, []string{"peel"}},
	{"symrefs", []string{"agent=x"}, []string{"symrefs"}},
	{"all", []string{"object-format=sha1"}, []string{"peel", "symrefs", "unborn"}},
	{"unborn without symrefs", nil, []string{"unborn", "peel"}},
	{"clone", []string{"agent=git/2.39.5", "object-format=sha1"},
		[]string{"symrefs", "peel", "unborn", "ref-prefix HEAD", "ref-prefix refs/heads/", "ref-prefix refs/tags/"}},
	{"partial prefixes", nil, []string{"peel", "ref-prefix refs/heads/a", "ref-prefix refs/heads/a/", "ref-prefix refs/t"}},
	{"glob prefix", nil, []string{"ref-prefix refs/heads/*", "ref-prefix refs/tags/v[12]"}},
	{"empty prefix", nil, []string{"symrefs", "ref-prefix "}},
	{"prefix without newline", nil, []string{"ref-prefix HEAD"}},
	// Not answered in Go: git's answer (or failure) must come through.
	{"unknown argument", nil, []string{"peel", "frobnicate"}},
	{"unknown capability", []string{"frobnicate=1"}, []string{"peel"}},
	{"other object format", []string{"object-format=sha256"}, []string{"peel"}},
}

// checkSameAsGit compares everything answered for repository id with what
// git answers: the v0 and v2 info/refs and ls-refs variants. inGo tells
// whether the refs are expected to be read in Go (else git answers all).
func (e *env) checkSameAsGit(id int64, path, stage string, inGo bool) {
	t := e.t
	t.Helper()
	dir := e.store.Path(id)
	e.store.Open(id).RefsChanged() // the test changed refs behind lablet's back

	resp, got := e.do(http.MethodGet, "/"+path+"/info/refs?service=git-upload-pack", "", nil)
	want := append([]byte("001e# service=git-upload-pack\n0000"), upstream(t, dir, nil, nil, true)...)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/x-git-upload-pack-advertisement" || !bytes.Equal(got, want) {
		t.Fatalf("%s: v0 advertisement differs from git's (%d %v)\n got: %q\nwant: %q", stage, resp.StatusCode, resp.Header, got, want)
	}
	v2 := []string{"GIT_PROTOCOL=version=2"}
	_, got = e.do(http.MethodGet, "/"+path+"/info/refs?service=git-upload-pack", "version=2", nil)
	if want := upstream(t, dir, v2, nil, true); !bytes.Equal(got, want) {
		t.Fatalf("%s: v2 advertisement differs from git's\n got: %q\nwant: %q", stage, got, want)
	}
	for _, c := range lsRefsCases {
		req := lsRefsRequest(c.keys, c.args)
		resp, got := e.do(http.MethodPost, "/"+path+"/git-upload-pack", "version=2", req)
		want := upstream(t, dir, v2, req, false)
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/x-git-upload-pack-result" || !bytes.Equal(got, want) {
			t.Fatalf("%s: ls-refs %s differs from git's (%d)\n got: %q\nwant: %q", stage, c.name, resp.StatusCode, got, want)
		}
	}
	s, cached := e.h.adv.cache.Get(dir)
	answeredInGo := cached && s.version == e.store.Open(id).RefsVersion() && s.unsupported == nil
	if answeredInGo != inGo {
		t.Fatalf("%s: answered in Go: %v, want %v (%+v)", stage, answeredInGo, inGo, s)
	}
}

// TestAdvertisementMatchesGit builds up a repository step by step (branches
// with nested names, lightweight and annotated tags, tags of tags and of
// trees and blobs, packed and loose refs, symbolic refs, unborn and
// detached HEAD, broken refs) and checks after each step that the answers
// made in Go are byte for byte git's.
func TestAdvertisementMatchesGit(t *testing.T) {
	e := setup(t)
	const path = "group/proj.git"
	dir := e.store.Path(1)
	e.checkSameAsGit(2, "group/empty.git", "empty repository", true)
	e.checkSameAsGit(1, path, "empty repository", true)

	w := filepath.Join(t.TempDir(), "w")
	e.mustGit("", "init", "-q", "-b", "main", w)
	e.commitFile(w, "a", "1")
	e.mustGit(w, "tag", "light")
	e.mustGit(w, "tag", "-a", "-m", "annotated", "v1")
	e.commitFile(w, "b", "2")
	e.mustGit(w, "tag", "-a", "-m", "tag of a tag", "v1-outer", "v1")
	e.mustGit(w, "tag", "-a", "-m", "outer outer", "v1-outer2", "v1-outer")
	e.mustGit(w, "tag", "-a", "-m", "a tree", "tree-tag", "HEAD^{tree}")
	e.mustGit(w, "tag", "blob-light", "HEAD:b")
	e.mustGit(w, "tag", "-a", "-m", "a blob", "blob-tag", "HEAD:b")
	for _, b := range []string{"feature/a/b", "feature/a-b", "a-b", "a/c", "a.b", "Z", "zz/top"} {
		e.mustGit(w, "branch", b)
	}
	e.commitFile(w, "c", "3")
	e.mustGit(w, "push", "-q", dir, "refs/heads/*:refs/heads/*", "refs/tags/*:refs/tags/*")
	e.checkSameAsGit(1, path, "loose refs", true)

	e.mustGit(dir, "pack-refs", "--all")
	e.checkSameAsGit(1, path, "packed refs", true)

	// Loose refs over packed ones, new loose refs, a deleted packed ref.
	e.mustGit(dir, "update-ref", "refs/heads/a-b", "refs/heads/main")
	e.mustGit(dir, "update-ref", "refs/tags/new/loose", "refs/tags/v1")
	e.mustGit(dir, "update-ref", "-d", "refs/heads/Z")
	e.mustGit(dir, "update-ref", "refs/keep-around/x", "refs/heads/main")
	e.checkSameAsGit(1, path, "packed and loose refs", true)

	// Symbolic refs below refs/, HEAD on another branch.
	e.mustGit(dir, "update-ref", "refs/remotes/origin/main", "refs/heads/main")
	e.mustGit(dir, "symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/main")
	e.mustGit(dir, "symbolic-ref", "refs/heads/alias", "refs/heads/feature/a/b")
	e.mustGit(dir, "symbolic-ref", "refs/heads/dangling", "refs/heads/nowhere")
	e.mustGit(dir, "symbolic-ref", "HEAD", "refs/heads/feature/a/b")
	e.checkSameAsGit(1, path, "symbolic refs", true)

	// HEAD through a symbolic ref, on an annotated tag, unborn, detached.
	e.mustGit(dir, "symbolic-ref", "HEAD", "refs/heads/alias")
	e.checkSameAsGit(1, path, "HEAD on a symbolic ref", true)
	e.mustGit(dir, "symbolic-ref", "HEAD", "refs/tags/v1-outer")
	e.checkSameAsGit(1, path, "HEAD on an annotated tag", true)
	e.mustGit(dir, "symbolic-ref", "HEAD", "refs/heads/unborn")
	e.checkSameAsGit(1, path, "unborn HEAD", true)
	e.mustGit(dir, "update-ref", "--no-deref", "HEAD", "refs/heads/main")
	e.checkSameAsGit(1, path, "detached HEAD", true)
	e.mustGit(dir, "symbolic-ref", "HEAD", "refs/heads/main")

	// Refs git leaves out: missing objects, bad contents (also hiding a
	// packed ref of the same name), bad names, lock files, dot files.
	write := func(name, content string) {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("refs/heads/ghost", strings.Repeat("ab", 20)+"\n")
	write("refs/heads/garbage", "not a ref\n")
	write("refs/heads/a.b", "nonsense\n") // a.b is also packed
	write("refs/heads/x.lock", strings.Repeat("ab", 20)+"\n")
	write("refs/heads/.hidden", strings.Repeat("ab", 20)+"\n")
	write("refs/heads/upper", strings.ToUpper(e.serverRef(1, "refs/heads/main"))+" trailing words\n")
	e.checkSameAsGit(1, path, "broken refs", true)
	write("HEAD", "ref: refs/heads/garbage\n")
	e.checkSameAsGit(1, path, "HEAD on a broken ref", true)
	write("HEAD", "ref: refs/heads/main\n")
	write("refs/heads/bad..name", strings.Repeat("ab", 20)+"\n")
	e.checkSameAsGit(1, path, "invalid ref name", false)
	if err := os.Remove(filepath.Join(dir, "refs/heads/bad..name")); err != nil {
		t.Fatal(err)
	}

	// Hidden refs are left to git, which hides them.
	e.mustGit(dir, "config", "uploadpack.hideRefs", "refs/tags/")
	e.checkSameAsGit(1, path, "hidden refs", false)
	e.mustGit(dir, "config", "--unset", "uploadpack.hideRefs")

	// Another config is learnt on its own: no filter capability.
	e.mustGit(dir, "config", "uploadpack.allowFilter", "false")
	e.mustGit(dir, "config", "lsrefs.unborn", "ignore")
	e.checkSameAsGit(1, path, "other config", true)
}

// TestAdvertisementSpawnsNoGit counts git processes through a wrapper in
// PATH: once warm, info/refs (v0 and v2) and ls-refs start none; a push
// makes the next advertisement show the new ref.
func TestAdvertisementSpawnsNoGit(t *testing.T) {
	real, err := exec.LookPath("git")
	if err != nil {
		t.Skip("git not installed")
	}
	bin := t.TempDir()
	logFile := filepath.Join(t.TempDir(), "git.log")
	wrapper := fmt.Sprintf("#!/bin/sh\necho \"$1\" >> %q\nexec %q \"$@\"\n", logFile, real)
	if err := os.WriteFile(filepath.Join(bin, "git"), []byte(wrapper), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	uploadPacks := func() int {
		b, _ := os.ReadFile(logFile)
		return strings.Count(string(b), "upload-pack\n")
	}

	e := setup(t)
	w := e.work("group/proj.git")
	e.commitFile(w, "f", "1")
	e.mustGit(w, "tag", "-a", "-m", "t", "v1")
	e.mustGit(w, "push", "-q", "origin", "main", "v1")

	lsRefs := lsRefsRequest([]string{"agent=git/2.39.5"}, []string{"peel", "symrefs", "ref-prefix HEAD", "ref-prefix refs/heads/"})
	requests := func() {
		for range 5 {
			if resp, b := e.do(http.MethodGet, "/group/proj.git/info/refs?service=git-upload-pack", "", nil); resp.StatusCode != 200 || !bytes.Contains(b, []byte(" refs/tags/v1^{}\n")) {
				t.Fatalf("v0: %d %q", resp.StatusCode, b)
			}
			if resp, b := e.do(http.MethodGet, "/group/proj.git/info/refs?service=git-upload-pack", "version=2", nil); resp.StatusCode != 200 || !bytes.HasPrefix(b, []byte("000eversion 2\n")) {
				t.Fatalf("v2: %d %q", resp.StatusCode, b)
			}
			if resp, b := e.do(http.MethodPost, "/group/proj.git/git-upload-pack", "version=2", lsRefs); resp.StatusCode != 200 || !bytes.Contains(b, []byte(" HEAD symref-target:refs/heads/main\n")) {
				t.Fatalf("ls-refs: %d %q", resp.StatusCode, b)
			}
		}
	}
	requests() // warm: capabilities learnt, cat-file started
	before := uploadPacks()
	requests()
	out := e.mustGit("", "ls-remote", e.url("read", "group/proj.git"))
	if n := uploadPacks() - before; n != 0 {
		t.Fatalf("%d upload-pack processes for warm advertisements", n)
	}
	if !strings.Contains(out, "\tHEAD\n") || !strings.Contains(out, "\trefs/tags/v1^{}\n") {
		t.Fatalf("ls-remote:\n%s", out)
	}

	// A push moves the refs: the next answers show it (v1 is git's).
	e.mustGit(w, "push", "-q", "origin", "main:pushed")
	for _, proto := range []string{"0", "1", "2"} {
		out := e.mustGit("", "-c", "protocol.version="+proto, "ls-remote", e.url("read", "group/proj.git"))
		if !strings.Contains(out, "\trefs/heads/pushed\n") {
			t.Fatalf("v%s ls-remote after push:\n%s", proto, out)
		}
	}
	// A clone, a fetch and a shallow clone still run git for the pack only.
	before = uploadPacks()
	dir := filepath.Join(t.TempDir(), "c")
	e.mustGit("", "clone", "-q", e.url("read", "group/proj.git"), dir)
	e.commitFile(w, "g", "2")
	e.mustGit(w, "push", "-q", "origin", "main")
	e.mustGit(dir, "fetch", "-q", "origin")
	e.mustGit("", "clone", "-q", "--depth", "1", e.url("read", "group/proj.git"), filepath.Join(t.TempDir(), "s"))
	if n := uploadPacks() - before; n != 3 {
		t.Fatalf("%d upload-pack processes for clone, fetch and shallow clone, want 3", n)
	}
}

func TestProtocolVersion(t *testing.T) {
	for h, want := range map[string]int{
		"": 0, "version=2": 2, "version=1": 1, "version=0": 0, "version=20": 0,
		"version=1:version=2": 2, "version=2:version=1": 2, "object-format=sha1:version=2": 2,
		"version=2 ": 0, // fails the header filter: git sees no GIT_PROTOCOL
	} {
		r, _ := http.NewRequest(http.MethodGet, "/", nil)
		if h != "" {
			r.Header.Set("Git-Protocol", h)
		}
		if got := protocolVersion(r); got != want {
			t.Errorf("%q: %d, want %d", h, got, want)
		}
	}
}
