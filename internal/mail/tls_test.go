package mail

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"math/big"
	"net"
	"strings"
	"testing"
	"time"
)

// selfSigned is a certificate for 127.0.0.1 and the pool that trusts it.
func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), NotBefore: time.Now().Add(-time.Hour),
		NotAfter: time.Now().Add(time.Hour), IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, IsCA: true, BasicConstraintsValid: true,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pool
}

// smtpsRelay is an SMTP server speaking TLS from the first byte; it sends
// each message's DATA, and the AUTH line it was given, on got.
func smtpsRelay(t *testing.T, cert tls.Certificate) (string, chan string) {
	t.Helper()
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	got := make(chan string, 4)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				r := bufio.NewReader(c)
				reply := func(s string) { _, _ = c.Write([]byte(s + "\r\n")) }
				reply("220 relay ESMTP")
				for {
					line, err := r.ReadString('\n')
					if err != nil {
						return
					}
					switch verb := strings.ToUpper(strings.Fields(line + " x")[0]); verb {
					case "EHLO":
						reply("250-relay")
						reply("250 AUTH PLAIN")
					case "AUTH":
						got <- strings.TrimSpace(line)
						reply("235 ok")
					case "DATA":
						reply("354 go ahead")
						var data strings.Builder
						for {
							l, err := r.ReadString('\n')
							if err != nil || l == ".\r\n" {
								break
							}
							data.WriteString(l)
						}
						got <- data.String()
						reply("250 queued")
					case "QUIT":
						reply("221 bye")
						return
					default:
						reply("250 ok")
					}
				}
			}()
		}
	}()
	return ln.Addr().String(), got
}

// TestSendImplicitTLS: with TLS set, the relay is spoken to over TLS from
// the first byte (SMTPS), its certificate checked against RootCAs, and
// PLAIN credentials go over it; a relay whose certificate is not trusted
// gets nothing.
func TestSendImplicitTLS(t *testing.T) {
	cert, pool := selfSigned(t)
	addr, got := smtpsRelay(t, cert)
	msg := &Message{To: []string{"dev@example.com"}, Subject: "Hello", Body: "over TLS\n"}
	r := &Relay{Addr: addr, TLS: true, RootCAs: pool, Username: "mailer", Password: "s3cret", Timeout: 10 * time.Second}
	if err := r.Send(context.Background(), msg); err != nil {
		t.Fatalf("send over implicit TLS: %v", err)
	}
	if auth := <-got; !strings.HasPrefix(auth, "AUTH PLAIN ") {
		t.Fatalf("auth line = %q", auth)
	}
	if data := <-got; !strings.Contains(data, "Subject: Hello") || !strings.Contains(data, "over TLS") {
		t.Fatalf("data = %q", data)
	}

	untrusted := &Relay{Addr: addr, TLS: true, Timeout: 10 * time.Second}
	if err := untrusted.Send(context.Background(), msg); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("send to an untrusted relay: %v", err)
	}
	plain := &Relay{Addr: addr, Timeout: 3 * time.Second}
	if err := plain.Send(context.Background(), msg); err == nil {
		t.Fatal("plain SMTP to a TLS relay succeeded")
	}
}
