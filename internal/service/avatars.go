package service

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path"
	"strconv"
	"strings"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/blob"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// Avatar kinds: what an avatar belongs to, as GitLab's upload paths name
// them (/uploads/-/system/<kind>/avatar/<id>/<file>).
const (
	AvatarUser    = "user"
	AvatarGroup   = "group"
	AvatarProject = "project"
	AvatarTopic   = "topic"
)

// MaxAvatarSize is GitLab's Avatarable::MAXIMUM_FILE_SIZE.
const MaxAvatarSize = 200 << 10

// avatarFormats is GitLab's AvatarUploader allowlist, in its order, for
// the message.
const avatarFormats = "png, jpg, jpeg, gif, bmp, tiff, ico, webp"

// AvatarFile is an uploaded avatar, read and checked, not yet stored.
type AvatarFile struct {
	Name string
	Data []byte
}

// ReadAvatar reads an uploaded avatar and checks it as GitLab's
// Avatarable does: an image extension of the allowlist, at most 200 KiB;
// the bytes must be an image too (a renamed page is refused). Errors are
// GitLab's 400 with the messages under "avatar".
func ReadAvatar(filename string, r io.Reader) (*AvatarFile, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxAvatarSize+1))
	if err != nil {
		return nil, fmt.Errorf("service: read avatar: %w", err)
	}
	name := SanitizeFilename(filename)
	v := Validation{}
	if !avatarImage(name, data) {
		v.Add("avatar", "file format is not supported. Please try one of the following supported formats: "+avatarFormats)
	}
	if len(data) > MaxAvatarSize {
		v.Add("avatar", "is too big (should be at most 200 KiB)")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return &AvatarFile{Name: name, Data: data}, nil
}

// avatarImage reports whether name has an allowed image extension and
// data begins as an image does.
func avatarImage(name string, data []byte) bool {
	if _, ok := imageTypes[strings.ToLower(path.Ext(name))]; !ok || len(data) == 0 {
		return false
	}
	if bytes.HasPrefix(data, []byte("II*\x00")) || bytes.HasPrefix(data, []byte("MM\x00*")) { // TIFF
		return true
	}
	return strings.HasPrefix(http.DetectContentType(data), "image/")
}

// avatarKey is where the avatar of kind's id was kept in blob storage
// before each upload got a key of its own (avatar_blobs); it is still
// read, and removed, for rows that have no recorded key.
func avatarKey(kind string, id int64) string {
	return "avatars/" + kind + "/" + strconv.FormatInt(id, 10)
}

// removeAvatars deletes the avatar files of kind's deleted ids; a failure
// leaves orphan files only, so it is logged.
func (s *Service) removeAvatars(ctx context.Context, kind string, ids ...int64) {
	if s.blobs == nil || len(ids) == 0 {
		return
	}
	keys, err := s.db.Queries().DeleteAvatarBlobKeys(context.WithoutCancel(ctx), kind, ids)
	if err != nil && s.log != nil {
		s.log.WarnContext(ctx, "avatar keys left behind", "kind", kind, "err", err)
	}
	for _, k := range keys {
		s.removeBlob(ctx, k)
	}
	for _, id := range ids {
		s.removeBlob(ctx, avatarKey(kind, id))
	}
}

// SetAvatar stores f as the avatar of kind's id, or removes the avatar
// when f is nil. The caller needs to be the user or an administrator
// (users), admin_group, admin_project, or an administrator (topics).
//
// Each upload goes to a fresh blob key, recorded with the row's file name
// in one transaction; the file it replaces is removed only after the
// commit, and the new file is removed if the transaction fails. Two
// uploads at once take turns on the row (its update comes first and holds
// it): the last to commit wins and the other's file is removed, so the row
// always names the file it serves and none is left behind.
func (s *Service) SetAvatar(ctx context.Context, id *auth.Identity, kind string, objID int64, f *AvatarFile) error {
	if err := s.mayChangeAvatar(ctx, id, kind, objID); err != nil {
		return err
	}
	if s.blobs == nil {
		return fmt.Errorf("service: avatar: no blob storage")
	}
	key, name := "", ""
	if f != nil {
		key, name = avatarKey(kind, objID)+"-"+newUUID(), f.Name
		if _, err := s.blobs.Put(ctx, key, bytes.NewReader(f.Data)); err != nil {
			return fmt.Errorf("service: store avatar: %w", err)
		}
	}
	var old string
	err := s.db.WithTx(ctx, func(q *store.Queries) error {
		if err := q.SetAvatar(ctx, kind, objID, name); err != nil {
			return err
		}
		var err error
		if old, err = q.AvatarBlobKey(ctx, kind, objID); err != nil {
			return err
		}
		if old == "" {
			old = avatarKey(kind, objID)
		}
		return q.SetAvatarBlobKey(ctx, kind, objID, key)
	})
	if err != nil {
		if key != "" {
			s.removeBlob(ctx, key)
		}
		if errors.Is(err, store.ErrNotFound) {
			return NotFound(strings.ToUpper(kind[:1]) + kind[1:])
		}
		return err
	}
	s.removeBlob(ctx, old)
	return nil
}

