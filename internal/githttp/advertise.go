package githttp

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/lablet/lablet/internal/cache"

	"github.com/lablet/lablet/internal/repo"
)

// Ref advertisements are answered here, without git, byte for byte as git
// upload-pack answers them (git 2.39): the v0 advertisement of
// "info/refs", the v2 capability advertisement and the v2 ls-refs
// command. What depends on the git binary and the repository's config
// (capabilities, agent) is learnt from git (caps.go); the refs come from
// repo.AdvertisedRefs and are cached per repository under its
// RefsVersion. Whatever is not reproduced exactly (hidden refs, shallow
// repositories, protocol v1, odd requests) still goes to git.

// Cache bounds: repositories and bytes of refs and rendered answers.
const (
	maxCachedRepos = 4096
	maxCachedBytes = 64 << 20
)

// maxPktPayload is the largest pkt-line payload git writes; past it git
// dies, so such an answer is left to git.
const maxPktPayload = 65520 - 4

var zeroOID = strings.Repeat("0", 40)

// snapshot is a repository's refs at one RefsVersion, with the v0
// advertisement rendered for caps. unsupported marks a repository whose
// advertisement must come from git at this version.
type snapshot struct {
	version     uint64
	caps        *gitCaps
	refs        *repo.AdvertisedRefs
	v0          []byte
	unsupported error
}

func (s *snapshot) cost() int {
	n := 256 + len(s.v0)
	if s.refs != nil {
		for _, r := range s.refs.Refs {
			n += 64 + len(r.Name) + len(r.OID) + len(r.Peeled) + len(r.Target)
		}
	}
	return n
}

// advertiser holds the capability and ref caches of a Handler.
type advertiser struct {
	caps  capsCache
	cache *cache.Cache[string, *snapshot] // repository directory → snapshot

	mu     sync.Mutex
	flight map[flightKey]*flight // loads in progress
}

type flightKey struct {
	dir     string
	version uint64
}

type flight struct {
	done chan struct{}
	s    *snapshot
	err  error
}

func newAdvertiser(off bool) *advertiser {
	a := &advertiser{cache: cache.New[string, *snapshot](cache.Options{MaxEntries: maxCachedRepos, MaxCost: maxCachedBytes, ItemCost: maxCachedBytes / 8, Off: off}),
		flight: map[flightKey]*flight{}}
	a.caps.m = map[string]*capsSlot{}
	a.caps.byDir = cache.New[string, dirCaps](cache.Options{MaxEntries: maxCachedRepos, MaxCost: 8 * maxCachedRepos, Off: off})
	return a
}

