package repo

import (
	"context"
	"fmt"
	"strings"
)

// CreateBundle writes a git bundle of every ref of the repository to file
// (a project export's project.bundle). An empty repository has nothing to
// bundle: false, and no file.
func (r *Repo) CreateBundle(ctx context.Context, file string) (bool, error) {
	refs, err := r.git(ctx, "for-each-ref", "--count=1", "--format=%(refname)")
	if err != nil {
		return false, fmt.Errorf("bundle: %w", err)
	}
	if refs == "" {
		return false, nil
	}
	if _, err := r.git(ctx, "bundle", "create", "--quiet", file, "--all"); err != nil {
		return false, fmt.Errorf("bundle: %w", err)
	}
	return true, nil
}

// FetchBundle copies every ref of the bundle file into the repository (a
// project import): its branches, tags and other refs land as they are
// named in the bundle, after git has checked the bundle and its objects.
// It returns the branch the bundle's HEAD names, if any.
func (r *Repo) FetchBundle(ctx context.Context, file string) (string, error) {
	heads, err := r.git(ctx, "bundle", "list-heads", file)
	if err != nil {
		return "", fmt.Errorf("bundle: %w", err)
	}
	var head, headSHA string
	shas := map[string]string{}
	for line := range strings.SplitSeq(heads, "\n") {
		sha, ref, ok := strings.Cut(strings.TrimSpace(line), " ")
		if !ok {
			continue
		}
		if ref == "HEAD" {
			headSHA = sha
			continue
		}
		if !strings.HasPrefix(ref, "refs/") || strings.Contains(ref, "..") || strings.ContainsAny(ref, "\\ ~^:?*[") {
			return "", fmt.Errorf("bundle: ref %q: %w", ref, ErrInvalidRef)
		}
		shas[ref] = sha
	}
	// --no-auto-gc: housekeeping is the queue's; fsck: the bundle is untrusted.
	_, err = r.git(ctx, append(r.hookArgs(), "-c", "fetch.fsckObjects=true", "-c", "transfer.fsckObjects=true", "fetch", "--quiet",
		"--no-tags", "--no-write-fetch-head", "--no-auto-gc", file, "+refs/*:refs/*")...)
	r.RefsChanged()
	if err != nil {
		return "", fmt.Errorf("bundle: fetch: %w", err)
	}
	if headSHA != "" {
		if sha := shas["refs/heads/"+DefaultBranchGuess]; sha == headSHA {
			head = DefaultBranchGuess
		} else {
			for ref, sha := range shas {
				if name, ok := strings.CutPrefix(ref, "refs/heads/"); ok && sha == headSHA && (head == "" || name < head) {
					head = name
				}
			}
		}
	}
	return head, nil
}

// DefaultBranchGuess is the branch a bundle's HEAD is taken to name when
// several branches point at its commit.
const DefaultBranchGuess = "main"
