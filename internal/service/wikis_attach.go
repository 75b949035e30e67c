package service

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"path"
	"strings"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/repo"
)

// WikiAttachment is GitLab's Entities::WikiAttachment.
type WikiAttachment struct {
	FileName string
	FilePath string
	Branch   string
	Markdown string
}

// wikiAttachmentDir is where attachments go in the wiki repository
// (Wikis::CreateAttachmentService::ATTACHMENT_PATH).
const wikiAttachmentDir = "uploads"

// wikiMediaExts are the extensions GitLab links as images or videos
// ("![name](path)").
var wikiMediaExts = map[string]bool{".png": true, ".jpg": true, ".jpeg": true, ".gif": true, ".bmp": true,
	".tiff": true, ".ico": true, ".webp": true, ".svg": true, ".mp4": true, ".m4v": true, ".mov": true,
	".webm": true, ".ogv": true}

// UploadWikiAttachment is POST …/wikis/attachments (create_wiki): the file
// is committed to uploads/<32 hex>/<name> on branch (the wiki's own when
// ""), with "Upload attachment <name>".
func (s *Service) UploadWikiAttachment(ctx context.Context, id *auth.Identity, h WikiHolder, filename, branch string, content []byte) (*WikiAttachment, error) {
	w, err := s.wikiFor(ctx, id, h, access.CreateWiki)
	if err != nil {
		return nil, err
	}
	author, err := wikiAuthor(id)
	if err != nil {
		return nil, err
	}
	name := SanitizeFilename(filename)
	if name == "" || len(name) > 255 {
		return nil, Invalid("The file name is invalid")
	}
	limit, err := s.MaxAttachmentSize(ctx)
	if err != nil {
		return nil, err
	}
	if int64(len(content)) > limit {
		return nil, TooLarge()
	}
	head, commit, err := w.head(ctx)
	if err != nil {
		return nil, err
	}
	if branch == "" {
		branch = head
	}
	if _, err := repo.BranchRef(branch); err != nil {
		return nil, Invalid("You can only create or edit files when you are on a branch")
	}
	secret := make([]byte, 16)
	if _, err := rand.Read(secret); err != nil {
		return nil, fmt.Errorf("service: wiki attachment: %w", err)
	}
	file := path.Join(wikiAttachmentDir, hex.EncodeToString(secret), name)
	r, err := s.repos.EnsureWiki(ctx, w.kind, w.id, WikiDefaultBranch)
	if err != nil {
		return nil, err
	}
	req := repo.CommitRequest{Branch: branch, Message: "Upload attachment " + name, Author: author,
		Actions: []repo.Action{{Kind: repo.ActionCreate, Path: file, Content: content}}}
	if branch != head && commit != "" {
		if v, _ := r.RefValue(gitBranchPrefix + branch); v == "" {
			req.StartSHA = commit // a new branch starts at the wiki's head
		}
	}
	if _, err := r.CommitFiles(ctx, req); err != nil {
		return nil, fmt.Errorf("service: wiki attachment: %w", err)
	}
	md := "[" + name + "](" + file + ")"
	if wikiMediaExts[strings.ToLower(path.Ext(name))] {
		md = "!" + md
	}
	return &WikiAttachment{FileName: name, FilePath: file, Branch: branch, Markdown: md}, nil
}

// CheckWikiAttachment refuses, before an attachment's body is read, a
// caller who may not write to the wiki.
func (s *Service) CheckWikiAttachment(ctx context.Context, id *auth.Identity, h WikiHolder) error {
	_, err := s.wikiFor(ctx, id, h, access.CreateWiki)
	return err
}