// snapshot returns the refs of t's repository for caps: from the cache if
// nothing changed since they were read, else read once however many
// requests ask at the same time. The version is taken before the refs are
// read, so an answer is never stored under a version newer than its refs.
func (a *advertiser) snapshot(ctx context.Context, t *Target, caps *gitCaps) (*snapshot, error) {
	dir := t.Repo.Path()
	ver := t.Repo.RefsVersion()
	if s, ok := a.cache.Get(dir); ok && s.version == ver && s.caps == caps {
		return s, s.unsupported
	}
	key := flightKey{dir, ver}
	a.mu.Lock()
	f, waiting := a.flight[key]
	if !waiting {
		f = &flight{done: make(chan struct{})}
		a.flight[key] = f
	}
	a.mu.Unlock()
	if waiting {
		select {
		case <-f.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if f.err != nil {
			return nil, f.err
		}
		if f.s.caps == caps {
			return f.s, f.s.unsupported
		}
		// The config changed while it loaded: load for these caps alone.
		s, err := a.load(ctx, t.Repo, ver, caps)
		if err != nil {
			return nil, err
		}
		return s, s.unsupported
	}
	f.s, f.err = a.load(ctx, t.Repo, ver, caps)
	a.mu.Lock()
	delete(a.flight, key)
	a.mu.Unlock()
	close(f.done)
	if f.err != nil {
		return nil, f.err
	}
	return f.s, f.s.unsupported
}

// load reads a snapshot, detached from the request (others may be waiting
// for it), and caches it unless the one cached is of the current version
// already. Versions are not ordered (with shared repositories they carry
// a random stamp), only compared.
func (a *advertiser) load(ctx context.Context, r *repo.Repo, ver uint64, caps *gitCaps) (*snapshot, error) {
	lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	s, err := load(lctx, r, ver, caps)
	if err != nil {
		return nil, err
	}
	if old, ok := a.cache.Get(r.Path()); !ok || old.version != r.RefsVersion() {
		a.cache.PutCost(r.Path(), s, s.cost())
	}
	return s, nil
}

// load reads the refs and renders the v0 advertisement. Anything git
// would answer differently is an unsupported snapshot (cached, so git is
// asked directly until the refs change); other failures are errors.
func load(ctx context.Context, r *repo.Repo, ver uint64, caps *gitCaps) (*snapshot, error) {
	s := &snapshot{version: ver, caps: caps}
	refs, err := r.AdvertisedRefs(ctx, caps.includeBroken)
	if errors.Is(err, repo.ErrAdvertiseUnsupported) {
		s.unsupported = err
		return s, nil
	}
	if err != nil {
		return nil, err
	}
	s.refs = refs
	if s.v0, err = renderV0(refs, caps); err != nil {
		s.refs, s.v0, s.unsupported = nil, nil, err
	}
	return s, nil
}

// renderV0 writes what "git upload-pack --advertise-refs" writes in
// protocol v0: HEAD if it resolves, then every ref in order, the first
// line carrying the capabilities, each annotated tag followed by its
// peeled "^{}" line, "capabilities^{}" when there is no ref at all (if
// this git sends it) and a flush.
func renderV0(refs *repo.AdvertisedRefs, caps *gitCaps) ([]byte, error) {
	list := caps.v0("")
	if refs.Head.OID != "" {
		list = caps.v0(refs.Head.Target)
	}
	b := make([]byte, 0, 4096)
	first := true
	var tooLong error
	add := func(oid, name, peeled string) {
		n := len(oid) + 1 + len(name) + 1
		if first {
			n += 1 + len(list)
			b = appendPkt(b, oid, " ", name, "\x00", list, "\n")
			first = false
		} else {
			b = appendPkt(b, oid, " ", name, "\n")
		}
		if peeled != "" {
			b = appendPkt(b, peeled, " ", name, "^{}\n")
		}
		if n+3 > maxPktPayload {
			tooLong = fmt.Errorf("%w: advertisement line for %q too long", repo.ErrAdvertiseUnsupported, name)
		}
	}
	if refs.Head.OID != "" {
		add(refs.Head.OID, "HEAD", refs.Head.Peeled)
	}
	for _, r := range refs.Refs {
		add(r.OID, r.Name, r.Peeled)
	}
	if first && caps.emptyCaps {
		add(zeroOID, "capabilities^{}", "")
	}
	return append(b, "0000"...), tooLong
}

// protocolVersion is the protocol version git would negotiate from the
// GIT_PROTOCOL this handler passes it (see gitEnv): the highest
// "version=N" item, 0 for anything else.
func protocolVersion(r *http.Request) int {
	v := r.Header.Get("Git-Protocol")
	if v == "" || !gitProtocolRe.MatchString(v) {
		return 0
	}
	best := 0
	for _, item := range strings.Split(v, ":") {
		switch item {
		case "version=1":
			best = max(best, 1)
		case "version=2":
			best = 2
		}
	}
	return best
}

// advertiseRefs answers GET info/refs for upload-pack in Go; false means
// git must answer (nothing was written then).
func (h *Handler) advertiseRefs(w http.ResponseWriter, r *http.Request, t *Target, preamble []byte) bool {
	if t.Repo == nil || t.Repo.Path() != t.Dir {
		return false
	}
	ctx := r.Context()
	var body []byte
	switch protocolVersion(r) {
	case 0:
		caps, err := h.adv.caps.get(ctx, t.Repo.Path())
		if err != nil {
			h.log.DebugContext(ctx, "githttp: advertisement by git", "dir", t.Dir, "err", err)
			return false
		}
		s, err := h.adv.snapshot(ctx, t, caps)
		if err != nil {
			if !errors.Is(err, repo.ErrAdvertiseUnsupported) && ctx.Err() == nil {
				h.log.WarnContext(ctx, "githttp: read refs", "dir", t.Dir, "err", err)
			}
			return false
		}
		body = s.v0
	case 2:
		caps, err := h.adv.caps.get(ctx, t.Repo.Path())
		if err != nil {
			h.log.DebugContext(ctx, "githttp: advertisement by git", "dir", t.Dir, "err", err)
			return false
		}
		body = caps.v2
	default:
		return false // v1: "version 1" first; rare enough for git
	}
	writeAnswer(w, "application/x-git-upload-pack-advertisement", preamble, body)
	return true
}

// writeAnswer sends a complete answer with its length.
func writeAnswer(w http.ResponseWriter, contentType string, preamble, body []byte) {
	noCache(w, contentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(preamble)+len(body)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(preamble)
	_, _ = w.Write(body)
}
