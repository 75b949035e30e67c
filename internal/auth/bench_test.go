package auth_test

import (
	"context"
	"testing"

	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/labtest"
)

// BenchmarkToken measures token resolution, the first step of every
// authenticated request: digest, indexed lookup joined with the user,
// checks (and sudo's user lookup).
//
//	go test -run '^$' -bench Token -benchmem ./internal/auth
func BenchmarkToken(b *testing.B) {
	s := labtest.Start(b)
	alice := s.NewUser(b, "alice")
	a := auth.NewAuthenticator(s.Srv.DB, true, false)
	ctx := context.Background()
	// The first use writes last_used_at; later ones within ten minutes don't.
	if _, err := a.Token(ctx, alice.Token, ""); err != nil {
		b.Fatal(err)
	}
	if _, err := a.Token(ctx, s.RootToken, ""); err != nil {
		b.Fatal(err)
	}
	b.Run("valid", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := a.Token(ctx, alice.Token, ""); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("sudo", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := a.Token(ctx, s.RootToken, "alice"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("unknown", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := a.Token(ctx, "glpat-unknownunknownunknown", ""); err != auth.ErrUnauthorized {
				b.Fatal(err)
			}
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := a.Token(ctx, alice.Token, ""); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

// BenchmarkDigest is the hashing part of BenchmarkToken.
func BenchmarkDigest(b *testing.B) {
	tok := auth.NewPersonalToken()
	b.ReportAllocs()
	for b.Loop() {
		_ = auth.Digest(tok)
	}
}
