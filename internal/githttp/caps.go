package githttp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/lablet/lablet/internal/cache"

	"github.com/lablet/lablet/internal/repo"
)

// gitCaps is what upload-pack's answers take from the git binary and from
// a repository's config rather than from its refs: the v0 capability list
// (split where "symref=HEAD:<branch>" goes) and the whole v2 capability
// advertisement. It is learnt from git itself, once per distinct config,
// by asking upload-pack about a scratch repository with that config.
type gitCaps struct {
	v0Before, v0After string // v0 capabilities before and after " symref=…"
	v2                []byte // v2 capability advertisement, flush included
	v2Names           map[string]bool
	unborn            bool // ls-refs=unborn advertised, hence allowed
	// emptyCaps: with no ref at all, v0 still sends the capabilities on a
	// "capabilities^{}" line (newer git) rather than only a flush (2.39).
	emptyCaps bool
	// includeBroken: refs with unreadable contents and refs to missing
	// objects are listed (GIT_REF_PARANOIA, git's default since 2.36).
	includeBroken bool
}

// v0 returns the capability list for a repository whose HEAD is a
// symbolic ref to target ("" when detached or unborn).
func (c *gitCaps) v0(target string) string {
	if target == "" {
		return c.v0Before + c.v0After
	}
	return c.v0Before + " symref=HEAD:" + target + c.v0After
}

// templateBranch is the branch HEAD names in the scratch repository; it
// marks where git puts the symref capability.
const templateBranch = "refs/heads/lablet-capabilities-template"

// templateBroken is a ref with unreadable contents in the scratch
// repository: does this git list broken refs?
const templateBroken = "refs/heads/lablet-broken"

// maxConfigs bounds how many distinct configs have their capabilities
// kept (lablet writes the same config into every repository).
const maxConfigs = 64

// capsCache maps a repository config's bytes to its capabilities, and
// remembers per repository which config it had (by the config file's
// identity, so a warm request costs one stat rather than reading it).
type capsCache struct {
	mu    sync.Mutex
	m     map[string]*capsSlot
	byDir *cache.Cache[string, dirCaps]
}

// dirCaps is a repository's config file identity and its capabilities.
type dirCaps struct {
	stamp configStamp
	caps  *gitCaps
}

// configStamp identifies a version of a config file: git rewrites it
// through a lock file and rename (new inode), an append changes the size
// and modification time.
type configStamp struct {
	size, mtime int64
	ino, dev    uint64
}

func stampOf(fi os.FileInfo) configStamp {
	s := configStamp{size: fi.Size(), mtime: fi.ModTime().UnixNano()}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		s.ino, s.dev = uint64(st.Ino), uint64(st.Dev)
	}
	return s
}

type capsSlot struct {
	once sync.Once
	caps *gitCaps
	err  error
}

