package repo

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// AdvertisedRef is one ref as git upload-pack advertises it.
type AdvertisedRef struct {
	Name string // full name: "refs/heads/main", or "HEAD"
	// OID is the object the ref resolves to; "" only for HEAD when it is a
	// symbolic ref to a branch that does not exist (unborn) or unreadable.
	OID string
	// Peeled is, when OID is an annotated tag, the first object down its
	// chain of tags that is not a tag ("^{}" in v0, "peeled:" in ls-refs).
	Peeled string
	// Target is the final target of a symbolic ref ("refs/heads/main"),
	// after following chains of symbolic refs.
	Target string
}

// AdvertisedRefs is a snapshot of what upload-pack advertises: HEAD and
// the refs below refs/.
type AdvertisedRefs struct {
	// Head is HEAD. OID "" and Target "" means HEAD does not resolve (git
	// sends no HEAD at all); OID "" with a Target is an unborn branch.
	Head AdvertisedRef
	// Refs are in git's order (byte order of the full name). Symbolic refs
	// that do not resolve are always left out. Refs with unreadable
	// contents (null OID) and refs to missing objects are listed only with
	// includeBroken, as git's ref iteration lists them only with
	// GIT_REF_PARANOIA (on by default since git 2.36).
	Refs []AdvertisedRef
}

// ErrAdvertiseUnsupported means the repository holds something this
// reader does not reproduce exactly (a shallow repository, symlinked or
// null refs, refs with invalid names, an unusual symbolic ref target, a
// malformed packed-refs): the caller must ask git.
var ErrAdvertiseUnsupported = errors.New("advertisement needs git")

