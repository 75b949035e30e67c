package integrations_test

import (
	"bufio"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"
)

// smtpSink is a minimal SMTP server on loopback that keeps every message
// it is given; the relay the tests' servers send mail through.
type smtpSink struct {
	ln   net.Listener
	mu   sync.Mutex
	got  []sunkMail
	fail bool // answer 451 to DATA: a relay that is down for a while
	// refused counts the DATA commands answered 451.
	refused int
}

type sunkMail struct {
	from string
	to   []string
	msg  *mail.Message
	body string
}

func newSMTPSink(t *testing.T) *smtpSink {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpSink{ln: ln}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(c)
		}
	}()
	t.Cleanup(func() { ln.Close() })
	return s
}

func (s *smtpSink) addr() string { return s.ln.Addr().String() }

func (s *smtpSink) serve(c net.Conn) {
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(time.Minute))
	r, w := bufio.NewReader(c), bufio.NewWriter(c)
	reply := func(line string) { w.WriteString(line + "\r\n"); w.Flush() }
	reply("220 sink ESMTP")
	var cur sunkMail
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.TrimRight(line, "\r\n")
		verb := strings.ToUpper(strings.SplitN(cmd, " ", 2)[0])
		switch {
		case verb == "EHLO":
			reply("250-sink")
			reply("250 8BITMIME")
		case verb == "HELO", verb == "NOOP":
			reply("250 ok")
		case verb == "RSET":
			cur = sunkMail{}
			reply("250 ok")
		case strings.HasPrefix(strings.ToUpper(cmd), "MAIL FROM:"):
			cur = sunkMail{from: angle(cmd)}
			reply("250 ok")
		case strings.HasPrefix(strings.ToUpper(cmd), "RCPT TO:"):
			cur.to = append(cur.to, angle(cmd))
			reply("250 ok")
		case verb == "DATA":
			s.mu.Lock()
			fail := s.fail
			if fail {
				s.refused++
			}
			s.mu.Unlock()
			if fail {
				reply("451 try again later")
				continue
			}
			reply("354 go ahead")
			var data strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				data.WriteString(strings.TrimPrefix(l, ".")) // dot-unstuffing
			}
			m, err := mail.ReadMessage(strings.NewReader(data.String()))
			if err != nil {
				reply("554 unreadable")
				continue
			}
			b := new(strings.Builder)
			_, _ = bufio.NewReader(m.Body).WriteTo(b)
			cur.msg, cur.body = m, strings.ReplaceAll(b.String(), "\r\n", "\n")
			s.mu.Lock()
			s.got = append(s.got, cur)
			s.mu.Unlock()
			reply("250 queued")
		case verb == "QUIT":
			reply("221 bye")
			return
		default:
			reply("502 unknown")
		}
	}
}

// angle is the <path> of a MAIL or RCPT command, without its parameters.
func angle(cmd string) string {
	_, rest, _ := strings.Cut(cmd, "<")
	path, _, _ := strings.Cut(rest, ">")
	return path
}

func (s *smtpSink) setFail(v bool) {
	s.mu.Lock()
	s.fail = v
	s.mu.Unlock()
}

func (s *smtpSink) refusals() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refused
}

func (s *smtpSink) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.got)
}

// wait returns the n-th message (from 1), waiting up to 30 s for the job
// queue to send it.
func (s *smtpSink) wait(t *testing.T, n int) sunkMail {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		s.mu.Lock()
		if len(s.got) >= n {
			m := s.got[n-1]
			s.mu.Unlock()
			return m
		}
		s.mu.Unlock()
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("mail %d not received (got %d)", n, s.count())
	return sunkMail{}
}
