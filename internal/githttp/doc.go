// Package githttp serves git's smart HTTP protocol (v0/v1 and v2) for bare
// repositories by running "git upload-pack" and "git receive-pack" with
// --stateless-rpc, streaming request and response bodies (gzip request
// bodies are decoded; nothing is buffered whole).
//
// Routes, relative to where the handler is mounted (the ".git" suffix is
// optional):
//
//	GET  /<path>.git/info/refs?service=git-upload-pack|git-receive-pack
//	POST /<path>.git/git-upload-pack
//	POST /<path>.git/git-receive-pack
//
// Ref advertisements of upload-pack are answered in Go, byte for byte as
// the git binary answers them, without starting git: the v0 advertisement
// and the v2 capabilities of info/refs, and the v2 ls-refs command.
// Capabilities and the agent string are learnt from git once per distinct
// repository config (caps.go); refs are read by repo.AdvertisedRefs and
// cached per repository under Target.Repo's RefsVersion. Anything not
// reproduced exactly (hidden refs, shallow repositories, protocol v1,
// unknown arguments) is left to git, as are fetches.
//
// Access: every request asks the Resolver for a Target. The resolver maps
// credentials (see ParseBasicAuth) and the project path to a bare
// repository directory, or returns ErrUnauthorized (401 with
// WWW-Authenticate, so git prompts for credentials), Forbidden(msg) (403;
// git prints the text/plain body as "remote: msg") or ErrNotFound.
//
// Push policy is split in two, because a receive-pack request carries its
// ref update commands before the pack:
//
//  1. Before git runs, the handler parses the commands (pkt-lines "old new
//     ref") at the head of the request body and calls Target.AuthorizePush.
//     Everything decidable from names and ids alone is decided here:
//     pushing to or deleting a protected branch, creating tags, etc. A
//     refusal is answered like a declined pre-receive hook: the message on
//     sideband 2 (git prints "remote: GitLab: <message>") and "ng <ref>" in
//     report-status, so git exits non-zero and nothing is written.
//
//  2. Force pushes can only be recognised once the pushed objects exist
//     ("merge-base --is-ancestor old new" needs the new commit). For the
//     refs AuthorizePush lists in PushPolicy.NoForcePush, receive-pack runs
//     with core.hooksPath pointing at a pre-receive hook written by this
//     package. git runs it after receiving the pack into its quarantine
//     area and before updating any ref; it checks ancestry for just those
//     refs and declines with GitLab's message. This is GitLab's pre-receive
//     design without a callback: the decision data travels in the hook's
//     environment. (receive.denyNonFastForwards was rejected: it applies to
//     every ref of the push, not only protected ones, and cannot carry
//     GitLab's message.) Overriding core.hooksPath also means hooks inside
//     the repository directory never run.
//
// After receive-pack exits, the handler re-reads the pushed refs and passes
// the updates that actually landed, and the push's options (git push -o,
// read from the push-options section that follows the commands, which git
// receives unchanged), to Target.AfterPush (set the default
// branch on the first push, clear empty_repo, ...), with a context that is
// not cancelled when the client goes away.
package githttp
