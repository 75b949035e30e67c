package backup

import (
	"archive/tar"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"
	"time"
)

// A backup is one tar file: the database under database/, the data dir's
// files under data/, and last the manifest, which lists every file with
// its size and SHA-256. Written last, it proves the file is whole: a
// truncated backup has none.
const (
	manifestName  = "lablet-backup.json"
	sqliteEntry   = "database/lablet.db"
	postgresEntry = "database/lablet.pgdump"
	dataPrefix    = "data/"
	formatVersion = 1
	maxManifest   = 256 << 20
)

// Manifest describes a backup.
type Manifest struct {
	Format        int       `json:"format"`
	LabletVersion string    `json:"lablet_version"`
	CreatedAt     time.Time `json:"created_at"`
	Database      string    `json:"database"`       // "sqlite" or "postgres"
	SchemaVersion int       `json:"schema_version"` // the newest migration in the database
	Repositories  int       `json:"repositories"`
	// Previous is set on an incremental backup: the backup whose
	// repository objects it refers to instead of holding them.
	Previous *Previous `json:"previous,omitempty"`
	Entries  []Entry   `json:"entries"`

	digest string // SHA-256 of the manifest as read
}

// Previous names the backup an incremental one builds on: its file's
// base name (restore looks for it beside the incremental one) and the
// SHA-256 of its manifest, which identifies it.
type Previous struct {
	File           string    `json:"file"`
	CreatedAt      time.Time `json:"created_at"`
	ManifestSHA256 string    `json:"manifest_sha256"`
}

// Entry is one file of a backup. An entry InPrevious is not in this
// file but in the previous backup (or, if it is marked there too, in
// the one before), with the same size and checksum.
type Entry struct {
	Name       string `json:"name"`
	Size       int64  `json:"size"`
	SHA256     string `json:"sha256"`
	InPrevious bool   `json:"in_previous,omitempty"`
}

// Bytes is the size of the backup's files, those it refers to included.
func (m *Manifest) Bytes() int64 {
	var n int64
	for _, e := range m.Entries {
		n += e.Size
	}
	return n
}

// Referenced is how many of the files previous backups hold.
func (m *Manifest) Referenced() int { return len(m.referenced()) }

// referenced lists the entries held by previous backups.
func (m *Manifest) referenced() map[string]Entry {
	refs := map[string]Entry{}
	for _, e := range m.Entries {
		if e.InPrevious {
			refs[e.Name] = e
		}
	}
	return refs
}

// archiveWriter writes a backup's tar stream, hashing every file.
type archiveWriter struct {
	tw       *tar.Writer
	entries  []Entry
	progress func(int64)
}

func newArchiveWriter(w io.Writer, progress func(int64)) *archiveWriter {
	if progress == nil {
		progress = func(int64) {}
	}
	return &archiveWriter{tw: tar.NewWriter(w), progress: progress}
}

func (a *archiveWriter) dir(name string, mtime time.Time) error {
	return a.tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: name + "/", Mode: 0o700, ModTime: mtime})
}

// file writes size bytes of body as name; a body that ends early (a file
// shortened while copied) fails the backup rather than writing a hole.
func (a *archiveWriter) file(name string, size int64, mtime time.Time, body io.Reader) error {
	if err := a.tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: 0o600, Size: size,
		ModTime: mtime}); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	h := sha256.New()
	n, err := io.Copy(a.tw, io.TeeReader(io.LimitReader(body, size), h))
	a.progress(n)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if n != size {
		return fmt.Errorf("%s: %d of %d bytes: the file shrank while it was copied", name, n, size)
	}
	a.entries = append(a.entries, Entry{Name: name, Size: size, SHA256: hex.EncodeToString(h.Sum(nil))})
	return nil
}

// reference records a file the previous backup holds, without writing it.
func (a *archiveWriter) reference(e Entry) {
	e.InPrevious = true
	a.entries = append(a.entries, e)
}

// finish writes the manifest and closes the stream.
func (a *archiveWriter) finish(m *Manifest) error {
	m.Entries = a.entries
	b, err := json.MarshalIndent(m, "", " ")
	if err != nil {
		return err
	}
	if err := a.tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: manifestName, Mode: 0o600,
		Size: int64(len(b)), ModTime: m.CreatedAt}); err != nil {
		return err
	}
	if _, err := a.tw.Write(b); err != nil {
		return err
	}
	return a.tw.Close()
}

// ErrInvalid wraps every reason a backup file is refused.
var ErrInvalid = errors.New("invalid backup")

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