// AdvertisedRefs reads HEAD and all refs from the files backend (loose
// refs first, then packed-refs, which is safe against a concurrent
// pack-refs) and asks the pooled cat-file which objects exist and what the
// annotated tags peel to. It reproduces the refs git 2.39's upload-pack and
// ls-refs iterate over (includeBroken: whether the git in use iterates
// over broken refs); anything it cannot reproduce exactly is
// ErrAdvertiseUnsupported. Take RefsVersion before calling it when caching.
func (r *Repo) AdvertisedRefs(ctx context.Context, includeBroken bool) (*AdvertisedRefs, error) {
	if !r.Exists() {
		return nil, fmt.Errorf("advertised refs: repository: %w", ErrNotFound)
	}
	// upload-pack would also advertise shallow grafts.
	if _, err := os.Lstat(filepath.Join(r.path, "shallow")); err == nil {
		return nil, fmt.Errorf("%w: shallow repository", ErrAdvertiseUnsupported)
	}
	headRaw, err := readLooseRaw(filepath.Join(r.path, "HEAD"))
	if err == nil && headRaw.broken {
		err = errors.New("unreadable") // git does not take it for a repository
	}
	if err != nil {
		return nil, fmt.Errorf("%w: HEAD: %v", ErrAdvertiseUnsupported, err)
	}
	loose, err := r.readLooseRefs()
	if err != nil {
		return nil, err
	}
	packed, err := r.readPackedRefs()
	if err != nil {
		return nil, err
	}
	lookup := func(name string) (looseRef, bool) {
		if l, ok := loose[name]; ok {
			return l, true
		}
		if oid, ok := packed[name]; ok {
			return looseRef{oid: oid}, true
		}
		return looseRef{}, false
	}

	out := &AdvertisedRefs{Head: AdvertisedRef{Name: "HEAD"}}
	switch oid, target, st, err := resolveRaw(headRaw, lookup); {
	case err != nil:
		return nil, fmt.Errorf("HEAD: %w", err)
	case st == resolved:
		out.Head.OID, out.Head.Target = oid, target
	case st == dangling:
		out.Head.Target = target // unborn
	}

	names := make([]string, 0, len(loose)+len(packed))
	for name := range loose {
		names = append(names, name)
	}
	for name := range packed {
		if _, ok := loose[name]; !ok {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	refs := make([]AdvertisedRef, 0, len(names))
	for _, name := range names {
		raw, _ := lookup(name) // a loose ref, even broken, hides a packed one
		oid, target, st, err := resolveRaw(raw, lookup)
		switch {
		case err != nil:
			return nil, fmt.Errorf("%s: %w", name, err)
		case raw.broken && includeBroken:
			refs = append(refs, AdvertisedRef{Name: name, OID: zeroID})
		case st == resolved:
			refs = append(refs, AdvertisedRef{Name: name, OID: oid, Target: target})
		}
		// Symbolic refs that do not resolve are left out either way.
	}

	// Which objects exist (git skips refs to missing objects) and which
	// are tags (peeled); HEAD is peeled but not checked for existence.
	var oids []string
	seen := map[string]bool{}
	for _, oid := range append([]string{out.Head.OID}, refOIDs(refs)...) {
		if oid != "" && oid != zeroID && !seen[oid] {
			seen[oid] = true
			oids = append(oids, oid)
		}
	}
	types := map[string]string{}
	peeled := map[string]string{}
	if len(oids) > 0 {
		err := r.withCatFile(ctx, func(c *catFile) error {
			hs, err := c.infoMany(ctx, oids)
			if err != nil {
				return err
			}
			for i, h := range hs {
				types[oids[i]] = h.Type
				if h.Type == "tag" {
					p, err := peelTag(ctx, c, oids[i])
					if err != nil {
						return err
					}
					peeled[oids[i]] = p
				}
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("advertised refs: %w", err)
		}
	}
	out.Refs = refs[:0]
	for _, ref := range refs {
		if types[ref.OID] == "" && !includeBroken {
			continue // missing object
		}
		ref.Peeled = peeled[ref.OID]
		out.Refs = append(out.Refs, ref)
	}
	if out.Head.OID != "" {
		out.Head.Peeled = peeled[out.Head.OID]
	}
	return out, nil
}

func refOIDs(refs []AdvertisedRef) []string {
	out := make([]string, len(refs))
	for i, ref := range refs {
		out[i] = ref.OID
	}
	return out
}

// looseRef is the raw content of one ref: an object id or a symbolic
// target. broken marks unparseable content, which git keeps as a broken
// entry that hides a packed ref of the same name.
type looseRef struct {
	oid, target string
	broken      bool
}

// readLooseRaw parses one loose ref file as git's files backend does:
// "ref:" + optional blanks + target, or a hex id followed by the end or a
// blank. Upper-case hex is accepted and printed in lower case, as git does.
func readLooseRaw(path string) (looseRef, error) {
	fi, err := os.Lstat(path)
	if err != nil {
		return looseRef{}, err
	}
	if !fi.Mode().IsRegular() {
		// A symlink is a legacy symbolic ref; a directory is no ref.
		return looseRef{}, fmt.Errorf("%w: %s is not a regular file", ErrAdvertiseUnsupported, path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return looseRef{}, err
	}
	return parseLooseRef(b)
}

func parseLooseRef(b []byte) (looseRef, error) {
	s := strings.TrimRight(string(b), " \t\n\r\v\f")
	if t, ok := strings.CutPrefix(s, "ref:"); ok {
		t = strings.TrimLeft(t, " \t\n\r\v\f")
		// Targets outside refs/ (or with odd names) resolve by rules this
		// reader does not copy.
		if !strings.HasPrefix(t, "refs/") || checkRefFormat(t) != nil {
			return looseRef{}, fmt.Errorf("%w: symbolic ref to %q", ErrAdvertiseUnsupported, t)
		}
		return looseRef{target: t}, nil
	}
	if len(s) < 40 || !isHexAnyCase(s[:40]) || len(s) > 40 && !isSpace(s[40]) {
		return looseRef{broken: true}, nil
	}
	oid := strings.ToLower(s[:40])
	if oid == zeroID {
		// git treats a null ref in refs/ as broken but would send it for
		// HEAD; not worth reproducing.
		return looseRef{}, fmt.Errorf("%w: null ref", ErrAdvertiseUnsupported)
	}
	return looseRef{oid: oid}, nil
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

func isHexAnyCase(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// Outcomes of resolving a ref.
const (
	resolved = iota
	dangling // a symbolic ref to a ref that does not exist
	broken   // unreadable, or a symbolic ref to an unreadable ref
)

// resolveRaw follows symbolic refs as git's resolve_ref_unsafe does (at
// most five reads); target is the last symbolic target, "" for a direct
// ref.
func resolveRaw(raw looseRef, lookup func(string) (looseRef, bool)) (oid, target string, st int, err error) {
	for depth := 0; depth < 5; depth++ {
		if raw.broken {
			return "", "", broken, nil
		}
		if raw.target == "" {
			return raw.oid, target, resolved, nil
		}
		target = raw.target
		next, found := lookup(target)
		if !found {
			return "", target, dangling, nil
		}
		raw = next
	}
	return "", "", broken, fmt.Errorf("%w: symbolic ref loop", ErrAdvertiseUnsupported)
}

// readLooseRefs walks refs/ as git's loose ref cache does: names starting
// with "." and ending in ".lock" are skipped, anything else is a ref.
func (r *Repo) readLooseRefs() (map[string]looseRef, error) {
	out := map[string]looseRef{}
	root := filepath.Join(r.path, "refs")
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil // removed while walking (or packed meanwhile)
			}
			return err
		}
		if p == root {
			return nil
		}
		base := d.Name()
		if strings.HasPrefix(base, ".") || strings.HasSuffix(base, ".lock") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		rel, err := filepath.Rel(r.path, p)
		if err != nil {
			return err
		}
		name := filepath.ToSlash(rel)
		if checkRefFormat(name) != nil {
			// git lists it with a null id, or dies if the name is unsafe.
			return fmt.Errorf("%w: ref name %q", ErrAdvertiseUnsupported, name)
		}
		raw, err := readLooseRaw(p)
		switch {
		case errors.Is(err, fs.ErrNotExist) || err != nil && isDirErr(err):
			return nil // deleted or packed meanwhile; packed-refs is read next
		case err != nil:
			return err
		}
		out[name] = raw
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read loose refs: %w", err)
	}
	return out, nil
}

// readPackedRefs reads packed-refs into name → object id. Bad names and a
// malformed file (which git lists as broken or dies on) are
// ErrAdvertiseUnsupported. The file's peeled lines
// are not used: tags are peeled from the objects, which gives the same
// answer for any packed-refs git wrote.
func (r *Repo) readPackedRefs() (map[string]string, error) {
	out := map[string]string{}
	b, err := os.ReadFile(filepath.Join(r.path, "packed-refs"))
	if errors.Is(err, fs.ErrNotExist) {
		return out, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read packed-refs: %w", err)
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	first := true
	for sc.Scan() {
		line := sc.Text()
		isFirst := first
		first = false
		switch {
		case isFirst && strings.HasPrefix(line, "# pack-refs with:"):
			continue
		case strings.HasPrefix(line, "^") && len(line) == 41 && isHexAnyCase(line[1:]):
			continue
		}
		if len(line) < 42 || !isHexAnyCase(line[:40]) || line[40] != ' ' {
			return nil, fmt.Errorf("%w: packed-refs line %q", ErrAdvertiseUnsupported, line)
		}
		name := line[41:]
		if checkRefFormat(name) != nil {
			return nil, fmt.Errorf("%w: packed ref name %q", ErrAdvertiseUnsupported, name)
		}
		oid := strings.ToLower(line[:40])
		if oid == zeroID {
			return nil, fmt.Errorf("%w: null packed ref", ErrAdvertiseUnsupported)
		}
		out[name] = oid
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read packed-refs: %w", err)
	}
	return out, nil
}

// infoMany asks "info" for every id, writing the commands from another
// goroutine while answers are read, so a long list costs one pass through
// the pipe rather than a round trip per id. A missing object has Type "".
func (c *catFile) infoMany(ctx context.Context, oids []string) ([]objHeader, error) {
	stop := context.AfterFunc(ctx, func() { c.cancel() })
	defer func() {
		if !stop() {
			c.broken = true
		}
	}()
	werr := make(chan error, 1)
	go func() {
		bw := bufio.NewWriterSize(c.stdin, 32<<10)
		for _, oid := range oids {
			_, _ = bw.WriteString("info " + oid + "\n")
		}
		werr <- bw.Flush()
	}()
	out := make([]objHeader, len(oids))
	var rerr error
	for i := range oids {
		line, err := c.out.ReadString('\n')
		if err != nil {
			rerr = err
			break
		}
		line = strings.TrimSuffix(line, "\n")
		if strings.HasSuffix(line, " missing") {
			continue
		}
		f := strings.Fields(line)
		if len(f) != 3 || f[0] != oids[i] {
			rerr = fmt.Errorf("unexpected answer %q to info %s", line, oids[i])
			break
		}
		size, err := strconv.ParseInt(f[2], 10, 64)
		if err != nil {
			rerr = fmt.Errorf("bad size in %q", line)
			break
		}
		out[i] = objHeader{OID: f[0], Type: f[1], Size: size}
	}
	if rerr != nil {
		c.broken = true
		c.cancel() // unblocks the writer
	}
	if err := <-werr; err != nil && rerr == nil {
		c.broken = true
		rerr = err
	}
	if rerr != nil {
		if ctx.Err() != nil {
			rerr = ctx.Err()
		}
		return nil, fmt.Errorf("cat-file info: %w (%s)", rerr, strings.TrimSpace(c.stderr.String()))
	}
	return out, nil
}

// peelTag follows a chain of tags as git's peel_object does: the result is
// the id the last tag names (git does not check that it exists); "" if a
// tag in the chain is missing or unparseable.
func peelTag(ctx context.Context, c *catFile, oid string) (string, error) {
	for range 64 {
		h, data, err := c.do(ctx, "contents", oid)
		if errors.Is(err, errMissing) {
			return "", nil
		}
		if err != nil {
			return "", err
		}
		if h.Type != "tag" {
			return "", fmt.Errorf("%w: %s is a %s inside a tag chain", ErrAdvertiseUnsupported, oid, h.Type)
		}
		obj, typ, ok := tagTarget(data)
		if !ok {
			return "", fmt.Errorf("%w: malformed tag %s", ErrAdvertiseUnsupported, oid)
		}
		if typ != "tag" {
			return obj, nil
		}
		oid = obj
	}
	return "", fmt.Errorf("%w: tag chain too long", ErrAdvertiseUnsupported)
}

// tagTarget reads the "object" and "type" header lines of a tag.
func tagTarget(data []byte) (obj, typ string, ok bool) {
	s := string(data)
	line, rest, _ := strings.Cut(s, "\n")
	obj, ok = strings.CutPrefix(line, "object ")
	if !ok || len(obj) != 40 || !isHexID(obj, 40) {
		return "", "", false
	}
	line, _, _ = strings.Cut(rest, "\n")
	typ, ok = strings.CutPrefix(line, "type ")
	if !ok {
		return "", "", false
	}
	switch typ {
	case "commit", "tree", "blob", "tag":
		return obj, typ, true
	}
	return "", "", false
}
