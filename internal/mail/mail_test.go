package mail

import (
	"context"
	"errors"
	"mime"
	netmail "net/mail"
	"strings"
	"testing"
	"time"
)

// TestMessageBytes: a message is RFC 5322 that net/mail reads back; line
// breaks in data cannot add headers, and a non-ASCII subject is encoded.
func TestMessageBytes(t *testing.T) {
	m := &Message{From: netmail.Address{Name: "Mia\r\nBcc: evil@example.com", Address: "forge@example.com"},
		To: []string{"a@example.com", "b@example.com"}, Subject: "[Git][g/p] Grüße\r\nX-Injected: yes",
		Headers: [][2]string{{"X-GitLab-Project", "p\nX-Other: 1"}}, Body: "line one\n.dot line\n",
		Date: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), MessageID: "id@example.com"}
	b := m.Bytes()
	got, err := netmail.ReadMessage(strings.NewReader(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	if from, err := got.Header.AddressList("From"); err != nil || from[0].Name != "Mia  Bcc: evil@example.com" {
		t.Fatalf("From = %v, %v", from, err)
	}
	for _, h := range []string{"Bcc", "X-Injected", "X-Other"} {
		if got.Header.Get(h) != "" {
			t.Fatalf("header %s injected: %s", h, b)
		}
	}
	subj, err := new(mime.WordDecoder).DecodeHeader(got.Header.Get("Subject"))
	if err != nil || subj != "[Git][g/p] Grüße  X-Injected: yes" {
		t.Fatalf("subject = %q, %v", subj, err)
	}
	if got.Header.Get("To") != "a@example.com, b@example.com" || got.Header.Get("Message-ID") != "<id@example.com>" {
		t.Fatalf("headers = %v", got.Header)
	}
	if !strings.HasSuffix(string(b), "\r\n\r\nline one\r\n.dot line\r\n") {
		t.Fatalf("body = %q", b)
	}
}

// TestSendFailures: no recipients, or no relay listening, is an error.
func TestSendFailures(t *testing.T) {
	r := &Relay{Addr: "127.0.0.1:1", Timeout: 2 * time.Second}
	if err := r.Send(context.Background(), &Message{}); !errors.Is(err, ErrNoRecipients) {
		t.Fatalf("no recipients: %v", err)
	}
	if err := r.Send(context.Background(), &Message{To: []string{"a@example.com"}}); err == nil {
		t.Fatal("sent to a closed port")
	}
}