// checkName refuses entries a backup never holds: absolute or climbing
// paths, names outside database/ and data/, and anything but files and
// directories (links would let a restore write outside its target).
func checkName(hdr *tar.Header) error {
	name := strings.TrimSuffix(hdr.Name, "/")
	switch hdr.Typeflag {
	case tar.TypeReg:
		if name == sqliteEntry || name == postgresEntry {
			return nil
		}
	case tar.TypeDir:
	default:
		return invalid("entry %q: type %q is not a file or a directory", hdr.Name, hdr.Typeflag)
	}
	clean := path.Clean(name)
	if clean != name || strings.HasPrefix(name, "/") || strings.Contains(name, `\`) ||
		!strings.HasPrefix(name, dataPrefix) || name == strings.TrimSuffix(dataPrefix, "/") ||
		strings.Contains("/"+name+"/", "/../") {
		return invalid("entry %q: not a path a lablet backup holds", hdr.Name)
	}
	return nil
}

// readArchive reads a backup stream to its end, handing each directory
// and file to visit (body nil for a directory; visit may read less than
// the whole body), and checks the files against the manifest: every file
// listed, of its size and checksum, nothing more, the manifest last.
func readArchive(ctx context.Context, r io.Reader, visit func(hdr *tar.Header, body io.Reader) error) (*Manifest, error) {
	tr := tar.NewReader(r)
	got := map[string]Entry{}
	var m *Manifest
	last := ""
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			if last == "" {
				return nil, invalid("not a lablet backup (%v)", err)
			}
			return nil, invalid("truncated or damaged after entry %q (%v)", last, err)
		}
		if m != nil {
			return nil, invalid("entry %q after the manifest", hdr.Name)
		}
		if hdr.Name == manifestName {
			m, err = readManifest(tr)
			if err != nil {
				return nil, err
			}
			continue
		}
		if err := checkName(hdr); err != nil {
			return nil, err
		}
		last = hdr.Name
		if hdr.Typeflag == tar.TypeDir {
			if err := visit(hdr, nil); err != nil {
				return nil, err
			}
			continue
		}
		if _, dup := got[hdr.Name]; dup {
			return nil, invalid("entry %q twice", hdr.Name)
		}
		h := sha256.New()
		body := io.TeeReader(tr, h)
		if err := visit(hdr, body); err != nil {
			return nil, err
		}
		if _, err := io.Copy(io.Discard, body); err != nil {
			return nil, invalid("entry %q: truncated or damaged (%v)", hdr.Name, err)
		}
		got[hdr.Name] = Entry{Name: hdr.Name, Size: hdr.Size, SHA256: hex.EncodeToString(h.Sum(nil))}
	}
	if m == nil {
		return nil, invalid("no manifest (%s): the file is truncated or not a lablet backup", manifestName)
	}
	for _, want := range m.Entries {
		if want.InPrevious {
			continue // checked against the previous backup, when restored
		}
		e, ok := got[want.Name]
		switch {
		case !ok:
			return nil, invalid("entry %q is missing", want.Name)
		case e.Size != want.Size:
			return nil, invalid("entry %q: %d bytes, the manifest says %d", want.Name, e.Size, want.Size)
		case e.SHA256 != want.SHA256:
			return nil, invalid("entry %q: checksum mismatch (the file is damaged or was changed)", want.Name)
		}
		delete(got, want.Name)
	}
	for name := range got {
		return nil, invalid("entry %q is not in the manifest", name)
	}
	return m, nil
}

func readManifest(r io.Reader) (*Manifest, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxManifest+1))
	if err != nil {
		return nil, invalid("manifest: truncated or damaged (%v)", err)
	}
	if len(b) > maxManifest {
		return nil, invalid("manifest: larger than %d bytes", maxManifest)
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, invalid("manifest: %v", err)
	}
	sum := sha256.Sum256(b)
	m.digest = hex.EncodeToString(sum[:])
	if m.Format != formatVersion {
		return nil, invalid("manifest: format %d, this lablet reads format %d", m.Format, formatVersion)
	}
	return &m, nil
}

// manifestOf reads only the manifest of the backup file, seeking past
// the files before it: enough to build an incremental backup on, whose
// restore verifies it whole.
func manifestOf(file string) (*Manifest, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	tr := tar.NewReader(f) // an *os.File: Next seeks over the bodies
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return nil, invalid("%s: no manifest: the file is truncated or not a lablet backup", file)
		}
		if err != nil {
			return nil, invalid("%s: %v", file, err)
		}
		if hdr.Name == manifestName {
			return readManifest(tr)
		}
	}
}

// immutableObject tells git's content-named object files — loose objects
// and packs with their indexes — which never change under their name, so
// an incremental backup may refer to an earlier backup's copy of one of
// the same size.
func immutableObject(name string) bool {
	dir, base := path.Split(name)
	switch {
	case strings.HasSuffix(dir, "objects/pack/"):
		for _, ext := range []string{".pack", ".idx"} {
			if stem, ok := strings.CutSuffix(base, ext); ok {
				hash, ok := strings.CutPrefix(stem, "pack-")
				return ok && isHex(hash)
			}
		}
		return false
	default:
		parent := path.Base(strings.TrimSuffix(dir, "/"))
		return path.Base(path.Dir(strings.TrimSuffix(dir, "/"))) == "objects" && len(parent) == 2 && isHex(parent) &&
			len(base) >= 38 && isHex(base)
	}
}

func isHex(s string) bool {
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return s != ""
}
