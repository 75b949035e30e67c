package v4

import (
	"encoding/base64"
	"net/http/httptest"
	"testing"
)

// TestWriteFileEntityMatchesOK checks that the spliced file body is byte
// for byte what WriteOK(w, e) writes with the content set.
func TestWriteFileEntityMatchesOK(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		e    fileEntity
		data []byte
	}{
		{"plain", fileEntity{FileName: "a.go", FilePath: "src/a.go", Size: 3, Encoding: "base64", ContentSHA256: "x",
			Ref: "main", BlobID: "b", CommitID: "c", LastCommitID: "l"}, []byte("abc")},
		{"escapes", fileEntity{FileName: `q",\"content_sha256":<&>`, FilePath: "dir/ü é\n\"x\"", Encoding: "base64",
			Ref: `r,"content_sha256":`, ExecuteFilemode: true}, []byte{0, 1, 2, 0xff, '<', '>'}},
		{"empty", fileEntity{FileName: "e", FilePath: "e", Encoding: "base64"}, nil},
		{"large", fileEntity{FileName: "l", FilePath: "l", Encoding: "base64"}, make([]byte, 100000)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := httptest.NewRecorder()
			e := tc.e
			e.Content = base64.StdEncoding.EncodeToString(tc.data)
			if err := WriteOK(want, e); err != nil {
				t.Fatal(err)
			}
			got := httptest.NewRecorder()
			if err := writeFileEntity(got, tc.e, tc.data); err != nil {
				t.Fatal(err)
			}
			if got.Body.String() != want.Body.String() || got.Code != want.Code ||
				got.Header().Get("Content-Type") != want.Header().Get("Content-Type") {
				t.Fatalf("got %d %q\n%s\nwant %d %q\n%s", got.Code, got.Header(), got.Body, want.Code, want.Header(), want.Body)
			}
		})
	}
}
