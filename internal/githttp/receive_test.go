package githttp

import (
	"bytes"
	"testing"
)

// TestPushReport: the unpack status of receive-pack's answer is found
// however the answer is cut into writes, with or without side bands, and
// with the user's messages of band 2.
func TestPushReport(t *testing.T) {
	status := string(pktLine("unpack unpack-objects abnormal exit\n")) + string(pktLine("ng refs/heads/main unpacker error\n")) + "0000"
	msg := "fatal: unable to write loose object file: No space left on device\n"
	banded := string(sideband(2, []byte(msg), 65520)) + string(sideband(1, []byte(status), 65520)) + "0000"
	for _, tc := range []struct {
		name, answer, unpack, messages string
		sideband                       bool
	}{
		{"SideBand", banded, "unpack-objects abnormal exit", msg, true},
		{"Plain", status, "unpack-objects abnormal exit", "", false},
		{"OK", string(sideband(1, []byte(string(pktLine("unpack ok\n"))+string(pktLine("ok refs/heads/main\n"))+"0000"), 65520)) + "0000", "", "", true},
		{"Empty", "", "", "", true},
		{"Garbage", "not pkt-lines", "", "", true},
	} {
		for _, chunk := range []int{1, 3, 7, 1 << 20} {
			p := &pushReport{sideband: tc.sideband, status: capped{max: 64 << 10}}
			for b := []byte(tc.answer); len(b) > 0; {
				n := min(chunk, len(b))
				if m, err := p.Write(b[:n]); m != n || err != nil {
					t.Fatalf("%s: Write = %d, %v", tc.name, m, err)
				}
				b = b[n:]
			}
			if got := p.unpackError(); got != tc.unpack || !bytes.Equal(p.messages, []byte(tc.messages)) {
				t.Errorf("%s in writes of %d: unpack %q, messages %q; want %q, %q", tc.name, chunk, got, p.messages, tc.unpack, tc.messages)
			}
		}
	}
}