func (s *Service) mayChangeAvatar(ctx context.Context, id *auth.Identity, kind string, objID int64) error {
	ref := strconv.FormatInt(objID, 10)
	switch kind {
	case AvatarUser:
		if id.UserID() != objID && !id.IsAdmin() {
			return Forbidden("")
		}
		return nil
	case AvatarGroup:
		_, level, err := s.VisibleGroup(ctx, id, ref)
		if err != nil {
			return err
		}
		if level < access.Owner { // admin_group, as UpdateGroup asks
			return Forbidden("")
		}
		return nil
	case AvatarProject:
		p, level, err := s.VisibleProject(ctx, id, ref)
		if err != nil {
			return err
		}
		if !ProjectCan(id, p, level, access.AdminProject) {
			return Forbidden("")
		}
		return nil
	case AvatarTopic:
		return requireAdmin(id)
	}
	return NotFound("")
}

// AvatarContent is an avatar opened for download.
type AvatarContent struct {
	Name        string
	ContentType string
	// URL, when downloads redirect to the object store, serves the
	// avatar; Body is nil then.
	URL  string
	Body io.ReadSeekCloser
	Info blob.Info
	// Public is true when anyone may see the avatar (shared caches may
	// keep it).
	Public bool
}

// Header is how every adapter serves an avatar: its image type, never
// sniffed, under the uploads' CSP; revalidated, as the URL stays the
// same when the avatar changes.
func (c *AvatarContent) Header() http.Header {
	cc := "private, max-age=0, must-revalidate"
	if c.Public {
		cc = "public, max-age=0, must-revalidate"
	}
	return http.Header{
		"Content-Type":            {c.ContentType},
		"X-Content-Type-Options":  {"nosniff"},
		"Content-Security-Policy": {uploadCSP},
		"Cache-Control":           {cc},
		"Content-Disposition":     {"inline"},
	}
}

// OpenAvatar opens the avatar of kind's objRef (an id; a group's or
// project's full path too) for a caller who may see its owner: 404
// otherwise, and when there is no avatar or filename (if not "") is not
// its name.
func (s *Service) OpenAvatar(ctx context.Context, id *auth.Identity, kind, objRef, filename string) (*AvatarContent, error) {
	var name string
	var objID int64
	public := true
	switch kind {
	case AvatarUser:
		n, ok := parseID(objRef)
		if !ok {
			return nil, NotFound("")
		}
		u, err := s.GetUser(ctx, id, n)
		if err != nil {
			return nil, err
		}
		name, objID = u.Avatar, u.ID
	case AvatarGroup:
		g, _, err := s.VisibleGroup(ctx, id, objRef)
		if err != nil {
			return nil, err
		}
		name, objID, public = g.Avatar, g.ID, g.VisibilityLevel == access.Public
	case AvatarProject:
		p, _, err := s.VisibleProject(ctx, id, objRef)
		if err != nil {
			return nil, err
		}
		name, objID, public = p.Avatar, p.ID, p.VisibilityLevel == access.Public
	case AvatarTopic:
		n, ok := parseID(objRef)
		if !ok {
			return nil, NotFound("")
		}
		t, err := s.db.Queries().TopicByID(ctx, n)
		if errors.Is(err, store.ErrNotFound) {
			return nil, NotFound("")
		}
		if err != nil {
			return nil, err
		}
		name, objID = t.Avatar, t.ID
	default:
		return nil, NotFound("")
	}
	if name == "" || filename != "" && filename != name {
		return nil, NotFound("")
	}
	key, err := s.db.Queries().AvatarBlobKey(ctx, kind, objID)
	if err != nil {
		return nil, err
	}
	if key == "" {
		key = avatarKey(kind, objID)
	}
	ct := imageTypes[strings.ToLower(path.Ext(name))]
	url, err := s.downloadURL(ctx, key, blob.ResponseHeaders{ContentType: ct, ContentDisposition: "inline"})
	if errors.Is(err, blob.ErrNotFound) {
		return nil, NotFound("")
	}
	if err != nil {
		return nil, fmt.Errorf("service: avatar url: %w", err)
	}
	if url != "" {
		return &AvatarContent{Name: name, ContentType: ct, URL: url, Public: public}, nil
	}
	body, info, err := s.blobs.Open(ctx, key)
	if errors.Is(err, blob.ErrNotFound) {
		return nil, NotFound("")
	}
	if err != nil {
		return nil, fmt.Errorf("service: open avatar: %w", err)
	}
	return &AvatarContent{Name: name, ContentType: imageTypes[strings.ToLower(path.Ext(name))], Body: body,
		Info: info, Public: public}, nil
}

// UserByPublicEmail is the user whose public email is email (GET /avatar
// answers with their avatar); nil when there is none.
func (s *Service) UserByPublicEmail(ctx context.Context, email string) (*model.User, error) {
	u, err := s.db.Queries().UserByPublicEmail(ctx, email)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	return u, err
}

// UserAssociationsCount is GET /users/:id/associations_count: for the user
// themself or an administrator (403 for others, 404 for no such user).
func (s *Service) UserAssociationsCount(ctx context.Context, id *auth.Identity, userID int64) (model.UserAssociations, error) {
	u, err := s.GetUser(ctx, id, userID)
	if err != nil {
		return model.UserAssociations{}, err
	}
	if id.UserID() != u.ID && !id.IsAdmin() {
		return model.UserAssociations{}, Forbidden("")
	}
	return s.db.Queries().UserAssociationsCount(ctx, u.ID)
}
