// Package mail sends plain-text mail through the SMTP relay the operator
// configures. It imports nothing of lablet's.
//
// The relay's address comes from the server's configuration, never from
// a user, so it is dialled directly: the outbound guard against private
// addresses (internal/outbound) is for addresses users name, and a relay
// on loopback or the local network is the usual set-up.
package mail

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"mime"
	"net"
	"net/mail"
	"net/smtp"
	"strings"
	"time"
)

// Relay is an SMTP relay: its address (host:port) and, optionally, the
// credentials it takes (PLAIN auth, which net/smtp sends only over TLS or
// to localhost).
type Relay struct {
	Addr     string
	Username string
	Password string
	// Timeout bounds one delivery; 0 means 30 s.
	Timeout time.Duration
	// TLS speaks TLS from the first byte (SMTPS, port 465: GitLab's
	// smtp_tls); otherwise STARTTLS is used when the relay offers it.
	TLS bool
	// RootCAs, when set, are the certificate authorities the relay's
	// certificate must chain to (GitLab's smtp_ca_file); nil: the
	// system's.
	RootCAs *x509.CertPool
}

// Message is one mail.
type Message struct {
	From    mail.Address
	To      []string
	Subject string
	// Headers are extra headers (X-GitLab-Project …), in this order.
	Headers [][2]string
	Body    string
	// Date stamps the message (zero: Send fills in the clock's);
	// MessageID, when set, is its Message-ID without the brackets.
	Date      time.Time
	MessageID string
}

// ErrNoRecipients is a message without recipients.
var ErrNoRecipients = errors.New("mail: no recipients")

// Bytes renders m as an RFC 5322 message, text/plain in UTF-8 with
// 8bit transfer, lines CRLF-terminated. Dot-stuffing is left to the SMTP
// client's DATA writer.
func (m *Message) Bytes() []byte {
	var b bytes.Buffer
	// Header values never carry line breaks from data.
	oneLine := strings.NewReplacer("\r", " ", "\n", " ").Replace
	header := func(k, v string) { fmt.Fprintf(&b, "%s: %s\r\n", k, oneLine(v)) }
	from := m.From
	from.Name = oneLine(from.Name)
	header("From", from.String())
	header("To", strings.Join(m.To, ", "))
	header("Subject", mime.QEncoding.Encode("utf-8", oneLine(m.Subject)))
	header("Date", m.Date.Format(time.RFC1123Z))
	if m.MessageID != "" {
		header("Message-ID", "<"+m.MessageID+">")
	}
	header("MIME-Version", "1.0")
	header("Content-Type", `text/plain; charset="utf-8"`)
	header("Content-Transfer-Encoding", "8bit")
	for _, h := range m.Headers {
		header(h[0], h[1])
	}
	b.WriteString("\r\n")
	body := strings.TrimSuffix(strings.ReplaceAll(m.Body, "\r\n", "\n"), "\n")
	for line := range strings.SplitSeq(body, "\n") {
		b.WriteString(line)
		b.WriteString("\r\n")
	}
	return b.Bytes()
}

// Send delivers m through the relay, to every recipient in one
// transaction.
func (r *Relay) Send(ctx context.Context, m *Message) error {
	if len(m.To) == 0 {
		return ErrNoRecipients
	}
	if m.Date.IsZero() {
		m.Date = time.Now()
	}
	timeout := r.Timeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	host, _, _ := net.SplitHostPort(r.Addr)
	var conn net.Conn
	var err error
	if r.TLS {
		conn, err = (&tls.Dialer{Config: r.tlsConfig(host)}).DialContext(ctx, "tcp", r.Addr)
	} else {
		conn, err = (&net.Dialer{}).DialContext(ctx, "tcp", r.Addr)
	}
	if err != nil {
		return fmt.Errorf("mail: dial relay: %w", err)
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("mail: relay greeting: %w", err)
	}
	defer c.Close()
	if err := r.deliver(c, host, m); err != nil {
		return err
	}
	return c.Quit()
}

func (r *Relay) tlsConfig(host string) *tls.Config {
	return &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12, RootCAs: r.RootCAs}
}

func (r *Relay) deliver(c *smtp.Client, host string, m *Message) error {
	if ok, _ := c.Extension("STARTTLS"); ok && !r.TLS {
		if err := c.StartTLS(r.tlsConfig(host)); err != nil {
			return fmt.Errorf("mail: starttls: %w", err)
		}
	}
	if r.Username != "" {
		if err := c.Auth(smtp.PlainAuth("", r.Username, r.Password, host)); err != nil {
			return fmt.Errorf("mail: auth: %w", err)
		}
	}
	if err := c.Mail(m.From.Address); err != nil {
		return fmt.Errorf("mail: MAIL FROM: %w", err)
	}
	for _, to := range m.To {
		if err := c.Rcpt(to); err != nil {
			return fmt.Errorf("mail: RCPT TO %s: %w", to, err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("mail: DATA: %w", err)
	}
	if _, err := w.Write(m.Bytes()); err != nil {
		return fmt.Errorf("mail: write: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("mail: end of data: %w", err)
	}
	return nil
}
