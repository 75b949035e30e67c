package blob

import (
	"path/filepath"
	"strings"
	"testing"
)

func FuzzValidKey(f *testing.F) {
	for _, k := range []string{"uploads/1/abc", "../x", "a/./b", "a\\b"} {
		f.Add(k)
	}
	f.Fuzz(func(t *testing.T, key string) {
		if !ValidKey(key) {
			return
		}
		// A valid key stays under the root, whatever it holds.
		p := filepath.Join("/root-of-blobs", filepath.FromSlash(key))
		if !strings.HasPrefix(p, "/root-of-blobs/") {
			t.Fatalf("key %q maps outside the root: %s", key, p)
		}
	})
}
