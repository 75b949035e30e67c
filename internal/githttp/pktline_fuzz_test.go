package githttp

import (
	"bytes"
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/lablet/lablet/internal/repo"
)

// pktSeeds are pkt-line streams for the fuzzers to start from: requests
// as git sends them (testdata holds broken ones).
func pktSeeds() [][]byte {
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	zero, one := strings.Repeat("0", 40), strings.Repeat("1", 40)
	return [][]byte{
		[]byte("0000"),
		lsRefsRequest([]string{"agent=git/2.39.5", "object-format=sha1"}, []string{"peel", "symrefs", "ref-prefix refs/heads/"}),
		lsRefsRequest(nil, nil),
		cat(pktLine("command=fetch\n"), []byte("0001"), pktLine("done\n"), []byte("0000")),
		cat(pktLine(zero+" "+one+" refs/heads/main\x00report-status side-band-64k\n"), pktLine("shallow "+one+"\n"),
			pktLine(one+" "+zero+" refs/tags/v1\n"), []byte("0000")),
		cat(pktLine("a\n"), []byte("0002")),
	}
}

// FuzzReadPacket checks pkt-line reading: every packet read is exactly
// the bytes it consumed, data packets re-encode to those bytes (git
// accepts upper-case lengths, lablet writes lower case), and the two
// readers agree.
func FuzzReadPacket(f *testing.F) {
	for _, s := range pktSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r := bytes.NewReader(data)
		consumed := 0
		for {
			p, err := readPacket(r)
			at := len(data) - r.Len()
			if !bytes.Equal(p.raw, data[consumed:at]) {
				t.Fatalf("packet at %d: raw %q, consumed %q", consumed, p.raw, data[consumed:at])
			}
			// readPkt (the push reader) sees the same packet.
			raw, payload, flush, perr := readPkt(bytes.NewReader(data[consumed:]))
			consumed = at
			if err != nil {
				if perr == nil {
					t.Fatalf("readPkt read %q where readPacket failed: %v", raw, err)
				}
				return
			}
			switch p.kind {
			case pktFlush:
				if perr != nil || !flush || string(raw) != "0000" {
					t.Fatalf("flush %q read by readPkt as %q %v %v", p.raw, raw, flush, perr)
				}
			case pktDelim, pktResponseEnd:
				if perr == nil {
					t.Fatalf("readPkt accepted special packet %q", p.raw)
				}
			case pktData:
				if perr != nil || flush || !bytes.Equal(raw, p.raw) || !bytes.Equal(payload, p.payload) {
					t.Fatalf("data packet %q read by readPkt as %q, %v", p.raw, raw, perr)
				}
				n, _ := strconv.ParseUint(string(p.raw[:4]), 16, 16)
				if int(n) != len(p.raw) {
					t.Fatalf("packet %q is %d bytes, its length says %d", p.raw, len(p.raw), n)
				}
				lower := append([]byte(strings.ToLower(string(p.raw[:4]))), p.payload...)
				if enc := appendPkt(nil, string(p.payload)); !bytes.Equal(enc, lower) {
					t.Fatalf("payload %q encodes as %q, read as %q", p.payload, enc, p.raw)
				}
				if enc := pktLine(string(p.payload)); !bytes.Equal(enc, lower) {
					t.Fatalf("pktLine(%q) = %q", p.payload, enc)
				}
			}
		}
	})
}

// FuzzReadLsRefs checks the v2 request reader: what it read, put back in
// front of what it did not, is the request exactly as sent (git answers
// whenever lablet does not), and the arguments it took come from the
// request's argument lines.
func FuzzReadLsRefs(f *testing.F) {
	for _, s := range pktSeeds() {
		f.Add(s, false)
	}
	f.Add(lsRefsRequest([]string{"agent=git/2.39.5", "object-format=sha1"}, []string{"peel", "symrefs", "unborn", "ref-prefix HEAD"}), true)
	f.Fuzz(func(t *testing.T, data []byte, unborn bool) {
		caps := &gitCaps{unborn: unborn, v2Names: map[string]bool{"agent": true, "object-format": true,
			"server-option": true, "ls-refs": true, "fetch": true}}
		r := bytes.NewReader(data)
		args, raw := readLsRefs(r, caps)
		rest, _ := io.ReadAll(r)
		if replay := append(append([]byte{}, raw...), rest...); !bytes.Equal(replay, data) {
			t.Fatalf("request %q replays as %q", data, replay)
		}
		if args == nil {
			return
		}
		if first, err := readPacket(bytes.NewReader(data)); err != nil ||
			strings.TrimSuffix(string(first.payload), "\n") != "command=ls-refs" {
			t.Fatalf("ls-refs arguments from a request that is no ls-refs command: %q", data)
		}
		if !bytes.HasSuffix(raw, []byte("0000")) {
			t.Fatalf("ls-refs request %q taken without its flush", raw)
		}
		if args.unborn && !unborn {
			t.Fatal("unborn taken though not advertised")
		}
		for _, p := range args.prefixes {
			if !bytes.Contains(raw, []byte("ref-prefix "+p)) {
				t.Fatalf("prefix %q is not in the request %q", p, raw)
			}
		}
	})
}

// FuzzReadCommands checks the push command reader: git is given exactly
// the bytes read, ending at the flush; every update names valid object
// ids and a valid ref, the ones the push policy is checked against; and
// reading the replayed bytes again gives the same updates.
func FuzzReadCommands(f *testing.F) {
	for _, s := range pktSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		pc, err := readCommands(bytes.NewReader(data))
		if err != nil {
			return
		}
		if !bytes.HasPrefix(data, pc.raw) || !bytes.HasSuffix(pc.raw, []byte("0000")) {
			t.Fatalf("push %q: replayed %q", data, pc.raw)
		}
		for _, u := range pc.updates {
			if !isOID(u.Old) || !isOID(u.New) || repo.CheckRefFormat(u.Ref) != nil {
				t.Fatalf("push %q: update %+v", data, u)
			}
		}
		again, err := readCommands(bytes.NewReader(pc.raw))
		if err != nil || len(again.updates) != len(pc.updates) {
			t.Fatalf("replayed commands %q read as %+v, %v", pc.raw, again, err)
		}
		for i := range again.updates {
			if again.updates[i] != pc.updates[i] {
				t.Fatalf("replayed update %+v, first read %+v", again.updates[i], pc.updates[i])
			}
		}
	})
}
