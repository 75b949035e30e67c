package repo

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// readRef returns the object id a full ref name points at, or "" if the ref
// does not exist. It reads the files backend directly (loose ref, then
// packed-refs) instead of asking git, because git's revision parser DWIMs:
// asking for a missing "refs/heads/x" would silently fall back to
// "refs/tags/refs/heads/x" and friends, letting a pushed ref spoof another.
// The order is safe against a concurrent pack-refs, which writes
// packed-refs before unlinking loose refs. Symbolic refs are followed.
func (r *Repo) readRef(name string) (string, error) {
	for depth := 0; depth < 5; depth++ {
		if name != "HEAD" {
			if err := checkRefFormat(name); err != nil {
				return "", err
			}
		}
		b, err := os.ReadFile(filepath.Join(r.path, filepath.FromSlash(name)))
		switch {
		case err == nil:
			v := strings.TrimSpace(string(b))
			if target, ok := strings.CutPrefix(v, "ref: "); ok {
				name = target
				continue
			}
			if !isHexID(v, 40) {
				return "", fmt.Errorf("read ref %s: malformed value", name)
			}
			return v, nil
		case errors.Is(err, fs.ErrNotExist), isDirErr(err):
			return r.readPackedRef(name)
		default:
			return "", fmt.Errorf("read ref %s: %w", name, err)
		}
	}
	return "", fmt.Errorf("read ref %s: symbolic ref loop", name)
}

// isDirErr: "refs/heads/a" is a directory when only "a/b" exists, and
// "refs/heads/a/b" has a file as parent when only "a" exists (ENOTDIR). A
// name too long for the file system cannot be a loose ref either; all three
// fall back to packed-refs instead of failing the request.
func isDirErr(err error) bool {
	return errors.Is(err, syscall.EISDIR) || errors.Is(err, syscall.ENOTDIR) || errors.Is(err, syscall.ENAMETOOLONG)
}

func (r *Repo) readPackedRef(name string) (string, error) {
	oid := ""
	err := r.eachPackedRef(func(o, ref string) bool {
		if ref == name {
			oid = o
			return false
		}
		return true
	})
	if errors.Is(err, fs.ErrNotExist) {
		if !r.Exists() {
			return "", fmt.Errorf("repository %s: %w", r.path, ErrNotFound)
		}
		return "", nil
	}
	return oid, err
}

// eachPackedRef calls fn with the object id and name of each ref line of
// packed-refs (not comments or peeled "^" lines), in file order, until fn
// returns false. A missing packed-refs is an fs.ErrNotExist error.
func (r *Repo) eachPackedRef(fn func(oid, ref string) bool) error {
	f, err := os.Open(filepath.Join(r.path, "packed-refs"))
	if err != nil {
		return fmt.Errorf("read packed-refs: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' || line[0] == '^' {
			continue
		}
		oid, ref, ok := strings.Cut(line, " ")
		if ok && !fn(oid, ref) {
			return nil
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read packed-refs: %w", err)
	}
	return nil
}

// refValue is readRef through the cache, under the refs version taken
// before reading (see RefsVersion); "" (no such ref) is cached too.
func (r *Repo) refValue(name string) (string, error) {
	key := refKey{repo: r.path, version: r.RefsVersion(), name: name}
	if v, ok := r.cache.refs.Get(key); ok {
		return v, nil
	}
	v, err := r.readRef(name)
	if err != nil {
		return "", err
	}
	r.cache.refs.Put(key, v)
	return v, nil
}

// RefValue returns the object id a full ref name ("refs/heads/main",
// "HEAD") points at, or "" if it does not exist. It reads the ref files
// directly and spawns no process.
func (r *Repo) RefValue(name string) (string, error) { return r.readRef(name) }

// CheckRefFormat validates a full ref name with git check-ref-format rules.
func CheckRefFormat(ref string) error { return checkRefFormat(ref) }
