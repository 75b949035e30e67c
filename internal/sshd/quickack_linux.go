package sshd

import (
	"net"
	"syscall"
)

// quickAck asks the kernel to acknowledge received segments at once.
// A failure only costs latency, so it is ignored.
func quickAck(c *net.TCPConn) {
	raw, err := c.SyscallConn()
	if err != nil {
		return
	}
	_ = raw.Control(func(fd uintptr) {
		_ = syscall.SetsockoptInt(int(fd), syscall.IPPROTO_TCP, syscall.TCP_QUICKACK, 1)
	})
}
