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

// Packet kinds of protocol v2 (and v0's data and flush).
const (
	pktData = iota
	pktFlush
	pktDelim       // "0001"
	pktResponseEnd // "0002"
)

// packet is one pkt-line as read, with its raw bytes for replaying.
type packet struct {
	kind    int
	raw     []byte
	payload []byte
}

// readPacket reads one pkt-line of any kind. Lengths are hex digits of
// either case, as git accepts. On error raw still holds every byte read,
// so that a caller handing the request on to git can replay it whole.
func readPacket(r io.Reader) (packet, error) {
	var hdr [4]byte
	if n, err := io.ReadFull(r, hdr[:]); err != nil {
		return packet{raw: bytes.Clone(hdr[:n])}, err
	}
	n, err := strconv.ParseUint(string(hdr[:]), 16, 16)
	if err != nil {
		return packet{raw: bytes.Clone(hdr[:])}, fmt.Errorf("bad pkt-line length %q", hdr[:])
	}
	switch n {
	case 0:
		return packet{kind: pktFlush, raw: hdr[:]}, nil
	case 1:
		return packet{kind: pktDelim, raw: hdr[:]}, nil
	case 2:
		return packet{kind: pktResponseEnd, raw: hdr[:]}, nil
	case 3:
		return packet{raw: hdr[:]}, fmt.Errorf("bad pkt-line length %q", hdr[:])
	}
	raw := make([]byte, n)
	copy(raw, hdr[:])
	if m, err := io.ReadFull(r, raw[4:]); err != nil {
		return packet{raw: raw[:4+m]}, err
	}
	return packet{kind: pktData, raw: raw, payload: raw[4:]}, nil
}

// appendPkt appends payload as one pkt-line.
func appendPkt(b []byte, payload ...string) []byte {
	n := 4
	for _, p := range payload {
		n += len(p)
	}
	const hex = "0123456789abcdef"
	b = append(b, hex[n>>12&15], hex[n>>8&15], hex[n>>4&15], hex[n&15])
	for _, p := range payload {
		b = append(b, p...)
	}
	return b
}
