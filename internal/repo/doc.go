// Package repo stores project repositories as real bare git repositories and
// drives them with the git binary, as Gitaly and Gitea do.
//
// Layout: repositories live under Store.Root in GitLab's hashed layout,
// @hashed/<aa>/<bb>/<sha256(project id)>.git, so renaming or transferring a
// project never moves its repository.
//
// Processes: every git invocation goes through gitCmd, which fixes the
// environment (no system or global config, no inherited GIT_* variables, no
// terminal prompts, C locale) and captures stderr into the returned error.
// User-supplied values never reach git's option parser: ref names are checked
// in Go with git check-ref-format rules and passed fully qualified
// ("refs/heads/x"), revisions are resolved to object ids first, and paths
// follow "--" or travel on stdin.
//
// Reads on hot paths (ResolveRef, Commit, Tree, Blob) go through long-lived
// "git cat-file --batch-command" processes (the --batch protocol plus an
// explicit "info"/"contents" verb, git >= 2.36), pooled per repository, so a
// warm read spawns no process. A long-lived cat-file still sees ref updates
// and newly received packs: git re-reads loose refs and packed-refs on every
// lookup and re-scans packs on a miss.
//
// Writes never use a work tree. Blobs, trees and commits are written from
// Go as loose objects, byte for byte what "hash-object -w", "mktree" and
// "commit-tree" would write (objects_write.go, tree_builder.go); what git
// would rewrite or refuse — non-UTF-8 text, NUL bytes, dates before 1970 —
// still goes to "commit-tree". Refs move by "update <ref> <new> <old>"
// transactions of a pooled "git update-ref --stdin" process (refs_write.go),
// so a write built on a stale head is refused by git itself instead of
// silently overwriting another writer's commit. CommitFiles and the
// cherry-pick/revert commits retry such a race (retryRaced) when the caller
// did not pin ExpectedHead — the actions are re-applied to the new head and
// re-validated; with ExpectedHead set they return ErrConflict.
package repo
