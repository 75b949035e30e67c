package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"fmt"

	"golang.org/x/crypto/ssh"
)

// deployKeyEndpoints are the rows of deploy keys: a project's list of 20,
// which its maintainer (the bench user) reads.
func (l *loader) deployKeyEndpoints() []*endpoint {
	return []*endpoint{l.madeListEndpoint("GET /projects/:id/deploy_keys (20)", "deploy_keys", 20,
		func(w *worker, i int) map[string]any {
			return map[string]any{"title": fmt.Sprintf("bench %s %d", w.phase, i), "key": newAuthorizedKey()}
		})}
}

// newAuthorizedKey is a fresh ed25519 public key in authorized_keys form.
func newAuthorizedKey() string {
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		panic(err)
	}
	sp, err := ssh.NewPublicKey(pub)
	if err != nil {
		panic(err)
	}
	return string(ssh.MarshalAuthorizedKey(sp))
}
