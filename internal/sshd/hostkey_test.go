package sshd

import (
	"bytes"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// TestHostKeyConcurrentFirstStarts: instances starting at once on one
// fresh data dir each get the same whole key; none reads a half-written
// file, and no temporary file is left behind.
func TestHostKeyConcurrentFirstStarts(t *testing.T) {
	for round := 0; round < 20; round++ {
		dir := t.TempDir()
		path := filepath.Join(dir, "ssh_host_ed25519_key")
		const starts = 8
		keys := make([][]byte, starts)
		errs := make([]error, starts)
		var wg sync.WaitGroup
		for i := range starts {
			wg.Add(1)
			go func() {
				defer wg.Done()
				signer, err := hostKey(path)
				if err == nil {
					keys[i] = signer.PublicKey().Marshal()
				}
				errs[i] = err
			}()
		}
		wg.Wait()
		for i := range starts {
			if errs[i] != nil {
				t.Fatalf("round %d start %d: %v", round, i, errs[i])
			}
			if !bytes.Equal(keys[i], keys[0]) {
				t.Fatalf("round %d: start %d got another host key than start 0", round, i)
			}
		}
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) != 1 {
			t.Fatalf("round %d: data dir holds %d files after the starts, want only the key", round, len(entries))
		}
		if again, err := hostKey(path); err != nil || !bytes.Equal(again.PublicKey().Marshal(), keys[0]) {
			t.Fatalf("round %d: a later start: %v (same key: %v)", round, err, err == nil && bytes.Equal(again.PublicKey().Marshal(), keys[0]))
		}
	}
}
