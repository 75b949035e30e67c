package githttp

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/lablet/lablet/internal/repo"
)

// maxLsRefsRequest bounds what is buffered of a v2 request to recognise
// an ls-refs command; past it the request goes to git.
const maxLsRefsRequest = 1 << 20

// tooManyPrefixes is git's TOO_MANY_PREFIXES: with that many ref-prefix
// arguments ls-refs ignores them all.
const tooManyPrefixes = 65536

// lsRefsArgs are the arguments of one ls-refs command.
type lsRefsArgs struct {
	peel, symrefs, unborn bool
	prefixes              []string
}

// readLsRefs reads a v2 request up to its first flush when it is an
// ls-refs command answered here. It returns nil args for anything else
// (another command, arguments or capabilities this package does not know,
// anything git would refuse), with what it read so that git gets the
// request whole.
func readLsRefs(body io.Reader, caps *gitCaps) (*lsRefsArgs, []byte) {
	var raw []byte
	next := func() (packet, bool) {
		p, err := readPacket(body)
		raw = append(raw, p.raw...)
		if err != nil || len(raw) > maxLsRefsRequest {
			return p, false
		}
		return p, true
	}
	// chomped is the line as git's reader sees it: one trailing LF off,
	// and nothing after a NUL byte (C strings).
	chomped := func(p packet) (string, bool) {
		s := strings.TrimSuffix(string(p.payload), "\n")
		return s, !strings.Contains(s, "\x00")
	}
	p, ok := next()
	if !ok || p.kind != pktData {
		return nil, raw
	}
	if line, ok := chomped(p); !ok || line != "command=ls-refs" {
		return nil, raw
	}
	// Client capabilities, then a delimiter (arguments follow) or a flush.
	args := &lsRefsArgs{}
keys:
	for {
		p, ok := next()
		if !ok {
			return nil, raw
		}
		switch p.kind {
		case pktFlush:
			return args, raw
		case pktDelim:
			break keys
		case pktData:
			line, ok := chomped(p)
			if !ok {
				return nil, raw
			}
			name, value, _ := strings.Cut(line, "=")
			switch {
			case !caps.v2Names[name]:
				return nil, raw
			case name == "agent", name == "server-option":
			case name == "object-format" && value == "sha1":
			default:
				return nil, raw
			}
		default:
			return nil, raw
		}
	}
	for {
		p, ok := next()
		if !ok {
			return nil, raw
		}
		switch p.kind {
		case pktFlush:
			if len(args.prefixes) >= tooManyPrefixes {
				args.prefixes = nil
			}
			return args, raw
		case pktData:
			line, ok := chomped(p)
			if !ok {
				return nil, raw
			}
			switch {
			case line == "peel":
				args.peel = true
			case line == "symrefs":
				args.symrefs = true
			case line == "unborn":
				if !caps.unborn {
					return nil, raw // "allow" and "ignore" cannot be told apart
				}
				args.unborn = true
			case strings.HasPrefix(line, "ref-prefix "):
				if len(args.prefixes) < tooManyPrefixes {
					args.prefixes = append(args.prefixes, line[len("ref-prefix "):])
				}
			default:
				return nil, raw
			}
		default:
			return nil, raw
		}
	}
}

// renderLsRefs writes git's ls-refs answer: HEAD first (also unborn, when
// asked for with symrefs), then the refs, all filtered by the prefixes.
func renderLsRefs(refs *repo.AdvertisedRefs, args *lsRefsArgs) ([]byte, error) {
	match := func(name string) bool {
		if len(args.prefixes) == 0 {
			return true
		}
		for _, p := range args.prefixes {
			if strings.HasPrefix(name, p) {
				return true
			}
		}
		return false
	}
	b := make([]byte, 0, 1024)
	var tooLong error
	send := func(ref repo.AdvertisedRef) {
		start := len(b)
		b = append(b, "0000"...) // length patched below
		if ref.OID != "" {
			b = append(b, ref.OID...)
			b = append(b, ' ')
		} else {
			b = append(b, "unborn "...)
		}
		b = append(b, ref.Name...)
		if args.symrefs && ref.Target != "" {
			b = append(b, " symref-target:"...)
			b = append(b, ref.Target...)
		}
		if args.peel && ref.Peeled != "" {
			b = append(b, " peeled:"...)
			b = append(b, ref.Peeled...)
		}
		b = append(b, '\n')
		n := len(b) - start
		if n > maxPktPayload+4 {
			tooLong = fmt.Errorf("%w: ls-refs line too long", repo.ErrAdvertiseUnsupported)
			return
		}
		const hex = "0123456789abcdef"
		b[start], b[start+1], b[start+2], b[start+3] = hex[n>>12&15], hex[n>>8&15], hex[n>>4&15], hex[n&15]
	}
	// HEAD: sent if it resolves, or as unborn when it is a symbolic ref to
	// a missing branch and the client asked for unborn and symrefs.
	head := refs.Head
	if (head.OID != "" || args.unborn && args.symrefs && head.Target != "") && match("HEAD") {
		send(head)
	}
	for _, r := range refs.Refs {
		if match(r.Name) {
			send(r)
		}
	}
	return append(b, "0000"...), tooLong
}

// lsRefs answers a v2 ls-refs POST in Go. It returns the request body to
// hand to git instead (what it read put back in front) when git must
// answer, or nil when it answered.
func (h *Handler) lsRefs(w http.ResponseWriter, r *http.Request, t *Target, body io.Reader) io.Reader {
	if t.Repo == nil || t.Repo.Path() != t.Dir || protocolVersion(r) != 2 {
		return body
	}
	ctx := r.Context()
	caps, err := h.adv.caps.get(ctx, t.Repo.Path())
	if err != nil {
		h.log.DebugContext(ctx, "githttp: ls-refs by git", "dir", t.Dir, "err", err)
		return body
	}
	args, raw := readLsRefs(body, caps)
	replay := io.MultiReader(bytes.NewReader(raw), body)
	if args == nil {
		return replay
	}
	s, err := h.adv.snapshot(ctx, t, caps)
	if err != nil {
		if !errors.Is(err, repo.ErrAdvertiseUnsupported) && ctx.Err() == nil {
			h.log.WarnContext(ctx, "githttp: read refs", "dir", t.Dir, "err", err)
		}
		return replay
	}
	out, err := renderLsRefs(s.refs, args)
	if err != nil {
		return replay
	}
	writeAnswer(w, "application/x-git-upload-pack-result", nil, out)
	return nil
}