// get returns the capabilities for repository dir, or an error when the
// answers must come from git (config git would treat in ways not
// reproduced here, or deriving failed).
func (cc *capsCache) get(ctx context.Context, dir string) (*gitCaps, error) {
	path := filepath.Join(dir, "config")
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	stamp := stampOf(fi)
	if dc, ok := cc.byDir.Get(dir); ok && dc.stamp == stamp {
		return dc.caps, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	defer f.Close()
	// The stamp of what is read (the file may be replaced meanwhile).
	if fi, err = f.Stat(); err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	stamp = stampOf(fi)
	cfg, err := io.ReadAll(f)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	caps, err := cc.forConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if fi, err := f.Stat(); err == nil && stampOf(fi) == stamp {
		cc.byDir.Put(dir, dirCaps{stamp: stamp, caps: caps})
	}
	return caps, nil
}

// forConfig returns the capabilities for a config's contents.
func (cc *capsCache) forConfig(ctx context.Context, cfg []byte) (*gitCaps, error) {
	if err := checkConfig(cfg); err != nil {
		return nil, err
	}
	cc.mu.Lock()
	slot, ok := cc.m[string(cfg)]
	if !ok {
		if len(cc.m) >= maxConfigs {
			cc.mu.Unlock()
			return nil, errors.New("too many distinct repository configs")
		}
		slot = &capsSlot{}
		cc.m[string(cfg)] = slot
	}
	cc.mu.Unlock()
	slot.once.Do(func() {
		// Detached from the request: other requests wait on this answer.
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		slot.caps, slot.err = deriveCaps(dctx, cfg)
	})
	return slot.caps, slot.err
}

// checkConfig refuses configs whose effect on upload-pack is not copied:
// hidden refs change which refs are listed, includes may read other files,
// extensions may change the object format or ref storage.
func checkConfig(cfg []byte) error {
	lower := bytes.ToLower(cfg)
	for _, w := range []string{"hiderefs", "include", "extensions"} {
		if bytes.Contains(lower, []byte(w)) {
			return fmt.Errorf("config mentions %s", w)
		}
	}
	return nil
}

// deriveCaps builds a scratch bare repository with config cfg, asks git
// upload-pack for its v0 advertisement while it is empty, then with HEAD on
// templateBranch holding one blob (and templateBroken) in v0 and v2, and
// parses the answers.
func deriveCaps(ctx context.Context, cfg []byte) (*gitCaps, error) {
	dir, err := os.MkdirTemp("", "lablet-caps-")
	if err != nil {
		return nil, fmt.Errorf("derive capabilities: %w", err)
	}
	defer os.RemoveAll(dir)
	git := func(stdin io.Reader, env []string, args ...string) ([]byte, error) {
		cmd := repo.Command(ctx, dir, env, args...)
		cmd.Stdin = stdin
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			return nil, fmt.Errorf("derive capabilities: git %s: %w: %s", args[0], err, strings.TrimSpace(stderr.String()))
		}
		return stdout.Bytes(), nil
	}
	if _, err := git(nil, nil, "init", "--bare", "--quiet", "--template=", "."); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "config"), cfg, 0o644); err != nil {
		return nil, fmt.Errorf("derive capabilities: %w", err)
	}
	args := []string{"upload-pack", "--stateless-rpc", "--advertise-refs", "."}
	empty, err := git(nil, nil, args...)
	if err != nil {
		return nil, err
	}
	out, err := git(strings.NewReader(""), nil, "hash-object", "-w", "--stdin")
	if err != nil {
		return nil, err
	}
	oid := strings.TrimSpace(string(out))
	if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(templateBranch)), []byte(oid+"\n"), 0o644); err != nil {
		return nil, fmt.Errorf("derive capabilities: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(templateBroken)), []byte("broken\n"), 0o644); err != nil {
		return nil, fmt.Errorf("derive capabilities: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "HEAD"), []byte("ref: "+templateBranch+"\n"), 0o644); err != nil {
		return nil, fmt.Errorf("derive capabilities: %w", err)
	}
	v0, err := git(nil, nil, args...)
	if err != nil {
		return nil, err
	}
	v2, err := git(nil, []string{"GIT_PROTOCOL=version=2"}, args...)
	if err != nil {
		return nil, err
	}
	caps, err := parseTemplate(empty, v0, v2, oid)
	if err != nil {
		return nil, fmt.Errorf("derive capabilities: %w", err)
	}
	return caps, nil
}

// parseTemplate checks that git's answers for the scratch repository
// (empty, then with HEAD on one branch) have the expected shape and cuts
// the capabilities out of them.
func parseTemplate(empty, v0, v2 []byte, oid string) (*gitCaps, error) {
	lines, err := splitPkts(v0)
	if err != nil {
		return nil, fmt.Errorf("v0 advertisement: %w", err)
	}
	want1 := oid + " HEAD\x00"
	wantBroken := zeroOID + " " + templateBroken + "\n"
	want2 := oid + " " + templateBranch + "\n"
	includeBroken := len(lines) == 4 && lines[1] == wantBroken
	if includeBroken {
		lines = append(lines[:1], lines[2:]...)
	}
	if len(lines) != 3 || !strings.HasPrefix(lines[0], want1) || !strings.HasSuffix(lines[0], "\n") ||
		lines[1] != want2 || lines[2] != "" {
		return nil, fmt.Errorf("unexpected v0 advertisement %q", v0)
	}
	list := strings.TrimSuffix(strings.TrimPrefix(lines[0], want1), "\n")
	sym := " symref=HEAD:" + templateBranch
	before, after, ok := strings.Cut(list, sym)
	if !ok || strings.Contains(after, sym) || (after != "" && after[0] != ' ') {
		return nil, fmt.Errorf("no symref in v0 capabilities %q", list)
	}
	if !hasWord(list, "object-format=sha1") || hasPrefixWord(list, "session-id") {
		return nil, fmt.Errorf("unsupported v0 capabilities %q", list)
	}
	c := &gitCaps{v0Before: before, v0After: after, v2: v2, v2Names: map[string]bool{}, includeBroken: includeBroken}
	switch string(empty) {
	case "0000":
	case string(appendPkt(nil, zeroOID, " capabilities^{}\x00", before+after, "\n")) + "0000":
		c.emptyCaps = true
	default:
		return nil, fmt.Errorf("unexpected v0 advertisement of an empty repository %q", empty)
	}

	lines, err = splitPkts(v2)
	if err != nil {
		return nil, fmt.Errorf("v2 advertisement: %w", err)
	}
	if len(lines) < 2 || lines[0] != "version 2\n" || lines[len(lines)-1] != "" {
		return nil, fmt.Errorf("unexpected v2 advertisement %q", v2)
	}
	for _, l := range lines[1 : len(lines)-1] {
		l = strings.TrimSuffix(l, "\n")
		name, value, _ := strings.Cut(l, "=")
		c.v2Names[name] = true
		switch name {
		case "ls-refs":
			c.unborn = hasWord(value, "unborn")
		case "object-format":
			if value != "sha1" {
				return nil, fmt.Errorf("object-format %q", value)
			}
		case "session-id":
			return nil, errors.New("session-id is advertised")
		}
	}
	if !c.v2Names["ls-refs"] || !c.v2Names["object-format"] {
		return nil, fmt.Errorf("unexpected v2 capabilities %q", v2)
	}
	return c, nil
}

func hasWord(list, w string) bool {
	for _, f := range strings.Fields(list) {
		if f == w {
			return true
		}
	}
	return false
}

func hasPrefixWord(list, p string) bool {
	for _, f := range strings.Fields(list) {
		if strings.HasPrefix(f, p) {
			return true
		}
	}
	return false
}

// splitPkts splits a pkt-line stream into payloads; a flush is "".
func splitPkts(b []byte) ([]string, error) {
	var out []string
	r := bytes.NewReader(b)
	for r.Len() > 0 {
		p, err := readPacket(r)
		if err != nil {
			return nil, err
		}
		switch p.kind {
		case pktFlush:
			out = append(out, "")
		case pktData:
			out = append(out, string(p.payload))
		default:
			return nil, fmt.Errorf("unexpected special packet %q", p.raw)
		}
	}
	return out, nil
}
