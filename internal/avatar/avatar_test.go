package avatar

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"image/png"
	"strings"
	"testing"
)

func TestGravatarURL(t *testing.T) {
	// Gravatar's own example: trimmed, lower-cased, SHA-256.
	sum := sha256.Sum256([]byte("myemailaddress@example.com"))
	want := "https://www.gravatar.com/avatar/" + hex.EncodeToString(sum[:]) + "?s=80&d=identicon"
	if got := URL("http://lablet.test", true, 7, " MyEmailAddress@example.com "); got != want {
		t.Fatalf("gravatar URL = %q, want %q", got, want)
	}
	if got := URL("https://lablet.test", true, 7, "myemailaddress@example.com"); !strings.HasPrefix(got, "https://secure.gravatar.com/avatar/") {
		t.Fatalf("gravatar URL on https = %q", got)
	}
	// Not ASCII, or longer than the stack buffer: the same normalisation.
	long := strings.Repeat("x", 200) + "@Example.com"
	sum = sha256.Sum256([]byte(strings.ToLower(long)))
	if got := URL("", true, 7, long); !strings.Contains(got, hex.EncodeToString(sum[:])) {
		t.Fatalf("long address: %q", got)
	}
	sum = sha256.Sum256([]byte("ünï@example.com"))
	if got := URL("", true, 7, "ÜNÏ@example.com"); !strings.Contains(got, hex.EncodeToString(sum[:])) {
		t.Fatalf("non-ASCII address: %q", got)
	}
	// Without gravatar, or without an address: lablet's identicon.
	if got := URL("http://lablet.test", false, 7, "a@example.com"); got != "http://lablet.test/-/identicons/7.png" {
		t.Fatalf("identicon URL = %q", got)
	}
	if got := URL("http://lablet.test", true, 7, " "); got != "http://lablet.test/-/identicons/7.png" {
		t.Fatalf("no address: %q", got)
	}
}

func TestAppendURLAllocs(t *testing.T) {
	dst := make([]byte, 0, 256)
	for _, gravatar := range []bool{false, true} {
		if n := testing.AllocsPerRun(100, func() {
			dst = AppendURL(dst[:0], "https://lablet.example.com", gravatar, 123456, "Alice.Smith@Example.com")
		}); n != 0 {
			t.Errorf("AppendURL (gravatar %v) allocates %v times", gravatar, n)
		}
	}
}

func TestIdenticonID(t *testing.T) {
	for file, want := range map[string]int64{"1.png": 1, "123.png": 123, "9223372036854775807.png": 1<<63 - 1,
		"0.png": 0, "01.png": 0, "-1.png": 0, "+1.png": 0, "1.svg": 0, ".png": 0, "x.png": 0, "1": 0,
		"99999999999999999999.png": 0} {
		id, ok := IdenticonID(file)
		if ok != (want != 0) || id != want {
			t.Errorf("IdenticonID(%q) = %d, %v; want %d", file, id, ok, want)
		}
	}
}

func TestIdenticon(t *testing.T) {
	var ic, other Identicons
	a, b := ic.Draw(1), ic.Draw(2)
	if !bytes.Equal(a, other.Draw(1)) || !bytes.Equal(a, ic.Draw(1)) {
		t.Fatal("the same id drew different images")
	}
	if bytes.Equal(a, b) {
		t.Fatal("ids 1 and 2 drew the same image")
	}
	img, err := png.Decode(bytes.NewReader(a))
	if err != nil {
		t.Fatal(err)
	}
	if r := img.Bounds(); r.Dx() != 80 || r.Dy() != 80 {
		t.Fatalf("size = %v", r)
	}
	// Mirrored left to right.
	for y := 0; y < 80; y++ {
		for x := 0; x < 40; x++ {
			if img.At(x, y) != img.At(79-x, y) {
				t.Fatalf("not symmetric at (%d, %d)", x, y)
			}
		}
	}
	if len(a) > 1024 {
		t.Fatalf("identicon is %d bytes", len(a))
	}
}

func BenchmarkIdenticon(b *testing.B) {
	var ic Identicons
	b.ReportAllocs()
	for i := range b.N {
		ic.Draw(int64(i))
	}
}
