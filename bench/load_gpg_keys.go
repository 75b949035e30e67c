package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"sync"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
)

// gpgKeyEndpoints are the rows of GPG keys: the bench user's own list of
// 20, made once before the first request.
func (l *loader) gpgKeyEndpoints() []*endpoint {
	var made struct {
		sync.Mutex
		done bool
	}
	list := func(ctx context.Context, w *worker) (reqSpec, error) {
		made.Lock()
		defer made.Unlock()
		if !made.done {
			for i := range 20 {
				key, err := newArmoredGPGKey(fmt.Sprintf("bench %s %d", w.phase, i))
				if err != nil {
					return reqSpec{}, err
				}
				spec := reqSpec{method: http.MethodPost, path: "/user/gpg_keys",
					body: mustJSON(map[string]any{"key": key}), ctype: "application/json"}
				status, b, err := l.do(ctx, spec)
				if err != nil {
					return reqSpec{}, err
				}
				if status != http.StatusCreated {
					return reqSpec{}, fmt.Errorf("create gpg key: %d %s", status, b)
				}
			}
			made.done = true
		}
		return reqSpec{method: http.MethodGet, path: "/user/gpg_keys"}, nil
	}
	return []*endpoint{{name: "GET /user/gpg_keys (20)", setup: list}}
}

// newArmoredGPGKey is a fresh ed25519 OpenPGP public key block.
func newArmoredGPGKey(name string) (string, error) {
	e, err := openpgp.NewEntity(name, "", "bench@example.com",
		&packet.Config{Algorithm: packet.PubKeyAlgoEdDSA, Curve: packet.Curve25519})
	if err != nil {
		return "", err
	}
	var out bytes.Buffer
	w, err := armor.Encode(&out, openpgp.PublicKeyType, nil)
	if err != nil {
		return "", err
	}
	if err := e.Serialize(w); err != nil {
		return "", err
	}
	if err := w.Close(); err != nil {
		return "", err
	}
	return out.String(), nil
}
