package githttp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/lablet/lablet/internal/repo"
)

// RefUpdate is one ref update command of a push. Old or New is the zero id
// for a creation or a deletion.
type RefUpdate struct {
	Ref string // full name, "refs/heads/main"
	Old string
	New string
}

// IsCreate reports whether the update creates the ref.
func (u RefUpdate) IsCreate() bool { return isZero(u.Old) }

// IsDelete reports whether the update deletes the ref.
func (u RefUpdate) IsDelete() bool { return isZero(u.New) }

func isZero(id string) bool { return strings.Trim(id, "0") == "" }

func isOID(s string) bool {
	if len(s) != 40 && len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// pushCommands is the parsed command section of a receive-pack request.
type pushCommands struct {
	raw     []byte // exactly what was read, replayed to git
	updates []RefUpdate
	caps    map[string]bool
	// options are the push options (git push -o), sent after the
	// commands when the client asked for the push-options capability.
	options []string
}

// readCommands reads the pkt-lines up to the first flush: optional
// "shallow <id>" lines, then "old new ref" commands, the first carrying
// capabilities after a NUL; then, when the client asked for push-options,
// the options up to the next flush. All of it is kept to replay to git.
func readCommands(body io.Reader) (*pushCommands, error) {
	pc := &pushCommands{caps: map[string]bool{}}
	var raw bytes.Buffer
	err := readSection(body, &raw, "push commands", func(line string) error {
		if strings.HasPrefix(line, "shallow ") {
			return nil
		}
		if strings.HasPrefix(line, "push-cert") {
			return errors.New("signed pushes are not supported")
		}
		cmd, caps, hasCaps := strings.Cut(line, "\x00")
		if hasCaps {
			for _, c := range strings.Fields(caps) {
				name, _, _ := strings.Cut(c, "=")
				pc.caps[name] = true
			}
		}
		f := strings.Split(cmd, " ")
		if len(f) != 3 || !isOID(f[0]) || !isOID(f[1]) {
			return fmt.Errorf("malformed push command %q", cmd)
		}
		if err := repo.CheckRefFormat(f[2]); err != nil {
			return err
		}
		pc.updates = append(pc.updates, RefUpdate{Ref: f[2], Old: f[0], New: f[1]})
		return nil
	})
	if err != nil {
		return nil, err
	}
	if pc.caps["push-options"] && len(pc.updates) > 0 {
		err := readSection(body, &raw, "push options", func(line string) error {
			pc.options = append(pc.options, line)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	pc.raw = raw.Bytes()
	return pc, nil
}

// readSection reads pkt-lines up to a flush into raw (at most
// maxCommandBytes in all) and hands each payload, without its newline,
// to line.
func readSection(body io.Reader, raw *bytes.Buffer, what string, line func(string) error) error {
	for {
		pkt, payload, flush, err := readPkt(body)
		if err != nil {
			return fmt.Errorf("read %s: %w", what, err)
		}
		raw.Write(pkt)
		if raw.Len() > maxCommandBytes {
			return fmt.Errorf("%s too large", what)
		}
		if flush {
			return nil
		}
		if err := line(strings.TrimSuffix(string(payload), "\n")); err != nil {
			return err
		}
	}
}

// receivePack vets the push, runs git receive-pack and reports what landed.
func (h *Handler) receivePack(w http.ResponseWriter, r *http.Request, t *Target, body io.Reader) {
	ctx := r.Context()
	pc, err := readCommands(body)
	if err != nil {
		h.fail(w, http.StatusBadRequest, err.Error())
		return
	}
	var policy PushPolicy
	if t.AuthorizePush != nil && len(pc.updates) > 0 {
		policy, err = t.AuthorizePush(ctx, pc.updates)
		var refused *RefusedError
		switch {
		case errors.As(err, &refused):
			// Drain the pack git is still sending before answering, so the
			// client reads our report instead of a broken connection.
			_, _ = io.Copy(io.Discard, body)
			writeRefusal(w, pc, refused.Message)
			return
		case err != nil:
			h.log.ErrorContext(ctx, "githttp: authorize push", "dir", t.Dir, "err", err)
			h.fail(w, http.StatusInternalServerError, "Internal server error")
			return
		}
	}
	env := append(gitEnv(r), pushPolicyEnv(policy)...)
	report := newPushReport(pc)
	h.run(teeResponse{w, report}, r, t, svcReceive, io.MultiReader(bytes.NewReader(pc.raw), body), env, h.receiveArgs(t), nil,
		"application/x-git-receive-pack-result", nil)
	h.logUnstored(ctx, t, report)
	h.afterReceive(ctx, t, pc)
}

// logUnstored logs a push whose objects git could not store (a full
// disk, say): git tells the client in its report and exits 0, so nothing
// else would.
func (h *Handler) logUnstored(ctx context.Context, t *Target, report *pushReport) {
	if unpack := report.unpackError(); unpack != "" {
		h.log.ErrorContext(ctx, "githttp: push not stored", "dir", t.Dir, "unpack", unpack,
			"git", strings.TrimSpace(string(report.messages)))
	}
}

// teeResponse copies what is written to the client to tee.
type teeResponse struct {
	http.ResponseWriter
	tee io.Writer
}

func (t teeResponse) Write(b []byte) (int, error) {
	_, _ = t.tee.Write(b)
	return t.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (t teeResponse) Unwrap() http.ResponseWriter { return t.ResponseWriter }

// pushReport follows receive-pack's answer as it streams, keeping the
// report-status (side band 1, or the whole answer without side bands)
// and the last of the messages for the user (band 2).
type pushReport struct {
	sideband bool
	lost     bool // the answer is not pkt-lines: stop following
	pending  []byte
	status   capped
	messages []byte
}

// newPushReport follows the answer to the push pc asked for.
func newPushReport(pc *pushCommands) *pushReport {
	return &pushReport{sideband: pc.caps["side-band-64k"] || pc.caps["side-band"], status: capped{max: 64 << 10}}
}

func (p *pushReport) Write(b []byte) (int, error) {
	if p.lost {
		return len(b), nil
	}
	p.pending = append(p.pending, b...)
	for len(p.pending) >= 4 {
		n, err := strconv.ParseUint(string(p.pending[:4]), 16, 16)
		switch {
		case err != nil:
			p.lost, p.pending = true, nil
			return len(b), nil
		case n <= 4: // flush, delimiter or empty
			p.pending = p.pending[4:]
			continue
		case len(p.pending) < int(n):
			return len(b), nil
		}
		pkt := p.pending[:n]
		switch {
		case !p.sideband:
			p.status.Write(pkt)
		case pkt[4] == 1:
			p.status.Write(pkt[5:])
		case pkt[4] == 2:
			p.messages = append(p.messages, pkt[5:]...)
			if len(p.messages) > 4<<10 {
				p.messages = append([]byte(nil), p.messages[len(p.messages)-2<<10:]...)
			}
		}
		p.pending = p.pending[n:]
	}
	return len(b), nil
}

// unpackError is git's reason when the report says the pushed objects
// could not be stored ("unpack <reason>" instead of "unpack ok").
func (p *pushReport) unpackError() string {
	_, payload, _, err := readPkt(strings.NewReader(p.status.String()))
	if rest, ok := strings.CutPrefix(strings.TrimSuffix(string(payload), "\n"), "unpack "); err == nil && ok && rest != "ok" {
		return rest
	}
	return ""
}

// pushPolicyEnv passes the refs whose force pushes are refused to the
// pre-receive hook and the messages to the post-receive hook.
func pushPolicyEnv(policy PushPolicy) []string {
	var noForce []string
	for _, ref := range policy.NoForcePush {
		if repo.CheckRefFormat(ref) == nil { // ref names cannot hold newlines
			noForce = append(noForce, ref)
		}
	}
	var messages strings.Builder
	for _, m := range policy.Messages {
		messages.WriteString("\n" + strings.ReplaceAll(m, "\x00", "") + "\n")
	}
	return []string{"LABLET_NO_FORCE_REFS=" + strings.Join(noForce, "\n"),
		"LABLET_FORCE_PUSH_MESSAGE=" + MsgForcePushProtected, "LABLET_PUSH_MESSAGES=" + messages.String()}
}

// receiveArgs are git's options for receive-pack: the hook and hidden refs.
func (h *Handler) receiveArgs(t *Target) []string {
	return append([]string{"-c", "core.hooksPath=" + h.hookDir}, hideRefsArgs(t)...)
}

// afterReceive tells the ref caches and AfterPush what a push changed.
func (h *Handler) afterReceive(ctx context.Context, t *Target, pc *pushCommands) {
	if t.Repo != nil {
		t.Repo.RefsChanged()
	}
	if t.AfterPush == nil {
		return
	}
	// Whatever git's exit status or the client's fate, report the refs
	// that did move: they are written.
	landed := appliedUpdates(t.Dir, pc.updates)
	if len(landed) > 0 {
		t.AfterPush(context.WithoutCancel(ctx), landed, pc.options)
	}
}

// appliedUpdates keeps the updates whose ref now has the pushed value.
func appliedUpdates(dir string, updates []RefUpdate) []RefUpdate {
	rp := repo.OpenPath(dir) // only reads ref files; starts no process
	var out []RefUpdate
	for _, u := range updates {
		cur, err := rp.RefValue(u.Ref)
		if err != nil {
			continue
		}
		if (u.IsDelete() && cur == "") || (!u.IsDelete() && cur == u.New) {
			out = append(out, u)
		}
	}
	return out
}

// writeRefusal answers a refused push the way a declined pre-receive hook
// is reported: the message on the progress band, "ng" for every ref.
func writeRefusal(w http.ResponseWriter, pc *pushCommands, msg string) {
	noCache(w, "application/x-git-receive-pack-result")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(refusal(pc, msg))
}

// refusal is the receive-pack answer of a refused push.
func refusal(pc *pushCommands, msg string) []byte {
	var status bytes.Buffer
	if pc.caps["report-status"] || pc.caps["report-status-v2"] {
		status.Write(pktLine("unpack ok\n"))
		for _, u := range pc.updates {
			status.Write(pktLine("ng " + u.Ref + " pre-receive hook declined\n"))
		}
		status.WriteString("0000")
	}
	max := 0
	switch {
	case pc.caps["side-band-64k"]:
		max = 65520
	case pc.caps["side-band"]:
		max = 1000
	}
	if max == 0 {
		return status.Bytes()
	}
	var out bytes.Buffer
	out.Write(sideband(2, []byte("GitLab: "+msg+"\n"), max))
	out.Write(sideband(1, status.Bytes(), max))
	out.WriteString("0000")
	return out.Bytes()
}

// postReceiveHook prints LABLET_PUSH_MESSAGES once the refs moved; git
// hands a hook's output to the client, which shows it as "remote:" lines.
const postReceiveHook = `#!/bin/sh
# Written by lablet (internal/githttp). Do not edit.
cat >/dev/null
if [ -n "$LABLET_PUSH_MESSAGES" ]; then printf '%s\n' "$LABLET_PUSH_MESSAGES" >&2; fi
exit 0
`

// preReceiveHook refuses non-fast-forward updates of the refs listed in
// LABLET_NO_FORCE_REFS (newline-separated). git runs it after the pack is
// in quarantine and before any ref moves, so the new commits are readable.
const preReceiveHook = `#!/bin/sh
# Written by lablet (internal/githttp). Do not edit.
zero=0000000000000000000000000000000000000000
status=0
while read -r old new ref; do
	[ -z "$LABLET_NO_FORCE_REFS" ] && continue
	if [ "$old" = "$zero" ] || [ "$new" = "$zero" ]; then continue; fi
	case "
$LABLET_NO_FORCE_REFS
" in
	*"
$ref
"*) ;;
	*) continue ;;
	esac
	if ! git merge-base --is-ancestor "$old" "$new" 2>/dev/null; then
		printf 'GitLab: %s\n' "$LABLET_FORCE_PUSH_MESSAGE" >&2
		status=1
	fi
done
exit $status
`
