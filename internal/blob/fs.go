package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// FS is a Store on the local filesystem: a blob is the file root/key.
// Files are 0600 and directories 0700, as everything lablet writes in
// its data dir; writes go to a temporary file in the target directory
// and are renamed into place, so readers never see a partial blob.
type FS struct {
	root string
}

var _ Store = (*FS)(nil)

// NewFS returns a Store under root, creating it (0700) if needed.
func NewFS(root string) (*FS, error) {
	if err := os.MkdirAll(root, 0o700); err != nil {
		return nil, fmt.Errorf("blob: create %s: %w", root, err)
	}
	return &FS{root: root}, nil
}

// path maps a key to its file, refusing keys that are not clean
// relative paths.
func (f *FS) path(key string) (string, error) {
	if !ValidKey(key) {
		return "", ErrInvalidKey
	}
	return filepath.Join(f.root, filepath.FromSlash(key)), nil
}

// Put implements Store.
func (f *FS) Put(ctx context.Context, key string, r io.Reader) (int64, error) {
	dst, err := f.path(key)
	if err != nil {
		return 0, err
	}
	dir := filepath.Dir(dst)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return 0, fmt.Errorf("blob: create directory: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return 0, fmt.Errorf("blob: create: %w", err)
	}
	done := false
	defer func() {
		if !done {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	// CreateTemp makes 0600 files; say so rather than rely on it.
	if err := tmp.Chmod(0o600); err != nil {
		return 0, fmt.Errorf("blob: chmod: %w", err)
	}
	n, err := io.Copy(tmp, ctxReader{ctx, r})
	if err != nil {
		return 0, err
	}
	if err := tmp.Sync(); err != nil {
		return 0, fmt.Errorf("blob: sync: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return 0, fmt.Errorf("blob: close: %w", err)
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return 0, fmt.Errorf("blob: rename: %w", err)
	}
	done = true
	return n, nil
}

// Open implements Store.
func (f *FS) Open(ctx context.Context, key string) (io.ReadSeekCloser, Info, error) {
	p, err := f.path(key)
	if err != nil {
		return nil, Info{}, err
	}
	file, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, Info{}, ErrNotFound
	}
	if err != nil {
		return nil, Info{}, fmt.Errorf("blob: open: %w", err)
	}
	st, err := file.Stat()
	if err != nil {
		_ = file.Close()
		return nil, Info{}, fmt.Errorf("blob: stat: %w", err)
	}
	if !st.Mode().IsRegular() {
		_ = file.Close()
		return nil, Info{}, ErrNotFound
	}
	return file, Info{Size: st.Size(), ModTime: st.ModTime()}, nil
}

// Delete implements Store.
func (f *FS) Delete(ctx context.Context, key string) error {
	p, err := f.path(key)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("blob: delete: %w", err)
	}
	return nil
}

// DeleteAll implements Store.
func (f *FS) DeleteAll(ctx context.Context, prefix string) error {
	p, err := f.path(prefix)
	if err != nil {
		return err
	}
	if err := os.RemoveAll(p); err != nil {
		return fmt.Errorf("blob: delete %s: %w", prefix, err)
	}
	return nil
}

// ctxReader stops a long copy when its context ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
