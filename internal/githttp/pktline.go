package githttp

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
)

// maxCommandBytes bounds the ref-update section of a push we buffer
// (about 100k refs); the pack that follows is streamed, never buffered.
const maxCommandBytes = 16 << 20

// pktLine encodes one pkt-line.
func pktLine(payload string) []byte {
	return []byte(fmt.Sprintf("%04x%s", len(payload)+4, payload))
}

// readPkt reads one pkt-line; flush ("0000") returns nil payload, flush=true.
func readPkt(r io.Reader) (raw, payload []byte, flush bool, err error) {
	var hdr [4]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, nil, false, err
	}
	n, err := strconv.ParseUint(string(hdr[:]), 16, 16)
	if err != nil {
		return nil, nil, false, fmt.Errorf("bad pkt-line length %q", hdr[:])
	}
	if n == 0 {
		return hdr[:], nil, true, nil
	}
	if n < 4 {
		return nil, nil, false, fmt.Errorf("unexpected special pkt-line %q", hdr[:])
	}
	raw = make([]byte, n)
	copy(raw, hdr[:])
	if _, err := io.ReadFull(r, raw[4:]); err != nil {
		return nil, nil, false, err
	}
	return raw, raw[4:], false, nil
}

// sideband wraps data into band packets (band 1 data, 2 progress).
func sideband(band byte, data []byte, max int) []byte {
	var out bytes.Buffer
	for len(data) > 0 {
		n := min(len(data), max-5)
		out.Write([]byte(fmt.Sprintf("%04x", n+5)))
		out.WriteByte(band)
		out.Write(data[:n])
		data = data[n:]
	}
	return out.Bytes()
}
