package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"fmt"

	"golang.org/x/crypto/ssh"
)

// deployKeyEndpoints are the rows of SSH keys: a project's list of 20
// deploy keys, which its maintainer (the bench user) reads; the bench
// user's own 20 keys; and the administrator's list of 20 instance deploy
// keys.
func (l *loader) deployKeyEndpoints() []*endpoint {
	key := func(w *worker, i int) map[string]any {
		return map[string]any{"title": fmt.Sprintf("bench %s %d", w.phase, i), "key": newAuthorizedKey()}
	}
	return []*endpoint{
		l.madeListEndpoint("GET /projects/:id/deploy_keys (20)", "deploy_keys", 20, key),
		l.madeListEndpointAt("GET /user/keys (20)", func() string { return "/user/keys" }, "", 20, key),
		l.madeListEndpointAt("GET /deploy_keys as admin (20)", func() string { return "/deploy_keys" }, l.sd.RootToken, 20, key),
	}
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
