//go:build !linux

package sshd

import "net"

// quickAck is Linux's TCP_QUICKACK; elsewhere the kernel's ACK timing stays.
func quickAck(*net.TCPConn) {}
