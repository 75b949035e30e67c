package service

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/repo"
)

// What an import writes beside the database: the repository and wiki
// from their bundles, uploads and LFS objects into the blob store.

// importRepos fetches the bundles into the project's repository and wiki,
// and returns the default branch the bundle's HEAD names.
func (s *Service) importRepos(ctx context.Context, p *model.Project, dir string) (string, error) {
	if s.repos == nil {
		return "", nil
	}
	var branch string
	bundle := filepath.Join(dir, "project.bundle")
	if _, err := os.Lstat(bundle); err == nil {
		r := s.repos.Open(p.ID)
		head, err := r.FetchBundle(ctx, bundle)
		if err != nil {
			return "", fmt.Errorf("the repository bundle: %w", err)
		}
		if head == "" {
			brs, err := r.Branches(ctx)
			if err != nil {
				return "", err
			}
			if len(brs) > 0 {
				head = brs[0].Name
			}
		}
		if head != "" {
			if err := r.SetDefaultBranch(ctx, head); err != nil {
				return "", err
			}
			branch = head
		}
	}
	wb := filepath.Join(dir, "project.wiki.bundle")
	if _, err := os.Lstat(wb); err == nil {
		w, err := s.repos.EnsureWiki(ctx, repo.ProjectWiki, p.ID, DefaultBranch)
		if err != nil {
			return "", err
		}
		if _, err := w.FetchBundle(ctx, wb); err != nil {
			return "", fmt.Errorf("the wiki bundle: %w", err)
		}
	}
	return branch, nil
}

// resetImportedRepos empties a failed import's repository and removes its
// wiki.
func (s *Service) resetImportedRepos(ctx context.Context, p *model.Project) {
	if s.repos == nil {
		return
	}
	if err := s.repos.DeleteWiki(ctx, repo.ProjectWiki, p.ID); err != nil {
		s.log.WarnContext(ctx, "failed import: wiki left", "project_id", p.ID, "err", err)
	}
	branch := DefaultBranch
	if p.DefaultBranch != nil {
		branch = *p.DefaultBranch
	}
	if err := s.repos.Delete(ctx, p.ID); err != nil {
		s.log.WarnContext(ctx, "failed import: repository left", "project_id", p.ID, "err", err)
		return
	}
	if _, err := s.repos.Create(ctx, p.ID, branch); err != nil {
		s.log.WarnContext(ctx, "failed import: repository not recreated", "project_id", p.ID, "err", err)
	}
}

// importUploads stores uploads/<secret>/<file> under the project and
// returns their rows, to be inserted with the records; the keys written
// are added to keys.
func (s *Service) importUploads(ctx context.Context, p *model.Project, root *os.Root, keys *[]string) ([]*model.Upload, error) {
	secrets, err := fs.ReadDir(root.FS(), "uploads")
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []*model.Upload
	for _, d := range secrets {
		if !d.IsDir() || !validUploadSecret(d.Name()) {
			continue // GitLab's uploads of other models, or junk
		}
		entries, err := fs.ReadDir(root.FS(), "uploads/"+d.Name())
		if err != nil {
			return nil, err
		}
		for k, e := range entries {
			if !e.Type().IsRegular() {
				continue
			}
			name := SanitizeFilename(e.Name())
			f, err := root.Open("uploads/" + d.Name() + "/" + e.Name())
			if err != nil {
				return nil, err
			}
			key := uploadsPrefix(p.ID) + "/" + d.Name()
			if k > 0 { // several files under one secret: a key each
				key += "-" + strconv.Itoa(k)
			}
			head := make([]byte, 512)
			n, _ := io.ReadFull(f, head)
			_, _ = f.Seek(0, io.SeekStart)
			size, err := s.blobs.Put(ctx, key, f)
			f.Close()
			if err != nil {
				return nil, err
			}
			*keys = append(*keys, key)
			out = append(out, &model.Upload{ProjectID: p.ID, Secret: d.Name(), Filename: name, Size: size,
				ContentType: uploadContentType(name, head[:n]), BlobKey: key})
		}
	}
	return out, nil
}

// importLFS stores the archive's LFS objects whose content matches their
// oid; the links are written with the records.
func (s *Service) importLFS(ctx context.Context, root *os.Root) (map[string]int64, error) {
	entries, err := fs.ReadDir(root.FS(), "lfs-objects")
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	out := map[string]int64{}
	for _, e := range entries {
		oid := e.Name()
		if !e.Type().IsRegular() || len(oid) != 64 || !isLowerHex(oid) {
			continue
		}
		f, err := root.Open("lfs-objects/" + oid)
		if err != nil {
			return nil, err
		}
		h := sha256.New()
		size, err := io.Copy(h, f)
		if err == nil && hex.EncodeToString(h.Sum(nil)) != oid {
			err = fmt.Errorf("LFS object %s does not match its content", oid)
		}
		if err == nil {
			_, _ = f.Seek(0, io.SeekStart)
			_, err = s.blobs.Put(ctx, lfsKey(oid), f) // content-addressed: same bytes if there
		}
		f.Close()
		if err != nil {
			return nil, err
		}
		out[oid] = size
	}
	return out, nil
}

func isLowerHex(s string) bool {
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}
