package repo

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// zeroID is the null object id of a SHA-1 repository: "the ref must not
// exist" as update-ref's old value.
var zeroID = strings.Repeat("0", 40)

// updateRef moves ref from old ("" = must not exist) to new ("" = delete)
// atomically. A lost race (ref moved or locked by another writer) is
// errRaced; a directory/file clash with another ref is ErrExists.
func (r *Repo) updateRef(ctx context.Context, ref, new, old string) error {
	if old == "" {
		old = zeroID
	}
	args := []string{"update-ref", "-m", "lablet", ref, new, old}
	if new == "" {
		args = []string{"update-ref", "-m", "lablet", "-d", ref, old}
	}
	_, err := r.git(ctx, args...)
	// Even a failed update-ref may have moved the ref (lost its answer).
	r.RefsChanged()
	if err == nil {
		return nil
	}
	var ge *GitError
	stderr := ""
	if errors.As(err, &ge) {
		stderr = ge.Stderr
	}
	switch {
	case strings.Contains(stderr, "exists; cannot create"):
		return fmt.Errorf("ref %s clashes with an existing ref: %w", ref, ErrExists)
	case strings.Contains(stderr, ".lock': File exists"):
		return fmt.Errorf("update %s: %w", ref, errRaced)
	}
	if cur, rerr := r.readRef(ref); rerr == nil && cur != strings.TrimPrefix(old, zeroID) {
		return fmt.Errorf("update %s: %w", ref, errRaced)
	}
	return fmt.Errorf("update-ref %s: %w", ref, err)
}

// CreateBranch creates a branch at a revision; ErrExists if it exists.
func (r *Repo) CreateBranch(ctx context.Context, name, rev string) (*Branch, error) {
	ref, err := BranchRef(name)
	if err != nil {
		return nil, err
	}
	sha, err := r.ResolveRef(ctx, rev)
	if err != nil {
		return nil, err
	}
	if err := r.updateRef(ctx, ref, sha, ""); err != nil {
		if errors.Is(err, errRaced) {
			return nil, fmt.Errorf("branch %q: %w", name, ErrExists)
		}
		return nil, err
	}
	return &Branch{Name: name, Target: sha}, nil
}

// DeleteBranch deletes a branch. expected, if set, must be its current
// commit (ErrConflict otherwise). Refusing to delete the default or a
// protected branch is the caller's policy.
func (r *Repo) DeleteBranch(ctx context.Context, name, expected string) error {
	ref, err := BranchRef(name)
	if err != nil {
		return err
	}
	return r.deleteRef(ctx, ref, expected)
}

// DeleteTag deletes a tag; expected as for DeleteBranch.
func (r *Repo) DeleteTag(ctx context.Context, name, expected string) error {
	ref, err := TagRef(name)
	if err != nil {
		return err
	}
	return r.deleteRef(ctx, ref, expected)
}

func (r *Repo) deleteRef(ctx context.Context, ref, expected string) error {
	cur, err := r.readRef(ref)
	if err != nil {
		return err
	}
	if cur == "" {
		return fmt.Errorf("%s: %w", ref, ErrNotFound)
	}
	if expected != "" && expected != cur {
		return fmt.Errorf("%s is at %s, expected %s: %w", ref, cur, expected, ErrConflict)
	}
	if err := r.updateRef(ctx, ref, "", cur); err != nil {
		if errors.Is(err, errRaced) {
			return fmt.Errorf("%s: %w", ref, ErrConflict)
		}
		return err
	}
	return nil
}

// TagRequest creates a tag. With a Message the tag is annotated (a tag
// object written by git mktag, which fsck-checks it); without, lightweight.
type TagRequest struct {
	Name    string
	Rev     string
	Message string
	Tagger  Signature
}

// CreateTag creates a tag at a revision; ErrExists if the tag exists.
func (r *Repo) CreateTag(ctx context.Context, req TagRequest) (*Tag, error) {
	ref, err := TagRef(req.Name)
	if err != nil {
		return nil, err
	}
	sha, err := r.ResolveRef(ctx, req.Rev)
	if err != nil {
		return nil, err
	}
	tag := &Tag{Name: req.Name, Target: sha, Commit: sha}
	if strings.TrimSpace(req.Message) != "" {
		if err := validateSignature(req.Tagger); err != nil {
			return nil, err
		}
		msg := req.Message
		if !strings.HasSuffix(msg, "\n") {
			msg += "\n"
		}
		obj := fmt.Sprintf("object %s\ntype commit\ntag %s\ntagger %s <%s> %s\n\n%s",
			sha, req.Name, req.Tagger.Name, req.Tagger.Email,
			strings.TrimPrefix(formatSignatureDate(req.Tagger.Date), "@"), msg)
		out, err := gitCmd{dir: r.path, args: []string{"mktag"}, stdin: strings.NewReader(obj)}.run(ctx)
		if err != nil {
			return nil, fmt.Errorf("mktag: %w", err)
		}
		tag.Target = strings.TrimSpace(string(out))
		tag.Annotated = true
		tag.Message = msg
		tag.Tagger = req.Tagger
	}
	if err := r.updateRef(ctx, ref, tag.Target, ""); err != nil {
		if errors.Is(err, errRaced) {
			return nil, fmt.Errorf("tag %q: %w", req.Name, ErrExists)
		}
		return nil, err
	}
	return tag, nil
}
