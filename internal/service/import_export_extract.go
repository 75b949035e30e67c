package service

import (
	"archive/tar"
	"bufio"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strconv"
	"strings"
)

// Limits of an imported archive (GitLab's max_decompressed_archive_size
// and its archive checks): entries, unpacked bytes (at most
// importMaxRatio times the compressed size, plus a margin, and at most
// importMaxBytes), and the length of one line of a relation's ndjson.
const (
	importMaxEntries = 100_000
	importMaxBytes   = 16 << 30
	importMaxRatio   = 100
	importMaxMargin  = 64 << 20
	importMaxLine    = 16 << 20
)

var errArchiveLimit = errors.New("the archive is larger than allowed once decompressed")

// extractImport unpacks an import archive under dir. Every write goes
// through an os.Root: no absolute name, no "..", no link; a link entry,
// device or anything but files and directories is refused, as is a
// damaged or truncated archive.
func extractImport(r io.Reader, compressed int64, dir string) error {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return err
	}
	defer root.Close()
	gz, err := gzip.NewReader(bufio.NewReaderSize(r, 1<<16))
	if err != nil {
		return fmt.Errorf("the archive is not a gzip file: %w", err)
	}
	budget := min(int64(importMaxBytes), compressed*importMaxRatio+importMaxMargin)
	tr := tar.NewReader(gz)
	for n := 0; ; n++ {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("the archive is damaged: %w", err)
		}
		if n >= importMaxEntries {
			return fmt.Errorf("the archive has more than %d entries", importMaxEntries)
		}
		name := strings.TrimPrefix(strings.TrimSuffix(hdr.Name, "/"), "./")
		if name == "" || name == "." {
			continue
		}
		if strings.HasPrefix(name, "/") || strings.ContainsRune(name, '\\') || !fs.ValidPath(name) {
			return fmt.Errorf("the archive has an unsafe entry name %q", hdr.Name)
		}
		switch hdr.Typeflag {
		case tar.TypeDir:
			if err := root.MkdirAll(name, 0o700); err != nil {
				return fmt.Errorf("extract %q: %w", name, err)
			}
		case tar.TypeReg:
			if hdr.Size > budget {
				return errArchiveLimit
			}
			budget -= hdr.Size
			if d := path.Dir(name); d != "." {
				if err := root.MkdirAll(d, 0o700); err != nil {
					return fmt.Errorf("extract %q: %w", name, err)
				}
			}
			out, err := root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
			if err != nil {
				return fmt.Errorf("extract %q: %w", name, err)
			}
			_, err = io.Copy(out, tr)
			if cerr := out.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return fmt.Errorf("the archive is damaged: %q: %w", name, err)
			}
		case tar.TypeXGlobalHeader:
		default:
			return fmt.Errorf("the archive has an entry that is not a file or directory: %q", hdr.Name)
		}
	}
	return nil
}

// readNDJSON reads tree/project/<name>.ndjson from root, one record per
// line; a missing file is no records.
func readNDJSON[T any](root *os.Root, name string) ([]T, error) {
	return readNDJSONFile[T](root, "tree/project/"+name+".ndjson")
}

// readNDJSONFile reads an ndjson file of root, one record per line, each
// line at most importMaxLine bytes; a missing file is no records.
func readNDJSONFile[T any](root *os.Root, file string) ([]T, error) {
	name := strings.TrimSuffix(file, ".ndjson")
	f, err := root.Open(file)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), importMaxLine)
	var out []T
	for line := 1; sc.Scan(); line++ {
		b := sc.Bytes()
		if len(strings.TrimSpace(string(b))) == 0 {
			continue
		}
		var v T
		if err := json.Unmarshal(b, &v); err != nil {
			return nil, fmt.Errorf("%s.ndjson line %d: %w", name, line, err)
		}
		out = append(out, v)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("%s.ndjson has a line longer than %d bytes", name, importMaxLine)
		}
		return nil, fmt.Errorf("%s.ndjson: %w", name, err)
	}
	return out, nil
}

// readSmall reads a file of root of at most max bytes; ok false when it is
// not there.
func readSmall(root *os.Root, name string, max int64) ([]byte, bool, error) {
	f, err := root.Open(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, false, err
	}
	if int64(len(b)) > max {
		return nil, false, fmt.Errorf("%s is larger than %d bytes", name, max)
	}
	return b, true, nil
}

// checkImportVersion accepts the archive versions GitLab's 0.2.4 reads
// (its VersionChecker: at most the current one) in their ndjson form.
func checkImportVersion(v string) error {
	v = strings.TrimSpace(v)
	parts := strings.Split(v, ".")
	ok := len(parts) == 3 && parts[0] == "0" && parts[1] == "2"
	if ok {
		n, err := strconv.Atoi(parts[2])
		ok = err == nil && n >= 0 && n <= 4
	}
	if !ok {
		return fmt.Errorf("Import version mismatch: Required <= %s but was %s", exportVersion, v)
	}
	return nil
}
