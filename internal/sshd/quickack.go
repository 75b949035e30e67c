package sshd

import (
	"net"
	"sync/atomic"

	"github.com/gliderlabs/ssh"
)

// quickAckKey holds a connection's *quickAckConn in its ssh.Context.
const quickAckKey = "lablet.quickack"

// quickAckConn acknowledges every segment it reads at once while its
// handshake and authentication run. OpenSSH leaves Nagle on until the
// session opens and writes NEWKEYS and SERVICE_REQUEST back to back; x/crypto
// has nothing to answer NEWKEYS with, so without an immediate ACK the
// second packet waits for the kernel's delayed ACK (40 ms) on every
// connection. Once the session opens the client sets TCP_NODELAY and the
// kernel's usual ACK timing is right again.
type quickAckConn struct {
	net.Conn
	on atomic.Bool
}

// wrapQuickAck is the server's ConnCallback: TCP connections get a
// quickAckConn, others pass through.
func wrapQuickAck(ctx ssh.Context, conn net.Conn) net.Conn {
	tc, ok := conn.(*net.TCPConn)
	if !ok {
		return conn
	}
	c := &quickAckConn{Conn: tc}
	c.on.Store(true)
	quickAck(tc) // the client's first packets arrive before the first Read
	ctx.SetValue(quickAckKey, c)
	return c
}

func (c *quickAckConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	// Linux clears TCP_QUICKACK as the connection turns interactive, so it
	// is set again after each read.
	if c.on.Load() {
		quickAck(c.Conn.(*net.TCPConn))
	}
	return n, err
}

// sessionStarted ends the immediate ACKs of the session's connection.
func sessionStarted(ctx ssh.Context) {
	if c, ok := ctx.Value(quickAckKey).(*quickAckConn); ok {
		c.on.Store(false)
	}
}
