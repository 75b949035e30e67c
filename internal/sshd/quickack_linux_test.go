package sshd

import (
	"net"
	"syscall"
	"testing"

	"github.com/gliderlabs/ssh"
)

// valueCtx is the part of ssh.Context the wrapper uses.
type valueCtx struct {
	ssh.Context
	vals map[any]any
}

func (c *valueCtx) SetValue(k, v any) { c.vals[k] = v }
func (c *valueCtx) Value(k any) any   { return c.vals[k] }

// TestQuickAckUntilSession: a TCP connection acknowledges at once after
// each read until its session starts, then the kernel's timing is back.
func TestQuickAckUntilSession(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	client, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	server, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer server.Close()

	ctx := &valueCtx{vals: map[any]any{}}
	c, ok := wrapQuickAck(ctx, server).(*quickAckConn)
	if !ok || !c.on.Load() {
		t.Fatalf("wrapped conn = %T, want *quickAckConn on", c)
	}
	// An exchange of small packets turns the kernel's delayed ACKs on
	// (TCP_QUICKACK reads 0); the wrapper's next read turns them off.
	buf := make([]byte, 64)
	for i := 0; i < 4 && quickAckOpt(t, server.(*net.TCPConn)) == 1; i++ {
		if _, err := client.Write([]byte("ping")); err != nil {
			t.Fatal(err)
		}
		if _, err := server.Read(buf); err != nil {
			t.Fatal(err)
		}
		if _, err := server.Write([]byte("pong")); err != nil {
			t.Fatal(err)
		}
		if _, err := client.Read(buf); err != nil {
			t.Fatal(err)
		}
	}
	if quickAckOpt(t, server.(*net.TCPConn)) != 0 {
		t.Skip("the kernel did not turn delayed ACKs on")
	}
	if _, err := client.Write([]byte("SSH-2.0-test\r\n")); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Read(buf); err != nil {
		t.Fatal(err)
	}
	if got := quickAckOpt(t, server.(*net.TCPConn)); got != 1 {
		t.Fatalf("TCP_QUICKACK after a read = %d, want 1", got)
	}
	sessionStarted(ctx)
	if c.on.Load() {
		t.Fatal("quick ACKs still on after the session started")
	}
	// A pipe is no TCP connection: it passes through.
	p1, p2 := net.Pipe()
	defer p1.Close()
	defer p2.Close()
	if got := wrapQuickAck(&valueCtx{vals: map[any]any{}}, p1); got != p1 {
		t.Fatalf("pipe wrapped as %T", got)
	}
}

func quickAckOpt(t *testing.T, c *net.TCPConn) int {
	t.Helper()
	raw, err := c.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var v int
	var gerr error
	if err := raw.Control(func(fd uintptr) {
		v, gerr = syscall.GetsockoptInt(int(fd), syscall.IPPROTO_TCP, syscall.TCP_QUICKACK)
	}); err != nil {
		t.Fatal(err)
	}
	if gerr != nil {
		t.Fatal(gerr)
	}
	return v
}
