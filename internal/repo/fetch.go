package repo

import (
	"context"
	"errors"
	"fmt"
)

// fetchUploadPack is the upload-pack a FetchCommit runs in the source:
// it serves a commit by id, which no ref of the source may name yet.
// A fixed string: nothing of a request reaches it.
const fetchUploadPack = "--upload-pack=git -c uploadpack.allowAnySHA1InWant=true upload-pack"

// FetchCommit makes commit sha, and every object it needs, present in r,
// copied from src (another repository of lablet's, typically a fork) when
// r lacks it: `git fetch` of that one commit, which writes no ref and
// transfers only what r does not have (a fork borrows its source's
// objects, so usually just the fork's own commits).
//
// Copying keeps r self-contained. The other way round — naming src's
// objects in r's alternates — would make r depend on a repository its
// owner may delete or detach at any time.
func (r *Repo) FetchCommit(ctx context.Context, src *Repo, sha string) error {
	if !isHexID(sha, 40) {
		return fmt.Errorf("%w: fetch needs a commit id", ErrInvalidRef)
	}
	if _, err := r.Commit(ctx, sha); err == nil {
		return nil
	} else if !errors.Is(err, ErrNotFound) {
		return err
	}
	if _, err := r.git(ctx, "fetch", "--quiet", "--no-tags", "--no-write-fetch-head", fetchUploadPack,
		src.path, sha); err != nil {
		return fmt.Errorf("fetch %s: %w", sha, err)
	}
	return nil
}
