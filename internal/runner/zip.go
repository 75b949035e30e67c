package runner

import (
	"archive/zip"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// Limits on what an archive from elsewhere may unpack to.
const (
	maxUnpackedBytes = 4 << 30
	maxEntries       = 1 << 20
)

// writeZip archives the named entries of dir (relative, slash-separated)
// to w. Symbolic links are stored as links, never followed: a link to a
// file outside the project does not carry that file out.
func writeZip(w io.Writer, dir string, names []string) error {
	zw := zip.NewWriter(w)
	for _, name := range names {
		if err := addZipEntry(zw, dir, name); err != nil {
			return err
		}
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("write archive: %w", err)
	}
	return nil
}

func addZipEntry(zw *zip.Writer, dir, name string) error {
	full := filepath.Join(dir, filepath.FromSlash(name))
	info, err := os.Lstat(full)
	if err != nil {
		return fmt.Errorf("archive %s: %w", name, err)
	}
	hdr, err := zip.FileInfoHeader(info)
	if err != nil {
		return fmt.Errorf("archive %s: %w", name, err)
	}
	hdr.Name = name
	switch {
	case info.IsDir():
		hdr.Name += "/"
		_, err = zw.CreateHeader(hdr)
	case info.Mode()&fs.ModeSymlink != 0:
		var target string
		if target, err = os.Readlink(full); err == nil {
			var w io.Writer
			if w, err = zw.CreateHeader(hdr); err == nil {
				_, err = io.WriteString(w, target)
			}
		}
	case info.Mode().IsRegular():
		hdr.Method = zip.Deflate
		err = copyFileTo(zw, hdr, full)
	default:
		return nil // sockets, devices and pipes are not archived
	}
	if err != nil {
		return fmt.Errorf("archive %s: %w", name, err)
	}
	return nil
}

func copyFileTo(zw *zip.Writer, hdr *zip.FileHeader, full string) error {
	f, err := os.Open(full)
	if err != nil {
		return err
	}
	defer f.Close()
	w, err := zw.CreateHeader(hdr)
	if err != nil {
		return err
	}
	_, err = io.Copy(w, f)
	return err
}

// writeGzip writes the named files of dir as one gzip stream, one member
// per file, as GitLab Runner uploads gzip-format reports.
func writeGzip(w io.Writer, dir string, names []string) error {
	for _, name := range names {
		full := filepath.Join(dir, filepath.FromSlash(name))
		info, err := os.Lstat(full)
		if err != nil {
			return fmt.Errorf("archive %s: %w", name, err)
		}
		if !info.Mode().IsRegular() {
			continue
		}
		if err := gzipFile(w, full, name); err != nil {
			return fmt.Errorf("archive %s: %w", name, err)
		}
	}
	return nil
}

func gzipFile(w io.Writer, full, name string) error {
	f, err := os.Open(full)
	if err != nil {
		return err
	}
	defer f.Close()
	gw := gzip.NewWriter(w)
	gw.Name = path.Base(name)
	if _, err := io.Copy(gw, f); err != nil {
		return err
	}
	return gw.Close()
}

// errUnsafeArchive: an archive entry would land outside its directory.
var errUnsafeArchive = errors.New("unsafe archive entry")

// extractZip unpacks the archive at src into dir. It refuses, before
// writing it, any entry that would land outside dir: absolute names, ..,
// symbolic links pointing out, writes through links already there (all
// access goes through an os.Root), and stops at maxUnpackedBytes.
func extractZip(src, dir string) error { return extractZipLimit(src, dir, maxUnpackedBytes) }

func extractZipLimit(src, dir string, limit int64) error {
	zr, err := zip.OpenReader(src)
	if err != nil {
		return fmt.Errorf("open archive: %w", err)
	}
	defer zr.Close()
	if len(zr.File) > maxEntries {
		return fmt.Errorf("archive has %d entries, more than %d", len(zr.File), maxEntries)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return fmt.Errorf("open %s: %w", dir, err)
	}
	defer root.Close()
	budget := limit
	for _, f := range zr.File {
		if err := extractEntry(root, f, &budget, limit); err != nil {
			return fmt.Errorf("extract %q: %w", f.Name, err)
		}
	}
	return nil
}

func extractEntry(root *os.Root, f *zip.File, budget *int64, limit int64) error {
	name := strings.TrimSuffix(f.Name, "/")
	if strings.ContainsAny(name, "\\\x00") || !filepath.IsLocal(name) {
		return errUnsafeArchive
	}
	mode := f.Mode()
	switch {
	case mode.IsDir():
		return root.MkdirAll(name, 0o700|mode.Perm())
	case mode&fs.ModeSymlink != 0:
		target, err := readSmall(f, 4096)
		if err != nil {
			return err
		}
		if err := mkParent(root, name); err != nil {
			return err
		}
		if err := checkLink(root, name, target); err != nil {
			return err
		}
		if err := removeIfThere(root, name); err != nil {
			return err
		}
		return root.Symlink(target, name)
	case mode.IsRegular():
		if err := mkParent(root, name); err != nil {
			return err
		}
		if err := removeIfThere(root, name); err != nil {
			return err
		}
		return writeEntry(root, f, name, mode.Perm()|0o600, budget, limit)
	}
	return nil // other kinds are skipped, as GitLab Runner does
}

func mkParent(root *os.Root, name string) error {
	if dir := filepath.Dir(name); dir != "." {
		return root.MkdirAll(dir, 0o700)
	}
	return nil
}

// removeIfThere removes a file or link already at name, so that a new
// file never writes through a link.
func removeIfThere(root *os.Root, name string) error {
	info, err := root.Lstat(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if info.IsDir() {
		return fmt.Errorf("a directory is in the way")
	}
	return root.Remove(name)
}

func writeEntry(root *os.Root, f *zip.File, name string, perm fs.FileMode, budget *int64, limit int64) error {
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	out, err := root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return err
	}
	// Count what is actually inflated, not what the header claims.
	n, err := io.Copy(out, io.LimitReader(rc, *budget+1))
	*budget -= n
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err == nil && *budget < 0 {
		err = fmt.Errorf("archive unpacks to more than %d bytes", limit)
	}
	return err
}

func readSmall(f *zip.File, limit int64) (string, error) {
	rc, err := f.Open()
	if err != nil {
		return "", err
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, limit+1))
	if err != nil {
		return "", err
	}
	if int64(len(b)) > limit {
		return "", fmt.Errorf("%w: link target too long", errUnsafeArchive)
	}
	return string(b), nil
}

// checkLink holds a link inside the directory whatever comes later: its
// target is relative, climbs (with leading ..) no higher than the
// directory, never climbs after descending (b/.. would climb out if b
// became a link later), and the link's own parents are real directories,
// so climbing from it goes where the name says.
func checkLink(root *os.Root, name, target string) error {
	bad := fmt.Errorf("%w: link to %q", errUnsafeArchive, target)
	if target == "" || path.IsAbs(target) || strings.ContainsAny(target, "\\\x00") {
		return bad
	}
	up, descended := 0, false
	for _, seg := range strings.Split(target, "/") {
		switch seg {
		case "", ".":
		case "..":
			if descended {
				return bad
			}
			up++
		default:
			descended = true
		}
	}
	parents := strings.Split(filepath.ToSlash(filepath.Dir(name)), "/")
	if parents[0] == "." {
		parents = nil
	}
	if up > len(parents) {
		return bad
	}
	for i := range parents {
		info, err := root.Lstat(strings.Join(parents[:i+1], "/"))
		if err != nil {
			return err
		}
		if !info.IsDir() {
			return fmt.Errorf("%w: %s is not a directory", errUnsafeArchive, strings.Join(parents[:i+1], "/"))
		}
	}
	return nil
}
